"""Lists of records: filters, search and sort in SQL, on SQLite and PostgreSQL alike.

A filter is three query-string values, repeated: `fk` (field key), `fo` (operator), `fv` (value),
so a filtered list has a plain URL that export and pagination reuse. A filter that cannot apply
(an unknown field, "abc" for a number) is dropped and reported, never a 500.
"""
from __future__ import annotations

import datetime
import decimal
import math
from dataclasses import dataclass, field

import peewee
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..i18n import utc_time
from ..shell import Page, date_from, id_from
from . import search, types
from .entities import EntitySchema, FieldSpec
from .models import Stage

OPERATORS = {
    types.TEXT: [("contains", _l("contains")), ("is", _l("is")), ("empty", _l("is empty")), ("filled", _l("is filled in"))],
    types.NUMBER: [("eq", "="), ("gt", ">"), ("lt", "<"), ("gte", "≥"), ("lte", "≤"), ("empty", _l("is empty")), ("filled",
                                                                                                                  _l("is filled in"))],
    types.DATE: [("on", _l("on")), ("before", _l("before")), ("after", _l("after")), ("empty", _l("is empty")), ("filled",
                                                                                                                 _l("is filled in"))],
    types.DATETIME: [("on", _l("on")), ("before", _l("before")), ("after", _l("after")), ("empty", _l("is empty")), ("filled",
                                                                                                                     _l("is filled in"))],
    types.BOOL: [("yes", _l("is yes")), ("no", _l("is no"))],
    types.LIST: [("has", _l("includes")), ("empty", _l("is empty"))],
    types.REFERENCE: [("is", _l("is")), ("empty", _l("is empty")), ("filled", _l("is filled in"))],
}
NO_VALUE = {"empty", "filled", "yes", "no", "open", "won", "lost", "closed", "outside"}
MAX_FILTERS = 10
MAX_PAGE = 10**6
MAX_ID = 2**63 - 1


@dataclass
class Filter:
    spec: FieldSpec
    op: str
    value: str


# The list's own query parameters: its links (pages, sort, export) carry these and nothing else.
PARAMETERS = ("q", "fk", "fo", "fv", "sort", "page", "deleted")


@dataclass
class ListRequest:
    """What the user asked the list for, read from the query string."""

    parameters = PARAMETERS

    search: str = ""
    filters: list[Filter] = field(default_factory=list)
    sort: FieldSpec | None = None
    descending: bool = False
    problems: list[str] = field(default_factory=list)


STAGE_KINDS = {"open": _l("is open"), "won": _l("is won"), "lost": _l("is lost"), "closed": _l("is won or lost")}


def operators_for(spec: FieldSpec) -> list:
    if spec.type.key == "stage":  # a stage, or any stage of a kind (every process's open stages)
        return [("is", _l("is")), *STAGE_KINDS.items()]
    if spec.type.key in ("select",) or (spec.type.kind == types.TEXT and spec.options.get("choices")):
        return [("is", _l("is")), ("empty", _l("is empty")), ("filled", _l("is filled in")),
                ("outside", _l("is none of its options"))]
    return OPERATORS.get(spec.type.kind, [])


def read(schema: EntitySchema, args) -> ListRequest:
    wanted = ListRequest(search=(args.get("q") or "").strip()[:100])
    keys, ops, values = args.getlist("fk"), args.getlist("fo"), args.getlist("fv")
    for key, op, value in list(zip(keys, ops, values + [""] * (len(keys) - len(values))))[:MAX_FILTERS]:
        spec = schema.field(key)
        if spec is None or not spec.filterable:
            if key:
                wanted.problems.append(_("There is no field %(field)s to filter on.", field=key[:64]))
            continue
        if op not in {name for name, _label in operators_for(spec)}:
            wanted.problems.append(_("%(field)s cannot be filtered that way.", field=spec.label))
            continue
        if op not in NO_VALUE and not value.strip():
            continue  # a row being filled in
        wanted.filters.append(Filter(spec, op, value.strip()[:200]))
    sort = (args.get("sort") or "").strip()
    spec = schema.field(sort.lstrip("-"))
    if spec is not None and not spec.archived and spec.type.kind != types.LIST:
        wanted.sort, wanted.descending = spec, sort.startswith("-")
    return wanted


def _typed(spec: FieldSpec, text: str):
    """A filter's text as a value SQL can compare with the field; ValueError when it is not one."""
    kind = spec.type.kind
    if kind == types.NUMBER:
        value = decimal.Decimal(text.replace(",", ""))
        if not value.is_finite() or abs(value) >= types.MAX_NUMBER:
            raise ValueError
        return float(value)
    if kind == types.REFERENCE:
        number = id_from(text)
        if number is None:
            raise ValueError
        return number
    if kind in (types.DATE, types.DATETIME):
        day = date_from(text)
        if day is None:
            raise ValueError
        return day
    return text


