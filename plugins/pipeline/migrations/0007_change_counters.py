"""Change counters for deals and their product lines: the board's column totals and Sales numbers
are counted once and remembered until a deal changes (`remembered` in `core.api`)."""
from peewee import *

from core.api import count_changes, stop_counting

TABLES = ("pipeline_deal", "pipeline_deal_line")


def up(migrator, db):
    for table in TABLES:
        count_changes(db, table)


def down(migrator, db):
    for table in TABLES:
        stop_counting(db, table)
