"""Speed of My day and of the calendar feed.

    .venv-test/bin/python bench/timemgmt.py [--runs 15]

Builds, in a throw-away database, a manager of a team of 10 reps with 200 tasks (every quadrant,
some with a time, some in time blocks, some about a customer, 20 delegated to the reps and due to
be checked back), and open follow-ups in the pipeline due today or overdue; a year of time blocks
(three a working day). Through real HTTP requests (Flask's test client, as the manager) it prints
one `name=value` line per figure:

- my_day_ms: the manager's My day with 500 open follow-ups, median of the runs
- my_day_queries: SQL statements for it with 500 follow-ups; my_day_queries_at_50 with 50
- ics_ms: the manager's calendar feed (a year of blocks, three a working day, and the tasks with a time)

Runs on SQLite; also on PostgreSQL when SALESDECK_TEST_POSTGRES_URL is set (suffix `_postgres`).
Target (issue 14): My day < 60 ms with the same number of queries at 50 and 500 follow-ups, the
feed < 100 ms.
"""
from __future__ import annotations

import argparse
import datetime
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import median_ms, migrated_app, on_every_database, query_count, report  # noqa: E402

from core.auth import hash_password  # noqa: E402
from core.db import utcnow  # noqa: E402
from core.lowcode import records  # noqa: E402
from core.lowcode.entities import get_entity  # noqa: E402
from core.models import MANAGER, REP, Team, User  # noqa: E402
from plugins.pipeline.models import Activity  # noqa: E402
from plugins.timemgmt import calendar  # noqa: E402
from plugins.timemgmt.models import Task, TimeBlock  # noqa: E402

PASSWORD = "bench-password-1"


def follow_ups(owners, customers, count, rng, today):
    now = utcnow()
    rows = [{"subject": f"Call {number}", "kind": rng.choice(["call", "visit", "email"]), "owner": rng.choice(owners),
             "customer": rng.choice(customers), "due_at": now - datetime.timedelta(days=rng.randint(0, 20), hours=rng.randint(0, 5)),
             "custom": {}, "search_text": f"call {number}", "created_at": now, "updated_at": now} for number in range(count)]
    for start in range(0, len(rows), 200):
        Activity.insert_many(rows[start:start + 200]).execute()


def measure(url: str, instance: str, runs: int, suffix: str) -> None:
    app = migrated_app(url, instance)
    rng = random.Random(14)
    with app.test_request_context():
        today = datetime.date.today()
        hashed = hash_password(PASSWORD)
        manager = User.create(email="manager@bench.example.com", name="Manager", role=MANAGER, password_hash=hashed)
        team = Team.create(name="Bench", manager=manager)
        reps = [User.create(email=f"rep{n}@bench.example.com", name=f"Rep {n}", role=REP, team=team, password_hash=hashed)
                for n in range(10)]
        customers = [records.save(get_entity("pipeline.customer"), manager, {"name": f"Customer {n}"})[0].id for n in range(20)]
        first = today - datetime.timedelta(days=182)
        blocks = []
        for offset in range(365):  # a year of blocks, half past and half ahead
            day = first + datetime.timedelta(days=offset)
            if day.weekday() < 5:
                for category, start, end in (("customers", 9, 11), ("team", 14, 16), ("strategy", 19, 20)):
                    blocks.append({"owner": manager.id, "title": category.title(), "category": category,
                                   "starts_at": datetime.datetime.combine(day, datetime.time(start)),
                                   "ends_at": datetime.datetime.combine(day, datetime.time(end))})
        for start in range(0, len(blocks), 300):
            TimeBlock.insert_many(blocks[start:start + 300]).execute()
        midnight = datetime.datetime.combine(today, datetime.time())
        today_blocks = [block.id for block in TimeBlock.select().where(TimeBlock.starts_at >= midnight,
                                                                        TimeBlock.starts_at < midnight + datetime.timedelta(days=1))]
        tasks = []
        for number in range(200):
            delegated = number < 20
            tasks.append({"title": f"Task {number}", "owner": reps[number % 10].id if delegated else manager.id, "created_by": manager.id,
                          "important": rng.random() < .5, "urgent": rng.random() < .5, "minutes": rng.choice([15, 30, 60, None]),
                          "due_day": rng.choice([None, today, today - datetime.timedelta(days=1), today + datetime.timedelta(days=3)]),
                          "due_time": rng.choice([None, datetime.time(10, 30)]), "entity": "pipeline.customer" if number % 4 == 0 else "",
                          "record_id": rng.choice(customers) if number % 4 == 0 else None, "checklist": [],
                          "delegated_by": manager.id if delegated else None, "check_back": today if delegated else None,
                          "outcome": "Done" if delegated else "",
                          "block": rng.choice(today_blocks) if today_blocks and number % 7 == 0 else None,
                          "created_at": utcnow()})
        Task.insert_many(tasks).execute()
        follow_ups([manager.id], customers, 50, rng, today)
        token = calendar.feed_token(manager)
    client = app.test_client()
    assert client.post("/login", data={"email": "manager@bench.example.com", "password": PASSWORD}).status_code == 302

    def my_day():
        response = client.get("/timemgmt/")
        assert response.status_code == 200 and "Task 1" in response.text, response.status_code

    figures = {"my_day_queries_at_50": query_count(my_day)}
    with app.test_request_context():
        follow_ups([manager.id] + [rep.id for rep in reps], customers, 450, rng, today)
        assert Activity.select().where(Activity.done_at.is_null()).count() == 500
    figures["my_day_queries"] = query_count(my_day)
    figures["my_day_ms"] = median_ms(my_day, runs)

    def feed():
        response = client.get(f"/timemgmt/feed/{token}.ics")
        assert response.status_code == 200 and b"BEGIN:VEVENT" in response.data, response.status_code

    figures["ics_ms"] = median_ms(feed, runs)
    with app.app_context():
        figures["ics_events"] = TimeBlock.select().count()
    report(figures, suffix)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    on_every_database(measure, args.runs)


if __name__ == "__main__":
    main()
