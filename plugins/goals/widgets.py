"""The goals' cards on the home page: my goals and my team's goals, with their progress."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.api import DashboardWidget, managed_teams, team_today

from . import services
from .models import Goal
from .progress import measure


def widgets(user) -> list[DashboardWidget]:
    today = team_today()
    current = Goal.select().where(Goal.archived_at.is_null(), Goal.start <= today, Goal.end >= today,
                                  Goal.period_kind.in_(["year", "quarter", "month", "custom"]))
    mine = list(current.where(Goal.owner_user == user.id).order_by(Goal.end, Goal.id).limit(8))
    # A rep always sees their goals (or that there are none); a manager only when they have some.
    cards = [DashboardWidget(_l("My goals"), "goals/widgets/goals.html", _context(mine, today),
                             order=5)] if mine or not user.may("lead_teams") else []
    if user.may("lead_teams"):
        teams = [team.id for team in managed_teams(user)]
        ours = list(current.where(Goal.owner_team.in_(teams or [0])).order_by(Goal.end, Goal.id).limit(8))
        cards.append(DashboardWidget(_l("My team's goals"), "goals/widgets/goals.html", _context(ours, today), order=6))
    elif user.team_id:
        ours = list(current.where(Goal.owner_team == user.team_id).order_by(Goal.end, Goal.id).limit(4))
        if ours:
            cards.append(DashboardWidget(_l("My team's goals"), "goals/widgets/goals.html", _context(ours, today), order=6))
    return cards


def _context(goals, today) -> dict:
    users, teams = services.owner_lookup(goals)
    return {"goals": goals, "progress": measure(goals, today),
            "titles": {goal.id: services.title(goal, services.owner_of(goal, users, teams)) for goal in goals}}
