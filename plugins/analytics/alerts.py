"""Alerts: a condition on a saved report, checked as its owner (their row scope) by a periodic task
and `salesdeck check-alerts`, that notifies the owner when it BECOMES true, once: the alert keeps
its last finding, and a check that finds it true after false claims the change with a conditional
UPDATE (and a unique event row), so two checks running at once fire it once. It can fire again
after a check finds it false. The unread fired alerts are agenda items of the owner's My day, and
so in the morning digest."""
from __future__ import annotations

import datetime
import decimal
from dataclasses import dataclass, field

import peewee
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.api import AgendaItem, User, db, get_entity, groupable, run_report, team_today, utcnow

from . import services
from .models import Alert, AlertEvent, Report

NUMBERS = {"value": _l("the report's value"), "share": _l("the share of records that match (%)"),
           "pace": _l("the value against a target's pace")}
OVER = {"total": _l("its total"), "any": _l("any one of its rows")}
OVER_SHORT = {"total": _l("The report's total"), "any": _l("Any one row")}
COMPARISONS = {"gt": ">", "lt": "<", "gte": "≥", "lte": "≤"}
PERIODS = {"month": _l("for this month"), "quarter": _l("for this quarter"), "year": _l("for this year")}
# The operators a share's condition may use (the record list's, by name).
SHARE_OPERATORS = {"is": _l("is"), "won": _l("is won"), "lost": _l("is lost"), "closed": _l("is won or lost"),
                   "open": _l("is open"), "eq": "=", "gt": ">", "lt": "<",
                   "gte": "≥", "lte": "≤", "contains": _l("contains"), "yes": _l("is yes"), "no": _l("is no"), "empty": _l("is empty"),
                   "filled": _l("is filled in"), "before": _l("before"), "after": _l("after")}
LIMIT = decimal.Decimal(10) ** 15
STORABLE = decimal.Decimal(10) ** 16  # what a stored value's column holds (20 digits, 4 after the point)
ROWS = 500  # the rows an "any row" alert looks at, the extreme first


class AlertError(ValueError):
    def __init__(self, errors: dict):
        super().__init__("; ".join(str(message) for message in errors.values()))
        self.errors = errors


class Conflict(Exception):
    """The alert was saved by someone else since this form was opened."""


def of(user):
    """The alerts `user` may see and change: their own (an alert notifies its owner alone)."""
    return Alert.select().where(Alert.owner == user.id)


def alert_name(alert: Alert) -> str:
    return alert.name


# -- saving -----------------------------------------------------------------------------------------


def _decimal(text, errors: dict, key: str, message: str, required: bool = True):
    text = (text or "").strip().replace(",", "")
    if not text:
        if required:
            errors[key] = message
        return None
    try:
        value = decimal.Decimal(text)
    except decimal.InvalidOperation:
        errors[key] = message
        return None
    if not value.is_finite() or abs(value) >= LIMIT:
        errors[key] = message
        return None
    return value.quantize(decimal.Decimal("0.0001"))


def date_fields(report: Report) -> list[tuple[str, str]]:
    schema = get_entity(report.entity)
    return [(key, label) for key, label, is_date in groupable(schema) if is_date] if schema else []


def share_fields(report: Report) -> list[tuple[str, str]]:
    schema = get_entity(report.entity)
    return [(spec.key, str(spec.label)) for spec in schema.fields if spec.filterable and not spec.archived] if schema else []


def read(form) -> dict:
    """The alert form's values as typed (kept to show them again with the errors)."""
    keys = ("name", "number", "over", "comparison", "threshold", "share_field", "share_operator", "share_value", "period", "date_field",
            "target", "version")
    return {key: (form.get(key) or "").replace("\x00", "")[:200] for key in keys}


