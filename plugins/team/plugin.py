"""The team plugin's hook implementations."""
from __future__ import annotations

from pathlib import Path

from flask_babel import lazy_gettext as _l

from core.api import AgendaItem, AuditTerms, Metric, NavItem, hookimpl

label = _l("Team")
description = _l("Team meetings with an agenda from the data, one-to-ones, training and skills, team-building.")


@hookimpl
def register_models():
    from .models import MODELS

    return MODELS


@hookimpl
def register_migrations():
    return Path(__file__).parent / "migrations"


@hookimpl
def register_blueprints():
    from . import one_to_one_views, together_views, training_views, views  # noqa: F401 - routes

    return [views.bp]


@hookimpl
def describe_audit():
    from .services import ACTION_LABELS
    from .training import ACTION_LABELS as TRAINING_LABELS

    return AuditTerms(actions={**ACTION_LABELS, **TRAINING_LABELS}, subjects={"team": _l("Team meetings")},
                      changes={"rhythm_days": _l("Meets every (days)"), "one_to_one_weeks": _l("One-to-one every (weeks)"),
                               "hide_private_notes": _l("Private notes hidden from the rep")})


@hookimpl
def nav_items(user):
    return [NavItem(_l("Team"), "team.index", icon="users", order=45)]


@hookimpl
def meeting_topics(team, start, end):
    from .services import carried_actions

    return carried_actions(team, start, end)


@hookimpl
def award_prizes():
    from .training import prizes

    return prizes()


@hookimpl
def agenda_items(user, day):
    from flask import url_for

    from .oneonones import overview
    from .services import my_open_actions

    # An action agreed in a meeting matters, and presses once due; so does a one-to-one that is due.
    items = [AgendaItem(title=action.title, url=url_for("team.action", action_id=action.id), kind=str(_l("Action")),
                        overdue=action.due < day, important=True, urgent=action.due <= day) for action in my_open_actions(user, day)]
    if user.may("lead_teams"):
        items += [AgendaItem(title=str(_l("One-to-one with %(name)s is due", name=row["person"].name)), url=url_for("team.one_to_ones"),
                             kind=str(_l("One-to-one")), overdue=row["due_by"] < day, important=True, urgent=row["due_by"] <= day)
                  for row in overview(user) if row["due"]]
    return items


@hookimpl
def dashboard_widgets(user):
    from .widgets import widgets

    return widgets(user)


@hookimpl
def register_metrics():
    from .metrics import actions_on_time, one_to_ones_held, training_hours

    return [Metric("team.training_hours", _l("Training hours"), training_hours, unit="hours",
                   description=_l("The hours of the courses completed in the range.")),
            Metric("team.one_to_ones_held", _l("One-to-ones held"), one_to_ones_held,
                   description=_l("The rep's one-to-ones held on a day of the range.")),
            Metric("team.actions_on_time", _l("Actions closed on time"), actions_on_time,
                   description=_l("Meeting and one-to-one actions due in the range and closed by their due day."))]


@hookimpl(trylast=True)  # after the plugins whose data the agendas show
def demo_data(team, rng):
    from .demo import create

    create(team, rng)
