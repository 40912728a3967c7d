"""Connections come from a pool on both databases: set up once, kept across requests, and given
back as they were set up (on SQLite, a writer still waits for another instead of failing at once)."""
from core.db import BUSY_TIMEOUT_SECONDS, db, is_sqlite


def test_a_request_gives_its_connection_back_as_it_was_set_up(app, people, login):
    client = login(people.rep)
    assert client.get("/").status_code == 200
    with app.app_context():
        connection = db.connection()
        if is_sqlite():
            assert db.execute_sql("PRAGMA busy_timeout").fetchone()[0] == BUSY_TIMEOUT_SECONDS * 1000
            assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert client.get("/").status_code == 200  # on SQLite, closing ran PRAGMA optimize with no timeout
    with app.app_context():
        assert db.connection() is connection  # the same connection, from the pool
        if is_sqlite():
            assert db.execute_sql("PRAGMA busy_timeout").fetchone()[0] == BUSY_TIMEOUT_SECONDS * 1000
