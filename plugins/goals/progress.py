"""Live progress of many goals at once: actual, percentage, pace, forecast and status.

Numbers come from the metrics, one grouped query per metric for every goal on the page (day by
day when the metric can: then any period and the burn-up chart come from the same rows), never one
query per goal.
"""
from __future__ import annotations

import datetime
import decimal
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from . import periods as P
from .services import holidays, metric_or_none, user_ids_of

STATUS_LABELS = {"not_started": _l("Not started"), "on_track": _l("On track"), "at_risk": _l("At risk"),
                 "behind": _l("Behind"), "achieved": _l("Achieved"), "missed": _l("Missed")}
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

    @property
    def percent(self) -> int:
        return int(self.actual * 100 / self.target) if self.target else 0

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])


def _number(value) -> decimal.Decimal:
    return decimal.Decimal(str(value or 0))


def _window(days: dict, start: datetime.date, end: datetime.date) -> decimal.Decimal:
    return sum((_number(value) for day, value in days.items() if start <= day <= end), decimal.Decimal(0))


def measure(goals: list, today: datetime.date, with_days: bool = False) -> dict[int, Progress]:
    """Progress of every goal ({goal id: Progress}) in a fixed number of queries."""
    if not goals:
        return {}
    people = user_ids_of(goals)
    off = holidays()
    result = {}
    by_metric: dict[str, list] = {}
    for goal in goals:
        by_metric.setdefault(goal.metric, []).append(goal)
    for key, group in by_metric.items():
        metric = metric_or_none(key)
        everyone = sorted({person for goal in group for person in people[goal.id]})
        start = min(goal.start for goal in group)
        end = min(max(goal.end for goal in group), today)
        daily, ranges, ahead = {}, {}, {}
        if metric is not None and everyone and start <= end:
            if metric.daily is not None:
                daily = metric.daily(user_ids=everyone, start=start, end=end)
            else:  # one query per distinct period: still not one per goal
                for span in {(goal.start, min(goal.end, today)) for goal in group if goal.start <= today}:
                    ranges[span] = metric.compute(user_ids=everyone, start=span[0], end=span[1])
        if metric is not None and metric.expected is not None and everyone and max(goal.end for goal in group) > today:
            ahead = metric.expected(user_ids=everyone, start=today + datetime.timedelta(days=1), end=max(goal.end for goal in group))
        for goal in group:
            owners = people[goal.id]
            progress = Progress(target=_number(goal.target))
            last = min(goal.end, today)
            if daily:
                days: dict = {}
                for person in owners:
                    for day, value in daily.get(person, {}).items():
                        if goal.start <= day <= last:
                            days[day] = days.get(day, 0) + _number(value)
                progress.actual = sum(days.values(), decimal.Decimal(0))
                if with_days:
                    progress.days = days
            elif (goal.start, last) in ranges:
                found = ranges[(goal.start, last)]
                progress.actual = sum((_number(found.get(person)) for person in owners), decimal.Decimal(0))
            if ahead:
                progress.pipeline = sum((_window(ahead.get(person, {}), max(today + datetime.timedelta(days=1), goal.start), goal.end)
                                         for person in owners), decimal.Decimal(0))
            judge(progress, goal, today, off)
            result[goal.id] = progress
    return result


def judge(progress: Progress, goal, today: datetime.date, off: frozenset) -> None:
    """Pace, forecast and status, counted in working days (calendar days for a period without any)."""
    all_days = P.working_days(goal.start, goal.end, off) or [goal.start + datetime.timedelta(days=n) for n in range((goal.end - goal.start).days + 1)]
    done = sum(1 for day in all_days if day <= today)
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
