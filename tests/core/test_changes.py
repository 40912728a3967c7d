"""Change counters kept by triggers, and what pages remember until they move (core/changes.py)."""
from flask_login import login_user

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
        db.execute_sql("UPDATE core_user SET locale = locale")  # any query, however written: one per row
        assert counter("core_user") == before + 1 + User.select().count()
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

