"""The first admin and the demo team (an admin, a manager, three reps) for a new installation."""
from __future__ import annotations

import os
import random
import secrets

from .auth import hash_password
from .contributions import DemoTeam
from .db import db
from .models import ADMIN, MANAGER, REP, Team, User
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


def create_demo(host: PluginHost, password: str, admin: User | None = None, seed: int = 2026) -> DemoTeam:
    """Create the demo people (sharing `password`) and let every enabled plugin add its records."""
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
        host.notify("demo_data", team=demo, rng=random.Random(seed))
    return demo
