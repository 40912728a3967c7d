"""The indexes the board and Sales numbers read from (pipeline migration 0004, core 0009) exist on
both databases and are the ones the queries use, so those pages cost the same at 100,000 deals."""
import pytest

from core.db import db, is_sqlite
from core.lowcode.entities import get_entity
from core.lowcode.models import Process, Stage, StageMove
from core.lowcode.processes import ensure_defaults
from plugins.pipeline.models import Customer, Deal
from plugins.pipeline.views import first_cards

INDEXES = {"pipeline_deal_board", "pipeline_deal_scope", "pipeline_deal_forecast", "pipeline_deal_closed", "pipeline_deal_health",
           "pipeline_customer_health", "pipeline_customer_name_key", "pipeline_customer_phone_key_live", "pipeline_deal_created",
           "pipeline_customer_created",
           "core_stage_move_entity_left_at_to_stage_id_record_id_at", "core_stage_move_entity_at_to_stage_id_record_id"}


def settle_deals() -> None:
    """Planner statistics, and on PostgreSQL the visibility map index-only reads need, as autovacuum
    leaves a table in use (not as it happened to be when the test began)."""
    db.execute_sql("ANALYZE" if is_sqlite() else "VACUUM ANALYZE pipeline_deal")


def index_names() -> set:
    if is_sqlite():
        return {name for (name,) in db.execute_sql("SELECT name FROM sqlite_master WHERE type = 'index'")}
    return {name for (name,) in db.execute_sql("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")}


def plan(query) -> str:
    sql, params = query.sql()
    if is_sqlite():
        return " ".join(row[-1] for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params))
    # A test's few thousand rows are cheaper read whole or sorted: ask which index can serve the query
    # as it will at 100,000 deals.
    switches = ("enable_seqscan", "enable_bitmapscan", "enable_sort")
    for switch in switches:
        db.execute_sql(f"SET {switch} = off")
    try:
        return " ".join(row[0] for row in db.execute_sql("EXPLAIN " + sql, params))
    finally:
        for switch in switches:
            db.execute_sql(f"SET {switch} = on")


def test_the_report_indexes_exist_on_both_databases(app):
    with app.app_context():
        assert INDEXES <= index_names()


@pytest.mark.parametrize("role", ["admin", "manager"])
def test_the_board_reads_each_column_from_its_index(app, people, role):
    with app.test_request_context():
        from flask_login import login_user

        login_user(getattr(people, role))
        ensure_defaults()
        stages = list(Stage.select().join(Process).where(Process.key == "pipeline.sales"))
        customer = Customer.create(name="Acme", owner=people.rep.id, search_text="acme")
        owners = [people.rep.id, people.colleague.id, people.outsider.id]
        Deal.insert_many([{"name": f"Deal {n}", "customer": customer.id, "owner": owners[n % 3], "stage": stages[n % len(stages)].id,
                           "rank": float(n), "search_text": ""} for n in range(3000)]).execute()
        settle_deals()  # a board with some history: the planner weighs the indexes as it will then
        deals = get_entity("pipeline.deal").visible()
        assert "pipeline_deal_board" in plan(Deal.select(Deal.id).where(Deal.id.in_(first_cards(deals, stages))))


def test_data_health_counts_a_check_per_owner_from_its_index(app, people):
    """Data health's "won without an amount", counted per owner as the page asks it (within the row
    scope), is read from the narrow index, not from the deals' rows (pipeline migration 0006)."""
    from core.lowcode.reports import Grouping
    from core.lowcode.reports import run as run_report

    with app.test_request_context():
        from flask_login import login_user

        login_user(people.manager)
        ensure_defaults()
        stages = list(Stage.select().join(Process).where(Process.key == "pipeline.sales"))
        customer = Customer.create(name="Acme", owner=people.rep.id, search_text="acme")
        owners = [people.rep.id, people.colleague.id, people.outsider.id]
        Deal.insert_many([{"name": f"Deal {n}", "customer": customer.id, "owner": owners[n % 3], "stage": stages[n % len(stages)].id,
                           "amount": n % 2, "rank": float(n), "search_text": "", "custom": {"note": "x" * 200}}
                          for n in range(3000)]).execute()
        settle_deals()
        captured = []
        original = db.obj.execute_sql if hasattr(db, "obj") else db.execute_sql

        def capture(sql, params=None, *args, **kwargs):
            if "GROUP BY" in sql and "pipeline_deal" in sql:
                captured.append((sql, params))
            return original(sql, params, *args, **kwargs)

        target = db.obj if hasattr(db, "obj") else db
        target.execute_sql = capture
        try:
            run_report(get_entity("pipeline.deal"), people.manager, [("stage", "won", ""), ("amount", "eq", "0")], [Grouping("owner")])
        finally:
            del target.execute_sql
        sql, params = captured[0]
        switches = ("enable_seqscan", "enable_bitmapscan")  # PostgreSQL: as it weighs 100,000 deals, not 3,000
        if is_sqlite():
            explained = " ".join(row[-1] for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params))
        else:
            for switch in switches:
                db.execute_sql(f"SET {switch} = off")
            try:
                explained = " ".join(row[0] for row in db.execute_sql("EXPLAIN " + sql, params))
            finally:
                for switch in switches:
                    db.execute_sql(f"SET {switch} = on")
        # SQLite walks the health index in owner order; PostgreSQL reads the live deals of the won
        # stages from the board's partial index (stage, ..., owner, amount), which covers it too.
        assert ("COVERING INDEX pipeline_deal_health" if is_sqlite() else "Index Only Scan") in explained, explained


def test_time_in_stage_reads_the_stays_ended_in_a_period_from_their_index(app):
    import datetime

    with app.test_request_context():
        ensure_defaults()
        stage = Stage.select().first()
        start = datetime.datetime(2020, 1, 1)
        StageMove.insert_many([{"entity": "pipeline.deal", "record_id": n, "to_stage": stage.id, "at": start + datetime.timedelta(days=n),
                                "left_at": start + datetime.timedelta(days=n + 3)} for n in range(2000)]).execute()
        settle_deals()
        query = (StageMove.select(StageMove.to_stage, StageMove.at)
                 .where(StageMove.entity == "pipeline.deal", StageMove.left_at >= "2026-01-01", StageMove.left_at < "2027-01-01"))
        assert "core_stage_move_entity_left_at_to_stage_id_record_id_at" in plan(query)
