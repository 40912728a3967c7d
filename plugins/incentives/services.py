"""Plans, who they pay, and statements: computed live while a period is open, locked when approved,
with later corrections to a locked period carried as adjustment lines into the next open one.

The plugin counts through metrics only (`core.api.metrics`) and asks the goals through the
`goal_targets` hook: it imports no other plugin.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import peewee
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.api import (
    ADMIN,
    MANAGER,
    REP,
    Team,
    User,
    db,
    dimension_choices,
    filter_words,
    goal_targets,
    label_text,
    managed_user_ids,
    metric_dimensions,
    metrics,
    read_filters,
    records,
    team_today,
    utcnow,
)

from . import calc
from .models import Plan, Statement

PERIODS = {"month": _l("Month"), "quarter": _l("Quarter")}
MODES = {calc.MARGINAL: _l("Marginal: each band at its own rate"), calc.FLAT: _l("Flat: the whole amount at the tier reached")}
MAX_TIERS, MAX_BONUSES, MAX_ACCELERATORS = 6, 4, 3
MAX_AMOUNT = Decimal("1e12")
LOOK_BACK = 12  # locked periods checked for corrections


class PlanError(ValueError):
    """A plan's settings refused: {form field: message}."""

    status = 400

    def __init__(self, errors: dict):
        super().__init__("; ".join(str(message) for message in errors.values()))
        self.errors = errors


class Stale(PlanError):
    """Someone saved the plan, challenge or bonus after this form was opened."""

    status = 409


def claim(thing, version) -> None:
    """Take the save of `thing` (a plan, challenge or bonus) made from its form's `version`: raise its
    version by one, or raise Stale when someone saved it since. A form without a version (a script
    posting the fields) saves as before."""
    if version in (None, ""):
        thing.version = (thing.version or 1) + 1
        return
    try:
        version = int(version)
    except (TypeError, ValueError):
        version = -1
    model = type(thing)
    if not model.update(version=model.version + 1).where(model.id == thing.id, model.version == version).execute():
        raise Stale({"version": _("Someone saved this after you opened it: your changes are below, theirs are saved. "
                                  "Open it again to start from theirs.")})
    thing.version = version + 1


# -- periods ----------------------------------------------------------------------------------------


