"""Migrations: each plugin owns a folder of numbered peewee migration scripts.

`salesdeck migrate` applies what is pending, the core's first. A server refuses to start while any
migration is pending, and says which command fixes it. The scripts run through peewee's own
runner (`playhouse.migrations`); each plugin keeps its history in its own `<plugin>_migrations`
table, so two plugins may both have a `0001_initial.py`.
"""
from __future__ import annotations

import re
from pathlib import Path

from playhouse.migrations import Runner

from .db import db
from .plugins import CORE, PluginHost


class DatabaseBehind(RuntimeError):
    """The database lacks migrations the installed code needs."""


def _runner(plugin: str, directory: Path) -> Runner:
    table = re.sub(r"[^a-z0-9_]", "_", plugin.lower()) + "_migrations"
    return Runner(db.obj, str(directory), table_name=table)


def migration_folders(host: PluginHost) -> list[tuple[str, Path]]:
    """(plugin, folder) for every loaded plugin, the core's first."""
    folders = [
        (name, Path(folder))
        for name, folder in host.results("register_migrations", include_disabled=True)
    ]
    return sorted(folders, key=lambda pair: pair[0] != CORE)


def pending(host: PluginHost) -> list[tuple[str, str]]:
    """(plugin, migration name) of every migration not yet applied."""
    waiting = []
    for plugin, folder in migration_folders(host):
        for migration in _runner(plugin, folder).status():
            if not migration.applied and migration.path is not None:
                waiting.append((plugin, migration.name))
    return waiting


def migrate(host: PluginHost) -> list[tuple[str, str]]:
    """Apply every pending migration; return what was applied."""
    applied = []
    with db.connection_context():
        for plugin, folder in migration_folders(host):
            applied += [(plugin, name) for name in _runner(plugin, folder).up()]
    return applied


def check(host: PluginHost) -> None:
    """Refuse a database that is behind the code."""
    with db.connection_context():
        waiting = pending(host)
    if waiting:
        names = ", ".join(f"{plugin}/{name}" for plugin, name in waiting)
        raise DatabaseBehind(
            f"The database is behind the installed code: {len(waiting)} migration(s) are not "
            f"applied ({names}). Run `salesdeck migrate` (with the same SALESDECK_DATABASE_URL), "
            "then start salesdeck again."
        )
