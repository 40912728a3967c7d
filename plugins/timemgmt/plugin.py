"""The time-management plugin's hook implementations."""
from __future__ import annotations

from pathlib import Path

from flask_babel import lazy_gettext as _l

from core.api import Metric, NavItem, hookimpl

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
    return [NavItem(_l("My day"), "timemgmt.today", icon="clock", order=5),
            NavItem(_l("Capture"), "timemgmt.topbar", icon="plus", order=5, section="top")]


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
