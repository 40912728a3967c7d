"""Version counters shared by every server process through the database.

A process caches what is costly to build (the disabled plugins, the effective forms) with the
counter it was built at. Each request reads all counters in one query (`current()`); whoever
changes what a cache holds calls `bump()` in the same transaction.

A cache is stamped only with a committed counter: counters read inside a transaction are not kept
for the request (the transaction may still roll back), and `committed()` tells a cache whether what
it would build now may be kept.
"""
from __future__ import annotations

import peewee
from flask import g, has_request_context

from .db import db, writes
from .models import Version

PLUGINS = "plugins"
SCHEMA = "schema"


def read() -> dict[str, int]:
    # Every request runs this statement: written out once, not built by peewee each time.
    try:
        return dict(db.execute_sql(_READ).fetchall())
    except (peewee.OperationalError, peewee.ProgrammingError):
        return {}  # a database not yet migrated


_READ = f'SELECT "key", "value" FROM "{Version._meta.table_name}"'


def current(after_own_writes: bool = False) -> dict[str, int]:
    """The counters, read once per request (and afresh outside requests). With `after_own_writes`,
    read again when the request has written since (outside a transaction): the change counters
    the database moved on the request's own writes are then seen (`core.changes.stamp`)."""
    if not has_request_context():
        return read()
    kept = g.get("salesdeck_versions")
    if kept is not None and (not after_own_writes or kept[1] == writes() or not committed()):
        return kept[0]
    counters = read()
    if committed():
        g.salesdeck_versions = (counters, writes())
    return counters


def committed() -> bool:
    """Whether what this thread reads now is committed: outside a transaction. Inside one, a
    definition written (and a counter bumped) may yet be rolled back."""
    return db.obj is None or not db.in_transaction()


def bump(key: str) -> None:
    Version.insert(key=key, value=1).on_conflict(
        conflict_target=[Version.key], update={Version.value: Version.value + 1}
    ).execute()
    if has_request_context():
        g.pop("salesdeck_versions", None)
