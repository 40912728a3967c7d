"""Numbers goals can target: each one grouped SQL query for many users over a date range, and the
same day by day (for progress charts), all in the team's timezone."""
from __future__ import annotations

import datetime
from dataclasses import dataclass

import peewee
from flask_babel import lazy_gettext as _l

from core.api import Metric, Stage, db, local_day_sql, utc_time

from .models import Activity, Customer, Deal


def _range(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The team's days from `start` to `end` (inclusive), as stored timestamps (UTC)."""
    return (utc_time(datetime.datetime.combine(start, datetime.time.min)),
            utc_time(datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min)))


@dataclass(frozen=True)
class Counted:
    """A metric as SQL: rows of `model` owned by the users, dated by `when`, aggregated."""

    model: type
    when: peewee.Field
    aggregate: object
    condition: object = None
    join_stage: bool = False

    def _query(self, user_ids, start, end, *columns):
        low, high = _range(start, end)
        query = self.model.select(self.model.owner, *columns)
        if self.join_stage:
            query = query.join(Stage, on=(self.model.stage == Stage.id))
        query = query.where(self.model.owner.in_(list(user_ids)), self.when >= low, self.when < high,
                            self.model.deleted_at.is_null())
        return query.where(self.condition) if self.condition is not None else query

    def compute(self, user_ids, start, end) -> dict:
        rows = self._query(user_ids, start, end, self.aggregate).group_by(self.model.owner).tuples()
        return {owner: value for owner, value in rows}

    def daily(self, user_ids, start, end) -> dict:
        day = local_day_sql(self.when)
        # A year of days for a whole team: the driver's rows as they come (ids, dates, numbers).
        rows = db.execute(self._query(user_ids, start, end, day, self.aggregate).group_by(self.model.owner, day))
        result: dict[int, dict] = {}
        for owner, on, value in rows:
            result.setdefault(owner, {})[datetime.date.fromisoformat(str(on)[:10])] = value
        return result


def expected_revenue(user_ids, start, end) -> dict:
    """Open deals' amount × probability, on the days they are expected to close."""
    probability = peewee.fn.COALESCE(Deal.probability, Stage.probability)
    rows = (Deal.select(Deal.owner, Deal.expected_close, peewee.fn.SUM(Deal.amount * probability / 100.0))
            .join(Stage, on=(Deal.stage == Stage.id))
            .where(Deal.owner.in_(list(user_ids)), Stage.kind == "open", Deal.expected_close >= start,
                   Deal.expected_close <= end, Deal.deleted_at.is_null())
            .group_by(Deal.owner, Deal.expected_close).tuples())
    result: dict[int, dict] = {}
    for owner, on, value in rows:
        result.setdefault(owner, {})[datetime.date.fromisoformat(str(on)[:10])] = value
    return result


def _activities(kinds=None) -> Counted:
    condition = Activity.kind.in_(kinds) if kinds else None
    return Counted(Activity, Activity.done_at, peewee.fn.COUNT(Activity.id), condition)


def metrics() -> list[Metric]:
    won = Stage.kind == "won"
    revenue = Counted(Deal, Deal.closed_at, peewee.fn.SUM(Deal.amount), won, join_stage=True)
    deals = Counted(Deal, Deal.closed_at, peewee.fn.COUNT(Deal.id), won, join_stage=True)
    customers = Counted(Customer, Customer.created_at, peewee.fn.COUNT(Customer.id), Customer.import_job.is_null())
    every_customer = Counted(Customer, Customer.created_at, peewee.fn.COUNT(Customer.id))
    calls, visits, meetings, quotes = (_activities([kind]) for kind in ("call", "visit", "meeting", "quote"))
    done = _activities()
    return [
        Metric("pipeline.won_revenue", _l("Won revenue"), revenue.compute, unit="currency",
               description=_l("The amount of the deals won in the period."), daily=revenue.daily,
               expected=expected_revenue, amount_of="pipeline.deals_won"),
        Metric("pipeline.deals_won", _l("Deals won"), deals.compute, daily=deals.daily),
        Metric("pipeline.new_customers", _l("New customers"), customers.compute, daily=customers.daily,
               description=_l("Customers created in the period, except those brought in by an import. Each "
                              "counts for whoever owns it now; pool and deleted customers count for nobody.")),
        Metric("pipeline.new_customers_all", _l("New customers, imports included"), every_customer.compute,
               daily=every_customer.daily,
               description=_l("Customers created in the period, imported ones included. Each counts for "
                              "whoever owns it now; pool and deleted customers count for nobody.")),
        Metric("pipeline.calls", _l("Calls"), calls.compute, daily=calls.daily, leads_to="pipeline.visits"),
        Metric("pipeline.visits", _l("Visits"), visits.compute, daily=visits.daily, leads_to="pipeline.quotes"),
        Metric("pipeline.meetings", _l("Meetings"), meetings.compute, daily=meetings.daily),
        Metric("pipeline.quotes", _l("Quotes"), quotes.compute, daily=quotes.daily, leads_to="pipeline.deals_won"),
        Metric("pipeline.activities", _l("Activities done"), done.compute, daily=done.daily),
    ]
