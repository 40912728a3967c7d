"""Version counters shared by every server process through the database.

A process caches what is costly to build (the disabled plugins, the effective forms) with the
counter it was built at. Each request reads all counters in one query (`current()`); whoever
changes what a cache holds calls `bump()` in the same transaction.
"""
from __future__ import annotations

import peewee
from flask import g, has_request_context

from .models import Version

PLUGINS = "plugins"
SCHEMA = "schema"


def read() -> dict[str, int]:
    try:
        return {row.key: row.value for row in Version.select(Version.key, Version.value)}
    except (peewee.OperationalError, peewee.ProgrammingError):
        return {}  # a database not yet migrated


def current() -> dict[str, int]:
    """The counters, read once per request (and afresh outside requests)."""
    if not has_request_context():
        return read()
    if "salesdeck_versions" not in g:
        g.salesdeck_versions = read()
    return g.salesdeck_versions


def bump(key: str) -> None:
    Version.insert(key=key, value=1).on_conflict(
        conflict_target=[Version.key], update={Version.value: Version.value + 1}
    ).execute()
    if has_request_context():
        g.pop("salesdeck_versions", None)
