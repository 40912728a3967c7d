"""Tasks, time blocks, focus sessions, day plans, weekly reflections and each person's settings."""
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

    class TimeBlock(Model):
        owner = ForeignKeyField(User, on_delete="CASCADE", backref="+")
        title = CharField(max_length=120, default="")
        category = CharField(max_length=20, default="other")
        starts_at = DateTimeField(index=True)
        ends_at = DateTimeField()

        class Meta:
            database = db
            table_name = "timemgmt_block"
            indexes = ((("owner", "starts_at"), False),)

    class Task(Model):
        title = CharField(max_length=200)
        notes = TextField(default="")
        owner = ForeignKeyField(User, on_delete="CASCADE", backref="+")
        created_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
        due_day = DateField(null=True, index=True)
        due_time = TimeField(null=True)
        important = BooleanField(default=False)
        urgent = BooleanField(default=False)
        minutes = IntegerField(null=True)
        entity = CharField(max_length=60, default="")
        record_id = IntegerField(null=True)
        checklist = JSONField(default=list)
        in_inbox = BooleanField(default=False)
        delegated_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
        outcome = TextField(default="")
        check_back = DateField(null=True)
        block = ForeignKeyField(TimeBlock, null=True, on_delete="SET NULL", backref="+")
        team = ForeignKeyField(Team, null=True, on_delete="SET NULL", backref="+")
        stage = CharField(max_length=20, default="todo")
        position = IntegerField(default=0)
        labels = JSONField(default=list)
        created_at = DateTimeField()
        done_at = DateTimeField(null=True)
        dropped_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "timemgmt_task"
            indexes = ((("owner", "done_at"), False), (("delegated_by", "done_at"), False))

    class FocusSession(Model):
        owner = ForeignKeyField(User, on_delete="CASCADE", backref="+")
        task = ForeignKeyField(Task, null=True, on_delete="SET NULL", backref="+")
        kind = CharField(max_length=10, default="focus")
        minutes = IntegerField(default=25)
        started_at = DateTimeField()
        paused_at = DateTimeField(null=True)
        paused_seconds = IntegerField(default=0)
        finished_at = DateTimeField(null=True, index=True)
        completed = BooleanField(default=False)
        interruptions = JSONField(default=list)

        class Meta:
            database = db
            table_name = "timemgmt_focus"
            indexes = ((("owner", "finished_at"), False),)

    class Preference(Model):
        user = ForeignKeyField(User, primary_key=True, on_delete="CASCADE", backref="+")
        focus_minutes = IntegerField(default=25)
        break_minutes = IntegerField(default=5)
        feed_token = CharField(max_length=64, null=True, unique=True)

        class Meta:
            database = db
            table_name = "timemgmt_preference"

    class DayPlan(Model):
        owner = ForeignKeyField(User, on_delete="CASCADE", backref="+")
        day = DateField()
        order = JSONField(default=list)
        accepted_at = DateTimeField()

        class Meta:
            database = db
            table_name = "timemgmt_dayplan"
            indexes = ((("owner", "day"), True),)

    class BoardColumn(Model):
        team = ForeignKeyField(Team, null=True, on_delete="CASCADE", backref="+")
        owner = ForeignKeyField(User, null=True, on_delete="CASCADE", backref="+")
        label = CharField(max_length=60)
        position = IntegerField(default=0)

        class Meta:
            database = db
            table_name = "timemgmt_column"

    class Reflection(Model):
        owner = ForeignKeyField(User, on_delete="CASCADE", backref="+")
        week = DateField()
        summary = JSONField(default=dict)
        went_well = TextField(default="")
        to_change = TextField(default="")
        written_at = DateTimeField()

        class Meta:
            database = db
            table_name = "timemgmt_reflection"
            indexes = ((("owner", "week"), True),)

    class MailSettings(Model):
        host = CharField(max_length=200, default="")
        port = IntegerField(default=587)
        username = CharField(max_length=200, default="")
        password = CharField(max_length=200, default="")
        sender = CharField(max_length=200, default="")
        security = CharField(max_length=10, default="starttls")
        hour = IntegerField(default=7)
        enabled = BooleanField(default=False)

        class Meta:
            database = db
            table_name = "timemgmt_mail"

    class DigestSent(Model):
        user = ForeignKeyField(User, on_delete="CASCADE", backref="+")
        day = DateField()
        sent_at = DateTimeField()

        class Meta:
            database = db
            table_name = "timemgmt_digest"
            indexes = ((("user", "day"), True),)

    db.create_tables([TimeBlock, Task, FocusSession, Preference, DayPlan, BoardColumn, Reflection, MailSettings, DigestSent])


def down(migrator, db):
    for table in ("timemgmt_digest", "timemgmt_mail", "timemgmt_reflection", "timemgmt_column", "timemgmt_dayplan",
                  "timemgmt_preference", "timemgmt_focus", "timemgmt_task", "timemgmt_block"):
        db.execute_sql(f"DROP TABLE {table}")
