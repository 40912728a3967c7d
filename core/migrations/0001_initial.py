"""Users, teams, plugin state and sign-in failures."""
import datetime

from peewee import (
    AutoField,
    BooleanField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    SqliteDatabase,
    TextField,
)


def up(migrator, db):
    class Base(Model):
        class Meta:
            database = db

    class User(Base):
        id = AutoField()
        email = CharField(max_length=254, unique=True)
        name = CharField(max_length=80)
        password_hash = CharField(max_length=255)
        role = CharField(max_length=16, default="rep")
        team_id = IntegerField(null=True, index=True)  # constrained below, once core_team exists
        locale = CharField(max_length=16, null=True)
        active = BooleanField(default=True)
        session_token = CharField(max_length=64)
        created_at = DateTimeField(default=datetime.datetime.utcnow)
        last_login_at = DateTimeField(null=True)

        class Meta:
            table_name = "core_user"

    class Team(Base):
        id = AutoField()
        name = CharField(max_length=80, unique=True)
        manager = ForeignKeyField(User, null=True, on_delete="SET NULL")
        created_at = DateTimeField(default=datetime.datetime.utcnow)

        class Meta:
            table_name = "core_team"

    class PluginState(Base):
        name = CharField(max_length=100, primary_key=True)
        enabled = BooleanField(default=True)
        error = TextField(null=True)
        error_at = DateTimeField(null=True)

        class Meta:
            table_name = "core_plugin_state"

    class LoginFailure(Base):
        id = AutoField()
        key = CharField(max_length=300, index=True)
        at = DateTimeField(index=True)

        class Meta:
            table_name = "core_login_failure"

    db.create_tables([User, Team, PluginState, LoginFailure])
    if not isinstance(db, SqliteDatabase):  # SQLite cannot add a constraint to a table
        migrator.migrate(
            migrator.add_foreign_key_constraint("core_user", "team_id", "core_team", "id", on_delete="SET NULL")
        )


def down(migrator, db):
    cascade = not isinstance(db, SqliteDatabase)
    for table in ("core_login_failure", "core_plugin_state", "core_team", "core_user"):
        migrator.migrate(migrator.drop_table(table, cascade=cascade))
