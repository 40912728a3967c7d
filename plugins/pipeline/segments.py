"""Two ready-made reports on won deals (产品销售情况, 客户分类), within the reader's row scope:

- products: revenue and quantity by product and by product group (from the deals' lines), their
  share, and the groups month by month; deals won without lines are shown apart;
- customers: ABC by revenue share (A: the customers making the first 80 % of revenue, B: the next
  15 %, C: the rest) and RFM from won deals (recency of the last one, how many, how much), each
  cut in three at its thirds; the customers of each cell listed. The segment can be written to a
  field of the customer (one the admin can then filter, sort and report on).

Each is a fixed number of grouped statements whatever the number of deals.
"""
from __future__ import annotations

import bisect
import datetime
import decimal
from dataclasses import dataclass

import peewee
import pygal
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from core.api import Stage, add_field, db, get_entity, label_texts, new_chart, records, render_page, source_text, svg_data_url, team_today

from .entities import CUSTOMER
from .metrics import _number
from .models import Customer, Deal, DealLine, Product
from .numbers import Period, month_of, scoped_deals
from .views import _teams, bp

ZERO = decimal.Decimal(0)
ABC_FIELD, RFM_FIELD = "abc_class", "rfm_segment"
# Each (recency score, frequency score) cell, 3 the best: what a sales manager calls it.
RFM_NAMES = {
    (3, 3): _l("Champions"), (3, 2): _l("Loyal and recent"), (3, 1): _l("New customers this year"),
    (2, 3): _l("Loyal, cooling"), (2, 2): _l("Steady"), (2, 1): _l("Occasional"),
    (1, 3): _l("At risk: used to buy often"), (1, 2): _l("Slipping away"), (1, 1): _l("Lost customers"),
}
CELL_NAMES = 12  # customers named per cell


def won_deals(period: Period):
    """The won deals the reader may see, closed in the period (of the chosen team)."""
    return (scoped_deals(period).join(Stage, on=(Deal.stage == Stage.id))
            .where(Stage.kind == "won", Deal.closed_at >= period.start_time, Deal.closed_at < period.end_time))


def default_period(args, days: int = 365) -> Period:
    """The period asked for, or the last `days` days."""
    period = Period.read(args)
    if not args.get("from") and not args.get("to"):
        today = team_today()
        period = Period(today - datetime.timedelta(days=days - 1), today, period.team)
    return period


# -- products ------------------------------------------------------------------------------------

@dataclass
class Share:
    label: str
    quantity: decimal.Decimal
    revenue: decimal.Decimal
    percent: int = 0
    product_id: int | None = None


@dataclass
class Products:
    products: list[Share]
    groups: list[Share]
    months: list[str]
    by_month: dict  # {group label: {month: revenue}}
    unlined: tuple  # (deals won without product lines, their amount)
    total: decimal.Decimal = ZERO


def products(period: Period, limit: int = 100) -> Products:
    """Revenue (lines' quantity × unit price) and quantity per product and per group, the groups by
    month (one grouped statement over the won deals' lines), and the won deals without lines (one more)."""
    month = month_of(Deal.closed_at, timestamp=True)
    rows = (won_deals(period).select(Product.id, Product.name, Product.category, month.alias("month"),
                                     peewee.fn.SUM(DealLine.quantity * DealLine.unit_price), peewee.fn.SUM(DealLine.quantity))
            .join(DealLine, on=(DealLine.deal == Deal.id)).join(Product, on=(DealLine.product == Product.id))
            .group_by(Product.id, Product.name, Product.category, month).tuples())
    lined = DealLine.select(DealLine.deal).where(DealLine.deal == Deal.id)
    unlined = won_deals(period).select(peewee.fn.COUNT(Deal.id), peewee.fn.SUM(Deal.amount)).where(~peewee.fn.EXISTS(lined)).tuples()
    count, amount = unlined[0] if unlined else (0, 0)
    no_group = _("(no group)")
    by_product: dict = {}  # {id: [name, revenue, quantity]}
    by_group: dict = {}  # {group: [revenue, quantity]}
    by_month: dict = {}  # {group: {month: revenue}}
    for product_id, name, group, on, revenue, quantity in rows:
        revenue, quantity, group = _number(revenue), _number(quantity), group or no_group
        found = by_product.setdefault(product_id, [name, ZERO, ZERO])
        found[1] += revenue
        found[2] += quantity
        totals = by_group.setdefault(group, [ZERO, ZERO])
        totals[0] += revenue
        totals[1] += quantity
        by_month.setdefault(group, {})
        by_month[group][on] = by_month[group].get(on, ZERO) + revenue
    total = sum((revenue for revenue, _quantity in by_group.values()), ZERO)

    def percent(value) -> int:
        return round(value * 100 / total) if total else 0

    ranked = sorted(by_product.items(), key=lambda item: (-item[1][1], item[1][0]))[:limit]
    groups = sorted(by_group.items(), key=lambda item: (-item[1][0], item[0]))
    months = sorted({on for values in by_month.values() for on in values})
    return Products([Share(name, quantity, revenue, percent(revenue), product_id) for product_id, (name, revenue, quantity) in ranked],
                    [Share(group, quantity, revenue, percent(revenue)) for group, (revenue, quantity) in groups],
                    months, by_month, (count or 0, _number(amount)), total)


