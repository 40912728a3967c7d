"""Change counters the database keeps itself, and what a page may remember until they move.

`count_changes(db, table)` (in a migration) installs triggers that move the table's counter, the
row `rows:<table>` of `core_version`, whenever rows are inserted, updated or deleted, whatever
wrote them: a form, an import, a bulk update, a plugin's own query (SQLite adds one per row,
PostgreSQL one per transaction). The counter moves in the writer's transaction, so it is committed
exactly when the change is. On PostgreSQL the trigger is deferred to the commit: the counter's row
is locked for the moment the commit takes, not for the whole transaction, so two people saving
deals never wait on each other for long.

`remembered(name, key, tables, build)` keeps what `build()` returned (plain data: never model
rows; texts in one reader's language only with the language in `key`) in this process until a
counter of `tables`, of the people and teams (who sees what), of the schema or of the plugins
moves. `kept_rows(name, key, tables, query)` does the same for a short list of model rows. The
counters are those the request read first (in one query, before any data) or again after its
own last write: the data read after them is at least as new, so what is kept is never older
than its stamp. Inside a transaction nothing is kept (what it reads may still roll back).
"""
from __future__ import annotations

import collections
import datetime
import decimal
import pickle
import threading
from typing import NamedTuple

import peewee
from flask import current_app, has_request_context
from flask_login import current_user

from . import versions
from .db import db

KEPT = 1024  # entries per process (a board's cards are some 10 KB), the least recently used going first
WRAP = 2_000_000_000  # a counter starts again at 1 before it would overflow a 32-bit integer
SCOPE_TABLES = ("core_user", "core_team")  # who may see whose records
_lock = threading.Lock()


def counter_key(table: str) -> str:
    return f"rows:{table}"


