"""The home page's leaderboard: the viewer's team this month by the first metric offered in money
(won revenue with the pipeline), its top five and the viewer's own place."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.api import DashboardWidget, User, metrics

from . import services

SHOWN = 5


def leaderboard_widget(user: User) -> DashboardWidget | None:
    team = user.team
    offered = metrics()
    metric = offered.get("pipeline.won_revenue") or next((m for m in offered.values() if m.unit == "currency"), None)
    if team is None or metric is None:
        return None
    start, end = services.recent_periods("month", 1)[0]
    people = [person for person in User.select().where(User.team == team.id, User.active == True).order_by(User.name)  # noqa: E712
              if not person.may("lead_teams")]  # those who sell, not who leads them
    if len(people) < 2:
        return None
    places = services.shown_places(services.leaderboard(metric, start, end, people), user, team)
    shown = [place for place in places if place.rank <= SHOWN or place.user.id == user.id]
    return DashboardWidget(_l("Leaderboard this month"), "incentives/leaderboard_widget.html",
                           {"places": shown, "metric": metric, "team": team, "money": services.money_text}, order=30)
