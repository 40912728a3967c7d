"""Configuration: built-in defaults, then SALESDECK_* environment variables, then the caller's dict.

Every setting an admin can change is listed in DEFAULTS and documented in the README.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

DEFAULTS = {
    # Where salesdeck keeps its SQLite database, its generated secret key and backups.
    "INSTANCE_PATH": "instance",
    # sqlite:///relative/or/absolute/path.db or postgresql://user:password@host:port/database
    "DATABASE_URL": None,  # None: sqlite in INSTANCE_PATH
    "SECRET_KEY": None,  # None: generated once and kept in INSTANCE_PATH/secret_key
    "TIMEZONE": "UTC",  # the team's timezone: where "today" begins and ends
    "SECURE_COOKIES": False,  # set when salesdeck is served over https
    "BEHIND_PROXY": False,  # trust X-Forwarded-* from one reverse proxy
    "LOAD_ENTRYPOINTS": True,  # load pip-installed plugins (group "salesdeck.plugins")
    "EXTRA_PLUGINS": (),  # plugin objects registered after the built-ins (tests, embedding)
    "SCHEMA_CHECK": True,  # refuse to start on a database whose migrations are behind
    "LOGIN_MAX_FAILURES": 5,  # failed sign-ins per account or address ...
    "LOGIN_WINDOW_SECONDS": 15 * 60,  # ... within this window before a wait
    "ARGON2_PARAMETERS": {},  # passed to argon2.PasswordHasher (tests make it cheap)
    "PAGE_SIZE": 50,
    "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
}

# Settings an admin may set from the environment, and how to read them.
ENVIRONMENT = {
    "INSTANCE_PATH": str,
    "DATABASE_URL": str,
    "SECRET_KEY": str,
    "TIMEZONE": str,
    "SECURE_COOKIES": "bool",
    "BEHIND_PROXY": "bool",
    "LOAD_ENTRYPOINTS": "bool",
}

_TRUE = {"1", "true", "yes", "on"}


def resolve(config: dict | None = None, environ=os.environ) -> dict:
    """Merge defaults, environment and the caller's config into one flat dict."""
    values = dict(DEFAULTS)
    for name, kind in ENVIRONMENT.items():
        raw = environ.get(f"SALESDECK_{name}")
        if raw is not None and raw != "":
            values[name] = raw.strip().lower() in _TRUE if kind == "bool" else raw
    values.update(config or {})
    instance = Path(values["INSTANCE_PATH"]).expanduser().resolve()
    values["INSTANCE_PATH"] = str(instance)
    if not values["DATABASE_URL"]:
        values["DATABASE_URL"] = f"sqlite:///{instance / 'salesdeck.db'}"
    return values


def secret_key(instance_path: str) -> str:
    """Read the instance's secret key, creating it (readable by its owner only) on first use.

    Every server process reads the same file, so a session signed by one is valid in all.
    """
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key)
    return key
