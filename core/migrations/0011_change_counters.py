"""Change counters for the stage history and for who sees what (people and their teams): pages
that remember their numbers (`core.changes.remembered`) count again only when these moved."""
from peewee import *

from core.changes import count_changes, stop_counting

TABLES = ("core_stage_move", "core_user", "core_team")


def up(migrator, db):
    for table in TABLES:
        count_changes(db, table)


def down(migrator, db):
    for table in TABLES:
        stop_counting(db, table)
