"""Each stage move keeps when its stay ended (`left_at`), as moves happen, so time in stage is read
from an indexed column; history written directly is closed with `close_stays`, and the migration
filled in the moves made before."""
import datetime
import importlib

from core.db import db, utcnow
from core.lowcode import records
from core.lowcode.entities import get_entity
from core.lowcode.models import Process, Stage, StageMove
from core.lowcode.processes import close_stays, ensure_defaults, merge, move
from core.testing import statements_of

DEAL = "pipeline.deal"


def stages(app) -> dict:
    with app.test_request_context():
        ensure_defaults()
        return {stage.key: stage for stage in Stage.select().join(Process).where(Process.key == "pipeline.sales")}


def new_deal(app, owner, name="Deal") -> int:
    with app.test_request_context():
        customer, _ = records.save(get_entity("pipeline.customer"), owner, {"name": f"{name} customer"})
        deal, _ = records.save(get_entity(DEAL), owner, {"name": name, "customer": customer.id, "amount": 10})
        return deal.id


def stays(app, deal_id) -> list[tuple]:
    with app.app_context():
        return [(move.to_stage.key, move.at, move.left_at)
                for move in StageMove.select().where(StageMove.entity == DEAL, StageMove.record_id == deal_id).order_by(StageMove.id)]


def test_a_move_ends_the_stay_it_leaves_and_only_that_one(app, people):
    by_key = stages(app)
    keys = [stage.key for stage in sorted(by_key.values(), key=lambda s: s.position) if stage.kind == "open"]
    deal_id, other = new_deal(app, people.rep), new_deal(app, people.rep, "Other")
    with app.test_request_context():
        schema = get_entity(DEAL)
        assert move(schema, schema.model.get_by_id(deal_id), by_key[keys[1]], people.admin).status == "moved"
        assert move(schema, schema.model.get_by_id(deal_id), by_key[keys[2]], people.admin).status == "moved"
    path = stays(app, deal_id)
    assert [key for key, _at, _left in path] == keys[:3]
    assert path[0][2] == path[1][1] and path[1][2] == path[2][1] and path[2][2] is None
    assert stays(app, other)[0][2] is None  # another deal's stay is not touched


def test_a_merged_stage_ends_the_stays_of_every_record_in_it(app, people):
    by_key = stages(app)
    ordered = sorted((s for s in by_key.values() if s.kind == "open"), key=lambda s: s.position)
    deals = [new_deal(app, people.rep, f"D{n}") for n in range(3)]
    with app.test_request_context():
        merge(Stage.get_by_id(ordered[0].id), Stage.get_by_id(ordered[1].id), people.admin)
    for deal_id in deals:
        first, second = stays(app, deal_id)
        assert first[2] == second[1] and second[0] == ordered[1].key and second[2] is None


def test_close_stays_and_the_migration_read_history_written_with_its_own_times(app, people):
    by_key = stages(app)
    ordered = sorted((s for s in by_key.values() if s.kind == "open"), key=lambda s: s.position)
    deal_id = new_deal(app, people.rep)
    start = datetime.datetime(2026, 3, 1, 9)
    with app.app_context():
        StageMove.delete().where(StageMove.entity == DEAL, StageMove.record_id == deal_id).execute()
        for step, stage in enumerate(ordered[:3]):  # written out of order, two at the same moment
            when = start + datetime.timedelta(days=[0, 4, 4][step])
            StageMove.create(entity=DEAL, record_id=deal_id, to_stage=stage, at=when)
        close_stays(DEAL, [deal_id])
    expected = [start + datetime.timedelta(days=4), start + datetime.timedelta(days=4), None]
    assert [left for _key, _at, left in stays(app, deal_id)] == expected
    with app.app_context():  # the migration's statement gives the same for history made before it
        StageMove.update(left_at=None).execute()
        db.execute_sql(importlib.import_module("core.migrations.0009_stage_stays").CLOSE_STAYS)
    assert [left for _key, _at, left in stays(app, deal_id)] == expected


def test_a_new_record_is_inserted_in_its_first_stage_and_its_first_stay_written_alone(app, people):
    """A create writes the stage in the record's INSERT (formulas see it) and the first move with
    nothing to close: no UPDATE of the record's stage, none of the stay history."""
    first = min((s for s in stages(app).values() if s.kind == "open"), key=lambda s: s.position)
    created = []
    sent = [sql for sql, _params in statements_of(lambda: created.append(new_deal(app, people.rep)))]
    (deal_id,) = created
    inserted = next(sql for sql in sent if sql.startswith('INSERT INTO "pipeline_deal"'))
    assert '"stage_id"' in inserted
    # nor of when the deal entered it (the pipeline's on_stage_changed): the INSERT says so already
    assert not [sql for sql in sent if sql.startswith(('UPDATE "core_stage_move"', 'UPDATE "pipeline_deal"'))]
    with app.app_context():
        deal = get_entity(DEAL).model.get_by_id(deal_id)
        assert deal.stage_id == first.id and deal.closed_at is None
        assert abs(deal.stage_entered_at - stays(app, deal_id)[0][1]) < datetime.timedelta(seconds=1)
    assert stays(app, deal_id) == [(first.key, stays(app, deal_id)[0][1], None)]


def test_a_deal_that_had_no_stage_starts_its_time_in_stage_when_it_enters_one(app, people):
    """A deal made before its process (no stage yet) entering one is a move like any other: its
    time in stage starts then, not when it was made."""
    by_key = stages(app)
    deal_id = new_deal(app, people.rep)
    long_ago = utcnow() - datetime.timedelta(days=300)
    with app.app_context():
        get_entity(DEAL).model.update(stage=None, stage_entered_at=long_ago).where(get_entity(DEAL).model.id == deal_id).execute()
    with app.test_request_context():
        schema = get_entity(DEAL)
        assert move(schema, schema.model.get_by_id(deal_id), by_key["first_contact"], people.admin).status == "moved"
    with app.app_context():
        assert utcnow() - get_entity(DEAL).model.get_by_id(deal_id).stage_entered_at < datetime.timedelta(minutes=1)
