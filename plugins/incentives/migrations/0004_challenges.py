"""Team challenges: a shared target over a few weeks with a shared reward."""
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

    class Challenge(Model):
        name = CharField(max_length=120)
        labels = JSONField(default=dict)
        metric = CharField(max_length=100)
        team = ForeignKeyField(Team, null=True, on_delete='CASCADE')
        starts = DateField()
        ends = DateField()
        target = DecimalField(max_digits=18, decimal_places=2)
        currency = CharField(max_length=3, default='CNY')
        reward = CharField(max_length=300, default='')
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        archived_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = 'incentives_challenge'
            indexes = ((('ends', 'starts'), False),)

    db.create_tables([Challenge])


def down(migrator, db):
    db.execute_sql('DROP TABLE incentives_challenge')
