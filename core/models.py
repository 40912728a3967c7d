"""The core's tables: users, teams, plugin state and sign-in failures."""
from __future__ import annotations

import secrets

import peewee
from flask_babel import lazy_gettext as _l

from .db import BaseModel, utcnow

ADMIN, MANAGER, REP = "admin", "manager", "rep"
ROLES = {
    ADMIN: _l("Admin"),
    MANAGER: _l("Manager"),
    REP: _l("Sales rep"),
}
ROLE_DESCRIPTIONS = {
    ADMIN: _l("Manages users, teams and plugins, and sees every record."),
    MANAGER: _l("Leads a team: sees and coaches the records of the team's members."),
    REP: _l("Works their own customers, deals and plans."),
}
LOCALES = {"en": "English", "zh_Hans_CN": "简体中文"}

# What each role may do, by name. Code and templates ask `user.may("approve")` and never compare
# role names, so what a role may do is decided here, once.
CAPABILITIES = {
    "administer": {ADMIN},  # users, teams, plugins, forms, processes, settings and the audit log
    "see_everything": {ADMIN},  # every record of every team, deleted ones too
    "lead_teams": {ADMIN, MANAGER},  # sees and changes the records of the teams they run, plans for them
    "approve": {ADMIN, MANAGER},  # decides the stage moves that wait for approval
    "reassign": {ADMIN, MANAGER},  # gives records to another owner
}


def new_session_token() -> str:
    return secrets.token_urlsafe(16)


class Team(BaseModel):
    name = peewee.CharField(max_length=80, unique=True)
    # Declared deferred because users point at teams too; the migration adds the constraint.
    manager = peewee.DeferredForeignKey("User", null=True, on_delete="SET NULL")
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "core_team"


class User(BaseModel):
    email = peewee.CharField(max_length=254, unique=True)
    name = peewee.CharField(max_length=80)
    password_hash = peewee.CharField(max_length=255)
    role = peewee.CharField(max_length=16, default=REP)
    team = peewee.ForeignKeyField(Team, null=True, backref="members", on_delete="SET NULL")
    locale = peewee.CharField(max_length=16, null=True)
    active = peewee.BooleanField(default=True)
    # Part of the session id: changing it signs the user out everywhere (password reset,
    # deactivation).
    session_token = peewee.CharField(max_length=64, default=new_session_token)
    created_at = peewee.DateTimeField(default=utcnow)
    last_login_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "core_user"

    # Flask-Login's user protocol.
    is_anonymous = False

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def role_label(self) -> str:
        return str(ROLES.get(self.role, self.role))

    def may(self, capability: str) -> bool:
        """Whether this user's role carries `capability` (a key of CAPABILITIES)."""
        return self.role in CAPABILITIES[capability]


class PluginState(BaseModel):
    """An admin's choice to turn a plugin off, and the last error a plugin raised."""

    name = peewee.CharField(max_length=100, primary_key=True)
    enabled = peewee.BooleanField(default=True)
    error = peewee.TextField(null=True)
    error_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "core_plugin_state"


class PluginDemo(BaseModel):
    """A plugin whose demo records are in this database (`salesdeck demo`), so they come once."""

    name = peewee.CharField(max_length=100, primary_key=True)
    added_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "core_plugin_demo"


class LoginFailure(BaseModel):
    """One failed sign-in, keyed by account ("user:<email>") and by address ("ip:<addr>")."""

    key = peewee.CharField(max_length=300, index=True)
    at = peewee.DateTimeField(default=utcnow, index=True)

    class Meta:
        table_name = "core_login_failure"


class Version(BaseModel):
    """Counters that tell every server process something changed (plugin switches, form schema).

    Read once per request; a process rebuilds what it cached when a counter moved.
    """

    key = peewee.CharField(max_length=32, primary_key=True)
    value = peewee.IntegerField(default=0)

    class Meta:
        table_name = "core_version"


MODELS = [Team, User, PluginState, PluginDemo, LoginFailure, Version]
