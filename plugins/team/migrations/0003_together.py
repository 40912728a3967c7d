"""Team-building: team activities and joint projects, who took part, their photos; peer thanks."""
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

    class TeamEvent(Model):
        team = ForeignKeyField(Team, null=True, on_delete="CASCADE", backref="+")
        kind = CharField(max_length=10, default="activity")
        name = CharField(max_length=200)
        day = DateField()
        notes = TextField(default="")
        created_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "team_event"

    class EventMember(Model):
        event = ForeignKeyField(TeamEvent, on_delete="CASCADE", backref="+")
        user = ForeignKeyField(User, on_delete="CASCADE", backref="+")

        class Meta:
            database = db
            table_name = "team_event_member"
            indexes = ((("event", "user"), True),)

    class Photo(Model):
        event = ForeignKeyField(TeamEvent, on_delete="CASCADE", backref="+")
        filename = CharField(max_length=255)
        stored = CharField(max_length=64)
        content_type = CharField(max_length=40)
        size = IntegerField()
        uploaded_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
        uploaded_at = DateTimeField()

        class Meta:
            database = db
            table_name = "team_photo"

    class Thanks(Model):
        sender = ForeignKeyField(User, on_delete="CASCADE", backref="+")
        receiver = ForeignKeyField(User, on_delete="CASCADE", backref="+")
        note = CharField(max_length=300)
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "team_thanks"
            indexes = ((("receiver", "created_at"), False),)

    db.create_tables([TeamEvent, EventMember, Photo, Thanks])


def down(migrator, db):
    for table in ("team_thanks", "team_photo", "team_event_member", "team_event"):
        db.execute_sql(f"DROP TABLE {table}")
