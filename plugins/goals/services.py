"""Who owns a goal and who may see or change it; checking, saving, breaking down and sharing goals.

Goals know nothing of deals: every number comes from a metric some plugin registered.
"""
from __future__ import annotations

import dataclasses
import datetime
import decimal
import functools
from dataclasses import dataclass

import peewee
from flask_babel import gettext as _

from core.api import (
    Team,
    Translated,
    User,
    db,
    id_from,
    locale_code,
    managed_team_ids,
    managed_teams,
    managed_user_ids,
    records,
    source_text,
    team_today,
    utcnow,
)

from . import periods as period_math
from . import split
from .models import Goal, Holiday, TargetChange
from .narrowing import metric_of, metric_or_none, words

MAX_TARGET = decimal.Decimal(10) ** 12
COMPANY = "company"


# -- owners ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Owner:
    """A rep (user), a team, or the company (neither)."""

    user: User | None = None
    team: Team | None = None

    @property
    def key(self) -> str:
        return f"user:{self.user.id}" if self.user else f"team:{self.team.id}" if self.team else COMPANY

    @property
    def label(self) -> str:
        return self.user.name if self.user else self.team.name if self.team else _("The company")

    @property
    def kind(self) -> str:
        return "user" if self.user else "team" if self.team else COMPANY


def owner_of(goal: Goal, users: dict, teams: dict) -> Owner:
    return Owner(users.get(goal.owner_user_id), teams.get(goal.owner_team_id))


def owner_lookup(goals) -> tuple[dict, dict]:
    """The users and teams that own `goals`, in two queries."""
    user_ids = {goal.owner_user_id for goal in goals if goal.owner_user_id}
    team_ids = {goal.owner_team_id for goal in goals if goal.owner_team_id}
    users = {u.id: u for u in User.select().where(User.id.in_(list(user_ids)))} if user_ids else {}
    teams = {t.id: t for t in Team.select().where(Team.id.in_(list(team_ids)))} if team_ids else {}
    return users, teams


def owners_for(user: User) -> list[Owner]:
    """Whom `user` may set goals for: an admin anyone and the company; a manager their teams and
    the people in them; a rep nobody."""
    teams = list(managed_teams(user))
    if not teams:
        return []
    people = User.select().where(User.active == True, User.team.in_([t.id for t in teams])).order_by(User.name)  # noqa: E712
    owners = [Owner()] if user.may("see_everything") else []
    for team in teams:
        owners.append(Owner(team=team))
        owners += [Owner(user=person) for person in people if person.team_id == team.id]
    return owners


def parse_owner(text: str, user: User) -> Owner | None:
    """An owner chosen in a form ("user:3", "team:2", "company"), if `user` may set goals for it."""
    return next((owner for owner in owners_for(user) if owner.key == text), None)


def members(team_ids) -> dict[int, list[int]]:
    """The active users of each team, in one query."""
    found: dict[int, list[int]] = {}
    for person_id, team_id in User.select(User.id, User.team).where(User.team.in_(list(team_ids) or [0])).tuples():
        found.setdefault(team_id, []).append(person_id)
    return found


def everyone() -> list[int]:
    return [person for (person,) in User.select(User.id).tuples()]


def user_ids_of_owner(owner: Owner) -> list[int]:
    if owner.user is not None:
        return [owner.user.id]
    if owner.team is not None:
        return members([owner.team.id]).get(owner.team.id, [])
    return everyone()


def actual(metric, owner: Owner, period: period_math.Period) -> decimal.Decimal:
    """The owner's number for a period, in one query."""
    people = user_ids_of_owner(owner)
    found = metric.compute(user_ids=people, start=period.start, end=period.end) if people else {}
    return sum((decimal.Decimal(str(found.get(person) or 0)) for person in people), decimal.Decimal(0))


# What a growth target grows: the period just before the goal's (which may still be running),
# or the last one of its kind that is complete.
GROWTH_OVER = ("previous", "complete")
GROWTH_KEYS = ("growth", "base", "from", "to", "running", "as_of", "changed")


def growth_base(period: period_math.Period, over: str, today: datetime.date) -> period_math.Period:
    return period_math.last_complete(period, today) if over == "complete" else period_math.comparable(period, 1)[0]


