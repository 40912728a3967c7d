"""Numbers goals can target: each one grouped SQL query for many users over a date range, and the
same day by day (for progress charts), all in the team's timezone, narrowed by product, product
group, the customer's level, region, source and any list field of the customer or of what is counted."""
from __future__ import annotations

import dataclasses
import datetime
import decimal
from collections.abc import Callable
from dataclasses import dataclass

import peewee
from flask import has_request_context, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.api import Dimension, Metric, Source, Stage, db, get_entity, local_day_sql, utc_time

from .models import Activity, Customer, Deal, DealCredit, DealLine, Product

MAX_CHOICES = 500  # values offered per dimension: a goal on one of 10,000 products is set from its page


def _distinct(column) -> Callable[[], list[tuple[str, str]]]:
    """The values a free-text column holds, offered as choices (a region typed by hand)."""
    def choices():
        rows = (column.model.select(column).where(column != "", column.model.deleted_at.is_null())
                .distinct().order_by(column).limit(MAX_CHOICES).tuples())
        return [(value, value) for (value,) in rows]
    return choices


def _products() -> list[tuple[str, str]]:
    rows = Product.select(Product.id, Product.name).where(Product.deleted_at.is_null()).order_by(Product.name).limit(MAX_CHOICES)
    return [(str(product.id), product.name) for product in rows]


def _customer_dimensions() -> list[Dimension]:
    customer = get_entity("pipeline.customer")
    region = Dimension("customer.region", _("%(entity)s: %(field)s", entity=customer.label, field=_("Region")),
                       _distinct(Customer.region))
    return [region] + customer.dimensions("customer.")


def _deal_dimensions() -> list[Dimension]:
    return [Dimension("currency", _("Currency"), _distinct(Deal.currency)), Dimension("product", _("Product"), _products),
            Dimension("product_group", _("Product group"), _distinct(Product.category))] + _customer_dimensions() + get_entity(
        "pipeline.deal").dimensions("deal.", leave_out=("currency",))


def _activity_dimensions() -> list[Dimension]:
    return _customer_dimensions() + get_entity("pipeline.activity").dimensions("activity.", leave_out=("kind",))


def _narrowed(query, model, filters: dict | None):
    """`query` over deals, customers or activities, narrowed to `filters`; a key the metric does not
    offer raises (the metric is then shown unavailable, never counted unfiltered)."""
    for key, value in (filters or {}).items():
        if key in ("product", "product_group") and model is Deal:
            lines = DealLine.select(DealLine.deal)
            if key == "product":
                lines = lines.where(DealLine.product == int(value))
            else:
                lines = lines.join(Product).where(Product.category == value)
            query = query.where(Deal.id.in_(lines))
        elif key.startswith("customer."):
            name = key.removeprefix("customer.")
            condition = Customer.region == value if name == "region" else get_entity("pipeline.customer").has_value(name, value)
            query = query.where(condition if model is Customer else model.customer.in_(Customer.select(Customer.id).where(condition)))
        elif model is Deal and key == "currency":
            query = query.where(Deal.currency == value)
        elif model is Deal and key.startswith("deal."):
            query = query.where(get_entity("pipeline.deal").has_value(key.removeprefix("deal."), value))
        elif model is Activity and key.startswith("activity."):
            query = query.where(get_entity("pipeline.activity").has_value(key.removeprefix("activity."), value))
        else:
            raise ValueError(f"{model.__name__} cannot be narrowed by {key}")
    return query


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
    credited: object = None  # deals: what one deal counts (its amount, or 1); shared by the deal's credit split

    def _query(self, user_ids, start, end, filters, *columns, helpers: bool = False):
        low, high = _range(start, end)
        if helpers:  # the deals others own where these users have a share of the credit
            query = (DealCredit.select(DealCredit.user, *columns).join(Deal, on=(DealCredit.deal == Deal.id))
                     .where(DealCredit.user.in_(list(user_ids))))
        else:
            query = self.model.select(self.model.owner, *columns).where(self.model.owner.in_(list(user_ids)))
        if self.join_stage:
            query = query.join(Stage, on=(self.model.stage == Stage.id))
        query = query.where(self.when >= low, self.when < high, self.model.deleted_at.is_null())
        query = _narrowed(query, self.model, filters)
        return query.where(self.condition) if self.condition is not None else query

    def _given(self):
        """Per deal, what its owner gives away: the deal's count or amount × the helpers' shares (NULL without any)."""
        shares = DealCredit.select(peewee.fn.SUM(DealCredit.share)).where(DealCredit.deal == Deal.id)
        return peewee.fn.SUM(self.credited * shares)

    def _rows(self, user_ids, start, end, filters, *days):
        """(user, *day, value) rows: the owners' numbers less what they give away, then the helpers' shares."""
        group = [self.model.owner, *days]
        if self.credited is None:
            yield from db.execute(self._query(user_ids, start, end, filters, *days, self.aggregate).group_by(*group))
            return
        for owner, *rest in db.execute(self._query(user_ids, start, end, filters, *days, self.aggregate, self._given()).group_by(*group)):
            *on, value, given = rest
            yield (owner, *on, value if not given else _number(value) - _number(given) / 100)
        shared = peewee.fn.SUM(self.credited * DealCredit.share)
        helped = self._query(user_ids, start, end, filters, *days, shared, helpers=True).group_by(DealCredit.user, *days)
        for user, *rest in db.execute(helped):
            *on, value = rest
            yield (user, *on, _number(value) / 100)

    def compute(self, user_ids, start, end, filters=None) -> dict:
        result: dict = {}
        for user, value in self._rows(user_ids, start, end, filters):
            result[user] = value if user not in result else _number(result[user]) + _number(value)
        return result

    def daily(self, user_ids, start, end, filters=None) -> dict:
        day = local_day_sql(self.when)
        # A year of days for a whole team: the driver's rows as they come (ids, dates, numbers).
        result: dict[int, dict] = {}
        for user, on, value in self._rows(user_ids, start, end, filters, day):
            days = result.setdefault(user, {})
            on = datetime.date.fromisoformat(str(on)[:10])
            days[on] = value if on not in days else _number(days[on]) + _number(value)
        return result


