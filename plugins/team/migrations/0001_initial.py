"""Team meetings, their topics, decisions and action items; one-to-ones; a setting per team."""
from peewee import *


def up(migrator, db):
    class Team(Model):
        class Meta:
            database = db
            table_name = "core_team"

    class User(Model):
        class Meta:
            database = db
            table_name = "core_user"

    class TeamSetting(Model):
        team = ForeignKeyField(Team, primary_key=True, on_delete="CASCADE", backref="+")
        rhythm_days = IntegerField(default=7)
        one_to_one_weeks = IntegerField(default=2)
        hide_private_notes = BooleanField(default=True)

        class Meta:
            database = db
            table_name = "team_setting"

    class Meeting(Model):
        team = ForeignKeyField(Team, on_delete="CASCADE", backref="+")
        day = DateField()
        start = DateField()
        notes = TextField(default="")
        opened_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
        opened_at = DateTimeField()
        closed_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "team_meeting"
            indexes = ((("team", "day"), True),)

    class MeetingTopic(Model):
        meeting = ForeignKeyField(Meeting, on_delete="CASCADE", backref="+")
        position = IntegerField(default=0)
        kind = CharField(max_length=60, default="")
        title = CharField(max_length=200)
        lines = JSONField(default=list)
        labels = JSONField(default=dict)
        texts = JSONField(default=dict)
        owner = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
        notes = TextField(default="")

        class Meta:
            database = db
            table_name = "team_meeting_topic"
            indexes = ((("meeting", "position"), False),)

    class Decision(Model):
        meeting = ForeignKeyField(Meeting, on_delete="CASCADE", backref="+")
        text = TextField()
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "team_decision"

    class OneToOne(Model):
        rep = ForeignKeyField(User, on_delete="CASCADE", backref="+")
        manager = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
        day = DateField()
        went_well = TextField(default="")
        rep_concerns = TextField(default="")
        manager_concerns = TextField(default="")
        private_notes = TextField(default="")
        pulse = IntegerField(null=True)
        next_day = DateField(null=True)
        numbers = JSONField(default=list)
        held_at = DateTimeField(null=True)
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "team_one_to_one"
            indexes = ((("rep", "day"), False),)

    class SharedTopic(Model):
        one_to_one = ForeignKeyField(OneToOne, on_delete="CASCADE", backref="+")
        author = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
        text = CharField(max_length=500)
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "team_shared_topic"

    class ActionItem(Model):
        meeting = ForeignKeyField(Meeting, null=True, on_delete="CASCADE", backref="+")
        one_to_one = ForeignKeyField(OneToOne, null=True, on_delete="CASCADE", backref="+")
        topic = ForeignKeyField(MeetingTopic, null=True, on_delete="SET NULL", backref="+")
        title = CharField(max_length=300)
        owner = ForeignKeyField(User, on_delete="CASCADE", backref="+")
        due = DateField()
        done_at = DateTimeField(null=True)
        done_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
        created_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "team_action_item"
            indexes = ((("owner", "done_at", "due"), False),)


    db.create_tables([TeamSetting, Meeting, MeetingTopic, Decision, OneToOne, SharedTopic, ActionItem])


def down(migrator, db):
    for table in ("team_action_item", "team_shared_topic", "team_one_to_one", "team_decision", "team_meeting_topic", "team_meeting",
                  "team_setting"):
        db.execute_sql(f"DROP TABLE {table}")