def _condition(schema: EntitySchema, flt: Filter):
    spec, op = flt.spec, flt.op
    expression = schema.expression(spec)
    if op == "empty":
        if spec.base:
            return expression.is_null()
        return schema.model.custom[spec.key].is_null()
    if op == "filled":
        if spec.base:
            return expression.is_null(False)
        return schema.model.custom[spec.key].is_null(False)
    if op in STAGE_KINDS:
        kinds = ["won", "lost"] if op == "closed" else [op]  # closed: won or lost (a win rate's deals)
        return expression.in_(Stage.select(Stage.id).where(Stage.kind.in_(kinds)))
    if op == "outside":  # a value no option offers any more (archived, or stored before the options changed)
        offered = [choice["value"] for choice in spec.options.get("choices", []) if not choice.get("archived")]
        filled = expression.is_null(False) & (expression != "")
        return filled & expression.not_in(offered) if offered else filled
    if op in ("yes", "no"):
        wanted = op == "yes"
        if spec.base:
            return expression == wanted
        return schema.model.custom[spec.key] == wanted
    value = _typed(spec, flt.value)
    if op == "contains":
        return peewee.fn.LOWER(expression).contains(value.lower())
    if op == "has":
        return schema.model.custom[spec.key].contains([value])
    if spec.type.kind in (types.DATE, types.DATETIME):
        day = value.isoformat()
        if spec.base:
            # The team's day, as the UTC timestamps base columns hold.
            start = utc_time(datetime.datetime.combine(value, datetime.time.min))
            end = utc_time(datetime.datetime.combine(value + datetime.timedelta(days=1), datetime.time.min))
            column = spec.column
            if isinstance(column, peewee.DateTimeField):
                return {"on": (column >= start) & (column < end), "before": column < start, "after": column >= end}[op]
            return {"on": column == value, "before": column < value, "after": column > value}[op]
        # Stored as ISO text ("2026-12-02" or "2026-12-02T09:30:00"): comparing the whole text with
        # the day's bounds is comparing its first ten characters, and an index on the field serves it.
        following = (value + datetime.timedelta(days=1)).isoformat()
        return {"on": (expression >= day) & (expression < following), "before": expression < day,
                "after": expression >= following}[op]
    comparisons = {"is": "__eq__", "eq": "__eq__", "gt": "__gt__", "lt": "__lt__", "gte": "__ge__", "lte": "__le__"}
    return getattr(expression, comparisons[op])(value)


def narrow(schema: EntitySchema, query, wanted: ListRequest):
    """The query narrowed by the search and the filters."""
    if wanted.search:
        query = query.where(search.matches(schema.model, wanted.search.lower()))
    for flt in wanted.filters:
        try:
            query = query.where(_condition(schema, flt))
        except (ValueError, decimal.InvalidOperation, ArithmeticError):
            wanted.problems.append(_("%(value)s is not a value %(field)s can have; that filter is ignored.",
                                     value=flt.value, field=flt.spec.label))
    return query


def sort_keys(schema: EntitySchema, wanted: ListRequest) -> list[tuple]:
    """[(expression, descending)] in order: the field asked for (empty values last), then the id in
    the same direction (newest first when the list is not sorted)."""
    if wanted.sort is None:
        return [(schema.model.id, True)]
    return [(schema.expression(wanted.sort), wanted.descending), (schema.model.id, wanted.descending)]


def _ordered(expression, descending: bool):
    return expression.desc(nulls="LAST") if descending else expression.asc(nulls="LAST")


def apply(schema: EntitySchema, query, wanted: ListRequest):
    """The query narrowed and sorted (for exports, which read every row)."""
    return narrow(schema, query, wanted).order_by(*[_ordered(e, d) for e, d in sort_keys(schema, wanted)])


def _count(query) -> int:
    return query.select(peewee.fn.COUNT(peewee.SQL("*"))).order_by().scalar() or 0


# Filters an index on the field serves (the others read the JSON of every row).
INDEXED_OPERATORS = {"is", "eq", "gt", "lt", "gte", "lte", "on", "before", "after"}


def served_by_indexes(wanted: ListRequest) -> bool:
    """Whether indexes can find the list's page without reading every matching row: no search, and
    each filter and the sort on a column or on a custom field an admin has indexed."""
    if wanted.search:
        return False
    fields = [(flt.spec, flt.op in INDEXED_OPERATORS) for flt in wanted.filters] + ([(wanted.sort, True)] if wanted.sort else [])
    return all(spec.base or (spec.indexed and usable) for spec, usable in fields)


