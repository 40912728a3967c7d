"""Reports over any entity: its records (those the user may see, narrowed by the list's filters)
grouped by one or two fields and aggregated, in one SQL statement on SQLite and PostgreSQL alike,
never by loading records. A field of the JSON column is grouped on the same expression the lists
sort on, so an index an admin marks serves reports too.

What can be grouped: a field with a list of choices, a yes/no, a link (the owner, the stage, a
customer), the owner's team, and a date or a time by day, week, month, quarter or year. What can be
measured: the count of records, or the sum, average, minimum or maximum of a number or money field.
Each result row carries the list filters that select its records, for a drill-down to them.
"""
from __future__ import annotations

import datetime
import decimal
from dataclasses import dataclass, field

import peewee
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from ..db import is_sqlite
from ..i18n import local_day_sql
from ..models import Team, User
from . import query as list_query
from . import records, types
from .entities import EntitySchema, FieldSpec

BUCKETS = {"day": _l("Day"), "week": _l("Week"), "month": _l("Month"), "quarter": _l("Quarter"), "year": _l("Year")}
AGGREGATES = {"count": _l("Count"), "sum": _l("Sum"), "avg": _l("Average"), "min": _l("Minimum"), "max": _l("Maximum")}
TEAM = "_team"  # the owner's team: not a field of the record, grouped through its owner
MAX_ROWS = 500


@dataclass(frozen=True)
class Grouping:
    key: str
    bucket: str = ""  # for a date or a time: day, week, month, quarter, year


@dataclass
class ReportRow:
    keys: tuple  # the groups' raw values (an id, a stored choice, "2026-11", None for empty)
    labels: tuple  # as people read them
    value: object
    drill: list | None = field(default_factory=list)  # [(fk, fo, fv)] selecting these records; None: the list cannot


@dataclass
class ReportResult:
    rows: list[ReportRow]
    problems: list[str]
    truncated: bool = False


def groupable(schema: EntitySchema) -> list[tuple[str, str, bool]]:
    """[(key, label, is a date)] the entity's records can be grouped by."""
    found = []
    for spec in schema.fields:
        if spec.archived or spec.hidden and not spec.meta:
            continue
        kind = spec.type.kind
        if kind in (types.DATE, types.DATETIME):
            found.append((spec.key, str(spec.label), True))
        elif kind == types.REFERENCE or kind == types.BOOL or (kind == types.TEXT and spec.options.get("choices")):
            found.append((spec.key, str(spec.label), False))
    if schema.owner_field:
        found.append((TEAM, str(_("Team")), False))
    return found


def measurable(schema: EntitySchema) -> list[tuple[str, str]]:
    """[(key, label)] of the number and money fields a report can sum or average."""
    return [(spec.key, str(spec.label)) for spec in schema.fields if not spec.archived and spec.type.kind == types.NUMBER]


def _day_text(schema: EntitySchema, spec: FieldSpec):
    """The team's day of a date or time field, as a date (PostgreSQL) or ISO text (SQLite)."""
    if spec.base and isinstance(spec.column, peewee.DateTimeField):
        return local_day_sql(spec.column)
    if spec.base:
        return spec.column
    day = peewee.fn.SUBSTR(schema.expression(spec), 1, 10)
    return day if is_sqlite() else peewee.Cast(peewee.fn.NULLIF(day, ""), "DATE")


def _bucket(day, bucket: str):
    if is_sqlite():
        return {
            "day": peewee.fn.date(day),
            "week": peewee.fn.date(day, "weekday 0", "-6 days"),  # the Monday of its week
            "month": peewee.fn.strftime("%Y-%m", day),
            "year": peewee.fn.strftime("%Y", day),
            "quarter": peewee.fn.strftime("%Y", day).concat("-Q").concat(
                (peewee.Cast(peewee.fn.strftime("%m", day), "INTEGER") + 2) / 3),
        }[bucket]
    formats = {"day": "YYYY-MM-DD", "month": "YYYY-MM", "year": "YYYY", "quarter": 'YYYY-"Q"Q'}
    if bucket == "week":
        return peewee.fn.to_char(peewee.fn.date_trunc("week", day), "YYYY-MM-DD")
    return peewee.fn.to_char(day, formats[bucket])