def percent_text(percent: decimal.Decimal) -> str:
    """20 -> "20", 12.50 -> "12.5" (never "2E+1")."""
    return f"{percent.quantize(split.CENT).normalize():f}"


def grown(metric, base: decimal.Decimal, percent: decimal.Decimal) -> decimal.Decimal:
    unit = split.ONE if whole_units(metric) else split.CENT
    return (base * (1 + percent / 100)).quantize(unit, rounding=decimal.ROUND_CEILING)


def growth_target(metric, owner: Owner, period: period_math.Period, percent: decimal.Decimal, over: str = "previous",
                  today: datetime.date | None = None) -> tuple[decimal.Decimal, dict]:
    """"20% more than last quarter": the base period's actual, raised; and how it was worked out.
    A base period still running counts what it has so far, and the basis says so."""
    today = today or team_today()
    before = growth_base(period, over, today)
    base = actual(metric, owner, before)
    basis = {"growth": percent_text(percent), "base": str(base.quantize(split.CENT)), "from": before.start.isoformat(),
             "to": before.end.isoformat()}
    if before.end >= today:
        basis.update(running=True, as_of=today.isoformat())
    return grown(metric, base, percent), basis


def regrown(goal: Goal, percent: decimal.Decimal, over: str) -> tuple[decimal.Decimal, dict] | None:
    """A new target for `goal`, `percent` over the basis it was set with ("set"), the period
    before it or the last complete one; None when it has no such basis."""
    metric = metric_of(goal)
    if over == "set":
        if not goal.basis.get("base"):
            return None
        base = decimal.Decimal(goal.basis["base"])
        kept = {key: goal.basis[key] for key in ("base", "from", "to", "running", "as_of") if key in goal.basis}
        return grown(metric, base, percent), {**kept, "growth": percent_text(percent)}
    if over not in GROWTH_OVER or metric is None:
        return None
    users, teams = owner_lookup([goal])
    return growth_target(metric, owner_of(goal, users, teams), period_math.Period(goal.period_kind, goal.start, goal.end), percent, over)


def user_ids_of(goals: list[Goal]) -> dict[int, list[int]]:
    """For each goal, the users whose numbers count toward it, in at most two queries."""
    teams = members({goal.owner_team_id for goal in goals if goal.owner_team_id})
    company = everyone() if any(not goal.owner_user_id and not goal.owner_team_id for goal in goals) else []
    return {goal.id: [goal.owner_user_id] if goal.owner_user_id else teams.get(goal.owner_team_id, [])
            if goal.owner_team_id else company for goal in goals}


def visible(user: User):
    """The goals `user` may see: an admin all; a manager the company's, their teams' and their
    people's; a rep the company's, their team's and their own."""
    query = Goal.select().where(Goal.archived_at.is_null())
    return query if user.may("see_everything") else query.where(_seen_by(user))


def _seen_by(user: User):
    """The condition on goals that `user` (not an admin) may see."""
    company = Goal.owner_user.is_null() & Goal.owner_team.is_null()
    if user.may("lead_teams"):
        people = managed_user_ids(user)
        return company | Goal.owner_team.in_(managed_team_ids(user)) | Goal.owner_user.in_(people) | (Goal.owner_user == user.id)
    own_team = (Goal.owner_team == user.team_id) if user.team_id else peewee.Value(False)
    return company | own_team | (Goal.owner_user == user.id)


def seen_ids(user: User, goal_ids) -> set[int]:
    """Which of these goals (archived ones too) `user` may see, in one query."""
    query = Goal.select(Goal.id).where(Goal.id.in_(list(goal_ids) or [0]))
    return {goal_id for (goal_id,) in (query if user.may("see_everything") else query.where(_seen_by(user))).tuples()}


def may_change(goal: Goal, user: User) -> bool:
    if user.may("see_everything"):
        return True
    if not user.may("lead_teams"):
        return False
    teams = {team.id for team in managed_teams(user)}
    if goal.owner_team_id:
        return goal.owner_team_id in teams
    if goal.owner_user_id:
        return User.select().where(User.id == goal.owner_user_id, User.team.in_(list(teams) or [0])).exists()
    return False