def check(values: dict, report: Report) -> tuple[dict, dict]:
    """(fields of an Alert, errors by form field) from the form's values."""
    errors = {}
    name = values.get("name", "").strip()
    if not name or len(name) > 120:
        errors["name"] = _("Give the alert a name of 1 to 120 characters.")
    number = values.get("number") if values.get("number") in NUMBERS else None
    if number is None:
        errors["number"] = _("Choose which number the alert watches.")
    over = values.get("over") if values.get("over") in OVER else None
    if over is None:
        errors["over"] = _("Choose the total or any one row.")
    comparison = values.get("comparison") if values.get("comparison") in COMPARISONS else None
    fields = {"name": name, "number": number, "over": over, "comparison": comparison, "threshold": None, "share": [], "period": None,
              "date_field": None, "target": None}
    if number == "pace":
        fields["comparison"] = "lt"  # behind pace
        fields["period"] = values.get("period") if values.get("period") in PERIODS else None
        if fields["period"] is None:
            errors["period"] = _("Choose the period the target is for.")
        fields["date_field"] = values.get("date_field") if values.get("date_field") in dict(date_fields(report)) else None
        if fields["date_field"] is None:
            errors["date_field"] = _("Choose the date that places a record in the period.")
        fields["target"] = _decimal(values.get("target"), errors, "target", _("Give the target as a number below a quadrillion."))
    else:
        if comparison is None:
            errors["comparison"] = _("Choose a comparison.")
        fields["threshold"] = _decimal(values.get("threshold"), errors, "threshold",
                                       _("Give the threshold as a number below a quadrillion."))
    if number == "share":
        key, operator = values.get("share_field", ""), values.get("share_operator", "")
        if key not in dict(share_fields(report)) or operator not in SHARE_OPERATORS:
            errors["share_field"] = _("Choose which records the share counts: a field and how it must be.")
        else:
            fields["share"] = [[key, operator, values.get("share_value", "").strip()[:200]]]
    return fields, errors


def save(alert: Alert | None, report: Report, values: dict, user) -> Alert:
    """Create or change an alert on `report` (one the user may see); a change starts it over as
    not true, so the new condition fires when it holds."""
    fields, errors = check(values, report)
    if not errors:  # a condition that cannot run (a share on a field of the wrong kind) is refused now, not at night
        problems = evaluate(Alert(report=report, owner=user, **fields), report, user).problems
        if problems:
            errors["condition"] = " ".join(problems)
    if errors:
        raise AlertError(errors)
    fields["updated_at"] = utcnow()
    with db.atomic():
        if alert is None:
            return Alert.create(report=report, owner=user, **fields)
        try:
            version = int(values.get("version") or 0)
        except ValueError:
            version = 0
        changed = Alert.update(version=Alert.version + 1, is_true=False, **fields).where(
            Alert.id == alert.id, Alert.owner == user.id, Alert.version == version).execute()
        if not changed:
            raise Conflict
    return Alert.get_by_id(alert.id)


# -- checking ---------------------------------------------------------------------------------------


@dataclass
class Reading:
    """What one check found."""

    holds: bool = False
    value: decimal.Decimal | None = None
    compared_with: decimal.Decimal | None = None
    row: str = ""
    problems: list = field(default_factory=list)