def period_of(kind: str, day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The month or quarter holding `day`: (first day, last day)."""
    first_month = day.month if kind == "month" else 3 * ((day.month - 1) // 3) + 1
    start = datetime.date(day.year, first_month, 1)
    months = 1 if kind == "month" else 3
    following = datetime.date(start.year + (start.month + months - 1) // 12, (start.month + months - 1) % 12 + 1, 1)
    return start, following - datetime.timedelta(days=1)


def period_key(kind: str, start: datetime.date) -> str:
    return f"{start.year}-{start.month:02}" if kind == "month" else f"{start.year}-Q{(start.month - 1) // 3 + 1}"


def period_from_key(kind: str, key: str) -> tuple[datetime.date, datetime.date] | None:
    """The period a URL names ("2026-11", "2026-Q4"), or None for anything else."""
    try:
        year, part = key.split("-", 1)
        year = int(year)
        if not 2000 <= year <= 2100:
            return None
        if kind == "quarter":
            if not part.startswith("Q") or part[1:] not in "1234" or len(part) != 2:
                return None
            return period_of(kind, datetime.date(year, 3 * (int(part[1]) - 1) + 1, 1))
        month = int(part)
        return period_of(kind, datetime.date(year, month, 1)) if 1 <= month <= 12 and len(part) == 2 else None
    except ValueError:
        return None


def period_label(kind: str, start: datetime.date) -> str:
    if kind == "month":
        return _("%(year)d-%(month)02d", year=start.year, month=start.month)
    return _("%(year)d Q%(quarter)d", year=start.year, quarter=(start.month - 1) // 3 + 1)


def recent_periods(kind: str, count: int = 12) -> list[tuple[datetime.date, datetime.date]]:
    """The current period and the ones before it, newest first."""
    found, day = [], team_today()
    for _step in range(count):
        start, end = period_of(kind, day)
        found.append((start, end))
        day = start - datetime.timedelta(days=1)
    return found


# -- plans ------------------------------------------------------------------------------------------


def plan_name(plan: Plan) -> str:
    return label_text(plan.labels, plan.name)


def money_text(amount) -> str:
    """An amount as statements show it: grouped thousands, two decimals."""
    return "" if amount is None else f"{calc.money(Decimal(str(amount))):,.2f}"


def rules_of(plan: Plan) -> calc.Rules:
    return calc.Rules(
        tiers=tuple(calc.Tier(Decimal(tier["start"]), Decimal(tier["rate"])) for tier in plan.tiers or []),
        bonuses=tuple(calc.Bonus(Decimal(bonus["at"]), Decimal(bonus["amount"])) for bonus in plan.bonuses or []),
        mode=plan.mode, cap=plan.cap, floor=plan.floor, on_goal=plan.on_goal)


def metric_of(plan: Plan):
    """The plan's metric, narrowed to its filters and, when the metric can tell currencies apart, to
    the plan's currency (amounts in two currencies are never added up). None when it is gone."""
    return narrowed(plan.metric, plan.filters, plan.currency)


def narrowed(key: str, filters: dict | None, currency: str):
    """A metric narrowed to `filters` and, for an amount of money whose metric tells currencies
    apart, to `currency`; None when no plugin offers it (any more)."""
    metric = metrics().get(key)
    if metric is None:
        return None
    filters = dict(filters or {})
    offered = metric_dimensions(metric)
    if not set(filters) <= set(offered):
        return None  # a dimension it no longer offers: never counted unfiltered
    if metric.unit == "currency" and "currency" in offered:
        filters["currency"] = currency
    return metric.filtered(filters)


def _number(text, name: str, errors: dict, *, minimum=Decimal(0), required=True) -> Decimal | None:
    text = str(text if text is not None else "").strip().replace(",", "")
    if not text:
        if required:
            errors[name] = _("Fill this in.")
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        errors[name] = _("Not a number.")
        return None
    if not value.is_finite() or abs(value) >= MAX_AMOUNT:
        errors[name] = _("This number is too large.")
        return None
    if value < minimum:
        errors[name] = _("It cannot be negative.") if minimum == 0 else _("It must be at least %(minimum)s.", minimum=minimum)
        return None
    return value


def clean_plan(values: dict) -> dict:
    """A plan's settings as the form sent them, checked; raises PlanError with a message per field.

    `values`: name, labels, metric, period, starts, ends (dates), on_goal, mode, currency, cap,
    floor, priority, roles, teams, users (lists), tiers [(start, rate)], bonuses [(at, amount)].
    """
    errors: dict[str, str] = {}
    name = (values.get("name") or "").strip()
    if not name:
        errors["name"] = _("Give the plan a name.")
    elif len(name) > 120:
        errors["name"] = _("The name is longer than %(count)d characters.", count=120)
    metric = values.get("metric") or ""
    if metric not in metrics():
        errors["metric"] = _("Choose the number the plan pays on.")
    period = values.get("period") if values.get("period") in PERIODS else None
    if period is None:
        errors["period"] = _("Choose a month or a quarter.")
    starts, ends = values.get("starts"), values.get("ends")
    if starts is None:
        errors["starts"] = _("Give the first day the plan applies.")
    elif ends is not None and ends < starts:
        errors["ends"] = _("The plan ends before it starts.")
    mode = values.get("mode") if values.get("mode") in MODES else None
    if mode is None:
        errors["mode"] = _("Choose how the tiers pay.")
    currency = (values.get("currency") or "").strip().upper()
    if len(currency) != 3 or not currency.isalpha() or not currency.isascii():
        errors["currency"] = _("Write a three-letter currency code, such as CNY or USD.")
    cap = _number(values.get("cap"), "cap", errors, required=False)
    floor = _number(values.get("floor"), "floor", errors, required=False)
    if cap is not None and floor is not None and cap < floor:
        errors["cap"] = _("The cap is below the floor: no payout could meet both.")
    tiers = []
    for number, (start, rate) in enumerate(values.get("tiers") or []):
        if not str(start or "").strip() and not str(rate or "").strip():
            continue  # an empty row
        start_value = _number(start, f"tier-{number}-start", errors)
        rate_value = _number(rate, f"tier-{number}-rate", errors)
        if rate_value is not None and rate_value > 100:
            errors[f"tier-{number}-rate"] = _("A rate is a percentage from 0 to 100.")
        if start_value is not None and rate_value is not None:
            tiers.append((number, start_value, rate_value))
    if not tiers and not any(name.startswith("tier-") for name in errors):
        errors["tiers"] = _("Give at least one tier.")
    for (_n, start, rate), (number, following, following_rate) in zip(tiers, tiers[1:]):
        if following <= start:
            errors[f"tier-{number}-start"] = _("Tiers go upwards: this one must start above %(start)s.", start=start)
        elif mode == calc.FLAT and following_rate < rate:
            errors[f"tier-{number}-rate"] = _("In a flat plan a higher tier cannot pay less: reaching it would lower the pay.")
    if tiers and tiers[0][1] != 0 and not any(name.startswith("tier-") for name in errors):
        errors["tier-0-start"] = _("The first tier starts at 0, so every value falls in a tier (give it a rate of 0 to pay nothing).")
    bonuses = []
    for number, (at, amount) in enumerate(values.get("bonuses") or []):
        if not str(at or "").strip() and not str(amount or "").strip():
            continue
        at_value = _number(at, f"bonus-{number}-at", errors)
        amount_value = _number(amount, f"bonus-{number}-amount", errors)
        if at_value is not None and amount_value is not None:
            bonuses.append({"at": str(at_value), "amount": str(calc.money(amount_value))})
    filters, accelerators = _narrowing(metrics().get(metric), values, errors)
    priority = values.get("priority")
    try:
        priority = int(str(priority or "0").strip())
        if not -1000 <= priority <= 1000:
            raise ValueError
    except ValueError:
        errors["priority"] = _("Write a whole number from -1000 to 1000.")
        priority = 0
    roles = [role for role in values.get("roles") or [] if role in (REP, MANAGER, ADMIN)]
    teams = sorted({int(team) for team in values.get("teams") or [] if str(team).isdigit()})
    users = sorted({int(user) for user in values.get("users") or [] if str(user).isdigit()})
    if teams and Team.select().where(Team.id.in_(teams)).count() != len(teams):
        errors["teams"] = _("Choose teams from the list.")
    if users and User.select().where(User.id.in_(users)).count() != len(users):
        errors["users"] = _("Choose people from the list.")
    if not (roles or teams or users):
        errors["applies"] = _("Say who the plan applies to: a role, a team or named people.")
    if errors:
        raise PlanError(errors)
    return {"name": name, "labels": values.get("labels") or {}, "metric": metric, "period": period, "starts": starts,
            "ends": ends, "on_goal": bool(values.get("on_goal")), "mode": mode, "currency": currency, "cap": cap, "floor": floor,
            "priority": priority, "roles": roles, "teams": teams, "users": users,
            "tiers": [{"start": str(start), "rate": str(rate)} for _n, start, rate in tiers], "bonuses": bonuses,
            "filters": filters, "accelerators": accelerators}


def _narrowing(metric, values: dict, errors: dict) -> tuple[dict, list]:
    """The plan's "count only" filters and its accelerators, checked against what the metric offers."""
    if metric is None:
        return {}, []
    filters, problems = read_filters(metric, values.get("filters") or {})
    errors.update(problems)
    accelerators = []
    for number, (choice, rate) in enumerate(values.get("accelerators") or []):
        if not str(choice or "").strip() and not str(rate or "").strip():
            continue
        dimension, _sep, value = str(choice or "").partition("=")
        if value not in dimension_choices(metric, dimension):
            errors[f"acc-{number}-choice"] = _("Choose what the accelerator pays more on.")
            continue
        rate_value = _number(rate, f"acc-{number}-rate", errors)
        if rate_value is not None and rate_value > 100:
            errors[f"acc-{number}-rate"] = _("A rate is a percentage from 0 to 100.")
        elif rate_value is not None:
            accelerators.append({"dimension": dimension, "value": value, "rate": str(rate_value)})
    return filters, accelerators


def narrowing_offered(metric) -> list[tuple]:
    """[(dimension, {value: label})] a plan or bonus form offers to narrow `metric` by (not the
    currency of an amount: the plan's own currency narrows it)."""
    return [(dimension, dimension_choices(metric, key)) for key, dimension in metric_dimensions(metric).items()
            if not (key == "currency" and metric.unit == "currency")]


def _overlaps(plan: Plan, other: Plan) -> bool:
    return (other.ends is None or other.ends >= plan.starts) and (plan.ends is None or plan.ends >= other.starts)


def applies_to(plan: Plan, user: User) -> bool:
    from .audience import in_audience

    return in_audience(user, plan.roles or [], plan.teams or [], plan.users or [])


def _clashes(plan: Plan) -> list[str]:
    """People two plans of the same priority would both pay at one time."""
    people = list(User.select().where(User.active == True))  # noqa: E712 - SQL
    clashes = []
    for other in Plan.select().where(Plan.archived_at.is_null(), Plan.id != (plan.id or 0), Plan.priority == plan.priority):
        if _overlaps(plan, other):
            both = [person.name for person in people if applies_to(plan, person) and applies_to(other, person)]
            if both:
                clashes.append(_("%(people)s would also be paid by %(plan)s at the same time: give one plan a higher "
                                 "priority, or change who it applies to.", people=", ".join(both[:5]), plan=plan_name(other)))
    return clashes


def save_plan(plan: Plan | None, values: dict, user) -> Plan:
    cleaned = clean_plan(values)
    with db.atomic():
        before = {} if plan is None else {name: _plain(getattr(plan, name)) for name in cleaned}
        if plan is not None:
            claim(plan, values.get("version"))
        plan = plan or Plan(created_by=user)
        for name, value in cleaned.items():
            setattr(plan, name, value)
        clashes = _clashes(plan)
        if clashes:
            raise PlanError({"applies": " ".join(clashes)})
        created = plan.id is None
        plan.save()
        changes = {name if name == "labels" else f"plan_{name}": [before.get(name), _plain(value)] for name, value in cleaned.items()
                   if before.get(name) != _plain(value)}
        records.audit("plan_add" if created else "plan_change", "incentives", plan.id, plan.name, changes, user)
    return plan


def archive_plan(plan: Plan, user) -> None:
    with db.atomic():
        plan.archived_at = utcnow()
        plan.save()
        records.audit("plan_archive", "incentives", plan.id, plan.name, {"plan_archived": [False, True]}, user)


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def people_paid(plan: Plan, viewer: User | None = None) -> list[User]:
    """The active people the plan pays (and a higher-priority plan does not), that `viewer` may see."""
    query = User.select().where(User.active == True).order_by(User.name)  # noqa: E712 - SQL
    if viewer is not None and not viewer.may("see_everything"):
        query = query.where((User.id == viewer.id) | (User.id.in_(managed_user_ids(viewer))) if viewer.may("lead_teams")
                            else User.id == viewer.id)
    higher = [other for other in Plan.select().where(Plan.archived_at.is_null(), Plan.priority > plan.priority)
              if _overlaps(plan, other)]
    return [person for person in query if applies_to(plan, person) and not any(applies_to(other, person) for other in higher)]


# -- statements -------------------------------------------------------------------------------------


@dataclass
class Sheet:
    """A rep's statement for a plan and period: live while open, as stored once approved."""

    plan: Plan
    user: User
    start: datetime.date
    end: datetime.date
    payout: calc.Payout | None = None
    adjustments: list[dict] = field(default_factory=list)
    stored: Statement | None = None
    sources: list = field(default_factory=list)

    @property
    def locked(self) -> bool:
        return self.stored is not None

    @property
    def lines(self) -> list[dict]:
        if self.stored is not None:
            return self.stored.lines
        return describe(self.payout) + self.adjustments

    @property
    def total(self) -> Decimal:
        if self.stored is not None:
            return self.stored.total
        return sum((Decimal(line["amount"]) for line in self.lines), Decimal(0))

    @property
    def value(self) -> Decimal:
        return self.stored.value if self.stored is not None else self.payout.value

    @property
    def target(self):
        return self.stored.target if self.stored is not None else self.payout.target


def describe(payout: calc.Payout) -> list[dict]:
    """A payout's lines as statements store and show them (amounts as text, to the cent)."""
    lines = []
    if payout.missing_goal:
        lines.append({"kind": "no_goal", "base": "0", "rate": None, "amount": "0.00"})
    for line in payout.lines:
        lines.append({"kind": line.kind, "base": str(calc.money(line.base)), "rate": None if line.rate is None else str(line.rate),
                      "amount": str(line.amount), "start": None if line.start is None else str(calc.money(line.start)),
                      "end": None if line.end is None else str(calc.money(line.end)), **({"label": line.label} if line.label else {})})
    return lines


def line_text(plan: Plan, line: dict) -> str:
    """What a statement line says, in the reader's language."""
    kind = line["kind"]
    if kind == "band":
        if line.get("end") is None:
            return _("%(rate)s%% on the part from %(start)s", rate=line["rate"], start=money_text(line["start"]))
        return _("%(rate)s%% on the part from %(start)s to %(end)s", rate=line["rate"], start=money_text(line["start"]),
                 end=money_text(line["end"]))
    if kind == "flat":
        return _("%(rate)s%% on the whole amount (tier from %(start)s reached)", rate=line["rate"], start=money_text(line["start"]))
    if kind == "bonus":
        return _("Bonus for reaching %(at)s", at=money_text(line["start"]))
    if kind == "cap":
        return _("Cap of the plan")
    if kind == "floor":
        return _("Floor of the plan")
    if kind == "no_goal":
        return _("No goal for this period: the plan pays on attainment, so nothing is due")
    if kind == "accelerator":
        return _("Accelerator: %(rate)s%% more on %(part)s", rate=line["rate"], part=line.get("label") or "")
    if kind == "spiff":
        return _("Short-term bonus: %(name)s (%(period)s)", name=line["name"], period=line["period"])
    if kind == "prize":
        return _("Prize: %(award)s (%(period)s)", award=line["award"], period=line["period"])
    if kind == "adjustment":
        return _("Correction for %(period)s: the number is now %(now)s (it was %(was)s when approved)", period=line["period"],
                 now=money_text(line["now"]), was=money_text(line["was"]))
    return kind


def _payouts(plan: Plan, user_ids: list[int], start, end) -> dict[int, calc.Payout]:
    """What the plan pays each user for the period, as the data stands: one metric query, one goal question."""
    metric = metric_of(plan)
    if metric is None or not user_ids:
        return {}
    values = metric.compute(user_ids=user_ids, start=start, end=end)
    targets = goal_targets(plan.metric, dict(plan.filters or {}), user_ids, start, end) if plan.on_goal else {}
    rules = rules_of(plan)
    parts = _accelerated(plan, user_ids, start, end)
    return {user_id: calc.payout(rules, Decimal(str(values.get(user_id) or 0)), targets.get(user_id), parts.get(user_id, ()))
            for user_id in user_ids}


def _accelerated(plan: Plan, user_ids: list[int], start, end) -> dict[int, list[calc.Accelerated]]:
    """Each user's parts of the value an accelerator pays more on (one metric query per accelerator)."""
    found: dict[int, list[calc.Accelerated]] = {}
    for accelerator in plan.accelerators or []:
        filters = {**(plan.filters or {}), accelerator["dimension"]: accelerator["value"]}
        metric = narrowed(plan.metric, filters, plan.currency)
        if metric is None:
            continue
        label = filter_words(plan.metric, {accelerator["dimension"]: accelerator["value"]})
        for user_id, value in metric.compute(user_ids=user_ids, start=start, end=end).items():
            found.setdefault(user_id, []).append(calc.Accelerated(label, Decimal(str(value or 0)), Decimal(accelerator["rate"])))
    return found


# Lines a statement carries besides what the plan's tiers paid: corrections of earlier periods, and
# prizes and short-term bonuses paid once. A correction compares only the plan's own lines.
CARRIED = {"adjustment", "prize", "spiff"}


def _own_total(statement: Statement) -> Decimal:
    """What the plan's tiers paid in a locked statement."""
    return sum((Decimal(line["amount"]) for line in statement.lines if line["kind"] not in CARRIED), Decimal(0))


def _adjustments(plan: Plan, user_ids: list[int], start: datetime.date) -> dict[int, list[dict]]:
    """Corrections to the users' locked statements before `start`: for each locked period, what the
    plan pays now against what was locked and what later statements already carried."""
    locked = list(Statement.select().where(Statement.plan == plan.id, Statement.user.in_(user_ids), Statement.start < start)
                  .order_by(Statement.start.desc()).limit(LOOK_BACK * max(1, len(user_ids))))
    carried: dict[tuple[int, str], Decimal] = {}
    for statement in locked:
        for line in statement.lines:
            if line["kind"] == "adjustment":
                key = (statement.user_id, line["period"])
                carried[key] = carried.get(key, Decimal(0)) + Decimal(line["amount"])
    by_period: dict[tuple, list[Statement]] = {}
    for statement in locked:
        by_period.setdefault((statement.start, statement.end), []).append(statement)
    found: dict[int, list[dict]] = {}
    for (period_start, period_end), statements in sorted(by_period.items()):
        now = _payouts(plan, [statement.user_id for statement in statements], period_start, period_end)
        for statement in statements:
            payout = now.get(statement.user_id)
            if payout is None:
                continue
            key = period_key(plan.period, period_start)
            difference = payout.total - _own_total(statement) - carried.get((statement.user_id, key), Decimal(0))
            if difference:
                found.setdefault(statement.user_id, []).append({
                    "kind": "adjustment", "period": key, "base": str(calc.money(payout.value)), "rate": None,
                    "amount": str(calc.money(difference)), "was": str(statement.value), "now": str(calc.money(payout.value))})
    return found


def sheets(plan: Plan, start: datetime.date, end: datetime.date, people: list[User]) -> list[Sheet]:
    """Every person's statement for the period: the locked ones as stored, the rest computed now,
    in a fixed number of queries whatever the number of people."""
    ids = [person.id for person in people]
    stored = {statement.user_id: statement for statement in
              Statement.select().where(Statement.plan == plan.id, Statement.start == start, Statement.user.in_(ids))}
    open_ids = [user_id for user_id in ids if user_id not in stored]
    payouts = _payouts(plan, open_ids, start, end)
    adjustments = _adjustments(plan, open_ids, start) if open_ids else {}
    if open_ids:
        from .awards import unpaid_prizes
        from .spiffs import unpaid_spiffs

        for user_id, lines in unpaid_prizes(plan, open_ids).items():
            adjustments.setdefault(user_id, []).extend(lines)
        for user_id, lines in unpaid_spiffs(plan, [person for person in people if person.id in open_ids], end).items():
            adjustments.setdefault(user_id, []).extend(lines)
    return [Sheet(plan, person, start, end, payouts.get(person.id, calc.Payout(Decimal(0), None)), adjustments.get(person.id, []),
                  stored.get(person.id)) for person in people]


def sheet(plan: Plan, start, end, person: User, with_sources: bool = False) -> Sheet:
    (found,) = sheets(plan, start, end, [person])
    metric = metric_of(plan)
    if with_sources and metric is not None and metric.sources is not None:
        found.sources = metric.sources(user_ids=[person.id], start=start, end=end).get(person.id, [])
    return found


class _PaidElsewhere(Exception):
    """A prize or short-term bonus on the statement was paid by another one approved meanwhile."""


def approve(plan: Plan, start, end, person: User, approver: User) -> Statement:
    """Lock the person's statement for the period: every line stored as it stands now. Prizes and
    short-term bonuses are paid once: if another statement paid one meanwhile, the statement is
    worked out again without it."""
    for _attempt in range(3):
        try:
            return _approve(plan, start, end, person, approver)
        except _PaidElsewhere:
            continue
    raise RuntimeError("a prize or bonus kept being paid elsewhere")  # three races in a row: not expected


def _approve(plan: Plan, start, end, person: User, approver: User) -> Statement:
    from .models import SpiffPaid, Winner

    with db.atomic():
        current = sheet(plan, start, end, person)
        if current.locked:
            return current.stored
        try:
            with db.atomic():
                statement = Statement.create(
                    plan=plan, user=person, start=start, end=end, value=calc.money(current.payout.value),
                    target=current.payout.target, total=current.total, currency=plan.currency, lines=current.lines,
                    approved_by=approver)
        except peewee.IntegrityError:  # approved meanwhile by someone else: theirs stands
            return Statement.get(Statement.plan == plan.id, Statement.user == person.id, Statement.start == start)
        try:
            with db.atomic():
                for line in statement.lines:
                    if line["kind"] == "spiff":  # unique per (bonus, person)
                        SpiffPaid.create(spiff=line["spiff"], user=person.id, statement=statement.id)
        except peewee.IntegrityError as clash:
            raise _PaidElsewhere from clash  # leaves the outer transaction, which rolls back
        prizes = [line["winner"] for line in statement.lines if line["kind"] == "prize"]
        if prizes:
            taken = Winner.update(statement=statement.id).where(Winner.id.in_(prizes), Winner.statement.is_null()).execute()
            if taken != len(prizes):
                raise _PaidElsewhere
        records.audit("statement_approve", "incentives", statement.id, f"{plan_name(plan)} · {person.name}",
                      {"statement_period": [None, period_key(plan.period, start)],
                       "statement_total": [None, str(statement.total)]}, approver)
    return statement


def what_if(plan: Plan, start, end, person: User, extra: Decimal) -> tuple[calc.Payout, calc.Payout]:
    """(now, with `extra` more of the metric): the same `calc.payout` as the statement."""
    metric = metric_of(plan)
    value = Decimal(str((metric.compute(user_ids=[person.id], start=start, end=end) if metric else {}).get(person.id) or 0))
    target = goal_targets(plan.metric, dict(plan.filters or {}), [person.id], start, end).get(person.id) if plan.on_goal else None
    rules = rules_of(plan)
    parts = _accelerated(plan, [person.id], start, end).get(person.id, ())
    return calc.payout(rules, value, target, parts), calc.payout(rules, value + extra, target, parts)


def may_see(viewer: User, person: User) -> bool:
    if viewer.may("see_everything") or viewer.id == person.id:
        return True
    return viewer.may("lead_teams") and User.select().where(User.id == person.id, User.id.in_(managed_user_ids(viewer))).exists()


def may_approve(viewer: User, person: User) -> bool:
    """An admin, or the manager of the person's team; nobody approves their own statement."""
    if viewer.id == person.id:
        return False
    return viewer.may("see_everything") or (viewer.may("lead_teams") and may_see(viewer, person))


def approvable(viewer: User, people: list[User]) -> set[int]:
    """The ids among `people` whose statements the viewer may approve (one query at most)."""
    if viewer.may("see_everything"):
        return {person.id for person in people if person.id != viewer.id}
    if not viewer.may("lead_teams"):
        return set()
    managed = {user_id for (user_id,) in managed_user_ids(viewer).tuples()}
    return {person.id for person in people if person.id in managed and person.id != viewer.id}


def waiting_approval(viewer: User, plans: list[Plan] | None = None) -> int:
    """How many statements of the last closed period the viewer could approve and has not."""
    count = 0
    for plan in plans if plans is not None else Plan.select().where(Plan.archived_at.is_null()):
        start, end = recent_periods(plan.period, 2)[1]
        paid = people_paid(plan, viewer)
        allowed = approvable(viewer, paid)
        people = [person for person in paid if person.id in allowed]
        locked = {user_id for (user_id,) in Statement.select(Statement.user).where(
            Statement.plan == plan.id, Statement.start == start).tuples()}
        count += sum(1 for person in people if person.id not in locked)
    return count


def my_pay(user: User) -> list[tuple[Plan, str, Sheet]]:
    """The current period's statement of each plan that pays `user`: (plan, period key, sheet)."""
    rows = []
    for plan in Plan.select().where(Plan.archived_at.is_null()).order_by(Plan.starts.desc(), Plan.id):
        start, end = recent_periods(plan.period, 1)[0]
        if plan.starts <= end and (plan.ends is None or plan.ends >= start) and user in people_paid(plan, user):
            rows.append((plan, period_key(plan.period, start), sheet(plan, start, end, user)))
    return rows


ROLE_WORDS = {REP: _l("Reps"), MANAGER: _l("Managers"), ADMIN: _l("Admins")}


def audit_words(key: str, value):
    """Words for the plan's and awards' stored settings in the audit log: names for keys and ids."""
    key = key.removeprefix("plan_").removeprefix("award_").removeprefix("challenge_").removeprefix("spiff_")
    if key == "metric" and isinstance(value, str):
        metric = metrics().get(value)
        return metric.label if metric is not None else value
    if key == "period" and value in PERIODS:
        return PERIODS[value]
    if key == "mode" and value in MODES:
        return MODES[value]
    if key == "roles" and isinstance(value, list):
        return ", ".join(str(ROLE_WORDS.get(role, role)) for role in value)
    if key in ("teams", "users") and isinstance(value, list):
        model = Team if key == "teams" else User
        names = dict(model.select(model.id, model.name).where(model.id.in_([v for v in value if isinstance(v, int)])).tuples())
        return ", ".join(names.get(item, str(item)) for item in value)
    if key == "team" and isinstance(value, int):
        team = Team.get_or_none(Team.id == value)
        return team.name if team else str(value)
    if key == "kind" and isinstance(value, str):
        from .awards import KINDS

        return KINDS.get(value)
    if key == "accelerators" and isinstance(value, list):
        return "; ".join(f"{item.get('dimension')}={item.get('value')}: +{item.get('rate')}%" for item in value if isinstance(item, dict))
    if key == "tiers" and isinstance(value, list):
        return "; ".join(f"≥{tier.get('start')}: {tier.get('rate')}%" for tier in value if isinstance(tier, dict))
    if key == "bonuses" and isinstance(value, list):
        return "; ".join(f"≥{bonus.get('at')}: +{bonus.get('amount')}" for bonus in value if isinstance(bonus, dict))
    return None


ACTION_LABELS = {"plan_add": _l("created the plan"), "plan_change": _l("changed the plan"), "plan_archive": _l("archived the plan"),
                 "statement_approve": _l("approved the statement"), "ranks_setting": _l("changed who sees the ranks"),
                 "award_add": _l("created the award"), "award_change": _l("changed the award"),
                 "award_give": _l("gave the award"), "challenge_add": _l("set the challenge"),
                 "challenge_change": _l("changed the challenge"), "challenge_archive": _l("archived the challenge"),
                 "spiff_add": _l("set the short-term bonus"), "spiff_change": _l("changed the short-term bonus"),
                 "spiff_archive": _l("archived the short-term bonus")}


# -- leaderboards -----------------------------------------------------------------------------------


@dataclass
class Place:
    rank: int
    user: User
    value: Decimal
    share: int  # the bar's length: percent of the leader's value


def leaderboard(metric, start, end, people: list[User]) -> list[Place]:
    """Everyone ranked by the metric over the period, ties sharing a rank (one metric query)."""
    values = metric.compute(user_ids=[person.id for person in people], start=start, end=end) if people else {}
    ranked = sorted(people, key=lambda person: (-Decimal(str(values.get(person.id) or 0)), person.name))
    top = max([Decimal(str(values.get(person.id) or 0)) for person in people] or [Decimal(0)])
    places, previous, rank = [], None, 0
    for position, person in enumerate(ranked, start=1):
        value = Decimal(str(values.get(person.id) or 0))
        if value != previous:
            rank, previous = position, value
        places.append(Place(rank, person, value, int(value * 100 / top) if top > 0 else 0))
    return places


def private_ranks(team_id: int | None) -> bool:
    from .models import TeamSetting

    setting = TeamSetting.get_or_none(TeamSetting.team == team_id) if team_id else None
    return bool(setting and setting.private_ranks)


def set_private_ranks(team: Team, private: bool, user) -> None:
    from .models import TeamSetting

    with db.atomic():
        before = private_ranks(team.id)
        TeamSetting.insert(team=team.id, private_ranks=private).on_conflict(
            conflict_target=[TeamSetting.team], update={TeamSetting.private_ranks: private}).execute()
        if before != private:
            records.audit("ranks_setting", "incentives", team.id, team.name, {"private_ranks": [before, private]}, user)


def shown_places(places: list[Place], viewer: User, team: Team) -> list[Place]:
    """What a rep sees of a team whose ranks are private: the top three and their own place."""
    if viewer.may("lead_teams") or not private_ranks(team.id):
        return places
    return [place for place in places if place.rank <= 3 or place.user.id == viewer.id]
