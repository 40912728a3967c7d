"""What the enabled plugins offer, by key: entities, field types, processes and metrics.

Built from the `register_*` hooks once per request (a page may look a metric up a thousand times),
so a plugin an admin turns off drops out from the next request on. Two plugins claiming one key is a plugin error: the
first keeps it and the second is reported on the admin's plugin page. Field types are the
exception: a later plugin may replace a type on purpose.
"""
from __future__ import annotations

import dataclasses
import functools
import re
from dataclasses import dataclass
from pathlib import Path

from flask import current_app, g

from .contributions import AuditTerms, Dimension
from .db import db
from .plugins import host_of

FAILED_METRICS = "salesdeck_failed_metrics"


class DuplicateKey(ValueError):
    pass


def _cached(hook: str, build) -> dict:
    """Once per request, and again whenever the set of plugins turned off changes."""
    cache = g.setdefault("salesdeck_registry", {})
    key = (hook, host_of(current_app).disabled)
    if key not in cache:
        cache[key] = build(hook)
    return cache[key]


def _by_key(hook: str) -> dict:
    return _cached(hook, _build)


def _build(hook: str) -> dict:
    return {key: item for key, (_plugin, item) in _by_plugin(hook).items()}


def _by_plugin(hook: str) -> dict:
    """{key: (plugin, item)}; a key claimed twice stays with the first plugin, the second is reported."""
    host = host_of(current_app)
    found: dict = {}
    # pluggy calls the last-registered plugin first; reversed, the first registered keeps a key.
    for plugin, items in reversed(host.results(hook)):
        for item in items:
            if item.key in found:
                host.record_error(plugin, hook, DuplicateKey(f"{item.key!r} is already registered"))
                continue
            found[item.key] = (plugin, item)
    return found


def entities() -> dict:
    return _by_key("register_entities")


def field_types() -> dict:
    return _cached("register_field_types", _build_types)


def _build_types(_hook: str) -> dict:
    # In registration order, so that the last registered plugin's type wins.
    host = host_of(current_app)
    found: dict = {}
    for _plugin, items in reversed(host.results("register_field_types")):
        for item in items:
            found[item.key] = item
    return found


def processes() -> dict:
    return _by_key("register_processes")


def metrics() -> dict:
    """The metrics of the enabled plugins. Their `compute`, `daily` and `expected` are contained:
    one that raises answers {} instead, its failure is logged and shown on the plugins page, and
    `metric_failed(key)` says so for the rest of the request (goals then show "metric unavailable")."""
    return _cached("register_metrics", _build_metrics)


def metric_failed(key: str) -> bool:
    """Whether a metric raised during this request."""
    return key in g.get(FAILED_METRICS, ())


def _build_metrics(hook: str) -> dict:
    host = host_of(current_app)
    return {key: dataclasses.replace(metric, dimensions=_dimensions_contained(host, plugin, key, metric.dimensions),
                                     **{part: _contained(host, plugin, key, getattr(metric, part))
                                        for part in ("compute", "daily", "expected")})
            for key, (plugin, metric) in _by_plugin(hook).items()}


