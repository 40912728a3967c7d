"""Speed of the pipeline's board, a drag-and-drop move and the funnel.

    .venv/bin/python bench/board.py [--deals 2000] [--runs 15]

Builds, in a throw-away database, a team (a manager, three reps) with N deals spread over the 8
stages of the sales process (the board's 8 columns), each with 5 activities and a stage history
over the past year, then measures through real HTTP requests (Flask's test client, signed in as
the manager, who sees every deal) and prints one `name=value` line per figure, medians of the runs:

- board_ms: the full board page
- board_queries: SQL statements for it (and board_queries_at_200 with 200 deals)
- board_after_change_ms: the board right after a deal changed (with that one-row UPDATE): its
  column totals are counted and its cards read again; board_ms is a view in between, when both
  are remembered
- bare_board_ms: the same cards (name, customer, amount, owner, each column's count and total; as
  many per column as the board shows) from hand-written SQL through a bare Flask app and a Jinja
  template, in the same run (the two taking turns, so both see the machine alike), and
  board_vs_bare, the ratio of the two (issue 11's target: at most 2.5 at 1,000 deals)
- move_ms: one drag-and-drop move between two columns, with its history and hooks
- funnel_ms: the numbers page for the year (funnel, time in stage, losses, reps, forecast)

Runs on SQLite; also on PostgreSQL when SALESDECK_TEST_POSTGRES_URL is set (suffix `_postgres`).
Targets at 2,000 deals: board under 80 ms, move under 15 ms, funnel under 100 ms, and the same
query count at 200 and 2,000 deals.
"""
from __future__ import annotations

import argparse
import datetime
import random
import sys
from pathlib import Path

import flask
import jinja2

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


from common import median_ms, migrated_app, on_every_database, paired_median_ms, query_count, report  # noqa: E402

from core.auth import hash_password  # noqa: E402
from core.db import db, utcnow  # noqa: E402
from core.lowcode.models import Process, Stage, StageMove  # noqa: E402
from core.lowcode.processes import ensure_defaults  # noqa: E402
from core.models import MANAGER, REP, Team, User  # noqa: E402
from plugins.pipeline.models import Activity, Customer, Deal  # noqa: E402
from plugins.pipeline.views import CARDS_PER_COLUMN  # noqa: E402

PASSWORD = "bench-password-1"
KINDS = ["call", "call", "visit", "meeting", "email", "quote"]


def insert(model, rows: list[dict]) -> None:
    with db.atomic():
        for start in range(0, len(rows), 500):
            model.insert_many(rows[start:start + 500]).execute()


def add_deals(reps: list[int], stages: list[Stage], count: int, first: int, rng: random.Random) -> None:
    """`count` deals (numbered from `first`), their customers, activities and stage history."""
    now = utcnow()
    customers = [{"name": f"Customer {first + n} 有限公司", "normalized_name": f"customer{first + n}", "owner": reps[n % len(reps)],
                  "created_at": now, "updated_at": now, "search_text": f"customer {first + n}"} for n in range(count)]
    insert(Customer, customers)
    customer_ids = [c for (c,) in Customer.select(Customer.id).order_by(Customer.id.desc()).limit(count).tuples()][::-1]
    deals = []
    for n in range(count):
        stage = stages[n % len(stages)]
        entered = now - datetime.timedelta(days=rng.randint(1, 300))
        deals.append({"name": f"Deal {first + n}", "customer": customer_ids[n], "owner": reps[n % len(reps)],
                      "amount": rng.randint(1, 500) * 1000, "stage": stage.id, "rank": float(n), "stage_entered_at": entered,
                      "expected_close": (now + datetime.timedelta(days=rng.randint(-60, 240))).date(),
                      "closed_at": entered if stage.kind != "open" else None, "created_at": entered - datetime.timedelta(days=30),
                      "updated_at": entered, "search_text": f"deal {first + n}", "last_activity_at": entered})
    insert(Deal, deals)
    deal_ids = [d for (d,) in Deal.select(Deal.id).order_by(Deal.id.desc()).limit(count).tuples()][::-1]
    moves, activities = [], []
    for n, deal_id in enumerate(deal_ids):
        stage = stages[n % len(stages)]
        path = [s for s in stages if s.kind == "open" and s.position < stage.position] + [stage]
        started = deals[n]["created_at"]
        previous = None
        for step, target in enumerate(path):
            moves.append({"entity": "pipeline.deal", "record_id": deal_id, "from_stage": previous, "to_stage": target.id,
                          "user": deals[n]["owner"], "at": started + datetime.timedelta(days=3 * step)})
            previous = target.id
        for a in range(5):
            done = a < 4
            moment = started + datetime.timedelta(days=rng.randint(0, 60))
            activities.append({"kind": rng.choice(KINDS), "subject": f"Activity {a}", "deal": deal_id, "customer": customer_ids[n],
                               "owner": deals[n]["owner"], "done_at": moment if done else None,
                               "due_at": None if done else now + datetime.timedelta(days=rng.randint(-5, 10)),
                               "created_at": moment, "updated_at": moment, "search_text": ""})
    insert(StageMove, moves)
    insert(Activity, activities)