def holidays() -> frozenset:
    return frozenset(day for (day,) in Holiday.select(Holiday.day).tuples())


@functools.lru_cache(maxsize=256)
def _metric_name(key: str, locale: str) -> str:
    """A metric's name in a language (asked for once per page and goal: remembered)."""
    return str(metric_or_none(key).label)


def whole_units(metric) -> bool:
    """Counts (calls, customers) take whole-number targets; amounts take cents."""
    return metric is not None and metric.unit not in ("currency", "hours")


def title(goal: Goal, owner: Owner, locale: str | None = None) -> str:
    """"Won revenue · 2027 Q1 · East": what, when, whose. `locale`, when the caller has it, saves
    looking it up for each of many goals."""
    locale = locale or locale_code()
    name = _metric_name(goal.metric, locale) if metric_or_none(goal.metric) else _("Metric unavailable")
    if goal.filters:
        name = f"{name} ({words(goal.metric, goal.filters)})"
    return f"{name} · {period_math.Period(goal.period_kind, goal.start, goal.end).label(locale)} · {owner.label}"


def filters_of(draft: Draft) -> dict:
    """What a draft's metric is narrowed to ({} for everything)."""
    return dict(draft.metric.filters) if draft.metric is not None else {}


# -- checking and saving --------------------------------------------------------------------------


@dataclass
class Draft:
    """What a goal form says, before it is saved: each part parsed, or an error beside it."""

    owner: Owner | None = None
    metric: object = None
    target: decimal.Decimal | None = None
    period: period_math.Period | None = None
    parent: Goal | None = None
    description: str = ""
    reason: str = ""
    basis: dict | None = None
    parent_title: str = ""
    until: period_math.Period | None = None  # repeat: one goal for each period from `period` to this one
    duplicate: Goal | None = None  # the goal already there, once `check` found one

    @property
    def periods(self) -> list[period_math.Period]:
        """The periods it sets a goal for: its own, or each one of the span it repeats over."""
        return period_math.span(self.period, self.until) if self.until is not None and self.period is not None else [self.period]

    def each(self) -> list[Draft]:
        """One draft for each period it sets a goal for."""
        return [dataclasses.replace(self, period=period, until=None) for period in self.periods]


def check(draft: Draft, user: User, goal: Goal | None = None) -> dict[str, str]:
    """Errors (field: message) that stop a goal being saved; nothing else is judged here."""
    errors = {}
    if draft.owner is None:
        errors["owner"] = _("Choose whose goal it is.")
    if draft.metric is None:
        errors["metric"] = _("Choose what is measured.")
    problem = check_target(draft)
    if problem:
        errors["target"] = problem
    if draft.period is None:
        errors.setdefault("period", _("Choose the period."))
    elif draft.period.end < draft.period.start:
        errors["period"] = _("The end comes before the start.")
    elif draft.period.days > 3 * 366:
        errors["period"] = _("A goal covers at most three years; break longer ambitions into yearly goals.")
    if draft.parent is not None and draft.metric is not None and draft.period is not None and "period" not in errors:
        if draft.parent.metric != draft.metric.key:
            errors["parent"] = _("The parent goal measures something else; a goal breaks down into goals for the same metric.")
        elif not (draft.parent.filters or {}).items() <= filters_of(draft).items():
            errors["parent"] = _("The parent goal counts only %(filters)s; a goal that is part of it counts within that too.",
                                 filters=words(draft.parent.metric, draft.parent.filters))
        elif not period_math.Period(draft.parent.period_kind, draft.parent.start, draft.parent.end).contains(draft.period):
            errors["parent"] = _("This period is not inside the parent goal's (%(start)s to %(end)s).",
                                 start=draft.parent.start.isoformat(), end=draft.parent.end.isoformat())
        elif goal is not None and draft.parent.id == goal.id:
            errors["parent"] = _("A goal cannot be its own parent.")
    if not errors and draft.until is not None:
        return check_repeat(draft, user)
    if not errors:
        draft.duplicate = duplicate_of(draft, goal)
        if draft.duplicate is not None:
            errors["period"] = _("%(owner)s already has a goal for %(metric)s in this period; change that one instead.",
                                 owner=draft.owner.label, metric=draft.metric.label)
    return errors


