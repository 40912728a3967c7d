"""A report compared with the period before and the same period a year before: which period, on which date field."""
from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_column('analytics_report', 'compare', CharField(max_length=8, default='')),
                     migrator.add_column('analytics_report', 'compare_on', CharField(max_length=100, default='')))


def down(migrator, db):
    migrator.migrate(migrator.drop_column('analytics_report', 'compare'), migrator.drop_column('analytics_report', 'compare_on'))
