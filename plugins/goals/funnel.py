"""The reverse funnel: what a revenue target takes in deals, quotes, visits and calls.

Worked backwards through the metrics' own links (`amount_of`, `leads_to`) from the owner's real
history over a look-back window, so it knows nothing of any plugin: won revenue is the amount of
deals won; quotes lead to deals won, visits to quotes, calls to visits. A goal narrowed to a product
or a region counts each step narrowed as far as that step can be (quotes by region, not by product).
"""
from __future__ import annotations

import datetime
import decimal
import math
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

from core.api import metrics as all_metrics

from . import periods
from .narrowing import as_far_as_offered, metric_of
from .services import Owner, user_ids_of_owner

LOOK_BACK_MONTHS = (3, 6, 12)


@dataclass
class Step:
    metric: object  # what is counted (deals won, quotes, visits, calls)
    needed: int  # for the whole period
    per_week: int
    history: decimal.Decimal  # how many there were in the look-back window
    ratio: decimal.Decimal | None  # how many of these per one of the next step (history)


@dataclass
class Funnel:
    steps: list
    average: decimal.Decimal | None  # the average amount of one (average won deal)
    revenue: decimal.Decimal  # the amount in the look-back window
    since: datetime.date
    until: datetime.date
    weeks: decimal.Decimal
    missing: str = ""  # why it could not be worked out


def chain(metric_key: str) -> list:
    """The metrics that lead, step by step, to the count a revenue metric is the amount of:
    [deals won, quotes, visits, calls]."""
    metrics = all_metrics()
    amount = metrics.get(metric_key)
    if amount is None or not amount.amount_of or amount.amount_of not in metrics:
        return []
    steps = [metrics[amount.amount_of]]
    while len(steps) < 8:
        before = next((m for m in metrics.values() if m.leads_to == steps[-1].key and m not in steps), None)
        if before is None:
            break
        steps.append(before)
    return steps


def work_out(goal, owner: Owner, months: int, today: datetime.date, off: frozenset) -> Funnel | None:
    metric = metric_of(goal)
    steps = [as_far_as_offered(step, goal.filters) for step in chain(goal.metric)]
    if not steps or metric is None:
        return None
    until = min(today, goal.start) - datetime.timedelta(days=1)
    since = until + datetime.timedelta(days=1) - relativedelta(months=months)
    people = user_ids_of_owner(owner)
    weeks = decimal.Decimal(max(len(periods.working_days(goal.start, goal.end, off)), 1)) / 5

    def total(metric) -> decimal.Decimal:
        found = metric.compute(user_ids=people, start=since, end=until) if people else {}
        return sum((decimal.Decimal(str(found.get(person) or 0)) for person in people), decimal.Decimal(0))

    revenue = total(metric)
    counts = [total(metric) for metric in steps]
    funnel = Funnel([], None, revenue, since, until, weeks)
    if not counts[0]:
        funnel.missing = "no_wins"
        return funnel
    funnel.average = (revenue / counts[0]).quantize(decimal.Decimal("0.01"))
    needed = decimal.Decimal(math.ceil(decimal.Decimal(goal.target) / funnel.average))
    for index, (metric, count) in enumerate(zip(steps, counts)):
        ratio = None
        if index:
            if not counts[index - 1] or not count:
                funnel.missing = "no_history"
                break
            ratio = (count / counts[index - 1]).quantize(decimal.Decimal("0.01"))
            needed = decimal.Decimal(math.ceil(needed * count / counts[index - 1]))
        funnel.steps.append(Step(metric, int(needed), math.ceil(needed / weeks), count, ratio))
    return funnel
