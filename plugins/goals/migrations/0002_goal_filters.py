"""What a goal's metric is narrowed to (`filters`, {dimension key: value}): won revenue of one
product, new customers in one region. Goals set before have none: they count everything."""
from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_column('goals_goal', 'filters', JSONField(null=True)))


def down(migrator, db):
    migrator.migrate(migrator.drop_column('goals_goal', 'filters'))
