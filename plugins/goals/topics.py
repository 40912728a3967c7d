"""The goals' point for a team meeting (`meeting_topics`): the team's goals and its reps' goals
running on the meeting's day whose forecast falls short (at risk or behind). A fixed number of
queries: the goals, their owners, and one grouped query per metric they count."""
from __future__ import annotations

from flask import has_request_context, url_for
from flask_babel import lazy_gettext as _l

from core.api import Topic, User

from .models import Goal
from .progress import measure
from .services import owner_lookup, owner_of, title

SHORT = ("at_risk", "behind")


def _link(endpoint: str, **values) -> str | None:
    """A link for a line of the agenda; none outside a request (a command, the demo)."""
    return url_for(endpoint, **values) if has_request_context() else None


def topics(team, start, end) -> list[Topic]:
    members = User.select(User.id).where(User.team == team.id)
    goals = list(Goal.select().where((Goal.owner_user.in_(members)) | (Goal.owner_team == team.id), Goal.archived_at.is_null(),
                                     Goal.start <= end, Goal.end >= end).order_by(Goal.end, Goal.id))
    progress = measure(goals, end)
    short = [goal for goal in goals if progress[goal.id].status in SHORT]
    if not short:
        return []
    users, teams = owner_lookup(short)
    lines = tuple((str(_l("%(goal)s: %(status)s, %(percent)d%% done, forecast %(forecast)s of %(target)s",
                          goal=title(goal, owner_of(goal, users, teams)), status=progress[goal.id].status_label,
                          percent=progress[goal.id].percent, forecast=f"{progress[goal.id].forecast:,.0f}",
                          target=f"{progress[goal.id].target:,.0f}")), _link("goals.goal", goal_id=goal.id))
                  for goal in short[:20])
    return [Topic("goals.at_risk", str(_l("Goals at risk")), lines=lines, order=20)]
