"""What the enabled plugins offer, by key: entities, field types, processes and metrics.

Built from the `register_*` hooks once per request (a page may look a metric up a thousand times),
so a plugin an admin turns off drops out from the next request on. Two plugins claiming one key is a plugin error: the
first keeps it and the second is reported on the admin's plugin page. Field types are the
exception: a later plugin may replace a type on purpose.
"""
from __future__ import annotations

from flask import current_app, g

from .plugins import host_of


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
    host = host_of(current_app)
    found: dict = {}
    # pluggy calls the last-registered plugin first; reversed, the first registered keeps a key.
    for plugin, items in reversed(host.results(hook)):
        for item in items:
            if item.key in found:
                host.record_error(plugin, hook, DuplicateKey(f"{item.key!r} is already registered"))
                continue
            found[item.key] = item
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
    return _by_key("register_metrics")
