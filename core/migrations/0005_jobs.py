"""Imports as jobs on the task queue: the queue's own tables, an import's heartbeat, attempt and
check report, and the records an import has written but not yet made live."""
from peewee import *


def up(migrator, db):
    from core.jobs import storage_models

    db.create_tables(storage_models(db))
    migrator.migrate(
        migrator.add_column('core_import', 'attempt', IntegerField(default=0)),
        migrator.add_column('core_import', 'done', IntegerField(default=0)),
        migrator.add_column('core_import', 'report', JSONField(null=True)),
        migrator.add_column('core_import', 'started_at', DateTimeField(null=True)),
        migrator.add_column('core_import', 'heartbeat_at', DateTimeField(null=True)),
    )

    class ImportJob(Model):
        class Meta:
            database = db
            table_name = 'core_import'

    class ImportedRecord(Model):
        job = ForeignKeyField(ImportJob, on_delete='CASCADE')
        attempt = IntegerField()
        entity = CharField(max_length=100)
        record_id = IntegerField()
        class Meta:
            database = db
            table_name = 'core_import_record'
    db.create_tables([ImportedRecord])


def down(migrator, db):
    from core.jobs import storage_models

    migrator.migrate(migrator.drop_table('core_import_record'))
    for column in ('attempt', 'done', 'report', 'started_at', 'heartbeat_at'):
        migrator.migrate(migrator.drop_column('core_import', column))
    db.drop_tables(storage_models(db))
