"""The arithmetic of a commission plan: one function, `payout`, for statements and what-if alike.

Money is `Decimal` throughout. Rounding rule (one, stated): every line is rounded half-up to the
cent (0.005 -> 0.01) when it is made, and a total is the sum of its rounded lines, so a statement's
lines always add up to its total.

A plan's rates are tiers of attainment: with a goal, a tier's bounds are percentages of the rep's
target for the period ("80" is 80 % of the target); without one (fixed thresholds), they are amounts
of the metric. A tier runs from its lower bound (included) to the next tier's (excluded); the last
one has no upper bound.

- marginal: each band of the value is paid at its own tier's rate (above 100 % pays 5 % on the part
  above the target);
- flat: the whole value is paid at the rate of the highest tier reached.

Bonuses are flat amounts paid once the value reaches their threshold ("+2,000 at 120 %").
Accelerators pay an extra rate on a narrowed part of the value (+2 % on a named product), on top of
the tiers. A cap limits the period's total, a floor guarantees it (accelerators included).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
MARGINAL, FLAT = "marginal", "flat"


def money(amount: Decimal) -> Decimal:
    """An amount rounded half-up to the cent: the plugin's one rounding rule."""
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Tier:
    start: Decimal  # a percentage of the target with a goal, an amount without
    rate: Decimal  # percent of the amount paid


@dataclass(frozen=True)
class Bonus:
    at: Decimal  # a percentage of the target with a goal, an amount without
    amount: Decimal


@dataclass(frozen=True)
class Rules:
    tiers: tuple[Tier, ...]
    mode: str = MARGINAL
    bonuses: tuple[Bonus, ...] = ()
    cap: Decimal | None = None
    floor: Decimal | None = None
    on_goal: bool = True  # tier bounds as percentages of the target; else as amounts


@dataclass(frozen=True)
class Accelerated:
    """An accelerator's part of the value: what it is (said in words), how much, the extra rate."""

    label: str
    base: Decimal
    rate: Decimal


@dataclass(frozen=True)
class Line:
    kind: str  # "band", "flat", "bonus", "accelerator", "cap", "floor"
    base: Decimal  # the part of the value this line pays on (0 for a bonus)
    rate: Decimal | None
    amount: Decimal
    start: Decimal | None = None  # the band's bounds, in the metric's unit
    end: Decimal | None = None
    label: str | None = None  # an accelerator's part, in words


@dataclass
class Payout:
    value: Decimal
    target: Decimal | None
    lines: list[Line] = field(default_factory=list)
    tier: int | None = None  # the index of the highest tier reached
    next_at: Decimal | None = None  # the value at which the next tier (or bonus) starts
    missing_goal: bool = False

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal(0))

    @property
    def attainment(self) -> Decimal | None:
        """The value as a percentage of the target (one decimal), when there is a target."""
        if not self.target:
            return None
        return (self.value * HUNDRED / self.target).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def to_next(self) -> Decimal | None:
        return None if self.next_at is None else max(Decimal(0), self.next_at - self.value)


def _bound(rules: Rules, level: Decimal, target: Decimal | None) -> Decimal:
    return level * target / HUNDRED if rules.on_goal else level


def payout(rules: Rules, value, target=None, accelerated=()) -> Payout:
    """What `rules` pay for `value` of the metric against `target` (needed when the plan is on a
    goal), with the extra rate of each `Accelerated` part."""
    value = Decimal(value or 0)
    target = None if target is None else Decimal(target)
    result = Payout(value=value, target=target)
    if rules.on_goal and not target:
        result.missing_goal = True
        return result
    tiers = sorted(rules.tiers, key=lambda tier: tier.start)
    starts = [_bound(rules, tier.start, target) for tier in tiers]
    reached = [n for n, start in enumerate(starts) if value >= start]
    result.tier = reached[-1] if reached else None
    if rules.mode == FLAT:
        if result.tier is not None:
            rate = tiers[result.tier].rate
            result.lines.append(Line("flat", value, rate, money(value * rate / HUNDRED), starts[result.tier],
                                     starts[result.tier + 1] if result.tier + 1 < len(starts) else None))
    else:
        for n, tier in enumerate(tiers):
            start = starts[n]
            end = starts[n + 1] if n + 1 < len(starts) else None
            if value <= start:
                break
            base = (min(value, end) if end is not None else value) - start
            result.lines.append(Line("band", base, tier.rate, money(base * tier.rate / HUNDRED), start, end))
    for bonus in sorted(rules.bonuses, key=lambda bonus: bonus.at):
        if value >= _bound(rules, bonus.at, target):
            result.lines.append(Line("bonus", Decimal(0), None, money(bonus.amount), _bound(rules, bonus.at, target)))
    for part in accelerated:
        base = Decimal(part.base or 0)
        if base > 0 and part.rate > 0:
            result.lines.append(Line("accelerator", base, part.rate, money(base * part.rate / HUNDRED), label=part.label))
    total = result.total
    if rules.cap is not None and total > rules.cap:
        result.lines.append(Line("cap", Decimal(0), None, money(rules.cap) - total))
    elif rules.floor is not None and total < rules.floor:
        result.lines.append(Line("floor", Decimal(0), None, money(rules.floor) - total))
    ahead = [start for start in starts if start > value] + [
        _bound(rules, bonus.at, target) for bonus in rules.bonuses if _bound(rules, bonus.at, target) > value]
    result.next_at = min(ahead) if ahead else None
    return result
