"""A plan, a team challenge and a short-term bonus carry the version their form was made from, so a
save made from an older one is refused rather than undoing someone else's change."""
from peewee import *


def up(migrator, db):
    migrator.migrate(*(migrator.add_column(table, 'version', IntegerField(default=1))
                       for table in ('incentives_plan', 'incentives_challenge', 'incentives_spiff')))


def down(migrator, db):
    migrator.migrate(*(migrator.drop_column(table, 'version') for table in ('incentives_plan', 'incentives_challenge', 'incentives_spiff')))
