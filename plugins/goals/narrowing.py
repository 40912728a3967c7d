"""What a goal's metric is narrowed to (the "Specific" of SMART): won revenue of one product, new
customers in one region. A goal keeps {dimension key: value}; the metric that counts for it is
`metric.filtered(...)`, so every number about the goal comes from the same grouped queries."""
from __future__ import annotations

from flask import g
from flask_babel import gettext as _

from core.api import metrics

MAX_FILTERS = 5  # one value per dimension; a goal narrowed five ways is already very specific


def metric_or_none(key: str):
    return metrics().get(key)


def dimensions_of(metric) -> dict:
    """The metric's dimensions by key (asked once per request and metric)."""
    if metric is None or metric.dimensions is None:
        return {}
    known = g.setdefault("goals_dimensions", {})
    if metric.key not in known:
        known[metric.key] = {dimension.key: dimension for dimension in metric.dimensions()}
    return known[metric.key]


def choices_of(metric, dimension_key: str) -> dict:
    """{value: label} a dimension offers (read once per request)."""
    dimension = dimensions_of(metric).get(dimension_key)
    if dimension is None:
        return {}
    known = g.setdefault("goals_choices", {})
    if (metric.key, dimension_key) not in known:
        known[(metric.key, dimension_key)] = {str(value): str(label) for value, label in dimension.choices()}
    return known[(metric.key, dimension_key)]


def narrowed(key: str, filters: dict | None):
    """The metric `key` narrowed to `filters`; None when its plugin is off or it no longer offers
    a dimension the filters name (a goal is then "metric unavailable", never counted unfiltered)."""
    metric = metric_or_none(key)
    if metric is None or not filters:
        return metric
    if not set(filters) <= set(dimensions_of(metric)):
        return None
    return metric.filtered(filters)


def metric_of(goal):
    """The metric that counts for a goal: its own, narrowed to the goal's filters."""
    return narrowed(goal.metric, goal.filters)


def as_far_as_offered(metric, filters: dict | None):
    """`metric` narrowed to those of `filters` it offers (the steps of a reverse funnel: quotes
    can be narrowed by region, not by product)."""
    offered = dimensions_of(metric)
    return metric.filtered({key: value for key, value in (filters or {}).items() if key in offered})


def words(key: str, filters: dict | None) -> str:
    """"Product: Widget; Customer: Level: A": a goal's filters as people read them."""
    metric = metric_or_none(key)
    parts = []
    for dimension_key, value in sorted((filters or {}).items()):
        dimension = dimensions_of(metric).get(dimension_key)
        if dimension is None:
            parts.append(f"{dimension_key}: {value}")
            continue
        parts.append(_("%(dimension)s: %(value)s", dimension=dimension.label,
                       value=choices_of(metric, dimension_key).get(str(value), str(value))))
    return "; ".join(parts)


def read(metric, form) -> tuple[dict, dict]:
    """The filters a goal form chose for `metric` (fields `filter-<dimension key>`, empty: any), and
    the errors of those that are not a value the dimension offers."""
    chosen, errors = {}, {}
    for dimension_key in dimensions_of(metric):
        value = (form.get(f"filter-{dimension_key}") or "").strip()
        if not value:
            continue
        if value not in choices_of(metric, dimension_key):
            errors[f"filter-{dimension_key}"] = _("Not a valid choice.")
            continue
        chosen[dimension_key] = value
    if len(chosen) > MAX_FILTERS:
        errors["filters"] = _("Narrow a goal in at most %(count)d ways.", count=MAX_FILTERS)
    return chosen, errors
