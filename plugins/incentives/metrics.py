"""What the incentives offer goals and reports: the commission approved."""
from __future__ import annotations

import peewee

from .models import Statement


def approved_pay(user_ids, start, end) -> dict:
    """{user: total} of the approved statements whose period starts in start..end (one query)."""
    rows = (Statement.select(Statement.user, peewee.fn.SUM(Statement.total))
            .where(Statement.user.in_(list(user_ids)), Statement.start >= start, Statement.start <= end)
            .group_by(Statement.user).tuples())
    return {user: total for user, total in rows}
