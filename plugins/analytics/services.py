"""Reports built in the browser: what a builder's form asks for, checked; run through the core's
report engine (SQL, within the row scope); drawn as a chart; saved, shared and pinned."""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import pygal
from flask import url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.api import (
    REPORT_AGGREGATES,
    REPORT_BUCKETS,
    Grouping,
    User,
    db,
    get_entity,
    groupable,
    label_text,
    managed_team_ids,
    measurable,
    new_chart,
    room_for,
    run_report,
    team_today,
    utcnow,
)

from .models import Pin, Report

CHARTS = {"bar": _l("Bars"), "stacked": _l("Stacked bars"), "line": _l("Line chart"), "pie": _l("Pie"), "funnel": _l("Funnel"),
          "table": _l("Table only")}
SORTS = {"value": _l("Largest first"), "value_asc": _l("Smallest first"), "group": _l("In the groups' order")}
SHARING = {"private": _l("Only me"), "team": _l("My team"), "everyone": _l("Everyone")}
COMPARES = {"": _l("No comparison"), "month": _l("This month"), "quarter": _l("This quarter"), "year": _l("This year")}
MAX_FILTERS, MAX_TOP, MAX_ROWS = 5, 200, 500


class ReportError(ValueError):
    def __init__(self, errors: dict):
        super().__init__("; ".join(str(message) for message in errors.values()))
        self.errors = errors


@dataclass
class Spec:
    """What a report asks: the builder's form, checked."""

    entity: str
    filters: list = field(default_factory=list)  # [(field key, operator, value)]
    groups: list = field(default_factory=list)  # [Grouping]
    aggregate: str = "count"
    measure: str | None = None
    chart: str = "bar"
    sort: str = "value"
    top: int = 20
    compare: str = ""  # month, quarter or year: the current one against the one before and a year before
    compare_on: str = ""  # the date field that places a record in a period

    def args(self) -> dict:
        """The builder's query string for this report (what its links and forms carry)."""
        found = {"entity": self.entity, "agg": self.aggregate, "measure": self.measure or "", "chart": self.chart, "sort": self.sort,
                 "top": self.top, "cmp": self.compare, "cmpf": self.compare_on, "fk": [f[0] for f in self.filters],
                 "fo": [f[1] for f in self.filters],
                 "fv": [f[2] for f in self.filters]}
        for number, grouping in enumerate(self.groups, start=1):
            found[f"g{number}"], found[f"b{number}"] = grouping.key, grouping.bucket
        return found


def entities() -> dict:
    """{key: schema} of the entities a report can count."""
    from core.api import entities as plugin_entities

    found = {key: get_entity(key) for key in plugin_entities()}
    return {key: schema for key, schema in found.items() if schema is not None}


def read(args) -> Spec:
    """A report's request from a form or a query string; what cannot apply is left out (the
    engine says why), never an error page."""
    offered = entities()
    entity = args.get("entity") if args.get("entity") in offered else next(iter(offered), "")
    schema = offered.get(entity)
    keys = {key for key, _label, _date in groupable(schema)} if schema else set()
    groups = []
    for number in (1, 2):
        key = (args.get(f"g{number}") or "").strip()[:100]
        if key in keys and key not in [grouping.key for grouping in groups]:
            bucket = args.get(f"b{number}") if args.get(f"b{number}") in REPORT_BUCKETS else ""
            groups.append(Grouping(key, bucket))
    filters = [(fk.strip()[:100], fo.strip()[:10], fv.strip()[:200]) for fk, fo, fv in
               zip(args.getlist("fk"), args.getlist("fo"), args.getlist("fv") + [""] * 10) if fk.strip()][:MAX_FILTERS]
    aggregate = args.get("agg") if args.get("agg") in REPORT_AGGREGATES else "count"
    measure = (args.get("measure") or "").strip()[:100] or None
    if schema is not None and measure not in {key for key, _label in measurable(schema)}:
        measure = None
    try:
        top = max(1, min(MAX_TOP, int(args.get("top") or 20)))
    except ValueError:
        top = 20
    dates = [key for key, _label, dated in groupable(schema) if dated] if schema else []
    compare = args.get("cmp") if args.get("cmp") in COMPARES and dates else ""
    compare_on = args.get("cmpf") if args.get("cmpf") in dates else ("created_at" if "created_at" in dates else next(iter(dates), ""))
    return Spec(entity, filters, groups, aggregate, measure,  # a sum without its field yet: the preview says to choose one
                args.get("chart") if args.get("chart") in CHARTS else "bar", args.get("sort") if args.get("sort") in SORTS else "value",
                top, compare, compare_on if compare else "")