def check_repeat(draft: Draft, user: User) -> dict[str, str]:
    """A goal repeated over a span: each period checked as a goal of its own. Periods that
    already have a goal are left out when it is saved, unless every one of them has."""
    if draft.until.kind != draft.period.kind:
        return {"until": _("Repeat with periods of the same kind as the first one (a month with months).")}
    if draft.until.start < draft.period.start:
        return {"until": _("The last period comes before the first.")}
    if draft.basis and draft.basis.get("growth"):
        return {"target": _("A repeated goal takes a number as its target; growth is worked out one period at a time.")}
    if draft.parent is not None:
        within = period_math.Period(draft.parent.period_kind, draft.parent.start, draft.parent.end)
        outside = next((period for period in draft.periods if not within.contains(period)), None)
        if outside is not None:
            return {"parent": _("%(period)s is not inside the parent goal's period (%(start)s to %(end)s).", period=outside.label(),
                                start=draft.parent.start.isoformat(), end=draft.parent.end.isoformat())}
    found = duplicates(draft)
    if len(found) == len(draft.periods):
        return {"period": _("Every one of these periods already has a goal for %(metric)s; change those instead.",
                            metric=draft.metric.label)}
    return {}


def duplicates(draft: Draft) -> dict[datetime.date, Goal]:
    """The goals already there for the periods a (repeated) draft covers, by start, in one query."""
    periods = draft.periods
    query = Goal.select().where(Goal.metric == draft.metric.key, Goal.start.in_([p.start for p in periods]),
                                Goal.end.in_([p.end for p in periods]), Goal.archived_at.is_null(),
                                Goal.owner_user == (draft.owner.user.id if draft.owner.user else None),
                                Goal.owner_team == (draft.owner.team.id if draft.owner.team else None))  # None: IS NULL
    ends, filters = {p.start: p.end for p in periods}, filters_of(draft)
    return {goal.start: goal for goal in query.order_by(Goal.start) if ends.get(goal.start) == goal.end and (goal.filters or {}) == filters}


def check_target(draft: Draft) -> str | None:
    if draft.target is None:
        return _("Write the target as a number.")
    if draft.target <= 0:
        return _("A target is more than zero.")
    if draft.target > MAX_TARGET:
        return _("That target is beyond any sales team; write at most 1,000,000,000,000.")
    if draft.target != draft.target.quantize(split.CENT):
        return _("Write at most two decimals.")
    if whole_units(draft.metric) and draft.target != draft.target.to_integral_value():
        return _("%(metric)s are counted in whole numbers.", metric=draft.metric.label)
    return None


def parse_amount(text) -> decimal.Decimal | None:
    """A number as people type it: 1,200,000 or ¥1200000.00; None when it is not one."""
    text = str(text or "").strip().replace(",", "").replace("，", "").replace(" ", "")
    for sign in ("¥", "￥", "$", "€", "£", "%"):
        text = text.replace(sign, "")
    if not text or len(text) > 30:
        return None
    try:
        value = decimal.Decimal(text)
    except decimal.InvalidOperation:
        return None
    return value if value.is_finite() else None


def shown(amount) -> str:
    from flask_babel import format_decimal

    return format_decimal(amount, format="#,##0.##")


def duplicate_of(draft: Draft, goal: Goal | None = None) -> Goal | None:
    query = Goal.select().where(Goal.metric == draft.metric.key, Goal.start == draft.period.start, Goal.end == draft.period.end,
                                Goal.archived_at.is_null(), Goal.owner_user == (draft.owner.user.id if draft.owner.user else None),
                                Goal.owner_team == (draft.owner.team.id if draft.owner.team else None))  # None: IS NULL
    if goal is not None:
        query = query.where(Goal.id != goal.id)
    return next((found for found in query if (found.filters or {}) == filters_of(draft)), None)


