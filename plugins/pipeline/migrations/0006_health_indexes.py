"""Indexes data health and the sales trend count from alone: each check counts a person's deals or customers that need
fixing (won without an amount, past their expected close, stale, never followed up, without a phone
or an e-mail), grouped by owner, so each is a walk over one narrow index in owner order instead of
reading every row with its 30 custom fields. Likely duplicates group live customers by their keys."""
from peewee import *

INDEXES = {
    "pipeline_deal_health": "pipeline_deal (owner_id, deleted_at, stage_id, amount, expected_close, last_activity_at, created_at)",
    "pipeline_customer_health": "pipeline_customer (owner_id, deleted_at, phone, email)",
    "pipeline_customer_name_key": "pipeline_customer (normalized_name, deleted_at, owner_id)",
    "pipeline_customer_phone_key_live": "pipeline_customer (phone_key, deleted_at, owner_id)",
    # New deals and new customers day by day (the sales trend, the key numbers): read by creation
    # time with what the count needs beside it.
    "pipeline_deal_created": "pipeline_deal (created_at, deleted_at, owner_id)",
    "pipeline_customer_created": "pipeline_customer (created_at, deleted_at, owner_id, import_job)",
}


def up(migrator, db):
    for name, columns in INDEXES.items():
        db.execute_sql(f"CREATE INDEX {name} ON {columns}")


def down(migrator, db):
    for name in INDEXES:
        db.execute_sql(f"DROP INDEX {name}")
