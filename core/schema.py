"""Migrations: each plugin owns a folder of numbered peewee migration scripts.

`salesdeck migrate` applies what is pending, the core's first. A server refuses to start while any
migration is pending, and says which command fixes it. The scripts run through peewee's own
runner (`playhouse.migrations`); each plugin keeps its history in its own `<plugin>_migrations`
table, so two plugins may both have a `0001_initial.py`.
"""
from __future__ import annotations

import re
from pathlib import Path

from playhouse.migrations import MigrationError, Runner

from . import changes
from .db import db, is_sqlite, utcnow
from .lowcode import search
from .models import PluginState
from .plugins import CORE, PluginHost


class DatabaseBehind(RuntimeError):
    """The database lacks migrations the installed code needs."""


class _Runner(Runner):
    """peewee's runner, with `db.create_tables()` in a migration made strict: indexes are named
    after their table (not their model class, which two plugins may share), and a table or index
    that already exists is an error naming both, never silently skipped."""

    def __init__(self, plugin: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.plugin = plugin

    def _run(self, name, module, direction, fake=False):
        database = self.database
        database.create_tables = lambda models, **options: _create_tables_strictly(database, f"{self.plugin}/{name}", models)
        try:
            super()._run(name, _CountedAtOnce(module), direction, fake=fake)
        finally:
            del database.create_tables  # the class's own method again


class _CountedAtOnce:
    """A migration's module whose `up` and `down` first make the change counters' triggers fire
    at once (PostgreSQL refuses DDL on a table with deferred trigger events pending)."""

    def __init__(self, module):
        self._module = module

    def __getattr__(self, name):
        value = getattr(self._module, name)
        if name not in ("up", "down"):
            return value

        def run(migrator, database):
            changes.fire_now(database)
            return value(migrator, database)

        return run


def _create_tables_strictly(database, migration: str, models) -> None:
    tables = set(database.get_tables())
    indexes = set(_index_names(database))
    for model in models:
        model._meta.legacy_table_names = False  # index names start with the table's name
        table = model._meta.table_name
        if table in tables:
            raise MigrationError(f"{migration}: the table {table!r} already exists (another plugin's?): "
                                 "prefix your tables with your plugin's name")
        for index in model._meta.fields_to_index():
            if index._name in indexes:
                raise MigrationError(f"{migration}: the index {index._name!r} of {table!r} already exists on another table")
    type(database).create_tables(database, models, safe=False)


def _index_names(database) -> list[str]:
    if is_sqlite():
        query = "SELECT name FROM sqlite_master WHERE type = 'index'"
    else:
        query = "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
    return [name for (name,) in database.execute_sql(query).fetchall()]


def _runner(plugin: str, directory: Path) -> Runner:
    table = re.sub(r"[^a-z0-9_]", "_", plugin.lower()) + "_migrations"
    return _Runner(plugin, db.obj, str(directory), table_name=table)


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


MIGRATION_FAILED = "migration "  # how a plugin's failed migration starts its PluginState.error


def migrate(host: PluginHost) -> list[tuple[str, str]]:
    """Apply every pending migration; return what was applied.

    A plugin whose migration fails is set aside (its failure kept for the plugins page and for the
    next start, which then starts without it) and the other plugins' migrations still run; the
    failures are in `host.migration_failures`. A failing migration of the core is raised."""
    applied = []
    host.migration_failures = {}
    with db.connection_context():
        for plugin, folder in migration_folders(host):
            runner = _runner(plugin, folder)
            try:
                applied += [(plugin, name) for name in runner.up()]
            except Exception as exc:  # noqa: BLE001 - one plugin's broken migration must not stop the rest
                if plugin == CORE:
                    raise
                step = next((m.name for m in runner.status() if not m.applied and m.path is not None), "?")
                message = f"{MIGRATION_FAILED}{step} failed: {type(exc).__name__}: {exc}"
                host.migration_failures[plugin] = message
                host.set_aside(plugin, message)
                PluginState.insert(name=plugin, error=message, error_at=utcnow()).on_conflict(
                    conflict_target=[PluginState.name], update={PluginState.error: message, PluginState.error_at: utcnow()},
                ).execute()
                continue
            PluginState.update(error=None, error_at=None).where(
                PluginState.name == plugin, PluginState.error.startswith(MIGRATION_FAILED)).execute()
        search.prepare(customisable_models(host))
        changes.count_every(customisable_models(host))
    return applied


def customisable_models(host: PluginHost) -> list:
    """The models of every loaded plugin whose records the low-code layer lists and searches."""
    from .lowcode.models import CustomisableModel

    found = []
    for _plugin, models in host.results("register_models", include_disabled=True):
        found += [model for model in models or [] if issubclass(model, CustomisableModel) and model not in found]
    return found


def check(host: PluginHost) -> None:
    """Refuse a database that is behind the code, except for plugins whose migration failed: those
    are set aside (the plugins page says why) and the rest starts."""
    with db.connection_context():
        waiting = pending(host)
        core_behind = any(plugin == CORE for plugin, _name in waiting)  # then there is no plugin state yet
        failed = {} if core_behind else {
            state.name: state.error for state in PluginState.select().where(PluginState.error.startswith(MIGRATION_FAILED))}
    for plugin in {plugin for plugin, _name in waiting if plugin in failed}:
        host.set_aside(plugin, f"{failed[plugin]} (fix the plugin, then run `salesdeck migrate`)")
    waiting = [(plugin, name) for plugin, name in waiting if plugin not in failed]
    if waiting:
        names = ", ".join(f"{plugin}/{name}" for plugin, name in waiting)
        raise DatabaseBehind(
            f"The database is behind the installed code: {len(waiting)} migration(s) are not "
            f"applied ({names}). Run `salesdeck migrate` (with the same SALESDECK_DATABASE_URL), "
            "then start salesdeck again."
        )
