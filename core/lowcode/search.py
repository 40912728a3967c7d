"""The lists' search box through an index, not a `LIKE '%…%'` over every row.

Every customisable record keeps its words in `search_text` (lower case). After the migrations,
`prepare` gives each customisable table an index that finds a piece of text anywhere in it:

- SQLite: an FTS5 table with the trigram tokenizer over `search_text` (external content, kept in step
  by triggers), queried with GLOB, which it serves for any piece of three characters or more;
- PostgreSQL: a GIN trigram index (`pg_trgm`) on `search_text`, which serves the same ILIKE the list
  already asks, so the query does not change.

Without them (an SQLite built without FTS5, a PostgreSQL role that may not add the extension) the
search reads every row as before; `prepare` says so once in the log.
"""
from __future__ import annotations

import logging

import peewee
from flask import current_app

from ..db import db, is_sqlite

log = logging.getLogger(__name__)


def _fts(table: str) -> str:
    return f"{table}__fts"


def prepare(models) -> None:
    """Give every customisable table its search index (idempotent: run after each migrate)."""
    for model in models:
        table = model._meta.table_name
        if table not in db.get_tables():
            continue
        try:
            with db.atomic():
                (_prepare_sqlite if is_sqlite() else _prepare_postgres)(table)
        except peewee.DatabaseError as problem:
            log.warning("search on %s reads every row: %s", table, problem)


def _prepare_sqlite(table: str) -> None:
    fts = _fts(table)
    if fts in db.get_tables():
        return
    db.execute_sql(f'CREATE VIRTUAL TABLE "{fts}" USING fts5(search_text, content="{table}", content_rowid="id", '
                   f"tokenize='trigram')")
    db.execute_sql(f'CREATE TRIGGER "{fts}_insert" AFTER INSERT ON "{table}" BEGIN '
                   f'INSERT INTO "{fts}"(rowid, search_text) VALUES (new.id, new.search_text); END')
    db.execute_sql(f'CREATE TRIGGER "{fts}_delete" AFTER DELETE ON "{table}" BEGIN '
                   f'INSERT INTO "{fts}"("{fts}", rowid, search_text) VALUES (\'delete\', old.id, old.search_text); END')
    db.execute_sql(f'CREATE TRIGGER "{fts}_update" AFTER UPDATE OF search_text ON "{table}" BEGIN '
                   f'INSERT INTO "{fts}"("{fts}", rowid, search_text) VALUES (\'delete\', old.id, old.search_text); '
                   f'INSERT INTO "{fts}"(rowid, search_text) VALUES (new.id, new.search_text); END')
    db.execute_sql(f'INSERT INTO "{fts}"("{fts}") VALUES (\'rebuild\')')


def _prepare_postgres(table: str) -> None:
    installed = db.execute_sql("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'").fetchone()
    if not installed:
        # In `public`, shared by every schema (a test's or a bench's schema is dropped with its tables).
        db.execute_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
    schema = db.execute_sql("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
                            "WHERE e.extname = 'pg_trgm'").fetchone()[0]
    db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{table}_search_trgm" ON "{table}" '
                   f'USING gin (search_text "{schema}".gin_trgm_ops)')


def _has_fts(table: str) -> bool:
    """Whether this SQLite database has the table's search index (asked once per process)."""
    known = current_app.extensions.setdefault("salesdeck.search", {})
    if table not in known:
        known[table] = _fts(table) in db.get_tables()
    return known[table]


def matches(model, text: str):
    """SQL: the record's search text holds `text` (already lower case)."""
    if is_sqlite() and len(text) >= 3 and _has_fts(model._meta.table_name):
        fts = peewee.Table(_fts(model._meta.table_name), ("rowid", "search_text"))
        pattern = "*" + "".join(f"[{c}]" if c in "*?[]" else c for c in text) + "*"
        return model.id.in_(fts.select(fts.rowid).where(peewee.Expression(fts.search_text, "GLOB", pattern)))
    return model.search_text.contains(text)
