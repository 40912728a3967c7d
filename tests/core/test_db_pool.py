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


def test_a_served_app_ends_its_requests_before_the_test_closes_the_database(app, people):
    """Closing every pooled connection (core.testing.shut_database) under a request still running
    in a server thread crashed the whole test process on SQLite (a segfault, "worker crashed"): the
    served app waits for its requests in flight when it stops."""
    import threading
    import time
    import urllib.request

    from core.auth import public
    from core.models import User
    from core.testing import serve_over_http

    started, counted, answers = threading.Event(), [], []

    @public
    def slow():
        started.set()
        time.sleep(1.5)  # longer than the server takes to stop (it polls every 0.5 s)
        counted.append(User.select().count())
        return "done"

    app.add_url_rule("/slow-for-test", "slow_for_test", slow)
    with serve_over_http(app) as url:
        asking = threading.Thread(target=lambda: answers.append(urllib.request.urlopen(f"{url}/slow-for-test").status))
        asking.start()
        assert started.wait(10)
    assert counted == [5]  # the request ran to its end, with its connection (five people)
    asking.join()
    assert answers == [200]
