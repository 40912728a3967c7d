"""The database: one proxy every model binds to, opened lazily and closed after each request.

SQLite (the default) runs in WAL mode with foreign keys on, a busy timeout, and BEGIN IMMEDIATE for
every transaction, so two writers queue instead of failing half-way. Connections to either database
come from a small pool per server process.
"""
from __future__ import annotations

import datetime
import os
import re
import threading
import time
from urllib.parse import urlparse

import peewee
from playhouse.db_url import parseresult_to_dict
from playhouse.pool import PooledPostgresqlDatabase, PooledSqliteDatabase

db = peewee.DatabaseProxy()

# A writer waits up to 15 s for another to finish (an import of 10,000 rows holds the write lock
# for a few seconds: all rows or none) instead of failing with "database is locked".
BUSY_TIMEOUT_SECONDS = 15
SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": BUSY_TIMEOUT_SECONDS * 1000,
    "synchronous": "normal",
}


# What a statement that changes nothing starts with; any other is counted as a write (`writes`),
# and so is a WITH whose text inserts, updates or deletes (a list page's query starts with WITH).
READING = ("SELECT", "PRAGMA", "BEGIN", "SAVEPOINT", "RELEASE", "EXPLAIN", "SHOW")
_WRITING = re.compile(r"\b(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)
_written = threading.local()


def writes() -> int:
    """How many statements that may change data this thread has sent so far: a request reads the
    version counters once (core.versions), and again only after it wrote."""
    return getattr(_written, "count", 0)


class _CountsWrites:
    def execute_sql(self, sql, params=None):
        start = sql.lstrip()[:9].upper()
        if not start.startswith(READING) and not (start.startswith("WITH") and not _WRITING.search(sql)):
            _written.count = getattr(_written, "count", 0) + 1
        return super().execute_sql(sql, params)


class SqliteDatabase(_CountsWrites, PooledSqliteDatabase):
    """SQLite, pooled, counting this thread's writes."""


class PostgresqlDatabase(_CountsWrites, PooledPostgresqlDatabase):
    """PostgreSQL, pooled, counting this thread's writes."""


class ConfigurationError(RuntimeError):
    """A setting the admin must fix before salesdeck can start."""


class BaseModel(peewee.Model):
    """Every salesdeck model, core or plugin, derives from this."""

    class Meta:
        database = db
        legacy_table_names = False


def utcnow() -> datetime.datetime:
    """The current time in UTC, naive, as every timestamp column stores it."""
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


def open_database(url: str) -> peewee.Database:
    """Build (without connecting) the database named by a SALESDECK_DATABASE_URL."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = url.split("://", 1)[1]
        path = path[1:] if path.startswith("/") else path  # sqlite:///rel or sqlite:////abs
        path = path.split("?", 1)[0]
        if not path:
            raise ConfigurationError("SALESDECK_DATABASE_URL names no SQLite file.")
        if path != ":memory:":
            path = os.path.abspath(path)
            os.makedirs(os.path.dirname(path), exist_ok=True)
        # Pooled, as PostgreSQL's: a connection set up once (its pragmas) serves request after
        # request, and closing it does not checkpoint the write-ahead log into the database file
        # each time (SQLite does that when the last connection to a file closes: 3-4 ms per write).
        return SqliteDatabase(
            path, pragmas=SQLITE_PRAGMAS, lock_type="IMMEDIATE", max_connections=32, stale_timeout=300, timeout=10,
            check_same_thread=False,  # a pooled connection may serve another thread next, one at a time
        )
    if parsed.scheme in ("postgres", "postgresql"):
        return PostgresqlDatabase(
            max_connections=32,
            stale_timeout=300,
            timeout=10,
            **parseresult_to_dict(parsed, unquote_password=True, unquote_user=True),
        )
    raise ConfigurationError(
        "SALESDECK_DATABASE_URL must start with sqlite:/// or postgresql:// "
        f"(it starts with {parsed.scheme or 'nothing'!r})."
    )


def is_sqlite() -> bool:
    return isinstance(db.obj, peewee.SqliteDatabase)


def close() -> None:
    """Close this thread's connection, if it has one (a pooled one goes back to its pool).

    On SQLite, at most once a minute per server process (OPTIMIZE_EVERY_SECONDS), it first runs
    `PRAGMA optimize`, as SQLite's authors advise for connections that live long (a pooled one
    serves request after request): it refreshes the planner's statistics of the tables the
    connection used when they are missing or stale (a table grown to 100,000 deals since its
    indexes were made), and is a no-op otherwise. Running it on every close cost three statements
    per request for nothing. It never waits for a lock: when another connection is writing, a
    later close does it."""
    global _next_optimize
    if db.obj is None or db.is_closed():
        return
    if is_sqlite() and not db.in_transaction() and time.monotonic() >= _next_optimize:
        _next_optimize = time.monotonic() + OPTIMIZE_EVERY_SECONDS
        try:
            db.execute_sql("PRAGMA busy_timeout = 0")
            db.execute_sql("PRAGMA optimize")
        except peewee.OperationalError:
            _next_optimize = 0.0  # locked by a writer: the next close tries again
        try:
            db.execute_sql(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_SECONDS * 1000}")  # back to the pool as it was set up
        except peewee.DatabaseError:
            db.manual_close()  # not fit to serve again
            return
    db.close()


OPTIMIZE_EVERY_SECONDS = 60
_next_optimize = 0.0


def release() -> None:
    """Close this thread's connection and, for a pool, every idle one (before a server forks)."""
    close()
    if hasattr(db.obj, "close_idle"):
        db.obj.close_idle()


def init_app(app) -> None:
    db.initialize(open_database(app.config["DATABASE_URL"]))
    # Connections open on the first query (peewee's autoconnect) and close after every request,
    # so a request that serves a static file never touches the database.
    app.teardown_appcontext(lambda exc: close())
