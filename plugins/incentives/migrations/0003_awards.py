"""Awards (best by a metric, most improved, nominated) and their winners, whose prizes later
statements pay."""
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

    class Plan(Model):
        class Meta:
            database = db
            table_name = 'incentives_plan'

    class Statement(Model):
        class Meta:
            database = db
            table_name = 'incentives_statement'

    class Award(Model):
        name = CharField(max_length=120)
        labels = JSONField(default=dict)
        kind = CharField(max_length=12)
        metric = CharField(max_length=100, null=True)
        period = CharField(max_length=10, default='month')
        top = IntegerField(default=1)
        team = ForeignKeyField(Team, null=True, on_delete='CASCADE')
        prize = DecimalField(max_digits=18, decimal_places=2, null=True)
        currency = CharField(max_length=3, default='CNY')
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        archived_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = 'incentives_award'

    class Winner(Model):
        award = ForeignKeyField(Award, on_delete='CASCADE')
        start = DateField()
        user = ForeignKeyField(User, on_delete='CASCADE')
        value = DecimalField(max_digits=18, decimal_places=2, null=True)
        note = TextField(default='')
        prize = DecimalField(max_digits=18, decimal_places=2, null=True)
        plan = ForeignKeyField(Plan, null=True, on_delete='SET NULL')
        statement = ForeignKeyField(Statement, null=True, on_delete='SET NULL')
        decided_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        decided_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'incentives_winner'
            indexes = ((('award', 'start', 'user'), True), (('user', 'statement'), False))

    db.create_tables([Award, Winner])


def down(migrator, db):
    db.execute_sql('DROP TABLE incentives_winner')
    db.execute_sql('DROP TABLE incentives_award')
