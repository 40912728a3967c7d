"""What a metric is narrowed to (a goal's "Specific", a plan's accelerator, a short-term bonus):
{dimension key: value}, read from a form and checked against what the metric offers, said in words,
and counted through `metric.filtered(...)` so every number comes from the same grouped queries.
Dimensions and their choices are asked once per request and metric."""
from __future__ import annotations

from flask import g
from flask_babel import gettext as _

from .registry import metrics

MAX_FILTERS = 5  # one value per dimension; a number narrowed five ways is already very specific


def metric_dimensions(metric) -> dict:
    """The metric's dimensions by key; {} for None or a metric without any."""
    if metric is None or metric.dimensions is None:
        return {}
    known = g.setdefault("narrowing_dimensions", {})
    if metric.key not in known:
        known[metric.key] = {dimension.key: dimension for dimension in metric.dimensions()}
    return known[metric.key]


def dimension_choices(metric, dimension_key: str) -> dict:
    """{value: label} a dimension offers."""
    dimension = metric_dimensions(metric).get(dimension_key)
    if dimension is None:
        return {}
    known = g.setdefault("narrowing_choices", {})
    if (metric.key, dimension_key) not in known:
        known[(metric.key, dimension_key)] = {str(value): str(label) for value, label in dimension.choices()}
    return known[(metric.key, dimension_key)]


def narrowed_metric(key: str, filters: dict | None):
    """The metric `key` narrowed to `filters`; None when its plugin is off or it no longer offers a
    dimension the filters name (the number is then "unavailable", never counted unfiltered)."""
    metric = metrics().get(key)
    if metric is None or not filters:
        return metric
    if not set(filters) <= set(metric_dimensions(metric)):
        return None
    return metric.filtered(filters)


def filter_words(key: str, filters: dict | None) -> str:
    """"Product: Widget; Customer: Level: A": filters as people read them."""
    metric = metrics().get(key)
    parts = []
    for dimension_key, value in sorted((filters or {}).items()):
        dimension = metric_dimensions(metric).get(dimension_key)
        if dimension is None:
            parts.append(f"{dimension_key}: {value}")
            continue
        parts.append(_("%(dimension)s: %(value)s", dimension=dimension.label,
                       value=dimension_choices(metric, dimension_key).get(str(value), str(value))))
    return "; ".join(parts)


def read_filters(metric, form, prefix: str = "filter-") -> tuple[dict, dict]:
    """The filters a form chose for `metric` (fields `<prefix><dimension key>`, empty: any), and the
    errors, by field, of those that are not a value the dimension offers."""
    chosen, errors = {}, {}
    for dimension_key in metric_dimensions(metric):
        value = str(form.get(f"{prefix}{dimension_key}") or "").strip()
        if not value:
            continue
        if value not in dimension_choices(metric, dimension_key):
            errors[f"{prefix}{dimension_key}"] = _("Not a valid choice.")
            continue
        chosen[dimension_key] = value
    if len(chosen) > MAX_FILTERS:
        errors[f"{prefix}all"] = _("Narrow a number in at most %(count)d ways.", count=MAX_FILTERS)
    return chosen, errors
