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


def test_kept_rows_are_read_once_and_again_after_their_table_changed(app, people):
    from core.lowcode.entities import get_entity
    from core.lowcode.models import Stage
    from core.lowcode.processes import processes_of, stages_of

    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        (process, *_others) = processes_of(get_entity("pipeline.deal"))
        first = stages_of(process)
        with count_queries() as statements:
            again = stages_of(process.id)
        assert statements.count == 0 and [s.id for s in again] == [s.id for s in first]
        assert again[0] is not first[0]  # new instances: a caller may change its own
        again[0].required_fields.append("amount")
        assert "amount" not in stages_of(process)[0].required_fields
        assert str(again[0].label) == "客户开发"  # in this reader's language

    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert str(stages_of(process)[0].label) == "Customer development"  # kept as stored, read in each reader's
        Stage.update(label="Renamed").where(Stage.id == first[0].id).execute()  # however written
        assert str(stages_of(process)[0].label) == "Renamed"
        with db.atomic() as transaction:  # inside a transaction: read as it sees it, never kept
            Stage.update(label="Never").where(Stage.id == first[0].id).execute()
            assert str(stages_of(process)[0].label) == "Never"
            transaction.rollback()
        assert str(stages_of(process)[0].label) == "Renamed"


def test_a_value_nothing_can_change_is_shared_and_anything_else_copied(app, people):
    import datetime
    import pickle

    from core.changes import Unkept

    builds = []

    def frozen():
        builds.append(1)
        return tuple((n, f"Deal {n}", datetime.datetime(2026, 12, n + 1), ((f"tag {n}", "green"),)) for n in range(3))

    with app.test_request_context():
        login_user(people.manager)
        first = remembered("test.frozen", "key", ("core_user",), frozen)
        loads = []
        real_loads = pickle.loads
        pickle.loads = lambda data: loads.append(1) or real_loads(data)
        try:
            assert remembered("test.frozen", "key", ("core_user",), frozen) is first  # no copy: nothing in it can change
            assert loads == [] and len(builds) == 1
            changeable = remembered("test.listed", "key", ("core_user",), lambda: [list(row) for row in first])
            again = remembered("test.listed", "key", ("core_user",), lambda: [])
            assert loads == [1] and again == changeable and again is not changeable  # a list is copied for each reader
        finally:
            pickle.loads = real_loads

        failed = []

        def not_kept():
            failed.append(1)
            return Unkept(("half",))

        assert remembered("test.unkept", "key", ("core_user",), not_kept) == ("half",)
        assert remembered("test.unkept", "key", ("core_user",), not_kept) == ("half",) and len(failed) == 2


def test_a_query_that_starts_with_with_counts_as_a_write_only_when_it_writes(app, people):
    """A list page's query starts with WITH (a materialized CTE): read as a read, it does not make
    the request read the counters again; a WITH that inserts, updates or deletes is a write."""
    from core.db import writes

    with app.app_context():
        before = writes()
        db.execute_sql('WITH "names" AS (SELECT "name" FROM "core_user") SELECT COUNT(*) FROM "names"').fetchall()
        db.execute_sql('WITH "touched" AS (SELECT "updated_at" FROM "pipeline_deal") SELECT COUNT(*) FROM "touched"').fetchall()
        assert writes() == before
        db.execute_sql('WITH "renamed" AS (SELECT "id" FROM "core_user" WHERE "id" = 0) '
                       'UPDATE "core_user" SET "name" = "name" WHERE "id" IN (SELECT "id" FROM "renamed")')
        assert writes() == before + 1