BARE_BOARD = jinja2.Environment(autoescape=True).from_string("""<!doctype html>
<html><head><meta charset="utf-8"><title>Board</title></head><body><div class="board">
{%- for stage, count, total, cards in columns %}
<section class="column"><h2>{{ stage }} <span>{{ count }}</span> <span>{{ "{:,.0f}".format(total) }}</span></h2>
{%- for deal_id, name, customer, amount, owner in cards %}
<article class="deal-card"><a href="/pipeline/deals/{{ deal_id }}">{{ name }}</a><p>{{ customer }}</p>
<p>{{ "{:,.0f}".format(amount) }}</p><p>{{ owner }}</p></article>
{%- endfor %}</section>
{%- endfor %}</div></body></html>""")


def bare_board(stages, manager_id: int):
    """The board's content as a bare Flask page would make it: hand-written SQL, one template."""
    bare = flask.Flask("bare")
    mark = db.obj.param
    scope = (f"d.deleted_at IS NULL AND (d.owner_id = {mark} OR d.owner_id IN "
             f"(SELECT u.id FROM core_user u JOIN core_team t ON u.team_id = t.id WHERE t.manager_id = {mark}))")

    @bare.route("/")
    def page():
        totals = {stage: (count, total) for stage, count, total in db.execute_sql(
            f"SELECT d.stage_id, COUNT(*), SUM(d.amount) FROM pipeline_deal d WHERE {scope} GROUP BY d.stage_id",
            (manager_id, manager_id))}
        columns = []
        for stage in stages:
            cards = list(db.execute_sql(
                f"SELECT d.id, d.name, c.name, d.amount, u.name FROM pipeline_deal d JOIN pipeline_customer c ON c.id = d.customer_id "
                f"JOIN core_user u ON u.id = d.owner_id WHERE d.stage_id = {mark} AND {scope} ORDER BY d.rank, d.id LIMIT {mark}",
                (stage.id, manager_id, manager_id, CARDS_PER_COLUMN)))
            count, total = totals.get(stage.id, (0, 0))
            columns.append((stage.label, count, float(total or 0), cards))
        return BARE_BOARD.render(columns=columns)

    client = bare.test_client()

    def get():
        response = client.get("/")
        assert response.status_code == 200 and "deal-card" in response.text

    return get


def measure(url: str, instance: str, deals: int, runs: int, suffix: str) -> None:
    app = migrated_app(url, instance)
    rng = random.Random(11)
    with app.test_request_context():
        hashed = hash_password(PASSWORD)
        manager = User.create(email="manager@bench.example.com", name="Manager", role=MANAGER, password_hash=hashed)
        team = Team.create(name="Bench", manager=manager)
        reps = [User.create(email=f"rep{n}@bench.example.com", name=f"Rep {n}", role=REP, team=team, password_hash=hashed).id
                for n in range(3)]
        ensure_defaults()
        stages = list(Stage.select().join(Process).where(Process.key == "pipeline.sales").order_by(Stage.position))
        add_deals(reps, stages, min(200, deals), 0, rng)
    client = app.test_client()
    assert client.post("/login", data={"email": "manager@bench.example.com", "password": PASSWORD}).status_code == 302
    year = utcnow().year

    def board():
        response = client.get("/pipeline/")
        assert response.status_code == 200 and "deal-card" in response.text

    figures = {"board_queries_at_200": query_count(board)}
    with app.test_request_context():
        add_deals(reps, stages, max(0, deals - 200), 200, rng)
    figures["board_queries"] = query_count(board)
    figures["board_ms"], figures["bare_board_ms"] = paired_median_ms(board, bare_board(stages, manager.id), runs)
    figures["board_vs_bare"] = round(figures["board_ms"] / figures["bare_board_ms"], 2)
    with app.app_context():
        touched = Deal.select(Deal.id).order_by(Deal.id).first().id

    def board_after_change():  # the column totals are counted again after any change to a deal
        with app.app_context():
            Deal.update(updated_at=utcnow()).where(Deal.id == touched).execute()
        board()

    figures["board_after_change_ms"] = median_ms(board_after_change, runs)  # includes the one-row UPDATE

    with app.app_context():
        first_contact, discovery = (s.id for s in stages if s.key in ("first_contact", "discovery"))
        moving = Deal.select(Deal.id).where(Deal.stage == first_contact).first().id
    places = iter([discovery, first_contact] * (runs + 2))

    def move():
        response = client.post("/pipeline/board/move", data={"deal": moving, "stage": next(places), "then": "event"},
                               headers={"HX-Request": "true"})
        assert response.status_code == 200 and response.headers.get("HX-Trigger") == "record-moved", response.status_code

    figures["move_ms"] = median_ms(move, runs)

    def funnel():
        response = client.get(f"/pipeline/numbers?from={year}-01-01&to={year}-12-31")
        assert response.status_code == 200 and "Funnel" in response.text

    figures["funnel_ms"] = median_ms(funnel, runs)
    figures["deals"] = deals
    report(figures, suffix)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deals", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    on_every_database(measure, args.deals, args.runs)


if __name__ == "__main__":
    main()
