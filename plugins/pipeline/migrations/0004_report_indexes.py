"""Indexes the board and Sales numbers read from alone, so they cost the same at 100,000 deals: the
board's first cards per column in order and its column totals; a deal's scope (live, owner) by id,
for joining its stage history; open deals by expected close and closed deals by the day they closed."""
from peewee import *

INDEXES = {
    "pipeline_deal_board": '(stage_id, deleted_at, "rank", id, owner_id, amount, probability)',
    "pipeline_deal_scope": "(id, deleted_at, owner_id)",
    "pipeline_deal_forecast": "(expected_close, deleted_at, stage_id, owner_id, amount, probability)",
    "pipeline_deal_closed": "(closed_at, deleted_at, stage_id, owner_id, amount)",
}


def up(migrator, db):
    for name, columns in INDEXES.items():
        db.execute_sql(f"CREATE INDEX {name} ON pipeline_deal {columns}")


def down(migrator, db):
    for name in INDEXES:
        db.execute_sql(f"DROP INDEX {name}")
