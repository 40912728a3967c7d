"""The first admin and the demo team (an admin, a manager, three reps) for a new installation."""
from __future__ import annotations

import os
import random
import secrets

import peewee

from .auth import hash_password
from .contributions import DemoTeam
from .db import db
from .models import ADMIN, CAPABILITIES, MANAGER, REP, PluginDemo, Team, User
from .plugins import PluginHost

DEMO_TEAM_NAME = "华东销售 East China"
DEMO_PEOPLE = (
    # (email, name, role, locale)
    ("manager@example.com", "王磊 Wang Lei", MANAGER, "zh_Hans_CN"),
    ("zhang.wei@example.com", "张伟 Zhang Wei", REP, "zh_Hans_CN"),
    ("emily.chen@example.com", "Emily Chen", REP, "en"),
    ("li.na@example.com", "李娜 Li Na", REP, "zh_Hans_CN"),
)
ADMIN_EMAIL = "admin@example.com"


def initial_password() -> tuple[str, bool]:
    """SALESDECK_ADMIN_PASSWORD if set, else a new random one. Returns (password, generated)."""
    given = os.environ.get("SALESDECK_ADMIN_PASSWORD", "")
    return (given, False) if given else (secrets.token_urlsafe(12), True)


def create_admin(email: str, password: str, name: str = "Admin") -> User:
    return User.create(email=email.lower(), name=name, role=ADMIN, password_hash=hash_password(password))


def demo_exists() -> bool:
    return User.select().where(User.email.in_([email for email, *_ in DEMO_PEOPLE])).exists()


def create_demo(host: PluginHost, password: str, admin: User | None = None, seed: int = 2026) -> list[tuple[str, str]]:
    """Create the demo people (sharing `password`) and let every enabled plugin add its records.
    Returns the plugins that failed to, [(plugin, message)]; the others' records are kept."""
    with db.atomic():
        hashed = hash_password(password)
        admin = admin or create_admin(ADMIN_EMAIL, password)
        people = [
            User.create(email=email, name=name, role=role, locale=locale, password_hash=hashed)
            for email, name, role, locale in DEMO_PEOPLE
        ]
        manager, reps = people[0], people[1:]
        team = Team.create(name=DEMO_TEAM_NAME, manager=manager)
        User.update(team=team).where(User.id.in_([person.id for person in people])).execute()
        for person in people:
            person.team = team
        demo = DemoTeam(team=team, admin=admin, manager=manager, reps=reps)
        failures = host.notify("demo_data", team=demo, rng=random.Random(seed))
        failed = {plugin for plugin, _message in failures}
        for plugin in sorted(_with_demo_data(host) - failed):
            PluginDemo.insert(name=plugin).on_conflict_ignore().execute()
        return failures


class DemoRefused(ValueError):
    """Why `add_plugin_demo` will not add a plugin's demo records (said to the person running it)."""


def _with_demo_data(host: PluginHost) -> set[str]:
    """The enabled plugins that have demo records to add."""
    return {impl.plugin_name for impl in host._implementations("demo_data", include_disabled=False)}


def existing_demo_team() -> DemoTeam | None:
    """The people `create_demo` made, as they are now; None when the demo team is not here."""
    team = Team.get_or_none(Team.name == DEMO_TEAM_NAME)
    if team is None:
        return None
    people = {person.email: person for person in User.select().where(User.email.in_([email for email, *_ in DEMO_PEOPLE]))}
    manager = people.get(DEMO_PEOPLE[0][0]) or team.manager
    reps = [people[email] for email, _name, role, _locale in DEMO_PEOPLE if role == REP and email in people]
    admin = (User.get_or_none(User.email == ADMIN_EMAIL)
             or User.select().where(User.role.in_(sorted(CAPABILITIES["administer"]))).order_by(User.id).first())
    return DemoTeam(team=team, admin=admin, manager=manager, reps=reps)


def add_plugin_demo(host: PluginHost, name: str, seed: int = 2026) -> list[tuple[str, str]]:
    """Add one plugin's demo records to the existing demo team (a plugin installed after the
    demo), once. Raises DemoRefused with the reason; returns the plugin's failure, if any (its
    records are then not kept, and it may be tried again)."""
    if name in host.plugins and not host.plugins[name].loaded:
        raise DemoRefused(f"The plugin {name!r} is set aside: {host.plugins[name].load_error}")
    if name not in host.plugins:
        known = ", ".join(sorted(_with_demo_data(host))) or "none"
        raise DemoRefused(f"There is no plugin named {name!r} (plugins with demo records: {known}).")
    if not host.enabled(name):
        raise DemoRefused(f"The plugin {name!r} is turned off; an admin turns it on in Admin > Plugins first.")
    if name not in _with_demo_data(host):
        raise DemoRefused(f"The plugin {name!r} has no demo records to add.")
    demo = existing_demo_team()
    if demo is None:
        raise DemoRefused("There is no demo team yet: run `salesdeck demo` (without --plugin) to create it with every plugin's records.")
    with db.atomic() as transaction:
        already = DemoRefused(f"The demo records of the plugin {name!r} are already here.")
        if PluginDemo.select().where(PluginDemo.name == name).exists():
            raise already
        try:
            PluginDemo.create(name=name)
        except peewee.IntegrityError:  # added by another run in the meantime
            raise already from None
        failures = host.notify_plugin(name, "demo_data", team=demo, rng=random.Random(seed))
        if failures:
            transaction.rollback()  # not marked: it may be tried again once fixed
        return failures
