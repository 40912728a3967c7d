"""The goals plugin's hook implementations."""
from __future__ import annotations

from pathlib import Path

from flask_babel import lazy_gettext as _l

from core.api import AuditTerms, NavItem, hookimpl

from . import services, widgets

label = _l("Goals")
description = _l("SMART goals broken down by period and person, with live progress and reviews.")


@hookimpl
def register_models():
    from .models import MODELS

    return MODELS


@hookimpl
def register_migrations():
    return Path(__file__).parent / "migrations"


@hookimpl
def register_blueprints():
    from . import reviews, views  # noqa: F401 - routes

    return [views.bp]


@hookimpl
def describe_audit():
    return AuditTerms(
        actions={"goal_add": _l("set the goal"), "goal_target": _l("changed the target"), "goal_split": _l("broke it down"),
                 "goal_share": _l("shared it out"), "goal_archive": _l("archived it"), "review_save": _l("saved the review"),
                 "holidays": _l("changed the holidays")},
        subjects={"goals": _l("Goals")},
        changes={"goals": _l("Goals"), "days": _l("Holidays"), "children": _l("Goals below"), "method": _l("Split by"),
                 "target": _l("Target"), "shares": _l("Shares"), "holidays": _l("Holidays"), "filters": _l("Counts only")},
        value=services.audit_words,
        title=services.audit_title,
    )


@hookimpl
def nav_items(user):
    items = [NavItem(_l("Goals"), "goals.index", icon="goal", order=10)]
    if user.may("lead_teams"):
        items.append(NavItem(_l("Reviews"), "goals.reviews", icon="form", order=11))
    if user.may("administer"):
        items.append(NavItem(_l("Holidays"), "goals.holidays", icon="clock", order=936, section="admin"))
    return items


@hookimpl
def goal_targets(metric, filters, user_ids, start, end):
    """The reps' own goals for the metric over exactly this period (incentives measure attainment)."""
    from .models import Goal

    found = {}
    goals = Goal.select(Goal.owner_user, Goal.target, Goal.filters).where(
        Goal.owner_user.in_(list(user_ids)), Goal.metric == metric, Goal.start == start, Goal.end == end,
        Goal.archived_at.is_null())
    for goal in goals:
        if (goal.filters or {}) == (filters or {}):
            found[goal.owner_user_id] = goal.target
    return found


@hookimpl
def meeting_topics(team, start, end):
    from .topics import topics

    return topics(team, start, end)


@hookimpl
def dashboard_widgets(user):
    return widgets.widgets(user)


@hookimpl
def agenda_items(user, day):
    """Current goals of the user (and of the teams a manager runs) at risk or behind: important;
    urgent in their last week."""
    from flask import url_for

    from core.api import AgendaItem, managed_team_ids

    from .models import Goal
    from .progress import STATUS_LABELS, measure

    whose = Goal.owner_user == user.id
    if user.may("lead_teams"):
        whose |= Goal.owner_team.in_(managed_team_ids(user))
    goals = list(Goal.select().where(Goal.archived_at.is_null(), Goal.start <= day, Goal.end >= day, whose,
                                     Goal.period_kind.in_(["year", "quarter", "month", "custom"])).order_by(Goal.end, Goal.id).limit(20))
    progress = measure(goals, day)
    users, teams = services.owner_lookup(goals)
    return [AgendaItem(title=f"{services.title(goal, services.owner_of(goal, users, teams))} · {STATUS_LABELS[progress[goal.id].status]}",
                       url=url_for("goals.goal", goal_id=goal.id), kind=str(_l("Goal")), important=True,
                       urgent=(goal.end - day).days < 7)
            for goal in goals if progress[goal.id].status in ("at_risk", "behind")]


@hookimpl(trylast=True)  # after the plugins whose records the goals measure
def demo_data(team, rng):
    from .demo import create

    create(team, rng)
