"""The SMART check of a goal being written: five letters, each with a plain sentence.

It advises; it never refuses. The numbers behind "Achievable" (the owner's best and average of
the last three comparable periods, and the open pipeline) are shown with the advice.
"""
from __future__ import annotations

import decimal
from dataclasses import dataclass

from flask_babel import format_decimal
from flask_babel import gettext as _

from . import periods
from .narrowing import words
from .services import Draft, user_ids_of_owner

STRETCH = decimal.Decimal("1.5")  # above 150% of the best comparable period: a warning


@dataclass
class Letter:
    letter: str
    name: str
    state: str  # "ok", "warn" or "missing"
    sentence: str


def _n(value) -> str:
    return format_decimal(value, format="#,##0.##")


def history(draft: Draft) -> tuple[list, decimal.Decimal]:
    """The owner's actual in the three periods before this one (latest first), and the open
    pipeline expected in this one (for metrics that say what is expected)."""
    people = user_ids_of_owner(draft.owner)
    past = []
    for period in periods.comparable(draft.period, 3):
        found = draft.metric.compute(user_ids=people, start=period.start, end=period.end) if people else {}
        past.append((period, sum((decimal.Decimal(str(found.get(person) or 0)) for person in people), decimal.Decimal(0))))
    ahead = decimal.Decimal(0)
    if draft.metric.expected is not None and people:
        expected = draft.metric.expected(user_ids=people, start=draft.period.start, end=draft.period.end)
        ahead = sum((decimal.Decimal(str(value or 0)) for days in expected.values() for value in days.values()), decimal.Decimal(0))
    return past, ahead


def check(draft: Draft) -> list[Letter]:
    letters = []
    if draft.owner is not None and draft.metric is not None and draft.metric.filters:
        letters.append(Letter("S", _("Specific"), "ok", _("One owner (%(owner)s) and one measure (%(metric)s), counting only %(filters)s.",
                                                          owner=draft.owner.label, metric=draft.metric.label,
                                                          filters=words(draft.metric.key, dict(draft.metric.filters)))))
    elif draft.owner is not None and draft.metric is not None:
        letters.append(Letter("S", _("Specific"), "ok", _("One owner (%(owner)s) and one measure (%(metric)s).",
                                                          owner=draft.owner.label, metric=draft.metric.label)))
    else:
        letters.append(Letter("S", _("Specific"), "missing", _("Say whose goal it is and what is measured.")))
    if draft.metric is not None:
        letters.append(Letter("M", _("Measurable"), "ok", _("%(metric)s is counted from what the team records; progress shows by itself.",
                                                            metric=draft.metric.label)))
    else:
        letters.append(Letter("M", _("Measurable"), "missing", _("Choose a measure salesdeck can count.")))
    letters.append(_achievable(draft))
    if draft.parent is not None:
        letters.append(Letter("R", _("Relevant"), "ok", _("It serves a larger goal: %(parent)s.", parent=draft.parent_title)))
    elif draft.reason.strip():
        letters.append(Letter("R", _("Relevant"), "ok", _("Why it matters is written down.")))
    else:
        letters.append(Letter("R", _("Relevant"), "missing", _("Link it to a larger goal, or write why it matters.")))
    if draft.period is not None and draft.period.end >= draft.period.start:
        letters.append(Letter("T", _("Time-bound"), "ok", _("From %(start)s to %(end)s.", start=draft.period.start.isoformat(),
                                                            end=draft.period.end.isoformat())))
    else:
        letters.append(Letter("T", _("Time-bound"), "missing", _("Give it a start and an end.")))
    return letters


def _achievable(draft: Draft) -> Letter:
    name = _("Achievable")
    if draft.owner is None or draft.metric is None or draft.period is None or draft.target is None or draft.target <= 0:
        return Letter("A", name, "missing", _("With an owner, a measure, a period and a target, this compares the target with the past."))
    past, ahead = history(draft)
    values = [value for _period, value in past]
    best, average = max(values), sum(values, decimal.Decimal(0)) / len(values)
    numbers = _("Best of the last three periods: %(best)s; average: %(average)s.", best=_n(best), average=_n(average))
    if ahead:
        numbers += " " + _("Open pipeline expected in the period: %(ahead)s.", ahead=_n(ahead))
    if best == 0:
        return Letter("A", name, "warn", _("There is no history to compare with yet.") + " " + numbers)
    if draft.target > best * STRETCH:
        return Letter("A", name, "warn", _("%(percent)s%% of the best period: a big stretch. Is it within reach?",
                                           percent=_n(draft.target * 100 / best)) + " " + numbers)
    if draft.target < average:
        return Letter("A", name, "warn", _("%(percent)s%% of the best period, below the average: is it ambitious enough?",
                                           percent=_n(draft.target * 100 / best)) + " " + numbers)
    return Letter("A", name, "ok", _("%(percent)s%% of the best period: ambitious and within reach.",
                                     percent=_n(draft.target * 100 / best)) + " " + numbers)
