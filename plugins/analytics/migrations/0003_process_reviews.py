"""Quarterly process reviews: the numbers per stage as they stood, and the decisions taken."""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'core_user'

    class Process(Model):
        class Meta:
            database = db
            table_name = 'core_process'

    class ProcessReview(Model):
        process = ForeignKeyField(Process, on_delete='CASCADE')
        quarter = CharField(max_length=7)
        numbers = JSONField(default=list)
        decisions = TextField(default='')
        author = ForeignKeyField(User, on_delete='CASCADE')
        version = IntegerField(default=1)
        created_at = DateTimeField()
        updated_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'analytics_process_review'
            indexes = ((('author', 'process', 'quarter'), True), (('process', 'quarter'), False))

    db.create_tables([ProcessReview])


def down(migrator, db):
    db.execute_sql('DROP TABLE analytics_process_review')
