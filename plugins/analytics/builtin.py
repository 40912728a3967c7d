"""The built-in reports the analytics plugin draws from every plugin's metrics: the sales trend
against the year before, each rep against their goals with their activity beside, and KPI cards
with the change against the period before. Metrics are asked for by key through `core.api`
(the pipeline's, when it is on); goals through the `goal_targets` hook: nothing is imported."""
from __future__ import annotations

import datetime
import decimal
from dataclasses import dataclass

import pygal
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.api import goal_targets, metrics, new_chart, team_today

from .health import people_of

TREND = ("pipeline.won_revenue", "pipeline.new_deals", "pipeline.new_customers")
KPIS = ("pipeline.won_revenue", "pipeline.deals_won", "pipeline.new_customers", "pipeline.activities")
MONTHS = 12


def _number(value) -> decimal.Decimal:
    return value if isinstance(value, decimal.Decimal) else decimal.Decimal(str(value or 0))


def month_start(day: datetime.date, back: int = 0) -> datetime.date:
    """The first day of the month `back` months before `day`'s."""
    index = day.year * 12 + day.month - 1 - back
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_end(day: datetime.date) -> datetime.date:
    return month_start(day, -1) - datetime.timedelta(days=1)


@dataclass
class Trend:
    metric: object
    months: list  # [datetime.date], the first of each month, oldest first
    values: list  # this year's value per month
    before: list  # the same month a year before

    @property
    def total(self):
        return sum(self.values, decimal.Decimal(0))

    @property
    def total_before(self):
        return sum(self.before, decimal.Decimal(0))


def trends(user, keys=TREND, today: datetime.date | None = None) -> list[Trend]:
    """Each metric month by month over the last twelve months and the twelve before, for the
    people `user` sees: one `daily` query per metric."""
    today = today or team_today()
    people = [person.id for person in people_of(user)]
    found = []
    first, last = month_start(today, MONTHS - 1), month_end(today)
    months = [month_start(today, back) for back in range(MONTHS - 1, -1, -1)]
    for key in keys:
        metric = metrics().get(key)
        if metric is None or metric.daily is None:
            continue
        per_month: dict = {}
        for days in (metric.daily(user_ids=people, start=month_start(first, 12), end=last) if people else {}).values():
            for day, value in days.items():
                month = day.replace(day=1)
                per_month[month] = per_month.get(month, decimal.Decimal(0)) + _number(value)
        found.append(Trend(metric, months, [per_month.get(month, decimal.Decimal(0)) for month in months],
                           [per_month.get(month_start(month, 12), decimal.Decimal(0)) for month in months]))
    return found


def trend_chart(trend: Trend):
    drawn = new_chart(pygal.Line, value_formatter=lambda value: format_decimal(value, format="#,##0"), x_label_rotation=0,
                      show_minor_x_labels=True)
    drawn.x_labels = [month.strftime("%Y-%m")[2:] for month in trend.months]
    drawn.add(_("Last twelve months"), [float(value) for value in trend.values])
    drawn.add(_("A year before"), [float(value) for value in trend.before])
    return drawn


@dataclass
class Period:
    key: str  # month, quarter, last_month, last_quarter
    start: datetime.date
    end: datetime.date

    def before(self) -> Period:
        """The period of the same length just before."""
        months = 3 if self.key.endswith("quarter") else 1
        start = month_start(self.start, months)
        return Period(self.key, start, self.start - datetime.timedelta(days=1))


PERIODS = {"month": _l("This month"), "last_month": _l("Last month"), "quarter": _l("This quarter"), "last_quarter": _l("Last quarter")}


def period_of(key: str, today: datetime.date | None = None) -> Period:
    today = today or team_today()
    key = key if key in PERIODS else "month"
    if key.endswith("quarter"):
        start = month_start(today, (today.month - 1) % 3)
        if key == "last_quarter":
            start = month_start(start, 3)
        return Period(key, start, month_end(month_start(start, -2)))
    start = month_start(today, 1 if key == "last_month" else 0)
    return Period(key, start, month_end(start))


@dataclass
class Column:
    metric: object
    values: dict  # {user id: value}
    targets: dict  # {user id: target}; empty for an activity column


@dataclass
class RepRow:
    person: object
    cells: list  # [(value, target or None, percent or None)] per column


def reps(user, period: Period) -> tuple[list[Column], list[RepRow]]:
    """Each person `user` sees against their goals: the metrics anyone has a goal for in the
    period (one `compute` and one `goal_targets` per metric), then the activity numbers that lead
    to results (metrics with `leads_to`, and activities done)."""
    people = [person for person in people_of(user) if not person.may("lead_teams")] or [user]  # reps, not who leads them
    ids = [person.id for person in people]
    columns = []
    if ids:
        for key, metric in metrics().items():
            targets = {person: target for person, target in goal_targets(key, None, ids, period.start, period.end).items() if target}
            activity = bool(metric.leads_to) or key == "pipeline.activities"
            result = bool(metric.amount_of)  # won revenue (the amount of deals won): shown with or without a goal
            if not targets and not activity and not result:
                continue
            columns.append(Column(metric, metric.compute(user_ids=ids, start=period.start, end=period.end), targets))
    columns.sort(key=lambda column: (not column.targets, column.metric.unit != "currency", column.metric.key))
    rows = []
    for person in people:
        cells = []
        for column in columns:
            value = _number(column.values.get(person.id))
            target = column.targets.get(person.id)
            percent = round(value * 100 / _number(target)) if target else None
            cells.append((value, target, percent))
        rows.append(RepRow(person, cells))
    rows.sort(key=lambda row: [-(cell[2] if cell[2] is not None else -1) for cell in row.cells[:1]] + [row.person.name])
    return columns, rows


@dataclass
class Kpi:
    metric: object
    value: decimal.Decimal
    before: decimal.Decimal

    @property
    def change(self) -> int | None:
        """The change against the period before, in percent (None when there was nothing before)."""
        if not self.before:
            return None
        return round((self.value - self.before) * 100 / abs(self.before))


def kpis(user, period: Period, keys=KPIS) -> list[Kpi]:
    """The key numbers for the people `user` sees, this period and the one before (two queries each)."""
    ids = [person.id for person in people_of(user)]
    before = period.before()
    so_far = min(period.end, team_today())
    # As far into the period before as this one has run, so a month's 3rd is not set against a whole month.
    before_end = min(before.end, before.start + (so_far - period.start))
    found = []
    for key in keys:
        metric = metrics().get(key)
        if metric is None:
            continue
        now = metric.compute(user_ids=ids, start=period.start, end=so_far) if ids else {}
        then = metric.compute(user_ids=ids, start=before.start, end=before_end) if ids else {}
        found.append(Kpi(metric, sum((_number(value) for value in now.values()), decimal.Decimal(0)),
                         sum((_number(value) for value in then.values()), decimal.Decimal(0))))
    return found
