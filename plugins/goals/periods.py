"""Periods a goal covers (year, quarter, month, week, day or a custom range) and the arithmetic of
splitting them: child periods clipped to the parent, working days, comparable earlier periods.

Pure functions of dates; month and year steps come from dateutil's relativedelta, weekdays from
rrule, so there is no hand-made calendar arithmetic.
"""
from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from dateutil.rrule import DAILY, FR, MO, TH, TU, WE, rrule
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.api import locale_code

KINDS = ("year", "quarter", "month", "week", "day", "custom")
KIND_LABELS = {"year": _l("Year"), "quarter": _l("Quarter"), "month": _l("Month"), "week": _l("Week"),
               "day": _l("Day"), "custom": _l("Custom dates")}
# What each kind of period splits into, first choice first.
CHILD_KINDS = {"year": ("quarter", "month"), "quarter": ("month",), "month": ("week", "day"), "week": ("day",),
               "custom": ("month", "week", "day")}
STEP = {"year": relativedelta(years=1), "quarter": relativedelta(months=3), "month": relativedelta(months=1),
        "week": relativedelta(weeks=1), "day": relativedelta(days=1)}


@dataclass(frozen=True)
class Period:
    kind: str
    start: datetime.date
    end: datetime.date  # inclusive

    @property
    def key(self) -> str:
        """How forms and links name a period: "quarter:2027-01-01"."""
        return f"{self.kind}:{self.start.isoformat()}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, other: Period) -> bool:
        return self.start <= other.start and other.end <= self.end

    def label(self, locale: str | None = None) -> str:
        return _label(self, locale or locale_code())

    def _label(self) -> str:
        if self.kind == "year":
            return _("%(year)d", year=self.start.year)
        if self.kind == "quarter":
            return _("%(year)d Q%(quarter)d", year=self.start.year, quarter=(self.start.month - 1) // 3 + 1)
        if self.kind == "month":
            return format_date(self.start, "yyyy-MM")
        if self.kind == "day":
            return format_date(self.start, "medium")
        return f"{format_date(self.start, 'MMM d')} – {format_date(self.end, 'MMM d')}"


@functools.lru_cache(maxsize=4096)
def _label(period: Period, locale: str) -> str:
    """Labels are formatted by Babel for the reader's language; a tree shows the same months
    many times, so each is formatted once per language."""
    return period._label()


def first_of(kind: str, day: datetime.date) -> datetime.date:
    if kind == "year":
        return day.replace(month=1, day=1)
    if kind == "quarter":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    if kind == "month":
        return day.replace(day=1)
    if kind == "week":
        return day - datetime.timedelta(days=day.weekday())  # weeks start on Monday
    return day


def parse(key: str | None, kinds) -> Period | None:
    """The period a key names ("quarter:2027-01-01"), if its kind is one of `kinds`."""
    kind, _colon, day = (key or "").partition(":")
    if kind not in kinds:
        return None
    try:
        return containing(kind, datetime.date.fromisoformat(day))
    except ValueError:
        return None


def containing(kind: str, day: datetime.date) -> Period:
    """The year, quarter, month, week or day that holds `day`."""
    start = first_of(kind, day)
    return Period(kind, start, start + STEP[kind] - datetime.timedelta(days=1))


def shifted(period: Period, steps: int) -> Period:
    """The same kind of period `steps` later (negative: earlier); a custom range moves by its length."""
    if period.kind == "custom":
        return Period("custom", period.start + datetime.timedelta(days=period.days * steps),
                      period.end + datetime.timedelta(days=period.days * steps))
    start = period.start + STEP[period.kind] * steps
    return Period(period.kind, start, start + STEP[period.kind] - datetime.timedelta(days=1))


def comparable(period: Period, count: int = 3) -> list[Period]:
    """The `count` periods just before this one, latest first (what "last quarter" means)."""
    return [shifted(period, -n) for n in range(1, count + 1)]


def last_complete(period: Period, today: datetime.date) -> Period:
    """The latest period of the same kind and length before `period` that has ended by `today`
    (the period just before, unless that one is still running)."""
    before = shifted(period, -1)
    if before.end < today:
        return before
    if period.kind == "custom":
        return shifted(before, -((before.end - today).days // period.days + 1))
    return shifted(containing(period.kind, today), -1)


def span(first: Period, last: Period) -> list[Period]:
    """`first`, the periods of its kind after it, up to `last` (empty when `last` comes first)."""
    found, current = [], first
    while current.start <= last.start:
        found.append(current)
        current = shifted(current, 1)
    return found


def a_year_before(period: Period) -> Period:
    return Period(period.kind, period.start - relativedelta(years=1), period.end - relativedelta(years=1))


def children(period: Period, kind: str) -> list[Period]:
    """The `kind` periods that make up `period`, clipped to it: a month splits into the weeks that
    touch it, the first and last possibly short."""
    result, cursor = [], period.start
    while cursor <= period.end:
        whole = containing(kind, cursor)
        result.append(Period(kind, max(whole.start, period.start), min(whole.end, period.end)))
        cursor = whole.end + datetime.timedelta(days=1)
    return result


WEEKDAYS = (MO, TU, WE, TH, FR)


def working_days(start: datetime.date, end: datetime.date, holidays: frozenset = frozenset()) -> list[datetime.date]:
    """Monday to Friday from `start` to `end`, without the holidays."""
    return list(_working_days(start, end, holidays))


def working_days_of(start: datetime.date, end: datetime.date, holidays: frozenset = frozenset()) -> tuple:
    """The working days of a period, or every day of it when it has none (a weekend goal)."""
    days = _working_days(start, end, holidays)
    return days or tuple(start + datetime.timedelta(days=n) for n in range((end - start).days + 1))


@functools.lru_cache(maxsize=4096)
def _working_days(start: datetime.date, end: datetime.date, holidays: frozenset) -> tuple:
    if end < start:
        return ()
    days = rrule(DAILY, dtstart=start, until=end, byweekday=WEEKDAYS)
    return tuple(moment.date() for moment in days if moment.date() not in holidays)


def upcoming(kind: str, today: datetime.date, before: int = 1, after: int = 5) -> list[Period]:
    """Periods to offer in a form: the current one, a few before and a few after."""
    current = containing(kind, today)
    return [shifted(current, n) for n in range(-before, after + 1)]
