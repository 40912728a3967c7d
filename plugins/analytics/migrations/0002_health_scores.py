"""Each person's data-health score per day, for its trend."""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'core_user'

    class HealthScore(Model):
        day = DateField()
        user = ForeignKeyField(User, on_delete='CASCADE')
        score = IntegerField()
        issues = IntegerField(default=0)
        records = IntegerField(default=0)

        class Meta:
            database = db
            table_name = 'analytics_health_score'
            indexes = ((('day', 'user'), True), (('user', 'day'), False))

    db.create_tables([HealthScore])


def down(migrator, db):
    db.execute_sql('DROP TABLE analytics_health_score')
