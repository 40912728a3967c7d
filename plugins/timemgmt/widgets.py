"""The time plugin's cards on the home page: today's top three, the running focus session, and
the delegations to check."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.api import DashboardWidget, team_today

from . import focus, services
from .models import DayPlan, Task


def widgets(user) -> list[DashboardWidget]:
    today = team_today()
    top = list(services.open_tasks(user, today).order_by(Task.important.desc(), Task.urgent.desc(), Task.due_day.is_null(),
                                                         Task.due_day, Task.id).limit(3))
    planned = DayPlan.select().where(DayPlan.owner == user.id, DayPlan.day == today).exists()
    cards = [DashboardWidget(_l("Today's top three"), "timemgmt/widget_top.html", {"tasks": top, "planned": planned}, order=3)]
    session = focus.running(user)
    if session is not None:
        cards.append(DashboardWidget(_l("Focus session"), "timemgmt/widget_focus.html",
                                     {"session": session, "left": focus.clock(focus.remaining(session))}, order=2))
    checks = list(Task.select().where(Task.delegated_by == user.id, Task.done_at.is_null(), Task.dropped_at.is_null(),
                                      Task.check_back <= today).order_by(Task.check_back).limit(5))
    if checks:
        cards.append(DashboardWidget(_l("Delegations to check"), "timemgmt/widget_checks.html", {"tasks": checks}, order=4))
    return cards