def period_bounds(period: str, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    if period == "year":
        return datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31)
    first_month = today.month if period == "month" else 3 * ((today.month - 1) // 3) + 1
    first = datetime.date(today.year, first_month, 1)
    months = 1 if period == "month" else 3
    following = datetime.date(first.year + (first.month + months - 1) // 12, (first.month + months - 1) % 12 + 1, 1)
    return first, following - datetime.timedelta(days=1)


def pace_target(target: decimal.Decimal, period: str, today: datetime.date) -> decimal.Decimal:
    """The target prorated to today: target × days gone in the period (today counted) ÷ its days."""
    first, last = period_bounds(period, today)
    gone, days = (today - first).days + 1, (last - first).days + 1
    return (target * gone / days).quantize(decimal.Decimal("0.01"))


def _holds(value, comparison: str, threshold) -> bool:
    if value is None or threshold is None:
        return False
    return {"gt": value > threshold, "lt": value < threshold, "gte": value >= threshold, "lte": value <= threshold}[comparison]


def _as_decimal(value):
    if value is None:
        return None
    return value if isinstance(value, decimal.Decimal) else decimal.Decimal(str(value))


def evaluate(alert: Alert, report: Report, user, today: datetime.date | None = None) -> Reading:
    """Run the alert's condition over `report` as `user`: one report statement (plus the names of
    its rows), the aggregate in SQL."""
    schema = get_entity(report.entity)
    if schema is None:
        return Reading(problems=[_("This report counts records of a form that is gone.")])
    spec = services.spec_of(report)
    # The numbers the report shows: narrowed to this month, quarter or year so far when it compares
    # (a pace alert narrows to its own period instead).
    filters = list(spec.filters) if alert.number == "pace" else services.filters_of(spec)
    threshold = alert.threshold
    if alert.number == "pace":
        today = today or team_today()
        first, last = period_bounds(alert.period, today)
        filters += [(alert.date_field, "after", (first - datetime.timedelta(days=1)).isoformat()),
                    (alert.date_field, "before", (last + datetime.timedelta(days=1)).isoformat())]
        threshold = pace_target(alert.target, alert.period, today) if alert.target is not None else None
    groups = list(spec.groups) if alert.over == "any" else []
    ascending = alert.comparison in ("lt", "lte")
    result = run_report(schema, user, filters, groups, spec.aggregate, spec.measure, order="value_asc" if ascending else "value",
                        limit=ROWS if groups else 1, share=[tuple(item) for item in alert.share] if alert.number == "share" else None)
    reading = Reading(compared_with=_as_decimal(threshold), problems=list(result.problems))
    if reading.problems:
        return reading
    rows = result.rows
    if not groups and rows and rows[0].value is None and alert.number != "share" and spec.aggregate in ("count", "sum"):
        rows[0].value = 0  # nothing to add up: a sum of nothing is nothing
    for row in rows:  # the extreme first: the first row that holds, else the first with a value
        value = _as_decimal(row.value)
        if value is None:
            continue
        if reading.value is None:
            reading.value, reading.row = value, " · ".join(row.labels)
        if _holds(value, alert.comparison, reading.compared_with):
            reading.holds, reading.value, reading.row = True, value, " · ".join(row.labels)
            break
    return reading


def _storable(value):
    """A value as its column keeps it, or None past the column's range (a sum of billions of billions)."""
    if value is None or not value.is_finite() or abs(value) >= STORABLE:
        return None
    return value.quantize(decimal.Decimal("0.0001"))


def record(alert: Alert, reading: Reading, now: datetime.datetime | None = None) -> bool:
    """Keep what a check found; True when the alert became true now (it fired). The change from
    false to true is claimed by a conditional UPDATE: of two checks at once, one fires."""
    now = now or utcnow()
    found = {"checked_at": now, "last_value": _storable(reading.value), "last_row": reading.row[:200]}
    with db.atomic():
        if not reading.holds:
            Alert.update(is_true=False, **found).where(Alert.id == alert.id).execute()
            return False
        claimed = Alert.update(is_true=True, fired=alert.fired + 1, **found).where(
            Alert.id == alert.id, Alert.is_true == False, Alert.fired == alert.fired).execute()  # noqa: E712 - SQL
        if not claimed:
            Alert.update(**found).where(Alert.id == alert.id).execute()
            return False
        AlertEvent.insert(alert=alert.id, owner=alert.owner_id, number=alert.fired + 1, fired_at=now,
                          value=_storable(reading.value), compared_with=_storable(reading.compared_with),
                          row=reading.row[:200]).on_conflict_ignore().execute()
    return True


def check_all(now: datetime.datetime | None = None) -> tuple[int, int]:
    """Check every alert of an active owner on a report they may still see; (checked, fired)."""
    checked = fired = 0
    alerts = (Alert.select(Alert, Report, User).join(Report, on=(Alert.report == Report.id)).switch(Alert)
              .join(User, on=(Alert.owner == User.id)).where(User.active == True).order_by(Alert.id))  # noqa: E712 - SQL
    for alert in alerts:
        owner, report = alert.owner, alert.report
        try:
            if not services.visible(owner).where(Report.id == report.id).exists():
                continue  # no longer shared with them: nothing to say
            reading = evaluate(alert, report, owner)
            checked += 1
            if not reading.problems:
                fired += record(alert, reading, now)
        except peewee.DatabaseError:  # one alert the database refuses must not silence the others
            current_app.logger.exception("The alert %s could not be checked.", alert.id)
    return checked, fired


def condition_text(alert: Alert) -> str:
    """The condition as its owner reads it: "Any one row: share where Stage is won < 20%"."""
    over = OVER_SHORT.get(alert.over, "")
    if alert.number == "pace":
        return _("%(over)s behind the pace of %(target)s %(period)s (by %(date)s)", over=over,
                 target=services.number_text(alert.target), period=PERIODS.get(alert.period, ""),
                 date=dict(date_fields(alert.report)).get(alert.date_field, alert.date_field))
    sign, threshold = COMPARISONS.get(alert.comparison, ""), services.number_text(alert.threshold)
    if alert.number == "share" and alert.share:
        key, operator, value = alert.share[0]
        return _("%(over)s: the share of records where %(field)s %(operator)s%(value)s %(sign)s %(threshold)s%%", over=over,
                 field=dict(share_fields(alert.report)).get(key, key), operator=SHARE_OPERATORS.get(operator, operator),
                 value=f" {value}" if value else "", sign=sign, threshold=threshold)
    return _("%(over)s %(sign)s %(threshold)s", over=over, sign=sign, threshold=threshold)


# -- what the owner reads ---------------------------------------------------------------------------


def events_of(user):
    """The fired alerts `user` may read (their own), the unread first, then the newest."""
    return (AlertEvent.select(AlertEvent, Alert).join(Alert, on=(AlertEvent.alert == Alert.id)).where(AlertEvent.owner == user.id)
            .order_by(AlertEvent.read_at.is_null(False), AlertEvent.fired_at.desc(), AlertEvent.id.desc()))


def unread_count(user) -> int:
    return AlertEvent.select().where(AlertEvent.owner == user.id, AlertEvent.read_at.is_null()).count()


def mark_read(user, event_id: int | None = None) -> int:
    """Mark one of the user's fired alerts (or all of them) read; how many changed."""
    query = AlertEvent.update(read_at=utcnow()).where(AlertEvent.owner == user.id, AlertEvent.read_at.is_null())
    if event_id is not None:
        query = query.where(AlertEvent.id == event_id)
    return query.execute()


def event_text(event: AlertEvent) -> str:
    """"Overdue follow-ups: 12 (> 10)" or, for a row, "Win rate low: Rita Rep 12.5 (< 20)"."""
    alert = event.alert
    sign = COMPARISONS.get(alert.comparison, "")
    value, against = services.number_text(event.value), services.number_text(event.compared_with)
    if alert.number == "pace":
        return _("%(name)s: %(row)s%(value)s, behind the pace of %(threshold)s due by then", name=alert.name,
                 row=f"{event.row} " if event.row else "", value=value, threshold=against)
    if event.row:
        return _("%(name)s: %(row)s %(value)s (%(sign)s %(threshold)s)", name=alert.name, row=event.row, value=value, sign=sign,
                 threshold=against)
    return _("%(name)s: %(value)s (%(sign)s %(threshold)s)", name=alert.name, value=value, sign=sign, threshold=against)


def agenda(user, day) -> list[AgendaItem]:
    """The user's unread fired alerts, for My day (and so the morning digest): important, and
    urgent, since each says a number crossed the line its owner drew."""
    from flask import url_for

    events = list(events_of(user).where(AlertEvent.read_at.is_null()).limit(20))
    return [AgendaItem(event_text(event), url_for("analytics.alerts"), kind=str(_l("Report alert")), important=True, urgent=True)
            for event in events]  # no due time: it fired, nothing is booked for then