def create(draft: Draft, user: User, split_method: str = "") -> Goal:
    with db.atomic():
        goal = Goal.create(
            owner_user=draft.owner.user.id if draft.owner.user else None, owner_team=draft.owner.team.id if draft.owner.team else None,
            metric=draft.metric.key, filters=filters_of(draft) or None, target=draft.target, period_kind=draft.period.kind,
            start=draft.period.start, end=draft.period.end, parent=draft.parent.id if draft.parent else None,
            description=draft.description, reason=draft.reason, basis=draft.basis or {}, created_by=user.id)
        changes = {"target": [None, str(draft.target)]}
        if goal.filters:
            changes["filters"] = [None, words(goal.metric, goal.filters)]
        records.audit("goal_add", "goals", goal.id, draft.metric.key, changes, user)
    return goal


def create_repeated(draft: Draft, user: User) -> tuple[list[Goal], list[Goal]]:
    """A goal for each period of the span a draft repeats over, in one transaction, each audited;
    the periods that already have a goal are refused. Returns (the goals set, the ones already there)."""
    made = []
    with db.atomic():
        existing = duplicates(draft)
        for each in draft.each():
            if each.period.start not in existing:
                made.append(create(each, user))
    return made, list(existing.values())


def basis_after(goal: Goal, target: decimal.Decimal) -> dict:
    """The basis of a target changed to a number: the growth it now is over the same base, or
    none when there is no base to grow."""
    basis = dict(goal.basis or {})
    if not basis.get("growth"):
        return basis
    base = decimal.Decimal(basis.get("base") or 0)
    if base <= 0:
        return {key: value for key, value in basis.items() if key not in GROWTH_KEYS}
    return {**basis, "growth": percent_text((target / base - 1) * 100), "changed": True}


def change_target(goal: Goal, target: decimal.Decimal, reason: str, user: User, basis: dict | None = None) -> None:
    """A new target with its reason, kept in the goal's history (re-baselining). `basis` is how a
    target worked out from growth was set; a target given as a number keeps its basis true."""
    basis = basis_after(goal, target) if basis is None else {**{k: v for k, v in (goal.basis or {}).items() if k not in GROWTH_KEYS},
                                                             **basis}
    changes = {"target": [str(goal.target), str(target)]}
    if (goal.basis or {}).get("growth") != basis.get("growth"):
        changes["growth"] = [(goal.basis or {}).get("growth"), basis.get("growth")]
    with db.atomic():
        TargetChange.create(goal=goal, before=goal.target, after=target, reason=reason, user=user.id)
        Goal.update(target=target, basis=basis).where(Goal.id == goal.id).execute()
        records.audit("goal_target", "goals", goal.id, goal.metric, changes, user)
    goal.target, goal.basis = target, basis


def archive(goal: Goal, user: User) -> int:
    """Archive a goal and everything below it; the numbers stay."""
    ids = descendants(goal) + [goal.id]
    with db.atomic():
        Goal.update(archived_at=utcnow()).where(Goal.id.in_(ids)).execute()
        records.audit("goal_archive", "goals", goal.id, goal.metric, {"goals": [None, len(ids)]}, user)
    return len(ids)


def descendants(goal: Goal) -> list[int]:
    """Ids below a goal, level by level (a goal tree is a handful of levels deep)."""
    found, level = [], [goal.id]
    while level:
        level = [g for (g,) in Goal.select(Goal.id).where(Goal.parent.in_(level), Goal.archived_at.is_null()).tuples()]
        found += level
    return found


# -- breaking down --------------------------------------------------------------------------------


def break_down(goal: Goal, kind: str, method: str, user: User, history: dict | None = None) -> tuple[list[Goal], bool]:
    """Replace the goal's split (its children of the same owner) with a new one that adds up to its
    target. Shares given to others are left alone."""
    parent = period_math.Period(goal.period_kind, goal.start, goal.end)
    pieces, fell_back = split.by_period(goal.target, parent, kind, method, holidays(), history)
    with db.atomic():
        Goal.delete().where(Goal.parent == goal.id, Goal.owner_user == goal.owner_user_id,
                            Goal.owner_team == goal.owner_team_id).execute()  # None compares as IS NULL
        made = [Goal.create(owner_user=goal.owner_user_id, owner_team=goal.owner_team_id, metric=goal.metric, filters=goal.filters,
                            target=piece.target, period_kind=kind, start=piece.period.start, end=piece.period.end, parent=goal.id,
                            split_method=method, created_by=user.id) for piece in pieces]
        Goal.update(split_method=method).where(Goal.id == goal.id).execute()
        records.audit("goal_split", "goals", goal.id, goal.metric,
              {"children": [None, len(made)], "method": [None, source_text(split.METHOD_LABELS.get(method, method))]}, user)
    return made, fell_back


