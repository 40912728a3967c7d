"""The pipeline's points for a team meeting (`meeting_topics`): deals won since the last meeting,
open deals without activity for two weeks, and follow-ups overdue per rep. Three queries for the
whole team, whatever its size."""
from __future__ import annotations

import datetime

import peewee
from flask import has_request_context, url_for
from flask_babel import lazy_gettext as _l

from core.api import Stage, Topic, User, utcnow

from .followups import day_bounds
from .models import Activity, Deal

STALLED_DAYS = 14
MOST = 20  # lines per topic: a meeting discusses the first ones, the list has the rest


def _money(amount, currency: str) -> str:
    return f"{amount:,.0f} {currency}"


def _link(endpoint: str, **values) -> str | None:
    """A link for a line of the agenda; none outside a request (a command, the demo)."""
    return url_for(endpoint, **values) if has_request_context() else None


def topics(team, start: datetime.date, end: datetime.date) -> list[Topic]:
    members = User.select(User.id).where(User.team == team.id)
    first, _ = day_bounds(start)
    _, last = day_bounds(end)
    found = []
    won = list(Deal.select(Deal, User).join(Stage, on=(Deal.stage == Stage.id)).switch(Deal).join(User, on=(Deal.owner == User.id))
               .where(Deal.owner.in_(members), Stage.kind == "won", Deal.closed_at >= first, Deal.closed_at < last,
                      Deal.deleted_at.is_null())
               .order_by(Deal.amount.desc()).limit(MOST))
    if won:
        found.append(Topic("pipeline.won", str(_l("Wins to celebrate")), order=10, lines=tuple(
            (f"{deal.owner.name}: {deal.name} · {_money(deal.amount, deal.currency)}", _link("pipeline.deal", deal_id=deal.id))
            for deal in won)))
    quiet = utcnow() - datetime.timedelta(days=STALLED_DAYS)
    last_touch = peewee.fn.COALESCE(Deal.last_activity_at, Deal.stage_entered_at)
    stalled = list(Deal.select(Deal, User).join(Stage, on=(Deal.stage == Stage.id)).switch(Deal).join(User, on=(Deal.owner == User.id))
                   .where(Deal.owner.in_(members), Stage.kind == "open", last_touch < quiet, Deal.deleted_at.is_null())
                   .order_by(last_touch).limit(MOST))
    if stalled:
        found.append(Topic("pipeline.stalled", str(_l("Deals without activity for %(days)d days", days=STALLED_DAYS)), order=30,
                           lines=tuple((f"{deal.owner.name}: {deal.name} · {_money(deal.amount, deal.currency)}",
                                        _link("pipeline.deal", deal_id=deal.id)) for deal in stalled)))
    overdue = (User.select(User.id, User.name, peewee.fn.COUNT(Activity.id).alias("late"))
               .join(Activity, on=(Activity.owner == User.id))
               .where(User.team == team.id, Activity.done_at.is_null(), Activity.due_at < utcnow(), Activity.deleted_at.is_null())
               .group_by(User.id, User.name).order_by(peewee.fn.COUNT(Activity.id).desc()))
    lines = tuple((str(_l("%(name)s: %(count)d overdue", name=person.name, count=person.late)), _link("pipeline.followups"))
                  for person in overdue)
    if lines:
        found.append(Topic("pipeline.overdue", str(_l("Overdue follow-ups")), lines=lines, order=40))
    return found
