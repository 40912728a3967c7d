"""Speed of a team meeting's agenda, built from the data when the meeting opens.

    .venv-test/bin/python bench/team.py [--runs 15]

Builds, in a throw-away database, teams of 3, 10 and 30 reps with a year of data each (a won deal
and five calls a week, bench/goals.py's goals: a year, its months and weeks per rep), plus per rep
four open deals untouched for a month and three overdue follow-ups. The team's manager then opens
meetings through real HTTP requests (Flask's test client), each a week before the last, so every
request builds the agenda over a full week (every plugin's `meeting_topics`) and stores it. It prints:

- agenda_ms: opening a meeting of the team of 10 (the agenda built and stored), median of the runs
- agenda_queries: SQL statements for it; agenda_queries_at_3 and agenda_queries_at_30 for the others

Runs on SQLite; also on PostgreSQL when SALESDECK_TEST_POSTGRES_URL is set (suffix `_postgres`).
Target (issue 13): < 150 ms for 10 reps, the same number of queries for 3 and for 30 reps.
"""
from __future__ import annotations

import argparse
import datetime
import itertools
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import median_ms, migrated_app, on_every_database, query_count, report  # noqa: E402
from goals import PASSWORD, goal_tree, insert, people, pipeline_year  # noqa: E402

from core.db import utcnow  # noqa: E402
from core.lowcode.models import Process, Stage  # noqa: E402
from core.lowcode.processes import ensure_defaults  # noqa: E402
from core.models import Team  # noqa: E402
from plugins.goals import periods  # noqa: E402
from plugins.goals.models import Goal  # noqa: E402
from plugins.pipeline.models import Activity, Customer, Deal  # noqa: E402


def stalled_and_overdue(reps: list[tuple[int, int]], open_stage: Stage) -> None:
    quiet = utcnow() - datetime.timedelta(days=30)
    owned = dict(Customer.select(Customer.owner, Customer.id).where(Customer.owner.in_([rep for _t, rep in reps])).tuples())
    insert(Deal, [{"name": f"Stalled {number}", "customer": owned[rep], "owner": rep, "amount": 10_000, "stage": open_stage.id,
                   "stage_entered_at": quiet, "last_activity_at": quiet, "created_at": quiet, "updated_at": quiet, "search_text": ""}
                  for _team, rep in reps for number in range(4)])
    insert(Activity, [{"kind": "call", "subject": "Call back", "owner": rep, "customer": owned[rep], "due_at": quiet,
                       "created_at": quiet, "updated_at": quiet, "search_text": ""} for _team, rep in reps for _n in range(3)])


def measure(url: str, instance: str, runs: int, suffix: str) -> None:
    app = migrated_app(url, instance)
    rng = random.Random(13)
    today = datetime.date.today()
    year = periods.containing("year", today)
    clients, numbering = {}, itertools.count(1)
    with app.test_request_context():
        ensure_defaults()
        won = Stage.select().join(Process).where(Process.key == "pipeline.sales", Stage.kind == "won").get()
        open_stage = (Stage.select().join(Process).where(Process.key == "pipeline.sales", Stage.kind == "open")
                      .order_by(Stage.position).first())
        company = Goal.create(metric="pipeline.won_revenue", target=10**8, period_kind="year", start=year.start, end=year.end).id
        teams = {}
        for size, first in ((3, 0), (10, 10), (30, 20)):
            reps = people(1, size, first)
            pipeline_year(reps, year, won, rng)
            goal_tree(reps, year, company)
            stalled_and_overdue(reps, open_stage)
            teams[size] = Team.get_by_id(reps[0][0])
    for size, team in teams.items():
        client = app.test_client()
        with app.app_context():
            email = Team.get_by_id(team.id).manager.email
        assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
        clients[size] = (client, team.id)

    def opening(size):
        client, team_id = clients[size]

        def open_one():
            # A new meeting each time, a week earlier than the last: its agenda is built over a full week.
            day = today - datetime.timedelta(days=7 * next(numbering))
            response = client.post(f"/team/teams/{team_id}/meetings", data={"day": day.isoformat()})
            assert response.status_code == 302, response.status_code

        return open_one

    figures = {"agenda_queries_at_3": query_count(opening(3)), "agenda_queries_at_30": query_count(opening(30)),
               "agenda_queries": query_count(opening(10))}
    figures["agenda_ms"] = median_ms(opening(10), runs)
    report(figures, suffix)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    on_every_database(measure, args.runs)


if __name__ == "__main__":
    main()
