"""Changes to people, teams and plugin switches: each written in one transaction with its entry in
the audit log (entities "core.user", "core.team" and "core.plugin").

An entry never holds a password or its hash: a new password is recorded as the action alone.
"""
from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l

from .auth import hash_password
from .db import db
from .lowcode.records import audit
from .models import Team, User, new_session_token
from .throttle import forget_account_failures

USER, TEAM, PLUGIN = "core.user", "core.team", "core.plugin"

# What the audit log calls the actions recorded here (the core's `describe_audit`).
ACTION_LABELS = {
    "password_reset": _l("set a new password"),
    "password_change": _l("changed their own password"),
    "deactivate": _l("deactivated the account"),
    "activate": _l("reactivated the account"),
    "plugin_on": _l("turned the plugin on"),
    "plugin_off": _l("turned the plugin off"),
    "plugin_clear": _l("cleared the plugin's errors"),
}


def _changes(before: dict, after: dict) -> dict:
    """{key: [before, after]} for what differs; everything when there was no before."""
    return {key: [before.get(key), value] for key, value in after.items() if before.get(key) != value}


def _named(changes: dict, key: str, names: dict) -> None:
    """Show ids as names in the audit log (a user or team deleted later keeps its name there)."""
    if key in changes:
        changes[key] = [names.get(value, value) if value is not None else None for value in changes[key]]


# -- users ----------------------------------------------------------------------------------------


def _user_facts(user: User) -> dict:
    return {"name": user.name, "email": user.email, "role": user.role, "team": user.team_id}


def save_user(by, user: User, *, name: str, email: str, role: str, team_id: int | None,
              password: str | None = None) -> str | None:
    """Create or change a user as admin `by`; return the password generated for a new user
    without one. Raises peewee.IntegrityError when the email is taken (nothing is written)."""
    created = user.id is None
    before = {} if created else _user_facts(user)
    user.name, user.email, user.role, user.team = name, email, role, team_id
    generated = None
    if password:
        user.password_hash = hash_password(password)
        user.session_token = new_session_token()
    elif created:
        generated = secrets.token_urlsafe(9)
        user.password_hash = hash_password(generated)
    with db.atomic():
        user.save()
        changes = _changes(before, _user_facts(user))
        if "team" in changes:
            teams = [team for team in changes["team"] if team is not None]
            _named(changes, "team", dict(Team.select(Team.id, Team.name).where(Team.id.in_(teams)).tuples()))
        if created or changes:
            audit("create" if created else "update", USER, user.id, user.name, changes, by)
        if password and not created:
            audit("password_reset", USER, user.id, user.name, {}, by)
    return generated


def set_password(by, user: User, password: str, action: str = "password_reset") -> None:
    """Give `user` a new password and sign them out everywhere."""
    user.password_hash = hash_password(password)
    user.session_token = new_session_token()
    with db.atomic():
        user.save(only=[User.password_hash, User.session_token])
        audit(action, USER, user.id, user.name, {}, by)
        if action == "password_reset":
            forget_account_failures(user.email)


def reset_password(by, user: User) -> str:
    """Generate a new password for `user` (shown once to the admin)."""
    password = secrets.token_urlsafe(9)
    set_password(by, user, password)
    return password


def set_active(by, user: User, active: bool) -> None:
    """Deactivate (and sign out everywhere) or reactivate a user; their records stay."""
    before = user.active
    user.active = active
    user.session_token = new_session_token()
    with db.atomic():
        user.save(only=[User.active, User.session_token])
        audit("activate" if active else "deactivate", USER, user.id, user.name, {"active": [before, active]}, by)


def update_own_account(user: User, *, name: str, locale: str, password: str | None) -> None:
    """A user's own name, language and (already checked) new password."""
    changes = _changes({"name": user.name}, {"name": name})
    user.name, user.locale = name, locale
    if password:
        user.password_hash = hash_password(password)
        user.session_token = new_session_token()  # signs out every other device
    with db.atomic():
        user.save()
        if changes:
            audit("update", USER, user.id, user.name, changes, user)
        if password:
            audit("password_change", USER, user.id, user.name, {}, user)


# -- teams ----------------------------------------------------------------------------------------


def save_team(by, team: Team, *, name: str, manager_id: int | None, member_ids: list[int]) -> None:
    """Create or change a team; ticking a member moves them from their old team. Raises
    peewee.IntegrityError when the name is taken (nothing is written)."""
    created = team.id is None
    before = {} if created else {
        "name": team.name, "manager": team.manager_id,
        "members": sorted(user.id for user in User.select(User.id).where(User.team == team.id)),
    }
    team.name, team.manager = name, manager_id
    with db.atomic():
        team.save()
        User.update(team=None).where(User.team == team.id, User.id.not_in(member_ids or [0])).execute()
        if member_ids:
            User.update(team=team.id).where(User.id.in_(member_ids)).execute()
        after = {"name": team.name, "manager": team.manager_id, "members": sorted(member_ids or [])}
        changes = _changes(before, after)
        people = set(changes.get("members", [None, None])[0] or []) | set(member_ids or [])
        people |= {manager for manager in changes.get("manager", []) if manager is not None}
        names = dict(User.select(User.id, User.name).where(User.id.in_(list(people))).tuples()) if people else {}
        _named(changes, "manager", names)
        if "members" in changes:
            changes["members"] = [
                sorted(names.get(member, str(member)) for member in members) if members is not None else None
                for members in changes["members"]
            ]
        if created or changes:
            audit("create" if created else "update", TEAM, team.id, team.name, changes, by)


# -- plugins --------------------------------------------------------------------------------------


def switch_plugin(by, host, name: str, action: str) -> None:
    """Turn a plugin on or off for everyone ("enable", "disable"), or clear its errors ("clear")."""
    with db.atomic():
        if action == "clear":
            host.clear_error(name)
            audit("plugin_clear", PLUGIN, None, name, {}, by)
        else:
            enabled = action == "enable"
            host.set_enabled(name, enabled, user=by)
            audit("plugin_on" if enabled else "plugin_off", PLUGIN, None, name, {}, by)
