"""Saved reports and the pins that put them on a user's home page."""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'core_user'

    class Team(Model):
        class Meta:
            database = db
            table_name = 'core_team'

    class Report(Model):
        name = CharField(max_length=120)
        labels = JSONField(default=dict)
        entity = CharField(max_length=100)
        filters = JSONField(default=list)
        groups = JSONField(default=list)
        aggregate = CharField(max_length=8, default='count')
        measure = CharField(max_length=100, null=True)
        chart = CharField(max_length=12, default='bar')
        sort = CharField(max_length=10, default='value')
        top = IntegerField(default=20)
        owner = ForeignKeyField(User, on_delete='CASCADE')
        shared = CharField(max_length=10, default='private')
        team = ForeignKeyField(Team, null=True, on_delete='SET NULL')
        version = IntegerField(default=1)
        created_at = DateTimeField()
        updated_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'analytics_report'
            indexes = ((('shared', 'team'), False),)

    class Pin(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        report = ForeignKeyField(Report, on_delete='CASCADE')

        class Meta:
            database = db
            table_name = 'analytics_pin'
            indexes = ((('user', 'report'), True),)

    db.create_tables([Report, Pin])


def down(migrator, db):
    db.execute_sql('DROP TABLE analytics_pin')
    db.execute_sql('DROP TABLE analytics_report')
