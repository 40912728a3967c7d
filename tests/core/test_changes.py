"""Change counters kept by triggers, and what pages remember until they move (core/changes.py)."""
from flask_login import login_user
from playhouse.test_utils import count_queries

from core.changes import counter_key, remembered
from core.db import db
from core.models import User, Version


def counter(table: str) -> int:
    row = Version.get_or_none(Version.key == counter_key(table))
    return row.value if row else 0


def test_every_committed_write_to_a_counted_table_moves_its_counter(app, people):
    with app.app_context():
        before = counter("core_user")
        User.update(name="Renamed").where(User.id == people.rep.id).execute()
        assert counter("core_user") == before + 1
        db.execute_sql("UPDATE core_user SET locale = locale")  # any query, however written
        assert counter("core_user") > before + 1
        moved = counter("core_user")
        with db.atomic() as transaction:
            User.update(name="Never").where(User.id == people.rep.id).execute()
            transaction.rollback()
        assert counter("core_user") == moved  # rolled back with the change
        User.delete().where(User.id == people.outsider.id).execute()
        assert counter("core_user") == moved + 1


def test_remembered_counts_again_only_when_what_it_read_changed(app, people):
    builds = []

    def build():
        builds.append(1)
        return {"people": User.select().count()}

    with app.test_request_context():
        login_user(people.manager)
        first = remembered("test.people", "key", ("core_user",), build)
        assert remembered("test.people", "key", ("core_user",), build) == first and len(builds) == 1
        with count_queries() as statements:  # the request read the counters once, before any data
            remembered("test.people", "key", ("core_user",), build)
        assert statements.count == 0
        first["people"] = -1  # the caller's copy: what is kept does not change
        assert remembered("test.people", "key", ("core_user",), build) != first and len(builds) == 1
        assert remembered("test.people", "other key", ("core_user",), build) and len(builds) == 2

        User.create(email="new@example.com", name="New", role="rep", password_hash="x")
        assert remembered("test.people", "key", ("core_user",), build)["people"] == User.select().count()
        assert len(builds) == 3
        with db.atomic():  # inside a transaction nothing is kept: what it reads may roll back
            remembered("test.people", "key", ("core_user",), build)
            remembered("test.people", "key", ("core_user",), build)
        assert len(builds) == 5
        remembered("test.people", "key", ("core_user",), build)
        assert len(builds) == 5

    with app.test_request_context():  # someone with another row scope has their own
        login_user(people.rep)
        remembered("test.people", "key", ("core_user",), build)
        assert len(builds) == 6



def test_writers_touching_counted_tables_in_opposite_orders_never_deadlock(app, people):
    """Two transactions commit at the same moment, one having changed people then teams, the other
    teams then people: their counters are taken in one order, so neither is refused. (On SQLite
    writers take turns: they run one after the other.)"""
    import threading

    from core.db import is_sqlite
    from core.models import Team

    with app.app_context():
        sqlite = is_sqlite()
        teams = [Team.create(name=f"Order {n}", manager=people.manager.id).id for n in range(2)]
    users = [people.rep.id, people.outsider.id]
    rounds = 300
    barrier = threading.Barrier(2, timeout=20)
    failures = []

    def write(first_people: bool, user: int, team: int):
        for n in range(rounds):
            try:
                with app.app_context(), db.atomic():
                    steps = [User.update(name=f"U{n}").where(User.id == user), Team.update(name=f"T{team} {n}").where(Team.id == team)]
                    for step in steps if first_people else reversed(steps):
                        step.execute()
                    if not sqlite:
                        barrier.wait()  # commit together: the counters are taken at commit
            except Exception as problem:  # noqa: BLE001 - what the test looks for
                failures.append(repr(problem))

    threads = [threading.Thread(target=write, args=(True, users[0], teams[0])),
               threading.Thread(target=write, args=(False, users[1], teams[1]))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
