"""Speed of the goal tree and of a team's review.

    .venv/bin/python bench/goals.py [--reps 50] [--teams 5] [--runs 15]

Builds, in a throw-away database, N reps in T teams (each with a manager), a year of pipeline data
(won deals and calls every week for every rep), and goals: a company goal for the year, a goal for
each team shared out to its reps, each rep's year in 12 monthly revenue goals plus their weekly
children, and a monthly calls goal per rep. Measures through real HTTP requests (Flask's test
client) and prints one `name=value` line per figure, medians of the runs:

- goal_tree_ms: the company's goal tree for the year, progress on every node, as an admin
- goal_tree_queries: SQL statements for it (goal_tree_queries_at_5 with 5 reps)
- review_ms: a team's monthly review, as its manager

Runs on SQLite; also on PostgreSQL when SALESDECK_TEST_POSTGRES_URL is set (suffix `_postgres`).
Target: the tree under 150 ms, and the same number of queries for 5 and 50 reps.
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
from core.db import db  # noqa: E402
from core.lowcode.models import Process, Stage  # noqa: E402
from core.lowcode.processes import ensure_defaults  # noqa: E402
from core.models import ADMIN, MANAGER, REP, Team, User  # noqa: E402
from plugins.goals import periods  # noqa: E402
from plugins.goals.models import Goal  # noqa: E402
from plugins.goals.split import apportion  # noqa: E402
from plugins.pipeline.models import Activity, Customer, Deal  # noqa: E402

PASSWORD = "bench-password-1"


def insert(model, rows: list[dict]) -> None:
    with db.atomic():
        for start in range(0, len(rows), 500):
            model.insert_many(rows[start:start + 500]).execute()


def people(teams: int, reps: int, first: int) -> list[tuple[int, int]]:
    """Teams and reps numbered from `first`: [(team id, rep id)]."""
    hashed = hash_password(PASSWORD)
    made = []
    per_team = max(1, reps // teams)
    for number in range(teams):
        manager = User.create(email=f"m{first + number}@bench.example.com", name=f"Manager {first + number}", role=MANAGER,
                              password_hash=hashed)
        team = Team.create(name=f"Team {first + number}", manager=manager)
        User.update(team=team).where(User.id == manager.id).execute()
        for rep in range(per_team):
            person = User.create(email=f"r{first + number}-{rep}@bench.example.com", name=f"Rep {first + number}-{rep}",
                                 role=REP, team=team, password_hash=hashed)
            made.append((team.id, person.id))
    return made


def pipeline_year(reps: list[tuple[int, int]], year: periods.Period, won: Stage, rng: random.Random) -> None:
    """For each rep: a won deal and five calls every week of the year."""
    customers, deals, calls = [], [], []
    for _team, rep in reps:
        customers.append({"name": f"Customer of {rep}", "owner": rep, "created_at": datetime.datetime.combine(year.start, datetime.time(9)),
                          "updated_at": datetime.datetime.combine(year.start, datetime.time(9)), "search_text": ""})
    insert(Customer, customers)
    owned = dict(Customer.select(Customer.owner, Customer.id).where(Customer.owner.in_([rep for _t, rep in reps])).tuples())
    for _team, rep in reps:
        for week in periods.children(year, "week"):
            moment = datetime.datetime.combine(week.start, datetime.time(11))
            deals.append({"name": "Deal", "customer": owned[rep], "owner": rep, "amount": rng.randint(1, 50) * 1000, "stage": won.id,
                          "closed_at": moment, "stage_entered_at": moment, "created_at": moment, "updated_at": moment, "search_text": ""})
            calls += [{"kind": "call", "subject": "Call", "owner": rep, "done_at": moment, "created_at": moment, "updated_at": moment,
                       "search_text": ""} for _call in range(5)]
    insert(Deal, deals)
    insert(Activity, calls)


def goal_tree(reps: list[tuple[int, int]], year: periods.Period, company: int) -> None:
    """A goal per team under the company's, shared to its reps; each rep's year in months and weeks."""
    by_team: dict[int, list[int]] = {}
    for team, rep in reps:
        by_team.setdefault(team, []).append(rep)
    months = periods.children(year, "month")
    for team, members in by_team.items():
        team_goal = Goal.create(owner_team=team, metric="pipeline.won_revenue", target=1_000_000 * len(members), period_kind="year",
                                start=year.start, end=year.end, parent=company)
        rows = []
        for rep in members:
            rep_year = Goal.create(owner_user=rep, metric="pipeline.won_revenue", target=1_000_000, period_kind="year",
                                   start=year.start, end=year.end, parent=team_goal.id)
            for month, amount in zip(months, apportion(1_000_000, [1] * 12)):
                month_goal = Goal.create(owner_user=rep, metric="pipeline.won_revenue", target=amount, period_kind="month",
                                         start=month.start, end=month.end, parent=rep_year.id)
                weeks = periods.children(month, "week")
                rows += [{"owner_user": rep, "metric": "pipeline.won_revenue", "target": part, "period_kind": "week",
                          "start": week.start, "end": week.end, "parent": month_goal.id, "created_at": datetime.datetime.now()}
                         for week, part in zip(weeks, apportion(amount, [week.days for week in weeks]))]
                rows.append({"owner_user": rep, "metric": "pipeline.calls", "target": 100, "period_kind": "month",
                             "start": month.start, "end": month.end, "created_at": datetime.datetime.now()})
        insert(Goal, rows)


def measure(url: str, instance: str, reps: int, teams: int, runs: int, suffix: str) -> None:
    app = migrated_app(url, instance)
    rng = random.Random(5)
    today = datetime.date.today()
    year = periods.containing("year", today)
    with app.test_request_context():
        User.create(email="admin@bench.example.com", name="Admin", role=ADMIN, password_hash=hash_password(PASSWORD))
        ensure_defaults()
        won = Stage.select().join(Process).where(Process.key == "pipeline.sales", Stage.kind == "won").get()
        company = Goal.create(metric="pipeline.won_revenue", target=10**8, period_kind="year", start=year.start, end=year.end).id
        few = people(min(teams, 5), 5, 0)
        pipeline_year(few, year, won, rng)
        goal_tree(few, year, company)
    admin = app.test_client()
    assert admin.post("/login", data={"email": "admin@bench.example.com", "password": PASSWORD}).status_code == 302
    tree_url = f"/goals/?period=year:{year.start.isoformat()}"

    def tree():
        response = admin.get(tree_url)
        assert response.status_code == 200 and "goal-node" in response.text

    figures = {"goal_tree_queries_at_5": query_count(tree)}
    with app.test_request_context():
        more = people(teams, max(0, reps - 5), 100)
        pipeline_year(more, year, won, rng)
        goal_tree(more, year, company)
        nodes = Goal.select().count()
        manager = Team.get(Team.name == "Team 100").manager
    figures["goal_tree_queries"] = query_count(tree)
    figures["goal_tree_ms"] = median_ms(tree, runs)
    lead = app.test_client()
    assert lead.post("/login", data={"email": manager.email, "password": PASSWORD}).status_code == 302
    with app.app_context():
        team_id = Team.get(Team.name == "Team 100").id
    month = periods.containing("month", today)
    review_url = f"/goals/reviews/write?owner=team:{team_id}&period=month:{month.start.isoformat()}"

    def review():
        response = lead.get(review_url)
        assert response.status_code == 200 and "review-table" in response.text

    figures["review_ms"] = median_ms(review, runs)
    figures["reps"] = reps
    figures["goals"] = nodes
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
