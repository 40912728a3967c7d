"""What the incentives offer goals and reports: the commission approved (per currency) and the awards won."""
from __future__ import annotations

import peewee
from flask_babel import lazy_gettext as _l

from core.api import Dimension

from .models import Statement, Winner


def approved_pay(user_ids, start, end, filters=None) -> dict:
    """{user: total} of the approved statements whose period starts in start..end (one query); a
    `currency` filter keeps one currency's statements (totals in two currencies are not added up
    when a goal or report narrows to one)."""
    query = (Statement.select(Statement.user, peewee.fn.SUM(Statement.total))
             .where(Statement.user.in_(list(user_ids)), Statement.start >= start, Statement.start <= end))
    currency = (filters or {}).get("currency")
    if currency:
        query = query.where(Statement.currency == currency)
    return {user: total for user, total in query.group_by(Statement.user).tuples()}


def pay_dimensions() -> list[Dimension]:
    def currencies():
        return [(code, code) for (code,) in Statement.select(Statement.currency).distinct().order_by(Statement.currency).tuples()]

    return [Dimension("currency", str(_l("Currency")), currencies)]


def awards_won(user_ids, start, end) -> dict:
    """{user: count} of the awards given for periods starting in start..end (one query)."""
    rows = (Winner.select(Winner.user, peewee.fn.COUNT(Winner.id))
            .where(Winner.user.in_(list(user_ids)), Winner.start >= start, Winner.start <= end).group_by(Winner.user).tuples())
    return dict(rows)


def awards_won_daily(user_ids, start, end) -> dict:
    """{user: {period's first day: count}} (one query)."""
    found: dict = {}
    rows = (Winner.select(Winner.user, Winner.start, peewee.fn.COUNT(Winner.id))
            .where(Winner.user.in_(list(user_ids)), Winner.start >= start, Winner.start <= end)
            .group_by(Winner.user, Winner.start).tuples())
    for user, day, count in rows:
        found.setdefault(user, {})[day] = count
    return found
