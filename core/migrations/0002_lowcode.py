"""The low-code layer: fields, entities, processes and stages, moves, approvals, audit, imports;
and the version counters every server process reads once per request.

Generated with playhouse.schema_diff against 0001; timestamps get their values from the models.
"""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'core_user'

    class Process(Model):
        key = CharField(unique=True, max_length=100)
        label = CharField(max_length=120)
        entity = CharField(index=True, max_length=100)
        archived_at = DateTimeField(null=True)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'core_process'
    db.create_tables([Process])

    class Stage(Model):
        process = ForeignKeyField(Process, on_delete='CASCADE')
        key = CharField(max_length=64)
        label = CharField(max_length=120)
        color = CharField(max_length=16, default='slate')
        position = IntegerField(default=0)
        probability = IntegerField(default=0)
        kind = CharField(max_length=8, default='open')
        required_fields = JSONField(default=list)
        needs_approval = BooleanField(default=False)
        followup_days = IntegerField(null=True)
        archived_at = DateTimeField(null=True)
        merged_into = ForeignKeyField('self', null=True, on_delete='SET NULL')
        class Meta:
            database = db
            table_name = 'core_stage'
            indexes = ((('process', 'key'), True),)
    db.create_tables([Stage])

    class Approval(Model):
        entity = CharField(max_length=100)
        record_id = IntegerField()
        from_stage = ForeignKeyField(Stage, null=True, on_delete='SET NULL')
        to_stage = ForeignKeyField(Stage, on_delete='CASCADE')
        values = JSONField(default=dict)
        requested_by = ForeignKeyField(User, on_delete='CASCADE')
        requested_at = DateTimeField()
        status = CharField(index=True, max_length=10, default='pending')
        decided_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        decided_at = DateTimeField(null=True)
        reason = TextField(default='')
        class Meta:
            database = db
            table_name = 'core_approval'
            indexes = ((('entity', 'record_id'), False),)
    db.create_tables([Approval])

    class AuditEntry(Model):
        at = DateTimeField(index=True)
        user = ForeignKeyField(User, null=True, on_delete='SET NULL')
        action = CharField(index=True, max_length=32)
        entity = CharField(index=True, max_length=100)
        record_id = IntegerField(null=True)
        title = CharField(max_length=200, default='')
        changes = JSONField(default=dict)
        class Meta:
            database = db
            table_name = 'core_audit'
            indexes = ((('entity', 'record_id'), False),)
    db.create_tables([AuditEntry])

    class CustomRecord(Model):
        custom = JSONField(default=dict)
        search_text = TextField(default='')
        created_at = DateTimeField(index=True)
        updated_at = DateTimeField()
        deleted_at = DateTimeField(index=True, null=True)
        entity = CharField(index=True, max_length=100)
        owner = ForeignKeyField(User, on_delete='CASCADE')
        stage = ForeignKeyField(Stage, null=True, on_delete='SET NULL')
        class Meta:
            database = db
            table_name = 'core_record'
    db.create_tables([CustomRecord])

    class EntitySetting(Model):
        key = CharField(primary_key=True, max_length=100)
        label = CharField(null=True, max_length=80)
        icon = CharField(max_length=30, default='dot')
        in_browser = BooleanField(default=False)
        title_field = CharField(null=True, max_length=64)
        list_columns = JSONField(default=list)
        archived_at = DateTimeField(null=True)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'core_entity'
    db.create_tables([EntitySetting])

    class FieldDefinition(Model):
        entity = CharField(index=True, max_length=100)
        key = CharField(max_length=64)
        label = CharField(max_length=120)
        type = CharField(max_length=32)
        options = JSONField(default=dict)
        required = BooleanField(default=False)
        unique = BooleanField(default=False)
        default = JSONField(null=True)
        placeholder = CharField(max_length=200, default='')
        help = CharField(max_length=500, default='')
        position = IntegerField(default=0)
        hidden = BooleanField(default=False)
        base = BooleanField(default=False)
        archived_at = DateTimeField(null=True)
        created_at = DateTimeField()
        updated_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'core_field'
            indexes = ((('entity', 'key'), True),)
    db.create_tables([FieldDefinition])

    class ImportJob(Model):
        uid = CharField(unique=True, max_length=32)
        entity = CharField(max_length=100)
        user = ForeignKeyField(User, on_delete='CASCADE')
        filename = CharField()
        status = CharField(max_length=16, default='uploaded')
        mapping = JSONField(default=dict)
        key_field = CharField(null=True, max_length=64)
        on_duplicate = CharField(max_length=8, default='skip')
        total = IntegerField(default=0)
        created = IntegerField(default=0)
        updated = IntegerField(default=0)
        skipped = IntegerField(default=0)
        message = TextField(default='')
        created_at = DateTimeField()
        finished_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'core_import'
    db.create_tables([ImportJob])

    class StageMove(Model):
        entity = CharField(max_length=100)
        record_id = IntegerField()
        from_stage = ForeignKeyField(Stage, null=True, on_delete='SET NULL')
        to_stage = ForeignKeyField(Stage, on_delete='CASCADE')
        user = ForeignKeyField(User, null=True, on_delete='SET NULL')
        at = DateTimeField(index=True)
        class Meta:
            database = db
            table_name = 'core_stage_move'
            indexes = ((('entity', 'record_id'), False),)
    db.create_tables([StageMove])

    class Version(Model):
        key = CharField(primary_key=True, max_length=32)
        value = IntegerField(default=0)
        class Meta:
            database = db
            table_name = 'core_version'
    db.create_tables([Version])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('core_version'))
    migrator.migrate(migrator.drop_table('core_stage_move'))
    migrator.migrate(migrator.drop_table('core_import'))
    migrator.migrate(migrator.drop_table('core_field'))
    migrator.migrate(migrator.drop_table('core_entity'))
    migrator.migrate(migrator.drop_table('core_record'))
    migrator.migrate(migrator.drop_table('core_audit'))
    migrator.migrate(migrator.drop_table('core_approval'))
    migrator.migrate(migrator.drop_table('core_stage'))
    migrator.migrate(migrator.drop_table('core_process'))
