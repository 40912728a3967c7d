"""What a goal's metric is narrowed to (the "Specific" of SMART): won revenue of one product, new
customers in one region. A goal keeps {dimension key: value}; the metric that counts for it is
`metric.filtered(...)` (the core's narrowing helpers), so every number about the goal comes from the
same grouped queries."""
from __future__ import annotations

from flask_babel import gettext as _

from core.api import dimension_choices, filter_words, metric_dimensions, metrics, narrowed_metric, read_filters

dimensions_of = metric_dimensions
choices_of = dimension_choices
narrowed = narrowed_metric
words = filter_words


def metric_or_none(key: str):
    return metrics().get(key)


def metric_of(goal):
    """The metric that counts for a goal: its own, narrowed to the goal's filters."""
    return narrowed_metric(goal.metric, goal.filters)


def as_far_as_offered(metric, filters: dict | None):
    """`metric` narrowed to those of `filters` it offers (the steps of a reverse funnel: quotes
    can be narrowed by region, not by product)."""
    offered = metric_dimensions(metric)
    return metric.filtered({key: value for key, value in (filters or {}).items() if key in offered})


def read(metric, form) -> tuple[dict, dict]:
    """The filters a goal form chose for `metric` (fields `filter-<dimension key>`), and the errors."""
    chosen, errors = read_filters(metric, form)
    if "filter-all" in errors:
        errors["filters"] = _("Narrow a goal in at most %(count)d ways.", count=5)
        del errors["filter-all"]
    return chosen, errors