def seasonal_history(goal: Goal, kind: str) -> dict:
    """Last year's actual of the goal's owner in each `kind` period a year before the goal's:
    {start of that period: value}, from one query (day by day when the metric can)."""
    metric = metric_of(goal)
    if metric is None:
        return {}
    before = period_math.a_year_before(period_math.Period(goal.period_kind, goal.start, goal.end))
    people = user_ids_of([goal])[goal.id]
    parts = period_math.children(before, kind)
    if not people:
        return {}
    if metric.daily is not None:
        days = metric.daily(user_ids=people, start=before.start, end=before.end)
        totals = {}
        for person_days in days.values():
            for day, value in person_days.items():
                part = next(p for p in parts if p.start <= day <= p.end)
                totals[part.start] = totals.get(part.start, 0) + decimal.Decimal(str(value or 0))
        return totals
    return {part.start: sum((decimal.Decimal(str(v or 0)) for v in metric.compute(user_ids=people, start=part.start,
                                                                                  end=part.end).values()),
                            decimal.Decimal(0)) for part in parts}


def takers(goal: Goal) -> list[tuple[str, str]]:
    """Who a goal is shared out to: a team's goal to its people, the company's to the teams."""
    if goal.owner_user_id:
        return []
    if goal.owner_team_id:
        people = User.select().where(User.team == goal.owner_team_id, User.active == True).order_by(User.name)  # noqa: E712
        return [(f"user:{person.id}", person.name) for person in people]
    return [(f"team:{team.id}", team.name) for team in Team.select().order_by(Team.name)]


def _taker_ids(key: str) -> list[int]:
    kind, _colon, number = key.partition(":")
    return [int(number)] if kind == "user" else members([int(number)]).get(int(number), [])


def proposed_shares(goal: Goal, takers_: list, how: str) -> dict:
    """Shares to start from: equal, or by each one's part of the period before."""
    keys = [key for key, _label in takers_]
    weights = [1] * len(keys)
    if how == "history":
        metric = metric_of(goal)
        before = period_math.comparable(period_math.Period(goal.period_kind, goal.start, goal.end), 1)[0]
        people = {key: _taker_ids(key) for key in keys}
        everyone_ = sorted({person for ids in people.values() for person in ids})
        found = metric.compute(user_ids=everyone_, start=before.start, end=before.end) if metric and everyone_ else {}
        weights = [sum((decimal.Decimal(str(found.get(person) or 0)) for person in people[key]), decimal.Decimal(0)) for key in keys]
    existing = {f"user:{g.owner_user_id}" if g.owner_user_id else f"team:{g.owner_team_id}": g.target
                for g in Goal.select().where(Goal.parent == goal.id, Goal.start == goal.start, Goal.end == goal.end,
                                             Goal.archived_at.is_null())}
    if existing and how == "current":
        return {key: existing.get(key, decimal.Decimal(0)) for key in keys}
    return dict(zip(keys, split.apportion(goal.target, weights, split.ONE if whole_units(metric_or_none(goal.metric)) else None)))


def share_among(goal: Goal, shares: dict[str, decimal.Decimal], user: User) -> list[Goal]:
    """A team's goal given out to its people, or the company's to its teams ({"user:3": target});
    the shares may leave a gap, which the goal page shows."""
    with db.atomic():
        current = {f"user:{g.owner_user_id}" if g.owner_user_id else f"team:{g.owner_team_id}": g
                   for g in Goal.select().where(Goal.parent == goal.id, Goal.start == goal.start, Goal.end == goal.end)}
        made = []
        shares = {key: amount for key, amount in shares.items() if amount}  # nothing to do is no goal
        for key, amount in shares.items():
            kind, _colon, number = key.partition(":")
            if key in current:
                child = current[key]
                Goal.update(target=amount, archived_at=None).where(Goal.id == child.id).execute()
            else:
                child = Goal.create(owner_user=int(number) if kind == "user" else None, owner_team=int(number) if kind == "team" else None,
                                    metric=goal.metric, filters=goal.filters, target=amount, period_kind=goal.period_kind,
                                    start=goal.start, end=goal.end, parent=goal.id, split_method="share", created_by=user.id)
            made.append(child)
        for key, child in current.items():
            if key not in shares and child.archived_at is None:
                Goal.update(archived_at=utcnow()).where(Goal.id == child.id).execute()
        records.audit("goal_share", "goals", goal.id, goal.metric, {"shares": [None, {k: str(v) for k, v in shares.items()}]}, user)
    return made


