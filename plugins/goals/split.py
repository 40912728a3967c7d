"""Splitting a target into parts that add up to it exactly.

The article's table made 8 new customers a week out of 30 a month, and four weeks of 8 are 32.
Here every split uses the largest-remainder method: each part gets the whole units of its share,
and the units left over go to the parts with the largest fractions, so the parts always add up to
the target, and a whole-number target gives whole-number parts.
"""
from __future__ import annotations

import decimal
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from . import periods

ONE = decimal.Decimal(1)
CENT = decimal.Decimal("0.01")


def unit_of(total: decimal.Decimal) -> decimal.Decimal:
    """Whole numbers split into whole numbers; amounts with cents into cents."""
    return ONE if decimal.Decimal(total) == decimal.Decimal(total).to_integral_value() else CENT


def apportion(total, weights: list, unit: decimal.Decimal | None = None) -> list[decimal.Decimal]:
    """`total` split in proportion to `weights` (all zero: equally), in multiples of `unit`, adding
    up to `total` exactly. Ties in the leftover go to the earlier parts."""
    total = decimal.Decimal(total)
    unit = unit or unit_of(total)
    if not weights:
        return []
    weights = [decimal.Decimal(str(max(weight or 0, 0))) for weight in weights]
    if not any(weights):
        weights = [ONE] * len(weights)
    units = int((total / unit).to_integral_value(rounding=decimal.ROUND_HALF_UP))
    whole = sum(weights)
    shares = [units * weight / whole for weight in weights]
    parts = [int(share) for share in shares]  # shares are never negative: int() is the floor
    leftover = units - sum(parts)
    by_fraction = sorted(range(len(shares)), key=lambda index: (-(shares[index] - parts[index]), index))
    for index in by_fraction[:leftover]:
        parts[index] += 1
    return [(part * unit).quantize(unit) for part in parts]


@dataclass(frozen=True)
class Piece:
    period: periods.Period
    weight: decimal.Decimal
    target: decimal.Decimal


METHODS = ("working_days", "even", "seasonal")
METHOD_LABELS = {"working_days": _l("working days"), "even": _l("equal parts"), "seasonal": _l("last year's seasons")}


def by_period(target, parent: periods.Period, kind: str, method: str, holidays: frozenset = frozenset(),
              history: dict | None = None) -> tuple[list[Piece], bool]:
    """Split `target` over the `kind` periods of `parent`.

    - even: the same for every part;
    - working_days: in proportion to each part's working days (Monday to Friday, without the
      holidays); parts with none are left out (a Sunday at the start of a month);
    - seasonal: in proportion to last year's actual in the same part (`history`: {start date of
      the part a year before: value}); with no history at all it falls back to working days.

    Returns the pieces and whether the seasonal split had to fall back.
    """
    parts = periods.children(parent, kind)
    fell_back = False
    if method == "seasonal":
        history = history or {}
        weights = [decimal.Decimal(str(history.get(periods.a_year_before(part).start, 0) or 0)) for part in parts]
        if not any(weights):
            method, fell_back = "working_days", True
    if method == "working_days":
        weights = [decimal.Decimal(len(periods.working_days(part.start, part.end, holidays))) for part in parts]
        kept = [(part, weight) for part, weight in zip(parts, weights) if weight]
        parts, weights = [part for part, _w in kept], [weight for _p, weight in kept]
    elif method == "even":
        weights = [ONE] * len(parts)
    return [Piece(part, weight, amount) for part, weight, amount in zip(parts, weights, apportion(target, weights))], fell_back


def rebalance(target, shares: dict, changed, fixed: set = frozenset()) -> dict:
    """After a manager changes one person's share: the others (not in `fixed`) take up the
    difference in proportion to their current shares, so the shares still add up to `target`."""
    target = decimal.Decimal(target)
    shares = {key: decimal.Decimal(value) for key, value in shares.items()}
    keep = {key for key in shares if key == changed or key in fixed}
    rest = [key for key in shares if key not in keep]
    left = target - sum(shares[key] for key in keep)
    if not rest or left < 0:
        return shares  # nothing to rebalance with: the gap is shown instead
    amounts = apportion(left, [shares[key] for key in rest], unit_of(target))
    return {**shares, **dict(zip(rest, amounts))}
