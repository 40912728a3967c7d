"""Connections come from a pool on both databases: set up once, kept across requests, and given
back as they were set up (on SQLite, a writer still waits for another instead of failing at once)."""
import pytest

from core import db as database
from core.db import BUSY_TIMEOUT_SECONDS, db, is_sqlite
from core.testing import statements_of


def test_a_request_gives_its_connection_back_as_it_was_set_up(app, people, login):
    client = login(people.rep)
    assert client.get("/").status_code == 200
    with app.app_context():
        connection = db.connection()
        if is_sqlite():
            assert db.execute_sql("PRAGMA busy_timeout").fetchone()[0] == BUSY_TIMEOUT_SECONDS * 1000
            assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    database._next_optimize = 0.0  # due: on SQLite, this close runs PRAGMA optimize with no timeout
    assert client.get("/").status_code == 200
    with app.app_context():
        assert db.connection() is connection  # the same connection, from the pool
        if is_sqlite():
            assert db.execute_sql("PRAGMA busy_timeout").fetchone()[0] == BUSY_TIMEOUT_SECONDS * 1000


def test_sqlite_refreshes_its_statistics_once_a_minute_not_on_every_request(app, people, login):
    if not is_sqlite():
        pytest.skip("PRAGMA optimize is SQLite's")
    client = login(people.rep)

    def optimized(requests: int) -> int:
        sent = statements_of(lambda: [client.get("/") for _ in range(requests)])
        return [sql for sql, _params in sent].count("PRAGMA optimize")

    database._next_optimize = 0.0
    assert optimized(3) == 1
    database._next_optimize = 0.0  # a minute later
    assert optimized(1) == 1
