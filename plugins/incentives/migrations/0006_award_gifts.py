"""An award can also give something besides money that another plugin offers (a course), through
`core.api.prizes()`; the winner keeps what was given."""
from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_column('incentives_award', 'gift', CharField(max_length=120, null=True)),
                     migrator.add_column('incentives_winner', 'gift', CharField(max_length=300, null=True)))


def down(migrator, db):
    migrator.migrate(migrator.drop_column('incentives_winner', 'gift'), migrator.drop_column('incentives_award', 'gift'))