def _number(value) -> decimal.Decimal:
    """A database number as a Decimal (SQLite answers floats, PostgreSQL decimals)."""
    return value if isinstance(value, decimal.Decimal) else decimal.Decimal(str(value or 0))


def expected_revenue(user_ids, start, end, filters=None) -> dict:
    """Open deals' amount × probability, on the days they are expected to close."""
    probability = peewee.fn.COALESCE(Deal.probability, Stage.probability)
    query = (Deal.select(Deal.owner, Deal.expected_close, peewee.fn.SUM(Deal.amount * probability / 100.0))
             .join(Stage, on=(Deal.stage == Stage.id))
             .where(Deal.owner.in_(list(user_ids)), Stage.kind == "open", Deal.expected_close >= start,
                    Deal.expected_close <= end, Deal.deleted_at.is_null()))
    rows = _narrowed(query, Deal, filters).group_by(Deal.owner, Deal.expected_close).tuples()
    result: dict[int, dict] = {}
    for owner, on, value in rows:
        result.setdefault(owner, {})[datetime.date.fromisoformat(str(on)[:10])] = value
    return result


SOURCES_PER_USER = 500


def _deal_sources(query, user_ids, counted: bool, shares: bool = False) -> dict:
    """{owner: [Source]} of deal rows (owner, id, name, amount, day[, share %]), at most 500 per owner."""
    found: dict[int, list] = {}
    for owner, deal_id, name, amount, day, *share in query.limit(SOURCES_PER_USER * max(1, len(list(user_ids)))).tuples():
        if len(found.setdefault(owner, [])) < SOURCES_PER_USER:
            on = datetime.date.fromisoformat(str(day)[:10]) if day is not None else None
            url = url_for("pipeline.deal", deal_id=deal_id) if has_request_context() else None
            value = (_number(share[0]) / 100 if shares else 1) if counted else amount
            found[owner].append(Source(name, url, value, on, entity="pipeline.deal", record_id=deal_id))
    return found


def won_deals(counted: bool):
    """The deals won in the period: what won revenue (or deals won) is made of, each counted at the
    person's share of its credit (the owner's, or a helper's)."""
    def sources(user_ids, start, end, filters=None) -> dict:
        low, high = _range(start, end)

        def won(query):
            return _narrowed(query.join(Stage, on=(Deal.stage == Stage.id)).where(
                Stage.kind == "won", Deal.closed_at >= low, Deal.closed_at < high, Deal.deleted_at.is_null()), Deal, filters)

        owned = won(Deal.select(Deal.owner, Deal.id, Deal.name, Deal.amount, Deal.closed_at).where(Deal.owner.in_(list(user_ids))))
        found = _deal_sources(owned.order_by(Deal.closed_at, Deal.id), user_ids, counted)
        helped = won(DealCredit.select(DealCredit.user, Deal.id, Deal.name, Deal.amount * DealCredit.share / 100, Deal.closed_at,
                                       DealCredit.share).join(Deal, on=(DealCredit.deal == Deal.id))
                     .where(DealCredit.user.in_(list(user_ids)))).order_by(Deal.closed_at, Deal.id)
        given: dict[int, decimal.Decimal] = {}
        deal_ids = [item.record_id for items in found.values() for item in items]
        if deal_ids:
            for deal_id, share in (DealCredit.select(DealCredit.deal, peewee.fn.SUM(DealCredit.share))
                                   .where(DealCredit.deal.in_(deal_ids)).group_by(DealCredit.deal).tuples()):
                given[deal_id] = _number(share)
        for owner, items in found.items():  # the owner's share of a split deal
            found[owner] = [item if item.record_id not in given else dataclasses.replace(
                item, value=_number(item.value) * (100 - given[item.record_id]) / 100) for item in items]
        for user, items in _deal_sources(helped, user_ids, counted, shares=True).items():
            found[user] = sorted(found.get(user, []) + items, key=lambda item: (item.day or datetime.date.min, item.record_id))
        return found
    return sources


