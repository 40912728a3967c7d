"""Accelerators on a plan (a higher rate on a product or a customer level), and short-term bonuses
(短期激励): time-boxed, on a narrowed metric, paid once as their own statement line."""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'core_user'

    class Statement(Model):
        class Meta:
            database = db
            table_name = 'incentives_statement'

    class Spiff(Model):
        name = CharField(max_length=120)
        labels = JSONField(default=dict)
        metric = CharField(max_length=100)
        filters = JSONField(default=dict)
        starts = DateField()
        ends = DateField()
        per_unit = DecimalField(max_digits=18, decimal_places=2, null=True)
        rate = DecimalField(max_digits=7, decimal_places=3, null=True)
        currency = CharField(max_length=3, default='CNY')
        teams = JSONField(default=list)
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        archived_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = 'incentives_spiff'
            indexes = ((('ends', 'starts'), False),)

    class SpiffPaid(Model):
        spiff = ForeignKeyField(Spiff, on_delete='CASCADE')
        user = ForeignKeyField(User, on_delete='CASCADE')
        statement = ForeignKeyField(Statement, on_delete='CASCADE')

        class Meta:
            database = db
            table_name = 'incentives_spiff_paid'
            indexes = ((('spiff', 'user'), True),)

    migrator.migrate(migrator.add_column('incentives_plan', 'accelerators', JSONField(null=True)))
    db.create_tables([Spiff, SpiffPaid])


def down(migrator, db):
    db.execute_sql('DROP TABLE incentives_spiff_paid')
    db.execute_sql('DROP TABLE incentives_spiff')
    migrator.migrate(migrator.drop_column('incentives_plan', 'accelerators'))
