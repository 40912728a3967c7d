"""Speed at scale: a team with years of deals, each with 30 custom fields filled.

    .venv-test/bin/python bench/scale.py [--deals 100000] [--at 10000] [--runs 20]

Builds, in a throw-away database, a manager and five reps, 30 custom fields on the deal form, then
`--at` deals (query counts are taken there) and up to `--deals` deals. Each deal has a customer,
3 activities and its stage history. Rows are written with straight `insert_many` batches, not
through the records service: the benchmark measures reading and one create, not the loading. After
the load it runs ANALYZE (VACUUM ANALYZE on PostgreSQL), as autovacuum or SQLite's `PRAGMA optimize`
on close would have by the time someone opens a report.
Through real HTTP requests (Flask's test client, signed in as the manager, who sees every deal) it
prints one `name=value` line per figure:

- `<page>_p50_ms`, `<page>_p95_ms`: the median and 95th percentile of `--runs` requests, for
  board, deal_list, list_sorted (on a custom select), list_filtered (on it), list_searched,
  numbers (Sales numbers with all its charts: since issue 11 they are drawn into the page; before,
  each chart was a request of its own that this figure left out), goals (the goal tree), my_day
- `<page>_queries` at `--deals` and `<page>_queries_at_<at>` at `--at` deals
- `create_ms`: a deal created through the form (median), `add_field_ms`: a field added in the designer
  (between runs, the "saved" message each leaves is taken off the session, as the page a browser
  goes to next does: otherwise the session cookie grew with every run, and so did the figure)
- `index_field_ms`: marking a number field "Indexed" once the table is full (the index is built then)
- `board_after_change_p50_ms`, `numbers_after_change_p50_ms`: the board and Sales numbers right
  after a deal changed (their totals, and the board's cards, are read once and remembered until a
  deal, a stage move or who sees what changes: the p50/p95 above are views in between, these are
  the first view after)

The select field the lists sort and filter on is marked "Indexed" before the load, as an admin
would mark the fields a team filters on (core/lowcode/indexes.py).

Runs on SQLite; also on PostgreSQL when SALESDECK_TEST_POSTGRES_URL is set (suffix `_postgres`).
Targets (issue 11): every page p95 < 150 ms, numbers p95 < 300 ms, create < 10 ms, adding a field
< 10 ms, the same query count at 10,000 and 100,000 deals.
"""
from __future__ import annotations

import argparse
import datetime
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import migrated_app, on_every_database, query_count, report  # noqa: E402
from lowcode import custom_fields, value_for  # noqa: E402

from core.auth import hash_password  # noqa: E402
from core.db import db, is_sqlite, utcnow  # noqa: E402
from core.lowcode import definitions  # noqa: E402
from core.lowcode.entities import get_entity  # noqa: E402
from core.lowcode.models import Process, Stage, StageMove  # noqa: E402
from core.lowcode.processes import ensure_defaults  # noqa: E402
from core.models import ADMIN, MANAGER, REP, Team, User  # noqa: E402
from plugins.pipeline.models import Activity, Customer, Deal, DealLine, Product  # noqa: E402

PASSWORD = "bench-password-1"
KINDS = ["call", "call", "visit", "meeting", "email", "quote"]
BATCH = 1000


def insert(model, rows: list[dict]) -> None:
    with db.atomic():
        for start in range(0, len(rows), BATCH):
            model.insert_many(rows[start:start + BATCH]).execute()


def last_ids(model, count: int) -> list[int]:
    return [row_id for (row_id,) in model.select(model.id).order_by(model.id.desc()).limit(count).tuples()][::-1]


def products() -> list[int]:
    """Forty products in eight groups, made once."""
    if not Product.select().exists():
        insert(Product, [{"name": f"Product {n}", "category": f"Group {n % 8}", "list_price": 1000 * (n + 1), "search_text": ""}
                         for n in range(40)])
    return [row_id for (row_id,) in Product.select(Product.id).order_by(Product.id).tuples()]