def _bounds(bucket: str, text: str) -> tuple[datetime.date, datetime.date] | None:
    """The first and last day of a bucket's value ("2026-11", "2026-Q4", "2026-W..."), or None."""
    try:
        if bucket in ("day", "week"):
            first = datetime.date.fromisoformat(text)
            return first, first + datetime.timedelta(days=0 if bucket == "day" else 6)
        if bucket == "month":
            first = datetime.date.fromisoformat(text + "-01")
            following = (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
            return first, following - datetime.timedelta(days=1)
        if bucket == "quarter":
            year, quarter = int(text[:4]), int(text[-1])
            first = datetime.date(year, 3 * quarter - 2, 1)
            following = datetime.date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
            return first, following - datetime.timedelta(days=1)
        if bucket == "year":
            return datetime.date(int(text), 1, 1), datetime.date(int(text), 12, 31)
    except (ValueError, IndexError):
        return None
    return None


def _drill(spec: FieldSpec | None, grouping: Grouping, value) -> list[tuple[str, str, str]] | None:
    """The list filters that select the records of one group's value (None: the list cannot)."""
    if spec is None:  # the owner's team: the list cannot filter on it
        return None
    if value is None or value == "":
        return [(spec.key, "empty", "")] if spec.type.kind != types.BOOL else [(spec.key, "no", "")]
    if spec.type.kind in (types.DATE, types.DATETIME):
        bounds = _bounds(grouping.bucket, str(value))
        if bounds is None:
            return None
        return [(spec.key, "after", (bounds[0] - datetime.timedelta(days=1)).isoformat()),
                (spec.key, "before", (bounds[1] + datetime.timedelta(days=1)).isoformat())]
    if spec.type.kind == types.BOOL:
        return [(spec.key, "yes" if value in (True, 1, "1", "true") else "no", "")]
    return [(spec.key, "is", str(value))]


def run(schema: EntitySchema, user, filters: list[tuple[str, str, str]], groups: list[Grouping], aggregate: str = "count",
        measure: str | None = None, order: str = "value", limit: int = 50, share: list[tuple[str, str, str]] | None = None) -> ReportResult:
    """The records `user` may see, narrowed by `filters` ([(field key, operator, value)] as the
    record list takes them), grouped by `groups` (one or two) and aggregated: one statement.
    `order`: "value" (largest first), "value_asc", or "group"; `limit`: at most that many rows.
    `share` (filters as `filters`): the value is instead the percentage of each group's records
    that also match them (a win rate: closed deals by owner, the share whose stage is won)."""
    args = MultiDict([(name, value) for fk, fo, fv in filters for name, value in (("fk", fk), ("fo", fo), ("fv", fv))])
    wanted = list_query.read(schema, args)
    base = list_query.narrow(schema, schema.visible(user), wanted)
    problems = list(wanted.problems)
    model = schema.model
    expressions, specs, used = [], [], []
    for number, grouping in enumerate(groups[:2]):
        if grouping.key == TEAM and schema.owner_field:
            owner = User.alias(f"owner{number}")
            base = base.join(owner, peewee.JOIN.LEFT_OUTER, on=(getattr(model, schema.owner_field) == owner.id))
            expressions.append(owner.team)
            specs.append(None)
            used.append(grouping)
            continue
        spec = schema.field(grouping.key)
        if spec is None or spec.archived or grouping.key not in {key for key, _label, _date in groupable(schema)}:
            problems.append(_("There is no field %(field)s to group by.", field=grouping.key[:64]))
            continue
        if spec.type.kind in (types.DATE, types.DATETIME):
            bucket = grouping.bucket if grouping.bucket in BUCKETS else "month"
            grouping = Grouping(grouping.key, bucket)
            expressions.append(_bucket(_day_text(schema, spec), bucket))
        else:
            expressions.append(schema.expression(spec))
        specs.append(spec)
        used.append(grouping)
    if aggregate not in AGGREGATES:
        aggregate = "count"
    measured = schema.field(measure or "") if aggregate != "count" else None
    if aggregate != "count" and (measured is None or measured.archived or measured.type.kind != types.NUMBER):
        problems.append(_("Choose a number field to add up."))
        aggregate, measured = "count", None
    value = peewee.fn.COUNT(model.id) if measured is None else getattr(peewee.fn, aggregate.upper())(schema.expression(measured))
    if share is not None:
        matching = _share_condition(schema, share, problems)
        if matching is not None:  # 100 × the group's matching records ÷ its records, in SQL
            value = peewee.fn.SUM(peewee.Case(None, [(matching, 1)], 0)) * 100.0 / peewee.fn.NULLIF(peewee.fn.COUNT(model.id), 0)
    columns = [expression.alias(f"g{number}") for number, expression in enumerate(expressions)]
    statement = base.select(*columns, value.alias("v"))
    if expressions:
        statement = statement.group_by(*expressions)
    if order == "group" or not expressions:
        statement = statement.order_by(*expressions)
    else:
        statement = statement.order_by(value.desc() if order != "value_asc" else value.asc(), *expressions)
    limit = max(1, min(MAX_ROWS, int(limit or 50)))
    fetched = list(statement.limit(limit + 1).tuples())
    names = _names(specs, [row[:-1] for row in fetched])
    rows = []
    for row in fetched[:limit]:
        keys, amount = row[:-1], row[-1]
        labels = tuple(_label(spec, key, names) for spec, key in zip(specs, keys))
        parts = [_drill(spec, grouping, key) for spec, grouping, key in zip(specs, used, keys)]
        drill = None if any(part is None for part in parts) else [item for part in parts for item in part]
        rows.append(ReportRow(tuple(keys), labels, _number(amount), drill))
    return ReportResult(rows, problems, truncated=len(fetched) > limit)


def _share_condition(schema: EntitySchema, share: list[tuple[str, str, str]], problems: list):
    """The SQL condition of a share's filters (all of them), or None when none applies (said in `problems`)."""
    args = MultiDict([(name, value) for fk, fo, fv in share for name, value in (("fk", fk), ("fo", fo), ("fv", fv))])
    wanted = list_query.read(schema, args)
    problems.extend(wanted.problems)
    condition = None
    for flt in wanted.filters:
        try:
            part = list_query._condition(schema, flt)
        except (ValueError, decimal.InvalidOperation, ArithmeticError):
            problems.append(_("%(value)s is not a value %(field)s can have; that filter is ignored.", value=flt.value,
                              field=flt.spec.label))
            continue
        condition = part if condition is None else condition & part
    if condition is None:
        problems.append(_("Choose which records to count as the share."))
    return condition


def _number(value):
    if isinstance(value, float):
        return decimal.Decimal(repr(value)) if value == value else None
    return value


def _names(specs: list, rows: list[tuple]) -> dict:
    """Names of the users, stages, linked records and teams the rows show (one query per kind)."""
    wanted: dict[str, set] = {}
    teams: set = set()
    for position, spec in enumerate(specs):
        values = {row[position] for row in rows} - {None}
        if spec is None:
            teams |= values
            continue
        kind = records.reference_kind(spec)
        if kind:
            wanted.setdefault(kind, set()).update(value for value in values if isinstance(value, int))
    found = records._names(wanted)
    if teams:
        found.update({("team", team.id): team.name for team in Team.select(Team.id, Team.name).where(Team.id.in_(teams))})
    return found


def _label(spec: FieldSpec | None, value, names: dict) -> str:
    if value is None or value == "":
        return _("(empty)")
    if spec is None:
        return names.get(("team", value), str(value))
    if spec.type.kind in (types.DATE, types.DATETIME):
        return str(value)
    if spec.type.kind == types.REFERENCE:
        return names.get((records.reference_kind(spec), value), str(value))
    return records.shown(spec, value, names) or str(value)
