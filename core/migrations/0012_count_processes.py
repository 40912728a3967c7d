"""Change counters for processes and stages: the short lists nearly every page reads (the board's
columns, a create's first stage) are kept in each server process until these move
(`core.changes.kept_rows`)."""
from peewee import *

from core.changes import count_changes, stop_counting

TABLES = ("core_process", "core_stage")


def up(migrator, db):
    for table in TABLES:
        count_changes(db, table)


def down(migrator, db):
    for table in TABLES:
        stop_counting(db, table)