def add_deals(reps: list[int], stages: list[Stage], specs: list, count: int, first: int, rng: random.Random,
              activities_per_deal: int = 3) -> None:
    """`count` deals numbered from `first` (each with a customer, a product line, its stage history
    and `activities_per_deal` activities), in chunks so memory stays flat at 100,000."""
    now = utcnow()
    catalogue = products()
    for chunk in range(0, count, 5000):
        size = min(5000, count - chunk)
        number = first + chunk
        insert(Customer, [{"name": f"Customer {number + n} 有限公司", "normalized_name": f"customer{number + n}",
                           "owner": reps[n % len(reps)], "created_at": now, "updated_at": now,
                           "search_text": f"customer {number + n}"} for n in range(size)])
        customers = last_ids(Customer, size)
        deals = []
        for n in range(size):
            stage = stages[(number + n) % len(stages)]
            entered = now - datetime.timedelta(days=rng.randint(1, 1000))
            deals.append({"name": f"Deal {number + n}", "customer": customers[n], "owner": reps[n % len(reps)],
                          "amount": rng.randint(1, 500) * 1000, "stage": stage.id, "rank": float(n), "stage_entered_at": entered,
                          "expected_close": (now + datetime.timedelta(days=rng.randint(-400, 240))).date(),
                          "closed_at": entered if stage.kind != "open" else None,
                          "created_at": entered - datetime.timedelta(days=30), "updated_at": entered,
                          "search_text": f"deal {number + n} customer {number + n}", "last_activity_at": entered,
                          "custom": {spec.key: value_for(spec, rng) for spec in specs}})
        insert(Deal, deals)
        moves, activities, lines = [], [], []
        for n, deal_id in enumerate(last_ids(Deal, size)):
            deal = deals[n]
            stage = stages[(number + n) % len(stages)]
            previous = None
            for step, target in enumerate([s for s in stages if s.kind == "open" and s.position < stage.position] + [stage]):
                moves.append({"entity": "pipeline.deal", "record_id": deal_id, "from_stage": previous, "to_stage": target.id,
                              "user": deal["owner"], "at": deal["created_at"] + datetime.timedelta(days=3 * step)})
                previous = target.id
            lines.append({"deal": deal_id, "product": catalogue[(number + n) % len(catalogue)], "quantity": 1 + n % 5,
                          "unit_price": deal["amount"] // (1 + n % 5)})
            for a in range(activities_per_deal):
                done = a < activities_per_deal - 1
                moment = deal["created_at"] + datetime.timedelta(days=rng.randint(0, 60))
                activities.append({"kind": rng.choice(KINDS), "subject": f"Activity {a}", "deal": deal_id,
                                   "customer": deal["customer"], "owner": deal["owner"], "done_at": moment if done else None,
                                   "due_at": None if done else now + datetime.timedelta(days=rng.randint(-5, 10)),
                                   "created_at": moment, "updated_at": moment, "search_text": ""})
        insert(StageMove, moves)
        insert(Activity, activities)
        insert(DealLine, lines)


def index_field(admin, key: str) -> None:
    """What the designer's "Indexed" box does: the field's index, made by the low-code layer."""
    schema = get_entity("pipeline.deal")
    definitions.set_indexed(schema, schema.field(key).definition, True, admin)


def settle() -> None:
    """After loading rows in bulk, bring the planner's statistics (and PostgreSQL's visibility map,
    which index-only scans read) to what a database in use has: autovacuum, or SQLite's `PRAGMA
    optimize` on each connection's close, would have done it by the time anyone opens a report."""
    db.execute_sql("ANALYZE" if is_sqlite() else "VACUUM ANALYZE")


def percentiles(action, runs: int, between=None) -> tuple[float, float]:
    """(p50, p95) of `runs` calls in milliseconds, after one call that warms the caches; `between`,
    if given, runs after each call, untimed."""
    action()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
        if between:
            between()
    times.sort()
    return round(times[len(times) // 2], 1), round(times[min(len(times) - 1, int(len(times) * 0.95))], 1)


def setup(app):
    """The bench's team (an admin, a manager, five reps), the default process and 30 custom fields
    on the deal form, the select field marked "Indexed": (admin, rep ids, stages, field specs, the select's key)."""
    with app.test_request_context():
        hashed = hash_password(PASSWORD)
        admin = User.create(email="admin@bench.example.com", name="Admin", role=ADMIN, password_hash=hashed)
        manager = User.create(email="manager@bench.example.com", name="Manager", role=MANAGER, password_hash=hashed)
        team = Team.create(name="Bench", manager=manager)
        reps = [User.create(email=f"rep{n}@bench.example.com", name=f"Rep {n}", role=REP, team=team, password_hash=hashed).id
                for n in range(5)]
        ensure_defaults()
        stages = list(Stage.select().join(Process).where(Process.key == "pipeline.sales").order_by(Stage.position))
        for field in custom_fields(30):
            definitions.add_field(get_entity("pipeline.deal"), {"required": False, "unique": False, "hidden": False, **field}, admin)
        specs = [spec for spec in get_entity("pipeline.deal").custom_fields if not spec.archived]
        level = next(spec.key for spec in specs if spec.type.key == "select")
        index_field(admin, level)  # the admin marks the field the lists filter and sort on "Indexed"
    return admin, reps, stages, specs, level


def signed_in(app, email: str = "manager@bench.example.com"):
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return client


def measure(url: str, instance: str, deals: int, at: int, runs: int, suffix: str) -> None:
    app = migrated_app(url, instance)
    rng = random.Random(100)
    admin, reps, stages, specs, level = setup(app)
    client = signed_in(app)

    def page(path: str, expect: str):
        def get():
            response = client.get(path)
            assert response.status_code == 200 and expect in response.text, (path, response.status_code)
        return get

    pages = {
        "board": page("/pipeline/", "deal-card"),
        "deal_list": page("/records/pipeline.deal/", "records"),
        "list_sorted": page(f"/records/pipeline.deal/?sort=-{level}", "records"),
        "list_filtered": page(f"/records/pipeline.deal/?fk={level}&fo=is&fv=b", "records"),
        "list_searched": page("/records/pipeline.deal/?q=deal+77", "records"),
        "numbers": page("/pipeline/numbers", "Funnel"),
        "goals": page("/goals/", "<main"),
        "my_day": page("/timemgmt/", "<main"),
    }
    with app.test_request_context():
        add_deals(reps, stages, specs, min(at, deals), 0, rng)
    figures = {f"{name}_queries_at_{at}": query_count(get) for name, get in pages.items()}
    with app.test_request_context():
        add_deals(reps, stages, specs, max(0, deals - at), at, rng)
        settle()
    with app.test_request_context():  # marking a second field "Indexed" once the table is full
        started = time.perf_counter()
        index_field(admin, next(spec.key for spec in specs if spec.type.key == "decimal"))
        figures["index_field_ms"] = round((time.perf_counter() - started) * 1000, 1)
    for name, get in pages.items():
        figures[f"{name}_queries"] = query_count(get)
        figures[f"{name}_p50_ms"], figures[f"{name}_p95_ms"] = percentiles(get, runs)
    with app.app_context():
        touched = Deal.select(Deal.id).order_by(Deal.id).first().id

    def changed_first(get):
        """The page right after a deal changed: what it remembers is counted again."""
        def run():
            with app.app_context():
                Deal.update(updated_at=utcnow()).where(Deal.id == touched).execute()
            started = time.perf_counter()
            get()
            return (time.perf_counter() - started) * 1000
        return run

    for name in ("board", "numbers"):
        run = changed_first(pages[name])
        run()
        times = sorted(run() for _ in range(max(5, runs // 2)))
        figures[f"{name}_after_change_p50_ms"] = round(times[len(times) // 2], 1)

    counter = iter(range(10**6))
    with app.app_context():  # the newest: the form offers the most recent customers
        customer_id = Customer.select(Customer.id).order_by(Customer.id.desc()).scalar()

    def create():
        response = client.post("/records/pipeline.deal/new", data={"name": f"New {next(counter)}", "customer": customer_id,
                                                                   "amount": "1000", "currency": "CNY"})
        assert response.status_code == 302, (response.status_code, [line for line in response.text.splitlines() if "error" in line][:5])

    def add_field():
        response = client.post("/admin/entities/pipeline.deal/fields/new", data={"type": "integer", "label": f"Added {next(counter)}"})
        assert response.status_code == 302, response.status_code

    def read_messages():  # as the page a browser goes to next would: "… is saved" is not carried to the next post
        with client.session_transaction() as session:
            session.pop("_flashes", None)

    figures["create_ms"] = percentiles(create, runs, read_messages)[0]
    assert client.post("/logout").status_code in (302, 200)
    assert client.post("/login", data={"email": "admin@bench.example.com", "password": PASSWORD}).status_code == 302
    figures["add_field_ms"] = percentiles(add_field, min(runs, 10), read_messages)[0]
    figures["deals"] = deals
    report(figures, suffix)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deals", type=int, default=100_000)
    parser.add_argument("--at", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    on_every_database(measure, args.deals, args.at, args.runs)


if __name__ == "__main__":
    main()
