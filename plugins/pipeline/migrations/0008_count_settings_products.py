"""Change counters for the pipeline's settings and products: the board's card fields and its
product filter are kept in each server process until these move (`core.changes.kept_rows`)."""
from peewee import *

from core.api import count_changes, stop_counting

TABLES = ("pipeline_setting", "pipeline_product")


def up(migrator, db):
    for table in TABLES:
        count_changes(db, table)


def down(migrator, db):
    for table in TABLES:
        stop_counting(db, table)