def page_of(schema: EntitySchema, query, wanted: ListRequest, number: int, size: int) -> Page:
    """One page of the narrowed list, and the total, in a fixed number of statements."""
    number = min(max(1, number), MAX_PAGE)
    if served_by_indexes(wanted):
        return _page_by_index(schema, query, wanted, number, size)
    return _page_by_scan(schema, query, wanted, number, size)


def _page_by_index(schema: EntitySchema, query, wanted: ListRequest, number: int, size: int) -> Page:
    """One page of the narrowed list and the total, in three statements that indexes can serve
    whatever the list's length: the count, the page's ids, the page's rows.

    The order is `apply`'s: the field's value (empty values last), then the id in the same direction.
    "Empty last" with the index's own order needs two reads, the records with a value and those
    without, each in its index's order and cut at the end of the page; they are put together in the
    same statement, so only those few rows are sorted. (One ORDER BY with "NULLS LAST" makes the
    database sort every matching row, index or not.) Only the page's rows are read whole.
    """
    model = schema.model
    narrowed = narrow(schema, query, wanted).order_by()
    total = narrowed.select(peewee.fn.COUNT(peewee.SQL("*"))).scalar() or 0
    number = min(number, max(1, math.ceil(total / size)))
    offset = (number - 1) * size
    if wanted.sort is None:
        ids = narrowed.select(model.id).order_by(model.id.desc()).limit(size).offset(offset)
    else:
        expression, direction = schema.expression(wanted.sort), "desc" if wanted.descending else "asc"
        end = offset + size
        filled = (narrowed.where(expression.is_null(False))
                  .select(model.id.alias("rid"), expression.alias("k"), peewee.Value(0).alias("part"))
                  .order_by(getattr(expression, direction)(), getattr(model.id, direction)()).limit(end))
        empty = (narrowed.where(expression.is_null())
                 .select(model.id.alias("rid"), expression.alias("k"), peewee.Value(1).alias("part"))  # NULL, typed
                 .order_by(getattr(model.id, direction)()).limit(end))
        first, second = filled.alias("filled"), empty.alias("empty")
        both = (peewee.Select([first], [first.c.rid, first.c.k, first.c.part])
                + peewee.Select([second], [second.c.rid, second.c.k, second.c.part])).alias("page")
        ids = (peewee.Select([both], [both.c.rid]).order_by(both.c.part, getattr(both.c.k, direction)(), getattr(both.c.rid, direction)())
               .limit(size).offset(offset))
    found = [rid for (rid,) in ids.tuples().execute(model._meta.database)]
    if not found:
        return Page(items=[], number=number, size=size, total=total)
    by_id = {record.id: record for record in model.select().where(model.id.in_(found))}
    return Page(items=[by_id[rid] for rid in found if rid in by_id], number=number, size=size, total=total)


def _page_by_scan(schema: EntitySchema, query, wanted: ListRequest, number: int, size: int) -> Page:
    """One page of a list that reads every matching row anyway (a search, a filter or sort on a field
    without an index), in two statements: one pass over the rows, then the page's rows.

    The matching rows' ids and sort keys are computed once into a materialized CTE, which is
    counted and sorted; only the page's rows are then read whole, by id. (Counting and sorting the
    full rows would carry every row's JSON through the sort.)
    """
    keys = sort_keys(schema, wanted)
    narrowed = narrow(schema, query, wanted).order_by()
    inner = narrowed.select(schema.model.id.alias("rid"), *[expression.alias(f"k{n}") for n, (expression, _d) in enumerate(keys[:-1])])
    matching = inner.cte("matching", materialized=True)
    total = peewee.Select([matching], [peewee.fn.COUNT(peewee.SQL("*"))])

    def ids_of(page_number: int) -> list[tuple[int, int]]:
        order = [_ordered(matching.c[f"k{n}"], descending) for n, (_e, descending) in enumerate(keys[:-1])]
        order.append(matching.c.rid.desc() if keys[-1][1] else matching.c.rid.asc())
        select = (peewee.Select([matching], [matching.c.rid, total.alias("total")]).with_cte(matching)
                  .order_by(*order).limit(size).offset((page_number - 1) * size))
        return list(select.tuples().execute(schema.model._meta.database))

    found = ids_of(number)
    if not found and number > 1:
        count = peewee.Select([matching], [peewee.fn.COUNT(peewee.SQL("*"))]).with_cte(matching).tuples().execute(
            schema.model._meta.database)
        number = max(1, math.ceil(list(count)[0][0] / size))
        found = ids_of(number)
    if not found:
        return Page(items=[], number=number, size=size, total=0)
    by_id = {record.id: record for record in schema.model.select().where(schema.model.id.in_([rid for rid, _t in found]))}
    return Page(items=[by_id[rid] for rid, _t in found], number=number, size=size, total=found[0][1])
