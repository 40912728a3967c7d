"""Speed of a month's commission statements.

    .venv-test/bin/python bench/incentives.py [--reps 50] [--teams 5] [--runs 15]

Builds, in a throw-away database, N reps in T teams, a year of won deals (one a week per rep) and
each rep's monthly revenue goal (bench/goals.py's data), and a monthly plan on won revenue with
three tiers of goal attainment, a bonus and a cap, paying every rep; three earlier months are
approved, so each statement also checks them for corrections. Through real HTTP requests (Flask's
test client, as an admin who sees everyone) it prints one `name=value` line per figure:

- statements_ms: the last month's statements page for every rep (computed live), median of the runs
- statements_queries: SQL statements for it with N reps; statements_queries_at_5 with 5
- statement_ms: one rep's statement, explained line by line with the deals behind it
- leaderboard_ms: a team of 10 ranked by won revenue over the quarter

Runs on SQLite; also on PostgreSQL when SALESDECK_TEST_POSTGRES_URL is set (suffix `_postgres`).
Target (issue 12): statements for 50 reps < 300 ms, the same number of queries for 5 and 50 reps, the
leaderboard < 50 ms.
"""
from __future__ import annotations

import argparse
import datetime
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import median_ms, migrated_app, on_every_database, query_count, report  # noqa: E402
from goals import PASSWORD, goal_tree, people, pipeline_year  # noqa: E402

from core.auth import hash_password  # noqa: E402
from core.lowcode.models import Process, Stage  # noqa: E402
from core.lowcode.processes import ensure_defaults  # noqa: E402
from core.models import ADMIN, REP, User  # noqa: E402
from plugins.goals import periods  # noqa: E402
from plugins.goals.models import Goal  # noqa: E402
from plugins.incentives import services  # noqa: E402
from plugins.incentives.models import Plan  # noqa: E402

PLAN = {"name": "Monthly commission", "labels": {}, "metric": "pipeline.won_revenue", "period": "month",
        "starts": datetime.date(2000, 1, 1), "ends": None, "on_goal": True, "mode": "marginal", "currency": "CNY",
        "cap": "50000", "floor": "", "priority": "0", "teams": [], "users": [],
        "tiers": [("0", "0"), ("80", "3"), ("100", "5")], "bonuses": [("120", "2000")]}


def measure(url: str, instance: str, reps: int, teams: int, runs: int, suffix: str) -> None:
    app = migrated_app(url, instance)
    rng = random.Random(12)
    today = datetime.date.today()
    year = periods.containing("year", today)
    last = services.period_of("month", services.period_of("month", today)[0] - datetime.timedelta(days=1))
    key = services.period_key("month", last[0])
    with app.test_request_context():
        admin = User.create(email="admin@bench.example.com", name="Admin", role=ADMIN, password_hash=hash_password(PASSWORD))
        ensure_defaults()
        won = Stage.select().join(Process).where(Process.key == "pipeline.sales", Stage.kind == "won").get()
        company = Goal.create(metric="pipeline.won_revenue", target=10**8, period_kind="year", start=year.start, end=year.end).id
        few = people(min(teams, 5), 5, 0)
        pipeline_year(few, year, won, rng)
        goal_tree(few, year, company)
        plan = services.save_plan(None, {**PLAN, "roles": [REP]}, admin)
        earlier = [services.period_of("month", last[0] - datetime.timedelta(days=31 * n)) for n in (3, 2, 1)]

        def approve_earlier():
            for start, end in earlier:
                for person in services.people_paid(plan):
                    services.approve(plan, start, end, person, admin)

        approve_earlier()
    client = app.test_client()
    assert client.post("/login", data={"email": "admin@bench.example.com", "password": PASSWORD}).status_code == 302

    def statements():
        response = client.get(f"/incentives/plans/{plan.id}/{key}")
        assert response.status_code == 200 and "Rep " in response.text, response.status_code

    figures = {"statements_queries_at_5": query_count(statements)}
    with app.test_request_context():
        more = people(teams, max(0, reps - 5), 100)
        pipeline_year(more, year, won, rng)
        goal_tree(more, year, company)
        plan = Plan.get_by_id(plan.id)
        approve_earlier()
        rep = services.people_paid(plan)[0]
        team = rep.team_id
        paid = len(services.people_paid(plan))
    figures["statements_queries"] = query_count(statements)
    figures["statements_ms"] = median_ms(statements, runs)

    def one():
        response = client.get(f"/incentives/plans/{plan.id}/{key}/{rep.id}")
        assert response.status_code == 200, response.status_code

    figures["statement_ms"] = median_ms(one, runs)

    def board():
        response = client.get(f"/incentives/leaderboard?team={team}&metric=pipeline.won_revenue&period=quarter")
        assert response.status_code == 200 and "leaderboard" in response.text, response.status_code

    figures["leaderboard_ms"] = median_ms(board, runs)
    figures["reps"] = paid
    report(figures, suffix)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=50)
    parser.add_argument("--teams", type=int, default=5)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    on_every_database(measure, args.reps, args.teams, args.runs)


if __name__ == "__main__":
    main()
