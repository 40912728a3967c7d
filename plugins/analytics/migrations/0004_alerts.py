"""Alerts on saved reports, and each time one became true."""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'core_user'

    class Report(Model):
        class Meta:
            database = db
            table_name = 'analytics_report'

    class Alert(Model):
        report = ForeignKeyField(Report, on_delete='CASCADE')
        owner = ForeignKeyField(User, on_delete='CASCADE')
        name = CharField(max_length=120)
        number = CharField(max_length=8, default='value')
        over = CharField(max_length=8, default='total')
        comparison = CharField(max_length=4, default='gt')
        threshold = DecimalField(max_digits=20, decimal_places=4, null=True)
        share = JSONField(default=list)
        period = CharField(max_length=8, null=True)
        date_field = CharField(max_length=100, null=True)
        target = DecimalField(max_digits=20, decimal_places=4, null=True)
        is_true = BooleanField(default=False)
        fired = IntegerField(default=0)
        checked_at = DateTimeField(null=True)
        last_value = DecimalField(max_digits=20, decimal_places=4, null=True)
        last_row = CharField(max_length=200, default='')
        version = IntegerField(default=1)
        created_at = DateTimeField()
        updated_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'analytics_alert'
            indexes = ((('owner', 'report'), False),)

    class AlertEvent(Model):
        alert = ForeignKeyField(Alert, on_delete='CASCADE')
        owner = ForeignKeyField(User, on_delete='CASCADE')
        number = IntegerField()
        fired_at = DateTimeField()
        value = DecimalField(max_digits=20, decimal_places=4, null=True)
        compared_with = DecimalField(max_digits=20, decimal_places=4, null=True)
        row = CharField(max_length=200, default='')
        read_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = 'analytics_alert_event'
            indexes = ((('alert', 'number'), True), (('owner', 'read_at'), False))

    db.create_tables([Alert, AlertEvent])


def down(migrator, db):
    db.execute_sql('DROP TABLE analytics_alert_event')
    db.execute_sql('DROP TABLE analytics_alert')