# -- customers -----------------------------------------------------------------------------------

@dataclass
class Bought:
    customer_id: int
    name: str
    revenue: decimal.Decimal
    deals: int
    last: datetime.date
    abc: str = ""
    rfm: tuple = ()  # (recency, frequency, money) scores, 1 to 3

    @property
    def segment(self) -> str:
        return str(RFM_NAMES[self.rfm[:2]]) if self.rfm else ""


@dataclass
class Segments:
    customers: list[Bought]
    abc: dict  # {"A": (customers, revenue, share %)}
    cells: dict  # {(r, f): [Bought]}, the best money first
    total: decimal.Decimal = ZERO


def _day(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    return datetime.date.fromisoformat(str(value)[:10])


def _scores(values: list, higher_is_better: bool = True) -> list[int]:
    """A 1-3 score per value by the share of the others it beats: 3 for the top third. Equal values
    score the same (everyone bought once: all 1)."""
    ordered = sorted(values) if higher_is_better else sorted(-value for value in values)
    count = len(ordered)
    return [1 + min(2, 3 * bisect.bisect_left(ordered, value if higher_is_better else -value) // count) for value in values]


def segments(period: Period) -> Segments:
    """Every customer with a deal won in the period (one grouped statement), in ABC and RFM."""
    last_won = peewee.fn.MAX(Deal.closed_at)
    revenue = peewee.fn.SUM(Deal.amount)
    rows = (won_deals(period).select(Customer.id, Customer.name, revenue, peewee.fn.COUNT(Deal.id), last_won)
            .switch(Deal).join(Customer, on=(Deal.customer == Customer.id)).group_by(Customer.id, Customer.name).tuples())
    today = period.end
    found = [Bought(customer_id, name, _number(amount), count, _day(last)) for customer_id, name, amount, count, last in rows]
    found.sort(key=lambda bought: (-bought.revenue, bought.name, bought.customer_id))
    total = sum((bought.revenue for bought in found), ZERO)
    running = ZERO
    for bought in found:  # A until 80 % of the revenue is reached (the customer crossing it included), B to 95 %
        before = running
        running += bought.revenue
        bought.abc = "A" if total and before < total * decimal.Decimal("0.8") else "B" if total and before < total * decimal.Decimal(
            "0.95") else "C"
    recency = _scores([(today - bought.last).days for bought in found], higher_is_better=False)
    frequency, money = _scores([bought.deals for bought in found]), _scores([bought.revenue for bought in found])
    cells: dict = {key: [] for key in RFM_NAMES}
    for bought, scores in zip(found, zip(recency, frequency, money)):
        bought.rfm = scores
        cells[bought.rfm[:2]].append(bought)
    abc = {}
    for letter in "ABC":
        members = [bought for bought in found if bought.abc == letter]
        amount = sum((bought.revenue for bought in members), ZERO)
        abc[letter] = (len(members), amount, round(amount * 100 / total) if total else 0)
    return Segments(found, abc, cells, total)


class SegmentError(ValueError):
    pass


def _choices(kind: str) -> dict:
    """{segment as this report names it: the option's label in English} of the ABC or RFM field."""
    if kind == "abc":
        return {letter: letter for letter in "ABC"}
    return {str(name): source_text(name) for name in RFM_NAMES.values()}


def _field(schema, kind: str, user):
    """The customer's field for `kind` (its key, a select of the segments), made when missing by an
    admin (audited like the designer's "add a field")."""
    key, label = (ABC_FIELD, _l("ABC class")) if kind == "abc" else (RFM_FIELD, _l("RFM segment"))
    spec = schema.field(key)
    if spec is not None and not spec.archived:
        return spec
    if not user.may("administer"):
        raise SegmentError(_("The customer form has no field %(key)s yet: an admin writes the segments the first time, which adds it.",
                             key=key))
    rows = [{"label": english, **{f"label-{code}": text for code, text in label_texts(english, None).items()}, "position": number}
            for number, english in enumerate(_choices(kind).values())]
    add_field(schema, {"type": "select", "key": key, "label": source_text(label), "labels": label_texts(source_text(label), None),
                       "options": {"choices": rows}}, user)
    return get_entity(CUSTOMER).field(key)


def write_back(found: Segments, kind: str, user) -> int:
    """Store each customer's ABC class or RFM segment in their field, for the customers `user` may
    change; a customer who left every segment has it emptied. Each change is saved (audited,
    announced) like an edit. Returns how many changed."""
    schema = get_entity(CUSTOMER)
    spec = _field(schema, kind, user)
    schema = get_entity(CUSTOMER)
    options = {choice["label"]: choice["value"] for choice in spec.options.get("choices", []) if not choice.get("archived")}
    english = _choices(kind)
    missing = [name for name in english.values() if name not in options]
    if missing:
        raise SegmentError(_("The field %(field)s has no option %(option)s: add it in the form designer.", field=spec.label,
                             option=missing[0]))
    named = {bought.customer_id: bought.abc if kind == "abc" else bought.segment for bought in found.customers}
    wanted = {customer: options[english[name]] for customer, name in named.items() if name}
    stored = schema.expression(spec)
    holding = schema.changeable(user).where((Customer.id.in_(list(wanted) or [0])) | (stored.is_null(False) & (stored != "")))
    changed = 0
    with db.atomic():
        for customer in holding:
            value = wanted.get(customer.id)
            if (customer.custom or {}).get(spec.key) != value:
                records.save(schema, user, {spec.key: value}, record=customer, action="bulk_update")
                changed += 1
    return changed


# -- pages ---------------------------------------------------------------------------------------

def _product_chart(found: Products):
    from flask_babel import format_decimal

    drawn = new_chart(pygal.StackedBar, value_formatter=lambda value: format_decimal(value, format="#,##0"), x_label_rotation=0)
    drawn.x_labels = [month[2:] for month in found.months]
    for group, values in sorted(found.by_month.items(), key=lambda item: -sum(item[1].values()))[:8]:
        drawn.add(group, [float(values.get(month, 0)) for month in found.months])
    return drawn


@bp.route("/numbers/products")
def product_numbers():
    period = default_period(request.args)
    found = products(period)
    picture = svg_data_url(_product_chart(found)) if found.months else None
    return render_page("pipeline/products.html", period=period, teams=_teams(), found=found, picture=picture)


@bp.route("/numbers/customers", methods=["GET", "POST"])
def customer_numbers():
    period = default_period(request.args if request.method == "GET" else request.form)
    found = segments(period)
    status = 200
    if request.method == "POST":
        if not current_user.may("lead_teams"):
            abort(403)
        kind = request.form.get("kind")
        if kind not in ("abc", "rfm"):
            abort(400)
        try:
            changed = write_back(found, kind, current_user)
        except (SegmentError, ValueError) as problem:
            flash(str(problem), "error")
            status = 400
        else:
            flash(ngettext("%(num)d customer's segment is written.", "%(num)d customers' segments are written.", changed), "success")
            return redirect(url_for("pipeline.customer_numbers", **period.args()))
    schema = get_entity(CUSTOMER)
    return render_page("pipeline/customers.html", status=status, period=period, teams=_teams(), found=found, names=RFM_NAMES,
                       shown=CELL_NAMES, fields={kind: schema.field(key) for kind, key in (("abc", ABC_FIELD), ("rfm", RFM_FIELD))},
                       may_write=current_user.may("lead_teams"))
