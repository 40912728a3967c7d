"""Lost reasons in both languages: a `labels` column ({locale: label}) beside the label an admin
typed."""
from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_column('pipeline_lost_reason', 'labels', JSONField(null=True)))
    db.execute_sql("UPDATE pipeline_lost_reason SET labels = '{}'")


def down(migrator, db):
    migrator.migrate(migrator.drop_column('pipeline_lost_reason', 'labels'))
