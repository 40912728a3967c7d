"""Numbers goals can target, each one grouped SQL query for many users over a date range."""
from __future__ import annotations

import datetime

import peewee
from flask_babel import lazy_gettext as _l

from core.contributions import Metric
from core.i18n import utc_time
from core.lowcode.models import Stage

from .models import Activity, Customer, Deal


def _range(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The team's days from `start` to `end` (inclusive), as stored timestamps (UTC)."""
    return (utc_time(datetime.datetime.combine(start, datetime.time.min)),
            utc_time(datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min)))


def _won(aggregate):
    def compute(user_ids, start, end):
        low, high = _range(start, end)
        rows = (Deal.select(Deal.owner, aggregate.alias("value")).join(Stage, on=(Deal.stage == Stage.id))
                .where(Deal.owner.in_(list(user_ids)), Stage.kind == "won", Deal.closed_at >= low, Deal.closed_at < high,
                       Deal.deleted_at.is_null())
                .group_by(Deal.owner))
        return {row.owner_id: row.value for row in rows}
    return compute


def new_customers(user_ids, start, end):
    low, high = _range(start, end)
    rows = (Customer.select(Customer.owner, peewee.fn.COUNT(Customer.id).alias("value"))
            .where(Customer.owner.in_(list(user_ids)), Customer.created_at >= low, Customer.created_at < high,
                   Customer.deleted_at.is_null())
            .group_by(Customer.owner))
    return {row.owner_id: row.value for row in rows}


def _activities(kinds):
    def compute(user_ids, start, end):
        low, high = _range(start, end)
        query = (Activity.select(Activity.owner, peewee.fn.COUNT(Activity.id).alias("value"))
                 .where(Activity.owner.in_(list(user_ids)), Activity.done_at >= low, Activity.done_at < high,
                        Activity.deleted_at.is_null()))
        if kinds:
            query = query.where(Activity.kind.in_(kinds))
        return {row.owner_id: row.value for row in query.group_by(Activity.owner)}
    return compute


def metrics() -> list[Metric]:
    return [
        Metric("pipeline.won_revenue", _l("Won revenue"), _won(peewee.fn.SUM(Deal.amount)), unit="currency",
               description=_l("The amount of the deals won in the period.")),
        Metric("pipeline.deals_won", _l("Deals won"), _won(peewee.fn.COUNT(Deal.id))),
        Metric("pipeline.new_customers", _l("New customers"), new_customers),
        Metric("pipeline.calls", _l("Calls"), _activities(["call"])),
        Metric("pipeline.visits", _l("Visits"), _activities(["visit"])),
        Metric("pipeline.meetings", _l("Meetings"), _activities(["meeting"])),
        Metric("pipeline.quotes", _l("Quotes"), _activities(["quote"])),
        Metric("pipeline.activities", _l("Activities done"), _activities(None)),
    ]
