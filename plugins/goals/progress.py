"""Live progress of many goals at once: actual, percentage, pace, forecast and status.

Numbers come from the metrics, one grouped query per metric and filter for every goal on the page
(day by day when the metric can: then any period and the burn-up chart come from the same rows),
never one query per goal.
"""
from __future__ import annotations

import bisect
import datetime
import decimal
import functools
import json
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from core.api import locale_code, metric_failed

from . import periods
from .narrowing import metric_of
from .services import holidays, user_ids_of

STATUS_LABELS = {"not_started": _l("Not started"), "on_track": _l("On track"), "at_risk": _l("At risk"),
                 "behind": _l("Behind"), "achieved": _l("Achieved"), "missed": _l("Missed"),
                 # its plugin is off or its numbers failed: the goal is kept and left out of the counts
                 "unavailable": _l("Metric unavailable")}
AT_RISK = decimal.Decimal("0.8")  # a forecast below 80% of the target is behind


@dataclass
class Progress:
    target: decimal.Decimal
    actual: decimal.Decimal = decimal.Decimal(0)
    expected_by_now: decimal.Decimal = decimal.Decimal(0)  # where steady work would be today
    forecast: decimal.Decimal = decimal.Decimal(0)  # run rate to the end (+ open pipeline)
    pipeline: decimal.Decimal = decimal.Decimal(0)
    status: str = "not_started"
    days: dict = field(default_factory=dict)  # {date: value}, when the metric gives days
    percent: int = 0

    @property
    def status_label(self) -> str:
        return _status_text(self.status, locale_code())


@functools.lru_cache(maxsize=64)
def _status_text(status: str, locale: str) -> str:
    return str(STATUS_LABELS[status])


def _number(value) -> decimal.Decimal:
    return decimal.Decimal(str(value or 0))


class Series:
    """One person's numbers day by day, summed over any window by two binary searches."""

    def __init__(self, days: dict):
        self.days = sorted(days)
        self.values = [_number(days[day]) for day in self.days]
        self.running = [decimal.Decimal(0)]
        for value in self.values:
            self.running.append(self.running[-1] + value)

    def total(self, start: datetime.date, end: datetime.date) -> decimal.Decimal:
        return self.running[bisect.bisect_right(self.days, end)] - self.running[bisect.bisect_left(self.days, start)]

    def each(self, start: datetime.date, end: datetime.date):
        low, high = bisect.bisect_left(self.days, start), bisect.bisect_right(self.days, end)
        return zip(self.days[low:high], self.values[low:high])


NOTHING = Series({})


def measure(goals: list, today: datetime.date, with_days: bool = False) -> dict[int, Progress]:
    """Progress of every goal ({goal id: Progress}) in a fixed number of queries."""
    if not goals:
        return {}
    people = user_ids_of(goals)
    off = holidays()
    result = {}
    by_metric: dict[tuple, list] = {}  # goals counting the same thing: one metric, narrowed the same way
    for goal in goals:
        by_metric.setdefault((goal.metric, json.dumps(goal.filters or {}, sort_keys=True)), []).append(goal)
    for (key, _filters), group in by_metric.items():
        metric = metric_of(group[0])
        everyone = sorted({person for goal in group for person in people[goal.id]})
        start = min(goal.start for goal in group)
        end = min(max(goal.end for goal in group), today)
        daily, ranges, ahead = {}, {}, {}
        if metric is not None and everyone and start <= end:
            if metric.daily is not None:
                daily = {person: Series(days) for person, days in metric.daily(user_ids=everyone, start=start, end=end).items()}
            else:  # one query per distinct period: still not one per goal
                for span in {(goal.start, min(goal.end, today)) for goal in group if goal.start <= today}:
                    ranges[span] = metric.compute(user_ids=everyone, start=span[0], end=span[1])
        if metric is not None and metric.expected is not None and everyone and max(goal.end for goal in group) > today:
            ahead = {person: Series(days) for person, days in
                     metric.expected(user_ids=everyone, start=today + datetime.timedelta(days=1),
                                     end=max(goal.end for goal in group)).items()}
        unavailable = metric is None or metric_failed(key)
        for goal in group:
            owners = people[goal.id]
            progress = Progress(target=_number(goal.target))
            if unavailable:
                progress.status = "unavailable"
                result[goal.id] = progress
                continue
            last = min(goal.end, today)
            if daily:
                progress.actual = sum((daily.get(person, NOTHING).total(goal.start, last) for person in owners), decimal.Decimal(0))
                if with_days:
                    days: dict = {}
                    for person in owners:
                        for day, value in daily.get(person, NOTHING).each(goal.start, last):
                            days[day] = days.get(day, 0) + value
                    progress.days = days
            elif (goal.start, last) in ranges:
                found = ranges[(goal.start, last)]
                progress.actual = sum((_number(found.get(person)) for person in owners), decimal.Decimal(0))
            if ahead:
                progress.pipeline = sum((ahead.get(person, NOTHING).total(max(today + datetime.timedelta(days=1), goal.start), goal.end)
                                         for person in owners), decimal.Decimal(0))
            judge(progress, goal, today, off)
            result[goal.id] = progress
    return result


def judge(progress: Progress, goal, today: datetime.date, off: frozenset) -> None:
    """Pace, forecast and status, counted in working days (calendar days for a period without any)."""
    all_days = periods.working_days_of(goal.start, goal.end, off)
    done = bisect.bisect_right(all_days, today)
    progress.percent = int(progress.actual * 100 / progress.target) if progress.target else 0
    share = decimal.Decimal(done) / decimal.Decimal(len(all_days))
    progress.expected_by_now = (progress.target * share).quantize(decimal.Decimal("0.01"))
    run_rate = progress.actual / done if done else decimal.Decimal(0)
    progress.forecast = (progress.actual + run_rate * (len(all_days) - done) + progress.pipeline).quantize(decimal.Decimal("0.01"))
    if today < goal.start:
        progress.status = "not_started"
    elif today > goal.end:
        progress.status = "achieved" if progress.actual >= progress.target else "missed"
    elif progress.actual >= progress.target or progress.forecast >= progress.target:
        progress.status = "on_track"
    elif progress.forecast >= progress.target * AT_RISK:
        progress.status = "at_risk"
    else:
        progress.status = "behind"


def burn_up(goal, progress: Progress, today: datetime.date, width: int = 320, height: int = 90) -> dict:
    """Points of a small burn-up chart: the target, the steady pace and the cumulative actual."""
    total_days = (goal.end - goal.start).days + 1
    top = max(progress.target, progress.actual, decimal.Decimal(1))

    def x(day: datetime.date) -> float:
        return round((day - goal.start).days / max(total_days - 1, 1) * width, 1)

    def y(value) -> float:
        return round(height - float(value) / float(top) * height, 1)

    points, running = [], decimal.Decimal(0)
    last = min(today, goal.end)
    day = goal.start
    while day <= last:
        running += _number(progress.days.get(day))
        points.append(f"{x(day)},{y(running)}")
        day += datetime.timedelta(days=1)
    return {"width": width, "height": height, "actual": " ".join(points), "target_y": y(progress.target),
            "pace": f"0,{height} {width},{y(progress.target)}", "today_x": x(last) if goal.start <= today else None}
