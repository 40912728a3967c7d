"""What the enabled plugins offer, by key: entities, field types, processes and metrics.

Built from the `register_*` hooks on each call (they return plain data, so this is cheap) so a
plugin an admin turns off drops out at once. Two plugins claiming one key is a plugin error: the
first keeps it and the second is reported on the admin's plugin page. Field types are the
exception: a later plugin may replace a type on purpose.
"""
from __future__ import annotations

from flask import current_app

from .plugins import host_of


class DuplicateKey(ValueError):
    pass


def _by_key(hook: str) -> dict:
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