def _contained(host, plugin: str, key: str, function, empty=dict):
    if function is None:
        return None

    @functools.wraps(function)
    def call(*args, **kwargs):
        try:
            with db.atomic():  # a savepoint: a failed query leaves the page's transaction usable
                return function(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - any failure of a plugin's metric is contained
            host.record_error(plugin, f"metric {key}", exc)
            g.setdefault(FAILED_METRICS, set()).add(key)
            return empty()

    return call


def _dimensions_contained(host, plugin: str, key: str, function):
    """A metric's dimensions, and the choices of each, contained like its numbers."""
    if function is None:
        return None
    listed = _contained(host, plugin, key, function, empty=list)

    def dimensions():
        return [dataclasses.replace(found, choices=_contained(host, plugin, key, found.choices, empty=list))
                for found in listed() if isinstance(found, Dimension)]

    return dimensions


@dataclass
class AuditVocabulary:
    """Every enabled plugin's `AuditTerms`, merged: the first plugin to name a key keeps it (the
    core's come first); `value` and `title` ask each plugin's in turn, contained."""

    actions: dict
    subjects: dict
    changes: dict
    values: list  # [(plugin, value function)]
    titles: list  # [(plugin, title function)]

    def value(self, key: str, stored):
        return self._first(self.values, "value", key, stored)

    def title(self, subject: str, stored: str):
        return self._first(self.titles, "title", subject, stored)

    @staticmethod
    def _first(functions: list, part: str, *arguments):
        for plugin, function in functions:
            try:
                words = function(*arguments)
            except Exception as exc:  # noqa: BLE001 - a plugin's bug must not break the log
                host_of(current_app).record_error(plugin, f"describe_audit {part}", exc)
                continue
            if words is not None:
                return words
        return None


def audit_vocabulary() -> AuditVocabulary:
    """How the audit log names actions, subjects, changes and values (`describe_audit`)."""
    return _cached("describe_audit", _build_vocabulary)


def _build_vocabulary(hook: str) -> AuditVocabulary:
    host = host_of(current_app)
    vocabulary = AuditVocabulary({}, {}, {}, [], [])
    for plugin, terms in reversed(host.results(hook)):
        if not isinstance(terms, AuditTerms):
            host.record_error(plugin, hook, TypeError(f"{hook} must return AuditTerms, not {type(terms).__name__}"))
            continue
        for part in ("actions", "subjects", "changes"):
            found = getattr(vocabulary, part)
            for name, label in getattr(terms, part).items():
                if name in found:
                    host.record_error(plugin, hook, DuplicateKey(f"{name!r} is already registered"))
                    continue
                found[name] = label
        if terms.value is not None:
            vocabulary.values.append((plugin, terms.value))
        if terms.title is not None:
            vocabulary.titles.append((plugin, terms.title))
    return vocabulary


def _dicts(host, hook: str) -> list[tuple]:
    """[(plugin, dict)] of a dict-returning hook, first registered first; a result that is no
    dict is the plugin's error."""
    found = []
    for plugin, named in reversed(host.results(hook)):
        if isinstance(named, dict):
            found.append((plugin, named))
        else:
            host.record_error(plugin, hook, TypeError(f"{hook} must return a dict, not {type(named).__name__}"))
    return found


ICON_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
# SVG path data and nothing else: commands, numbers, separators. No quotes, brackets or letters
# that would leave the `d` attribute or name anything but a path command.
PATH_DATA = re.compile(r"[MmLlHhVvCcSsQqTtAaZz0-9eE.,+\- \n\t]{1,4000}")
SPRITE = Path(__file__).parent / "static" / "icons.svg"


@functools.cache
def built_in_icons() -> frozenset:
    """The names of the icons of the core's sprite (core/static/icons.svg)."""
    return frozenset(re.findall(r'<symbol id="([^"]+)"', SPRITE.read_text()))


def icons() -> dict:
    """{name: (path data, ...)} of the icons the enabled plugins add through `register_icons`;
    the `icon()` macro draws them inline, and the core's sprite draws the rest."""
    return _cached("register_icons", _build_icons)


def _build_icons(hook: str) -> dict:
    host = host_of(current_app)
    found: dict = {}
    for plugin, named in _dicts(host, hook):
        for name, data in named.items():
            paths = (data,) if isinstance(data, str) else tuple(data)
            if not (isinstance(name, str) and ICON_NAME.fullmatch(name)):
                problem = f"icon name {name!r} must be lowercase letters, digits, '.', '-' or '_'"
            elif name in found or name in built_in_icons():
                problem = f"icon {name!r} is already registered"
            elif not paths or not all(isinstance(path, str) and PATH_DATA.fullmatch(path) for path in paths):
                problem = f"icon {name!r}: only SVG path data (the d of a <path>) is accepted"
            else:
                found[name] = paths
                continue
            host.record_error(plugin, hook, DuplicateKey(problem) if "already" in problem else ValueError(problem))
    return found


def agenda_items(user, day) -> list:
    """What the enabled plugins put on `user`'s agenda for `day` (`agenda_items`), for a plugin that
    shows a day's plan; a plugin that fails is left out and reported."""
    return host_of(current_app).collect("agenda_items", user=user, day=day)


def meeting_topics(team, start, end, locale: str | None = None) -> list:
    """The points the enabled plugins suggest for a team meeting's agenda (`meeting_topics`), in the
    order of their `order` (stable, so the same data gives the same list in every language); a
    plugin that fails is left out and reported. With `locale` ("zh_Hans_CN"), they are asked in
    that language instead of the reader's, for an agenda kept in every shipped language."""
    if locale is None:
        topics = host_of(current_app).collect("meeting_topics", team=team, start=start, end=end)
        return sorted(topics, key=lambda topic: topic.order)
    from flask_babel import force_locale

    reader = g.pop("salesdeck_locale", None)  # `locale_code()` keeps the reader's for the request
    try:
        with force_locale(locale):
            return meeting_topics(team, start, end)
    finally:
        g.pop("salesdeck_locale", None)
        if reader is not None:
            g.salesdeck_locale = reader


def data_checks() -> list:
    """The checks of the data's health the enabled plugins declare (`data_checks`), by `order`; a
    plugin that fails is left out and reported."""
    return sorted(host_of(current_app).collect("data_checks"), key=lambda check: check.order)


def report_pages(user) -> list:
    """The ready-made report pages the enabled plugins offer `user` (`report_pages`), by `order` and
    label; a plugin that fails is left out and reported."""
    return sorted(host_of(current_app).collect("report_pages", user=user), key=lambda page: (page.order, str(page.label)))


def prizes() -> dict:
    """{key: Prize} the enabled plugins offer for awards (`award_prizes`); a plugin that fails is
    left out and reported."""
    return {prize.key: prize for prize in host_of(current_app).collect("award_prizes")}


def goal_targets(metric: str, filters: dict | None, user_ids, start, end) -> dict:
    """{user_id: target} of the users' goals for `metric` (narrowed to `filters`) over exactly
    start..end, as the enabled plugins answer `goal_targets`; a plugin that fails is left out."""
    found: dict = {}
    for _plugin, targets in host_of(current_app).results("goal_targets", metric=metric, filters=dict(filters or {}),
                                                         user_ids=list(user_ids), start=start, end=end):
        found.update(targets or {})
    return found