def count_changes(database, table: str) -> None:
    """Keep a change counter for `table` (a migration's `up`; the table exists). Idempotent: the
    low-code layer also runs it for every customisable table after each migrate."""
    key = counter_key(table)
    database.execute_sql(f"INSERT INTO core_version (key, value) VALUES ({database.param}, 0) ON CONFLICT (key) DO NOTHING", (key,))
    if isinstance(database, peewee.SqliteDatabase):  # writers take turns: no order to keep
        for event in ("INSERT", "UPDATE", "DELETE"):
            database.execute_sql(
                f"CREATE TRIGGER IF NOT EXISTS {table}_counted_{event.lower()} AFTER {event} ON {table} BEGIN "
                f"INSERT INTO core_version (key, value) VALUES ('{key}', 1) ON CONFLICT (key) DO UPDATE "
                f"SET value = CASE WHEN value >= {WRAP} THEN 1 ELSE value + 1 END; END")
        return
    # Two commits may count the same tables in opposite orders (people then teams, teams then
    # people): each counter is taken after every counter whose key sorts before it, so all are
    # taken in one order and two commits never wait on each other in a circle (a deadlock). A
    # transaction moves each counter once, however many rows it wrote (a setting local to it says so).
    database.execute_sql(
        "CREATE OR REPLACE FUNCTION salesdeck_count_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "DECLARE flag text := 'salesdeck.' || replace(TG_ARGV[0], ':', '_'); BEGIN "
        "IF current_setting(flag, true) = '1' THEN RETURN NULL; END IF; "
        "PERFORM set_config(flag, '1', true); "
        "PERFORM 1 FROM core_version WHERE key >= 'rows:' AND key <= TG_ARGV[0] ORDER BY key FOR UPDATE; "
        "INSERT INTO core_version (key, value) VALUES (TG_ARGV[0], 1) ON CONFLICT (key) DO UPDATE "
        f"SET value = CASE WHEN core_version.value >= {WRAP} THEN 1 ELSE core_version.value + 1 END; "
        "RETURN NULL; END $$")
    if database.execute_sql("SELECT 1 FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE t.tgname = "
                            f"{database.param} AND c.relname = {database.param} AND pg_table_is_visible(c.oid)",
                            (f"{table}_counted", table)).fetchone():
        return  # a constraint trigger cannot be created "or replaced"
    database.execute_sql(
        f"CREATE CONSTRAINT TRIGGER {table}_counted AFTER INSERT OR UPDATE OR DELETE ON {table} "
        f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION salesdeck_count_change('{key}')")


def counting(*tables):
    """A migration's `up` and `down` that start and stop counting the changes of `tables`:
    `up, down = counting("hello_greeting")` at the top level of the migration's module."""

    def up(migrator, database):
        for table in tables:
            count_changes(database, table)

    def down(migrator, database):
        for table in tables:
            stop_counting(database, table)

    return up, down


def fire_now(database) -> None:
    """Before DDL in a transaction that may have changed counted rows: PostgreSQL refuses to alter
    or index a table with deferred trigger events pending, so they fire now instead of at commit
    (the migrations run each of theirs this way; so does a field's index)."""
    if not isinstance(database, peewee.SqliteDatabase):
        database.execute_sql("SET CONSTRAINTS ALL IMMEDIATE")


def count_every(models) -> None:
    """Keep a change counter for each of these models' tables that exists (after each migrate, for
    every customisable table: what the low-code layer remembers of records, it reads from them)."""
    existing = set(db.get_tables())
    for model in models:
        if model._meta.table_name in existing:
            with db.atomic():
                count_changes(db.obj, model._meta.table_name)


def stop_counting(database, table: str) -> None:
    """Undo `count_changes` (a migration's `down`)."""
    if isinstance(database, peewee.SqliteDatabase):
        for event in ("insert", "update", "delete"):
            database.execute_sql(f"DROP TRIGGER IF EXISTS {table}_counted_{event}")
    else:
        database.execute_sql(f"DROP TRIGGER IF EXISTS {table}_counted ON {table}")
    database.execute_sql(f"DELETE FROM core_version WHERE key = {database.param}", (counter_key(table),))


def stamp(tables) -> tuple | None:
    """The committed counters of `tables`, of who sees what, of the schema and of the plugins, as
    the request read them (once, before it read any data, and again after it wrote: see
    `versions.current`); None inside a transaction or without counters."""
    if not versions.committed():
        return None
    counters = versions.current(after_own_writes=True)
    if not counters:  # the counters could not be read (a database not migrated yet): keep nothing
        return None
    keys = [counter_key(table) for table in (*tables, *SCOPE_TABLES)] + [versions.SCHEMA, versions.PLUGINS]
    return tuple(counters.get(key, 0) for key in keys)


def remembered(name: str, key, tables, build):
    """`build()`'s result for `key` (hashable: the page's choices), computed again only when one of
    `tables` (or who sees what, the schema, the plugins) changed since it was kept. Kept per row
    scope: everyone who sees everything shares an entry, anyone else has their own. Give back
    plain data that pickles (numbers, ids, texts as stored, tuples, module-level named tuples);
    the caller gets a copy it may change, or, when the value is made of tuples of such plain
    values only (nothing in it can change), the kept value itself: nothing to copy."""
    current = stamp(tables)
    entry = _entry(name, key)
    if current is None or entry is None:
        value = build()
        return value.value if isinstance(value, Unkept) else value
    kept = current_app.extensions.setdefault("salesdeck.remembered", collections.OrderedDict())
    found = _found(kept, entry, current)
    if found is not None:
        return found[0]
    value = build()
    if isinstance(value, Unkept):
        return value.value
    _keep(kept, entry, current, value)
    return value


class Unkept(NamedTuple):
    """What a `remembered` build gives back to be used once and not kept: it could not do all its
    work (a plugin failed while it ran), so the next view builds again."""

    value: object


def remember(name: str, key, tables, value) -> None:
    """Keep `value` as what `remembered(name, key, tables, ...)` would count now, when the caller
    knows it without counting (a field just added has no values). After a commit only."""
    current, entry = stamp(tables), _entry(name, key)
    if current is not None and entry is not None:
        _keep(current_app.extensions.setdefault("salesdeck.remembered", collections.OrderedDict()), entry, current, value)


def kept_rows(name: str, key, tables, query) -> list:
    """The rows `query` selects (a model's select of its own fields), read from the database again
    only when a counter of `tables`, the schema or the plugins moved: a short list most pages read
    (a process's stages, the settings, the products), no query once kept. The same for every
    reader, so `key` holds whatever the query depends on (the user, for a list of their teams).
    Kept as the database gave them; each call makes new instances, so labels read in each
    reader's language and a caller may change its rows."""
    fields = list(query._returning)
    if not all(isinstance(field, peewee.Field) and field.model is query.model for field in fields):
        raise TypeError("kept_rows reads a model's own fields")
    current = stamp(tables) if has_request_context() else None
    kept = current_app.extensions.setdefault("salesdeck.kept_rows", collections.OrderedDict()) if current else None
    found = _found(kept, (name, key), current) if kept is not None else None
    if found is not None:
        rows = found[0]
    else:
        rows = tuple(tuple(row) for row in db.execute(query).fetchall())
        if kept is not None:
            _keep(kept, (name, key), current, rows)
    made = []
    for row in rows:
        instance = query.model(__no_default__=1, **{field.name: field.python_value(value) for field, value in zip(fields, row)})
        instance._dirty.clear()
        made.append(instance)
    return made


def _entry(name: str, key) -> tuple | None:
    """What an entry is kept under: the row scope is part of it (nothing is kept without a user)."""
    if not has_request_context() or not current_user or not current_user.is_authenticated:
        return None
    return name, key, "all" if current_user.may("see_everything") else current_user.id


def _found(kept, entry, current) -> tuple | None:
    """(what is kept under `entry`, a copy unless it cannot change,) when it was kept at
    `current`; else None."""
    with _lock:
        found = kept.get(entry)
        if found is None or found[0] != current:
            return None
        kept.move_to_end(entry)
    _current, value, frozen = found
    return (value if frozen else pickle.loads(value),)  # a copy, some twenty times faster than copy.deepcopy


def _keep(kept, entry, current, value) -> None:
    """Keep `value` under `entry`, stamped `current`: itself when nothing in it can change, else a
    copy (the caller may go on changing its value)."""
    frozen = _frozen(value)
    kept_value = value if frozen else pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    with _lock:
        kept[entry] = (current, kept_value, frozen)
        kept.move_to_end(entry)
        while len(kept) > KEPT:
            kept.popitem(last=False)


_ATOMS = (str, int, float, type(None), datetime.date, datetime.time, datetime.timedelta, decimal.Decimal, bytes)


def _frozen(value) -> bool:
    """Whether nothing in `value` can change: plain values (a date, a text, a number) in tuples,
    named tuples or frozen sets, however deep."""
    if isinstance(value, _ATOMS):
        return True
    if isinstance(value, (tuple, frozenset)) and (type(value) in (tuple, frozenset) or hasattr(type(value), "_fields")):
        return all(_frozen(item) for item in value)
    return False
