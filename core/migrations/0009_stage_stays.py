"""When a record left each stage (`left_at` on its stage moves), kept as moves happen, so time in
stage is an average over an indexed column instead of a window over the whole history. Filled in
here for the moves already made: each stay ends when the record's next move (by time, then id)."""
from peewee import *

CLOSE_STAYS = """
UPDATE core_stage_move SET left_at = (
    SELECT MIN(later.at) FROM core_stage_move later
    WHERE later.entity = core_stage_move.entity AND later.record_id = core_stage_move.record_id
      AND (later.at > core_stage_move.at OR (later.at = core_stage_move.at AND later.id > core_stage_move.id)))
"""


# What reports read of the history, from the index alone: stays ended in a period, moves made in one.
STAYS = ('entity', 'left_at', 'to_stage_id', 'record_id', 'at')
MOVES = ('entity', 'at', 'to_stage_id', 'record_id')


def up(migrator, db):
    migrator.migrate(migrator.add_column('core_stage_move', 'left_at', DateTimeField(null=True)))
    db.execute_sql(CLOSE_STAYS)
    migrator.migrate(migrator.add_index('core_stage_move', STAYS, False), migrator.add_index('core_stage_move', MOVES, False))


def down(migrator, db):
    migrator.migrate(migrator.drop_index('core_stage_move', 'core_stage_move_' + '_'.join(STAYS)),
                     migrator.drop_index('core_stage_move', 'core_stage_move_' + '_'.join(MOVES)),
                     migrator.drop_column('core_stage_move', 'left_at'))
