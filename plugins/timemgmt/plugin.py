"""The time-management plugin's hook implementations."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import lazy_gettext as _l

from core.api import AuditTerms, Metric, NavItem, PeriodicTask, RecordPanel, hookimpl

label = _l("My day")
description = _l("Today's agenda from every plugin; priorities, time blocks, focus timer and weekly reflection.")


@hookimpl
def register_models():
    from .models import MODELS

    return MODELS


@hookimpl
def register_migrations():
    return Path(__file__).parent / "migrations"


@hookimpl
def register_blueprints():
    from . import views

    return [views.bp]


@hookimpl
def nav_items(user):
    items = [NavItem(_l("My day"), "timemgmt.today", icon="clock", order=5),
             NavItem(_l("Capture"), "timemgmt.topbar", icon="plus", order=5, section="top")]
    if user.may("administer"):
        items.append(NavItem(_l("Morning digest"), "timemgmt.mail_settings", icon="settings", order=950, section="admin"))
    return items


@hookimpl
def describe_audit():
    return AuditTerms(actions={"mail_settings": _l("changed the morning digest's settings")},
                      subjects={"timemgmt": _l("My day")},
                      changes={"host": _l("SMTP server"), "port": _l("Port"), "username": _l("User name"), "password": _l("Password"),
                               "sender": _l("Sender address"), "security": _l("Connection"), "hour": _l("Send from (hour, team time)"),
                               "enabled": _l("Send the morning digest")})


@hookimpl
def register_periodic_tasks():
    from .digest import send_digests

    return [PeriodicTask("timemgmt.morning_digest", send_digests, minute="5")]


@hookimpl
def register_commands():
    @click.command("remind")
    @with_appcontext
    @click.option("--force", is_flag=True, help="Send before the hour set by the admin.")
    def remind(force):
        """Send today's morning digests that have not gone out yet (never twice a day)."""
        from .digest import send_digests

        click.echo(f"{send_digests(force=force)} digest(s) sent.")

    return [remind]


@hookimpl(trylast=True)
def demo_data(team, rng):
    from .demo import create

    create(team, rng)


@hookimpl
def register_metrics():
    from .reflection import delegations_on_time, focus_hours, tasks_done

    return [Metric("timemgmt.focus_hours", _l("Focus hours"), focus_hours, unit="hours",
                   description=_l("Hours of focus sessions that ran their full length.")),
            Metric("timemgmt.tasks_done", _l("Tasks done"), tasks_done,
                   description=_l("Tasks of My day marked done.")),
            Metric("timemgmt.delegations_on_time", _l("Delegations closed on time"), delegations_on_time,
                   description=_l("Delegated tasks done by their check-back day, counted for the person who delegated them."))]


@hookimpl
def dashboard_widgets(user):
    from .widgets import widgets

    return widgets(user)


@hookimpl
def record_panels(entity, record, user):
    """The tasks about a record (those the reader sees), and a way to add one: on every record page."""
    from .models import Task
    from .services import visible_tasks

    tasks = list(visible_tasks(user).where(Task.entity == entity, Task.record_id == record.id, Task.done_at.is_null())
                 .order_by(Task.due_day, Task.id).limit(20))
    return [RecordPanel(_l("Tasks"), "timemgmt/record_panel.html", {"tasks": tasks, "entity": entity, "record_id": record.id}, order=60)]
