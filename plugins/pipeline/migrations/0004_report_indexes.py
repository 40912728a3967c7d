"""Indexes the board and Sales numbers read from alone, so they cost the same at 100,000 deals: the
board's first cards per column in order and its column totals; a deal's scope (live, owner) by id,
for joining its stage history; open deals by expected close and closed deals by the day they closed.

The board's index differs by database for one reason: PostgreSQL reads an order from an index only
after equalities (`deleted_at IS NULL` is not one), so it gets a partial index of the live deals;
SQLite's planner chooses an index with the live-deal test in its columns more reliably."""
from peewee import *

INDEXES = {
    "pipeline_deal_scope": "(id, deleted_at, owner_id)",
    "pipeline_deal_forecast": "(expected_close, deleted_at, stage_id, owner_id, amount, probability)",
    "pipeline_deal_closed": "(closed_at, deleted_at, stage_id, owner_id, amount)",
}
BOARD_SQLITE = '(stage_id, deleted_at, "rank", id, owner_id, amount, probability)'
BOARD_POSTGRES = '(stage_id, "rank", id, owner_id, amount, probability) WHERE deleted_at IS NULL'


def up(migrator, db):
    board = BOARD_SQLITE if isinstance(db, SqliteDatabase) else BOARD_POSTGRES
    for name, columns in {"pipeline_deal_board": board, **INDEXES}.items():
        db.execute_sql(f"CREATE INDEX {name} ON pipeline_deal {columns}")


def down(migrator, db):
    for name in ("pipeline_deal_board", *INDEXES):
        db.execute_sql(f"DROP INDEX {name}")
