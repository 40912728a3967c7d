"""Goals, target changes, reviews, holidays."""
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

    class Goal(Model):
        owner_user = ForeignKeyField(User, null=True, on_delete='CASCADE')
        owner_team = ForeignKeyField(Team, null=True, on_delete='CASCADE')
        metric = CharField(max_length=100)
        target = DecimalField(max_digits=18, decimal_places=2)
        period_kind = CharField(max_length=10)
        start = DateField()
        end = DateField()
        parent = ForeignKeyField('self', null=True, on_delete='CASCADE')
        description = TextField(default='')
        reason = TextField(default='')
        basis = JSONField(default=dict)
        split_method = CharField(max_length=20, default='')
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        archived_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'goals_goal'
            indexes = ((('metric', 'start', 'end'), False), (('owner_user', 'start'), False))
    db.create_tables([Goal])

    class TargetChange(Model):
        goal = ForeignKeyField(Goal, on_delete='CASCADE')
        before = DecimalField(max_digits=18, decimal_places=2)
        after = DecimalField(max_digits=18, decimal_places=2)
        reason = TextField()
        user = ForeignKeyField(User, null=True, on_delete='SET NULL')
        at = DateTimeField()
        class Meta:
            database = db
            table_name = 'goals_target_change'
    db.create_tables([TargetChange])

    class Review(Model):
        owner_user = ForeignKeyField(User, null=True, on_delete='CASCADE')
        owner_team = ForeignKeyField(Team, null=True, on_delete='CASCADE')
        start = DateField()
        end = DateField()
        rows = JSONField(default=list)
        summary = TextField(default='')
        written_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        updated_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'goals_review'
    db.create_tables([Review])

    class Holiday(Model):
        day = DateField(unique=True)
        name = CharField(max_length=80, default='')
        class Meta:
            database = db
            table_name = 'goals_holiday'
    db.create_tables([Holiday])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('goals_holiday'))
    migrator.migrate(migrator.drop_table('goals_review'))
    migrator.migrate(migrator.drop_table('goals_target_change'))
    migrator.migrate(migrator.drop_table('goals_goal'))