def periods(spec: Spec, today: datetime.date | None = None) -> list[tuple[datetime.date, datetime.date]]:
    """[this period so far, as many days of the one before, the same days a year before] as (first
    day, last day); [] without a comparison. The 3rd of a month is set against the 1st to the 3rd of
    the month before, not against all of it."""
    if not spec.compare:
        return []
    today = today or team_today()
    months = {"month": 1, "quarter": 3, "year": 12}[spec.compare]
    first = today.month - 1 - (today.month - 1) % months  # months since January of the period's first month

    elapsed = (today - datetime.date(today.year, first + 1, 1)).days

    def period(back: int) -> tuple[datetime.date, datetime.date]:
        index = today.year * 12 + first - back
        start = datetime.date(index // 12, index % 12 + 1, 1)
        following = index + months
        end = datetime.date(following // 12, following % 12 + 1, 1) - datetime.timedelta(days=1)
        return start, min(end, start + datetime.timedelta(days=elapsed))

    return [period(0), period(months), period(12)]


def _within(spec: Spec, period: tuple[datetime.date, datetime.date]) -> list[tuple[str, str, str]]:
    """The list filters that keep the records whose compared date falls in the period."""
    start, end = period
    return [(spec.compare_on, "after", (start - datetime.timedelta(days=1)).isoformat()),
            (spec.compare_on, "before", (end + datetime.timedelta(days=1)).isoformat())]


def filters_of(spec: Spec) -> list[tuple[str, str, str]]:
    """The report's filters, narrowed to this period when it is compared."""
    found = periods(spec)
    return list(spec.filters) + (_within(spec, found[0]) if found else [])


def compared(spec: Spec, user, result) -> dict | None:
    """{row keys: (value the period before, value a year before)} for a compared report: two more
    statements, rows matched by their groups (a row grouped by a date has no match in another period)."""
    found = periods(spec)
    schema = get_entity(spec.entity)
    if not found or schema is None or result is None:
        return None
    earlier = []
    for period in found[1:]:
        rows = run_report(schema, user, list(spec.filters) + _within(spec, period), list(spec.groups), spec.aggregate, spec.measure,
                          order=spec.sort, limit=MAX_ROWS).rows
        earlier.append({row.keys: row.value for row in rows})
    return {row.keys: (earlier[0].get(row.keys), earlier[1].get(row.keys)) for row in result.rows}


def change(now, then) -> int | None:
    """The change from `then` to `now` in percent (None when there was nothing then)."""
    if not then or now is None:
        return None
    return round((float(now) - float(then)) * 100 / abs(float(then)))


def run(spec: Spec, user):
    schema = get_entity(spec.entity)
    if schema is None:
        return None
    return run_report(schema, user, filters_of(spec), list(spec.groups), spec.aggregate, spec.measure, order=spec.sort, limit=spec.top)


def number_text(value) -> str:
    if value is None:
        return "—"
    return format_decimal(value, format="#,##0.##")


def chart_of(spec: Spec, result):
    """The report's chart (pygal), or None for a table only or nothing to draw."""
    if spec.chart == "table" or result is None or not result.rows or not spec.groups:
        return None
    rows = result.rows
    if spec.chart == "pie":
        drawn = new_chart(pygal.Pie, value_formatter=number_text)
        for row in rows:
            drawn.add(" · ".join(row.labels), [float(row.value or 0)])
        return drawn
    if spec.chart == "funnel" or len(spec.groups) == 1:
        labels = [" · ".join(row.labels) for row in rows]
        if spec.chart == "funnel":
            drawn = new_chart(pygal.HorizontalBar, show_legend=False, value_formatter=number_text, margin_left=room_for(labels))
            drawn.x_labels = labels[::-1]
            drawn.add(_("Value"), [float(row.value or 0) for row in rows][::-1])
            return drawn
        kind = pygal.Line if spec.chart == "line" else pygal.Bar
        drawn = new_chart(kind, show_legend=False, value_formatter=number_text, x_label_rotation=30 if len(labels) > 6 else 0)
        drawn.x_labels = labels
        drawn.add(_("Value"), [float(row.value or 0) for row in rows])
        return drawn
    # Two groups: the first along the axis, one series per value of the second.
    firsts = list(dict.fromkeys(row.labels[0] for row in rows))
    seconds = list(dict.fromkeys(row.labels[1] for row in rows))
    values = {(row.labels[0], row.labels[1]): float(row.value or 0) for row in rows}
    kind = {"stacked": pygal.StackedBar, "line": pygal.Line}.get(spec.chart, pygal.Bar)
    drawn = new_chart(kind, value_formatter=number_text, x_label_rotation=30 if len(firsts) > 6 else 0)
    drawn.x_labels = firsts
    for second in seconds[:12]:
        drawn.add(second, [values.get((first, second)) for first in firsts])
    return drawn


def drill_url(spec: Spec, row) -> str | None:
    """The record list showing the records behind a row: the report's filters and the row's."""
    if row.drill is None:
        return None
    filters = filters_of(spec) + list(row.drill)
    return url_for("records.index", entity=spec.entity, fk=[f[0] for f in filters], fo=[f[1] for f in filters],
                   fv=[f[2] for f in filters])


# -- saved reports ----------------------------------------------------------------------------------


def report_name(report: Report) -> str:
    return label_text(report.labels, report.name)


def spec_of(report: Report) -> Spec:
    groups = [Grouping(item.get("key", ""), item.get("bucket", "")) for item in report.groups or [] if isinstance(item, dict)]
    return Spec(report.entity, [tuple(item) for item in report.filters or [] if isinstance(item, list) and len(item) == 3], groups,
                report.aggregate, report.measure, report.chart, report.sort, report.top, report.compare or "", report.compare_on or "")


def visible(user):
    """The reports `user` may open: their own, those shared with everyone, and those shared with a
    team they are in or lead (an admin: all)."""
    query = Report.select()
    if user.may("see_everything"):
        return query
    teams = [user.team_id or -1]
    if user.may("lead_teams"):
        teams += [team_id for (team_id,) in managed_team_ids(user).tuples()]
    return query.where((Report.owner == user.id) | (Report.shared == "everyone") | ((Report.shared == "team") & Report.team.in_(teams)))


def may_change(user, report: Report) -> bool:
    return report.owner_id == user.id or user.may("administer")


class Conflict(Exception):
    """The report was saved by someone else since this form was opened."""


def save(report: Report | None, spec: Spec, values: dict, user) -> Report:
    """Save a report from the builder; `values`: name, labels, shared, version (the form's)."""
    errors = {}
    name = (values.get("name") or "").strip()
    if not name or len(name) > 120:
        errors["name"] = _("Give the report a name of 1 to 120 characters.")
    shared = values.get("shared") if values.get("shared") in SHARING else None
    if shared is None:
        errors["shared"] = _("Choose who sees the report.")
    if spec.aggregate != "count" and not spec.measure:
        errors["measure"] = _("Choose a number field to add up.")
    if not spec.groups and spec.chart != "table":
        errors["g1"] = _("Group by at least one field to draw a chart, or show a table only.")
    if errors:
        raise ReportError(errors)
    owner = report.owner if report is not None else user
    team = None
    if shared == "team":  # the owner's team, or for a manager the team they lead
        team = owner.team_id or next((team_id for (team_id,) in managed_team_ids(owner).tuples()), None)
    fields = {"name": name, "labels": values.get("labels") or {}, "entity": spec.entity, "filters": [list(f) for f in spec.filters],
              "groups": [{"key": g.key, "bucket": g.bucket} for g in spec.groups], "aggregate": spec.aggregate, "measure": spec.measure,
              "chart": spec.chart, "sort": spec.sort, "top": spec.top, "compare": spec.compare, "compare_on": spec.compare_on,
              "shared": shared, "team": team, "updated_at": utcnow()}
    with db.atomic():
        if report is None:
            return Report.create(owner=user, **fields)
        try:
            version = int(values.get("version") or 0)
        except ValueError:
            version = 0
        changed = Report.update(version=Report.version + 1, **fields).where(Report.id == report.id, Report.version == version).execute()
        if not changed:
            raise Conflict
    return Report.get_by_id(report.id)


def toggle_pin(user: User, report: Report) -> bool:
    """Pin the report to the user's home page, or unpin it; True when it is pinned now."""
    with db.atomic():
        removed = Pin.delete().where(Pin.user == user.id, Pin.report == report.id).execute()
        if not removed:
            Pin.insert(user=user.id, report=report.id).on_conflict_ignore().execute()
    return not removed


def pinned(user: User) -> list[Report]:
    return list(visible(user).join(Pin, on=(Pin.report == Report.id)).where(Pin.user == user.id).order_by(Report.name))