def open_deals(counted: bool):
    """The open deals expected to close in the period: what could still count."""
    def open_items(user_ids, start, end, filters=None) -> dict:
        query = (Deal.select(Deal.owner, Deal.id, Deal.name, Deal.amount, Deal.expected_close).join(Stage, on=(Deal.stage == Stage.id))
                 .where(Deal.owner.in_(list(user_ids)), Stage.kind == "open", Deal.expected_close >= start,
                        Deal.expected_close <= end, Deal.deleted_at.is_null()).order_by(Deal.expected_close, Deal.id))
        return _deal_sources(_narrowed(query, Deal, filters), user_ids, counted)
    return open_items


def _activities(kinds=None) -> Counted:
    condition = Activity.kind.in_(kinds) if kinds else None
    return Counted(Activity, Activity.done_at, peewee.fn.COUNT(Activity.id), condition)


def metrics() -> list[Metric]:
    won = Stage.kind == "won"
    revenue = Counted(Deal, Deal.closed_at, peewee.fn.SUM(Deal.amount), won, join_stage=True, credited=Deal.amount)
    deals = Counted(Deal, Deal.closed_at, peewee.fn.COUNT(Deal.id), won, join_stage=True, credited=peewee.Value(1))
    created = Counted(Deal, Deal.created_at, peewee.fn.COUNT(Deal.id))
    customers = Counted(Customer, Customer.created_at, peewee.fn.COUNT(Customer.id), Customer.import_job.is_null())
    every_customer = Counted(Customer, Customer.created_at, peewee.fn.COUNT(Customer.id))
    calls, visits, meetings, quotes = (_activities([kind]) for kind in ("call", "visit", "meeting", "quote"))
    done = _activities()
    return [
        Metric("pipeline.won_revenue", _l("Won revenue"), revenue.compute, unit="currency",
               description=_l("The amount of the deals won in the period."), daily=revenue.daily,
               expected=expected_revenue, amount_of="pipeline.deals_won", dimensions=_deal_dimensions,
               sources=won_deals(counted=False), open_items=open_deals(counted=False)),
        Metric("pipeline.deals_won", _l("Deals won"), deals.compute, daily=deals.daily, dimensions=_deal_dimensions,
               sources=won_deals(counted=True), open_items=open_deals(counted=True)),
        Metric("pipeline.new_deals", _l("New deals"), created.compute, daily=created.daily,
               description=_l("Deals created in the period, counted for whoever owns them now."), dimensions=_deal_dimensions),
        Metric("pipeline.new_customers", _l("New customers"), customers.compute, daily=customers.daily,
               description=_l("Customers created in the period, except those brought in by an import. Each "
                              "counts for whoever owns it now; pool and deleted customers count for nobody."),
               dimensions=_customer_dimensions),
        Metric("pipeline.new_customers_all", _l("New customers, imports included"), every_customer.compute,
               daily=every_customer.daily,
               description=_l("Customers created in the period, imported ones included. Each counts for "
                              "whoever owns it now; pool and deleted customers count for nobody."),
               dimensions=_customer_dimensions),
        Metric("pipeline.calls", _l("Calls"), calls.compute, daily=calls.daily, leads_to="pipeline.visits",
               dimensions=_activity_dimensions),
        Metric("pipeline.visits", _l("Visits"), visits.compute, daily=visits.daily, leads_to="pipeline.quotes",
               dimensions=_activity_dimensions),
        Metric("pipeline.meetings", _l("Meetings"), meetings.compute, daily=meetings.daily, dimensions=_activity_dimensions),
        Metric("pipeline.quotes", _l("Quotes"), quotes.compute, daily=quotes.daily, leads_to="pipeline.deals_won",
               dimensions=_activity_dimensions),
        Metric("pipeline.activities", _l("Activities done"), done.compute, daily=done.daily, dimensions=_activity_dimensions),
    ]