def funnel_goals(goal: Goal, owner: Owner, worked, user: User) -> list[Goal]:
    """The reverse funnel's activity numbers as goals (calls, visits... for the same owner and
    period), each broken down into weeks by working days. Existing ones get the new numbers."""
    made = []
    period = period_math.Period(goal.period_kind, goal.start, goal.end)
    with db.atomic():
        for step in worked.steps[1:]:  # the first step is the deals themselves
            draft = Draft(owner=owner, metric=step.metric, target=decimal.Decimal(step.needed), period=period,
                          reason=_("What %(goal)s takes, by the reverse funnel.", goal=title(goal, owner)),
                          basis={"funnel_of": goal.id})
            existing = duplicate_of(draft)
            if existing is not None:
                if existing.target != draft.target:
                    change_target(existing, draft.target, draft.reason, user)
                child = existing
            else:
                child = create(draft, user)
            if period.kind != "week":
                break_down(child, "week", "working_days", user)
            made.append(child)
    return made


def parse_holidays(text: str) -> tuple[list, list]:
    """Lines of "2027-01-01 New Year's Day": the days, and the lines that are not dates."""
    days, errors = {}, []
    for number, line in enumerate((text or "").splitlines()[:400], start=1):
        line = line.strip()
        if not line:
            continue
        first, _space, name = line.partition(" ")
        try:
            day = datetime.date.fromisoformat(first)
        except ValueError:
            errors.append(_("Line %(number)d: %(line)s does not start with a date such as 2027-01-01.", number=number, line=line[:60]))
            continue
        days[day] = name.strip()[:80]
    return sorted(days.items()), errors


def save_holidays(days: list, user: User) -> None:
    with db.atomic():
        Holiday.delete().execute()
        if days:
            Holiday.insert_many([{"day": day, "name": name} for day, name in days]).execute()
        records.audit("holidays", "goals", None, "holidays", {"days": [None, len(days)]}, user)


def hidden_children(ids: set, shown_kinds) -> dict[int, int]:
    """How many children of each goal are not on the page (shorter periods, opened on demand)."""
    if not ids:
        return {}
    query = (Goal.select(Goal.parent, peewee.fn.COUNT(Goal.id)).where(Goal.parent.in_(list(ids)), Goal.archived_at.is_null())
             .group_by(Goal.parent))
    if shown_kinds:
        query = query.where(Goal.period_kind.not_in(list(shown_kinds)))
    return dict(query.tuples())


# -- the audit log ----------------------------------------------------------------------------------


def audit_words(key: str, value):
    """Words for a stored value of the goals' changes in the audit log (`describe_audit`): a split's
    method stored in English in the reader's language, shares by owner name."""
    if key == "method" and isinstance(value, str):
        return Translated(value)
    if key == "shares" and isinstance(value, dict):
        return "; ".join(f"{_owner_name(owner)}: {amount}" for owner, amount in value.items())
    return None


def audit_title(subject: str, stored: str):
    """A goal entry's title is its metric's key: its name, when the metric is there."""
    if subject != "goals":
        return None
    metric = metric_or_none(stored)
    return metric.label if metric is not None else None


def _owner_name(owner: str) -> str:
    """A goal owner's key ("user:3", "team:1") as the person's or team's name."""
    kind, _sep, number = owner.partition(":")
    model = {"user": User, "team": Team}.get(kind)
    row = model.get_or_none(model.id == id_from(number)) if model else None
    return row.name if row else owner
