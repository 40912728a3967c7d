"""Short-term bonuses (短期激励): "+500 per new customer in the West this month", or a percentage of
a narrowed amount, from a first to a last day. Counted by a metric narrowed to the bonus's filters,
paid once as its own line on the next open statement of the person's plan in that currency (the
highest-priority one), and never again once a statement that carries it is approved."""
from __future__ import annotations

import datetime
from decimal import Decimal

from flask_babel import gettext as _

from core.api import Team, User, db, label_text, metrics, read_filters, records, utcnow

from . import calc
from .models import Plan, Spiff, SpiffPaid
from .services import MAX_AMOUNT, PlanError, _number, _plain, claim, narrowed, people_paid

MAX_DAYS = 366


def spiff_name(spiff: Spiff) -> str:
    return label_text(spiff.labels, spiff.name)


def clean(values: dict) -> dict:
    """A bonus's settings as the form sent them; raises PlanError with a message per field."""
    errors: dict[str, str] = {}
    name = (values.get("name") or "").strip()
    if not name or len(name) > 120:
        errors["name"] = _("Give the bonus a name of 1 to 120 characters.")
    metric = metrics().get(values.get("metric") or "")
    filters = {}
    if metric is None:
        errors["metric"] = _("Choose the number the bonus pays on.")
    else:
        filters, problems = read_filters(metric, values.get("filters") or {})
        errors.update(problems)
    starts, ends = values.get("starts"), values.get("ends")
    if starts is None:
        errors["starts"] = _("Give the first day the bonus counts.")
    if ends is None:
        errors["ends"] = _("Give the last day the bonus counts.")
    elif starts is not None and ends < starts:
        errors["ends"] = _("The bonus ends before it starts.")
    elif starts is not None and (ends - starts).days >= MAX_DAYS:
        errors["ends"] = _("A short-term bonus lasts at most a year.")
    per_unit = rate = None
    if values.get("pays") == "rate":
        rate = _number(values.get("amount"), "amount", errors)
        if rate is not None and not 0 < rate <= 100:
            errors["amount"] = _("A rate is a percentage from 0 to 100.")
    elif values.get("pays") == "per_unit":
        per_unit = _number(values.get("amount"), "amount", errors)
        if per_unit is not None and per_unit <= 0:
            errors["amount"] = _("The amount is above zero.")
    else:
        errors["pays"] = _("Choose how the bonus pays.")
    currency = (values.get("currency") or "CNY").strip().upper()
    if len(currency) != 3 or not currency.isalpha() or not currency.isascii():
        errors["currency"] = _("Write a three-letter currency code, such as CNY or USD.")
    teams = sorted({int(team) for team in values.get("teams") or [] if str(team).isdigit()})
    if teams and Team.select().where(Team.id.in_(teams)).count() != len(teams):
        errors["teams"] = _("Choose teams from the list.")
    if errors:
        raise PlanError(errors)
    assert per_unit is None or per_unit < MAX_AMOUNT
    return {"name": name, "labels": values.get("labels") or {}, "metric": metric.key, "filters": filters, "starts": starts,
            "ends": ends, "per_unit": None if per_unit is None else calc.money(per_unit), "rate": rate, "currency": currency,
            "teams": teams}


def save(spiff: Spiff | None, values: dict, user) -> Spiff:
    cleaned = clean(values)
    with db.atomic():
        before = {} if spiff is None else {name: _plain(getattr(spiff, name)) for name in cleaned}
        if spiff is not None:
            claim(spiff, values.get("version"))
        spiff = spiff or Spiff(created_by=user)
        for name, value in cleaned.items():
            setattr(spiff, name, value)
        created = spiff.id is None
        spiff.save()
        changes = {name if name == "labels" else f"spiff_{name}": [before.get(name), _plain(value)] for name, value in cleaned.items()
                   if before.get(name) != _plain(value)}
        records.audit("spiff_add" if created else "spiff_change", "incentives", spiff.id, spiff.name, changes, user)
    return spiff


def archive(spiff: Spiff, user) -> None:
    with db.atomic():
        spiff.archived_at = utcnow()
        spiff.save()
        records.audit("spiff_archive", "incentives", spiff.id, spiff.name, {"spiff_archived": [False, True]}, user)


def earned(spiff: Spiff, people: list[User]) -> dict[int, tuple[Decimal, Decimal]]:
    """{user: (the narrowed metric's value over the bonus's days, the amount)} for those who earned
    something (one metric query)."""
    eligible = [person for person in people if not spiff.teams or person.team_id in spiff.teams]
    metric = narrowed(spiff.metric, spiff.filters, spiff.currency)
    if metric is None or not eligible:
        return {}
    found = {}
    for user_id, value in metric.compute(user_ids=[person.id for person in eligible], start=spiff.starts, end=spiff.ends).items():
        value = Decimal(str(value or 0))
        amount = calc.money(value * spiff.per_unit if spiff.per_unit is not None else value * spiff.rate / calc.HUNDRED)
        if amount > 0:
            found[user_id] = (value, amount)
    return found


def _carriers(currency: str) -> dict[int, int]:
    """{user: the plan whose statements carry their bonuses in `currency`}: the highest priority."""
    found: dict[int, int] = {}
    for plan in Plan.select().where(Plan.archived_at.is_null(), Plan.currency == currency).order_by(Plan.priority.desc(), Plan.id):
        for person in people_paid(plan):
            found.setdefault(person.id, plan.id)
    return found


def unpaid_spiffs(plan: Plan, people: list[User], end: datetime.date) -> dict[int, list[dict]]:
    """{user: [statement line]} of the bonuses ended by `end` that the plan's statement pays and no
    approved statement has (a fixed number of queries: one per bonus ending then, whatever the people)."""
    spiffs = list(Spiff.select().where(Spiff.archived_at.is_null(), Spiff.currency == plan.currency, Spiff.ends <= end,
                                       Spiff.ends >= plan.starts))
    if not spiffs or not people:
        return {}
    carriers = _carriers(plan.currency)
    mine = [person for person in people if carriers.get(person.id) == plan.id]
    paid = {(spiff_id, user_id) for spiff_id, user_id in SpiffPaid.select(SpiffPaid.spiff, SpiffPaid.user).where(
        SpiffPaid.spiff.in_([spiff.id for spiff in spiffs]), SpiffPaid.user.in_([person.id for person in mine])).tuples()}
    found: dict[int, list[dict]] = {}
    for spiff in spiffs:
        for user_id, (value, amount) in earned(spiff, [person for person in mine if (spiff.id, person.id) not in paid]).items():
            found.setdefault(user_id, []).append({
                "kind": "spiff", "spiff": spiff.id, "name": spiff_name(spiff), "period": f"{spiff.starts} – {spiff.ends}",
                "base": str(calc.money(value)), "rate": None if spiff.rate is None else str(spiff.rate),
                "per_unit": None if spiff.per_unit is None else str(spiff.per_unit), "amount": str(amount)})
    return found
