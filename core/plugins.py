"""The plugin manager, built inside `create_app` and kept in `app.extensions["salesdeck"]`.

Built-in plugins load from BUILTIN_PLUGINS, third-party ones from the entry-point group
`salesdeck.plugins`. A plugin that fails to import, implements a hook that does not exist, or
raises while registering is set aside with its error; the app starts without it.

Hooks are called through `PluginHost.results()`, which asks each implementation in pluggy's order
but on its own: one plugin raising while a page renders is logged and recorded against that
plugin, and every other plugin's contribution still arrives. A failure is logged with its
traceback once per process and kind (plugin, hook, exception), and each hook's last failure is kept
for the admin's plugin page. Plugins an admin turned off are skipped; the switch lives in the
database, so every server process sees it on its next request.
"""
from __future__ import annotations

import datetime
import importlib
import importlib.metadata
import inspect
import logging
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import peewee
import pluggy
from flask import abort, request
from packaging.specifiers import InvalidSpecifier, SpecifierSet

from . import hookspecs, versions
from .db import BaseModel, db, utcnow
from .models import PluginState

ENTRY_POINT_GROUP = "salesdeck.plugins"
CORE = "core"
BUILTIN_PLUGINS = (
    (CORE, "core.defaults"),
    ("pipeline", "plugins.pipeline.plugin"),
    ("goals", "plugins.goals.plugin"),
    ("incentives", "plugins.incentives.plugin"),
    ("timemgmt", "plugins.timemgmt.plugin"),
    ("team", "plugins.team.plugin"),
    ("analytics", "plugins.analytics.plugin"),
)
# The version of the plugin contract (hooks, contributions and `core.api`). A plugin may declare
# the versions it works with, `salesdeck_api = ">=1.0,<2"`, and is set aside on any other.
API_VERSION = "1.6"

# Hooks asked once at start-up of every loaded plugin, switched on or not: a plugin turned off
# keeps its tables, pages (answering 404) and migrations, so it can come back without a restart.
STARTUP_HOOKS = ("register_models", "register_migrations", "register_blueprints")

log = logging.getLogger(__name__)

# A failure seen again is written again (its time refreshed) at most this often per process.
REWRITE_FAILURE_AFTER = datetime.timedelta(minutes=1)
LOGGED_KINDS_LIMIT = 1000


class PluginFailure(BaseModel):
    """The last failure of one hook of one plugin, for the admin's plugin page."""

    plugin = peewee.CharField(max_length=100)
    hook = peewee.CharField(max_length=100)
    message = peewee.TextField()
    at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "core_plugin_failure"
        indexes = ((("plugin", "hook"), True),)


@dataclass
class Plugin:
    """What the admin's plugin page shows about one plugin."""

    name: str
    source: str  # "built-in", "pip" or "extra"
    label: str = ""
    description: str = ""
    version: str = ""
    obj: Any = None
    load_error: str | None = None

    @property
    def required(self) -> bool:
        return self.name == CORE

    @property
    def loaded(self) -> bool:
        return self.load_error is None


def _salesdeck_version() -> str:
    try:
        return importlib.metadata.version("salesdeck")
    except importlib.metadata.PackageNotFoundError:
        return "dev"


def _describe(plugin: Plugin, dist=None) -> None:
    """Fill label, description and version from the plugin module or its distribution."""
    obj = plugin.obj
    metadata = dist.metadata if dist is not None else None
    # Kept lazy (not str()) so built-in plugins' labels are translated when a page renders.
    plugin.label = getattr(obj, "label", "") or plugin.name
    doc = (inspect.getdoc(obj) or "").split("\n\n")[0].replace("\n", " ")
    summary = metadata["Summary"] if metadata is not None and metadata["Summary"] else ""
    plugin.description = getattr(obj, "description", "") or summary or doc
    if dist is not None:
        plugin.version = dist.version
    elif plugin.source == "built-in":
        plugin.version = _salesdeck_version()
    else:
        plugin.version = str(getattr(obj, "__version__", ""))


def turned_off_command(plugin: str, command):
    """What stands for a command of a plugin an admin turned off: it says so, instead of click's
    "No such command"."""
    import click

    def refuse(**_ignored):
        raise click.ClickException(f"the plugin {plugin!r} is turned off; an admin turns it on in Admin > Plugins")

    return click.Command(command.name, callback=refuse, help=f"(the plugin {plugin!r} is turned off)",
                         context_settings={"ignore_unknown_options": True, "allow_extra_args": True})


def _check_api(obj) -> None:
    """Refuse a plugin that declares plugin API versions this salesdeck does not offer."""
    wanted = getattr(obj, "salesdeck_api", None)
    if wanted is None:
        return
    try:
        compatible = API_VERSION in SpecifierSet(str(wanted))
    except InvalidSpecifier:
        raise pluggy.PluginValidationError(obj, f"salesdeck_api = {wanted!r} is not a version range such as '>=1.0,<2'") from None
    if not compatible:
        raise pluggy.PluginValidationError(
            obj, f"it needs plugin API {wanted}; this salesdeck offers {API_VERSION}: install a version of the plugin made for it")


class PluginHost:
    def __init__(self, app):
        self.app = app
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.plugins: dict[str, Plugin] = {}
        self.disabled: frozenset[str] = frozenset()
        self._switches_version: int | None = None
        self.blueprint_owner: dict[str, str] = {}
        self._recorded_errors: dict[tuple[str, str], tuple[str, datetime.datetime]] = {}
        self._logged_kinds: set[tuple[str, str, str]] = set()
        self.migration_failures: dict[str, str] = {}  # plugin -> why its migration failed (`schema.migrate`)

    # -- loading --------------------------------------------------------------------------------

    def load(self, *, entry_points: bool, extra: dict | None = None) -> None:
        for name, module in BUILTIN_PLUGINS:
            self._add(name, "built-in", lambda module=module: importlib.import_module(module))
        if entry_points:
            for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
                self._add(ep.name, "pip", ep.load, dist=ep.dist)
        for name, obj in (extra or {}).items():
            self._add(name, "extra", lambda obj=obj: obj)
        self.pm.check_pending()

    def _add(self, name: str, source: str, load, dist=None) -> None:
        plugin = Plugin(name=name, source=source)
        if name in self.plugins:
            key = f"{name} ({dist.name if dist else source})"
            self.plugins[key] = Plugin(
                name=key, source=source, load_error=f"another plugin is already named {name!r}"
            )
            return
        self.plugins[name] = plugin
        try:
            plugin.obj = load()
            _describe(plugin, dist)
            _check_api(plugin.obj)
            self.pm.register(plugin.obj, name=name)
            unknown = [
                caller.name
                for caller in self.pm.get_hookcallers(plugin.obj) or []
                if not caller.has_spec()
            ]
            if unknown:
                raise pluggy.PluginValidationError(
                    plugin.obj, f"unknown hook(s): {', '.join(sorted(unknown))}"
                )
            wrappers = [
                caller.name
                for caller in self.pm.get_hookcallers(plugin.obj) or []
                for impl in caller.get_hookimpls()
                if impl.plugin is plugin.obj and (impl.wrapper or impl.hookwrapper)
            ]
            if wrappers:  # salesdeck calls each implementation itself, so a wrapper would never run
                raise pluggy.PluginValidationError(
                    plugin.obj, f"hook wrappers are not part of the contract: {', '.join(sorted(wrappers))}"
                )
        except Exception as exc:  # noqa: BLE001 - any failure of a plugin must not stop the app
            self._set_aside(name, exc)

    def _set_aside(self, name: str, exc: BaseException) -> None:
        log.error("plugin %r could not be loaded", name, exc_info=exc)
        self.set_aside(name, "".join(traceback.format_exception_only(type(exc), exc)).strip())

    def set_aside(self, name: str, message: str) -> None:
        """Take a plugin out of this process (its hooks are no longer called), saying why."""
        plugin = self.plugins[name]
        plugin.load_error = message
        if plugin.obj is not None and self.pm.is_registered(plugin.obj):
            self.pm.unregister(plugin.obj)

    # -- calling hooks --------------------------------------------------------------------------

    def _implementations(self, hook: str, include_disabled: bool) -> Iterator[Any]:
        caller = getattr(self.pm.hook, hook)
        # pluggy calls implementations last-registered first, tryfirst before trylast: the
        # reverse of get_hookimpls(). Wrappers are not part of salesdeck's contract.
        for impl in reversed(caller.get_hookimpls()):
            if impl.wrapper or impl.hookwrapper:
                continue
            if not include_disabled and impl.plugin_name in self.disabled:
                continue
            yield impl

    def results(self, hook: str, *, include_disabled: bool = False, failed: list | None = None, **kwargs) -> list[tuple]:
        """Call a hook; return [(plugin name, result), ...] for the results that are not None. The
        names of the plugins that failed (recorded, and left out) are added to `failed`."""
        collected = []
        for impl in self._implementations(hook, include_disabled):
            arguments = {name: kwargs[name] for name in impl.argnames}
            try:
                result = impl.function(**arguments)
            except Exception as exc:  # noqa: BLE001
                self.record_error(impl.plugin_name, hook, exc)
                if failed is not None:
                    failed.append(impl.plugin_name)
                continue
            if result is not None:
                collected.append((impl.plugin_name, result))
        return collected

    def collect(self, hook: str, **kwargs) -> list:
        """Call a list-returning hook and flatten the lists."""
        return [item for _, items in self.results(hook, **kwargs) for item in items]

    def notify(self, hook: str, **kwargs) -> list[tuple[str, str]]:
        """Call an on_* hook. Each implementation runs in its own savepoint, so one that fails
        (even with a database error) leaves the caller's transaction usable. Returns the failures,
        [(plugin name, message)], for a caller that reports them (the demo command)."""
        return self._notify(hook, self._implementations(hook, include_disabled=False), kwargs)

    def notify_plugin(self, name: str, hook: str, **kwargs) -> list[tuple[str, str]]:
        """Call one plugin's implementation of an on_* hook (or `demo_data`), whether it is on or
        off, contained like `notify`. Returns its failure, [(plugin name, message)], if any."""
        implementations = [impl for impl in self._implementations(hook, include_disabled=True) if impl.plugin_name == name]
        return self._notify(hook, implementations, kwargs)

    def _notify(self, hook: str, implementations, kwargs: dict) -> list[tuple[str, str]]:
        failures = []
        for impl in implementations:
            arguments = {name: kwargs[name] for name in impl.argnames}
            try:
                with db.atomic():
                    impl.function(**arguments)
            except Exception as exc:  # noqa: BLE001
                self.record_error(impl.plugin_name, hook, exc)
                failures.append((impl.plugin_name, "".join(traceback.format_exception_only(type(exc), exc)).strip()))
        return failures

    def record_error(self, name: str, where: str, exc: BaseException) -> None:
        """Log a plugin's failure (with its traceback the first time this process sees its kind)
        and keep it as the last failure of that hook on the admin's plugin page."""
        message = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        kind = (name, where, message)
        if kind not in self._logged_kinds:
            if len(self._logged_kinds) >= LOGGED_KINDS_LIMIT:
                self._logged_kinds.clear()
            self._logged_kinds.add(kind)
            log.error("plugin %r failed in %s", name, where, exc_info=exc)
        now = utcnow()
        last = self._recorded_errors.get((name, where))
        if last is not None and last[0] == message and now - last[1] < REWRITE_FAILURE_AFTER:
            return
        self._recorded_errors[(name, where)] = (message, now)
        try:
            PluginFailure.insert(plugin=name, hook=where, message=message, at=now).on_conflict(
                conflict_target=[PluginFailure.plugin, PluginFailure.hook],
                update={PluginFailure.message: message, PluginFailure.at: now},
            ).execute()
        except peewee.PeeweeException as error:
            log.warning("could not record the failure of plugin %r: %s", name, error)

    def failures(self) -> dict[str, list[PluginFailure]]:
        """{plugin: [its hooks' last failures]}, for the admin's plugin page."""
        found: dict[str, list[PluginFailure]] = {}
        for failure in PluginFailure.select().order_by(PluginFailure.plugin, PluginFailure.hook):
            found.setdefault(failure.plugin, []).append(failure)
        return found

    def _forget_failures(self, name: str) -> None:
        PluginFailure.delete().where(PluginFailure.plugin == name).execute()
        for key in [key for key in self._recorded_errors if key[0] == name]:
            del self._recorded_errors[key]

    # -- the admin's switch ---------------------------------------------------------------------

    def refresh(self) -> None:
        """Re-read which plugins are off when an admin flipped a switch (in any process) since
        this process last looked. Called before every request; costs the one version query."""
        version = versions.current().get(versions.PLUGINS, 0)
        if version == self._switches_version:
            return
        try:
            rows = PluginState.select(PluginState.name).where(PluginState.enabled == False)  # noqa: E712
            self.disabled = frozenset(row.name for row in rows) - {CORE}
        except (peewee.OperationalError, peewee.ProgrammingError):
            self.disabled = frozenset()  # a database not yet migrated has no switches
        self._switches_version = version

    def set_enabled(self, name: str, enabled: bool, user=None) -> list[tuple[str, str]]:
        """Turn a plugin on or off for every process, then tell that plugin alone (`on_enabled`,
        `on_disabled`: it missed the `on_*` notifications while off). Returns its failure, if any;
        the switch stays as set either way."""
        if name not in self.plugins or self.plugins[name].required:
            raise KeyError(name)
        with db.atomic():
            PluginState.insert(name=name, enabled=enabled).on_conflict(
                conflict_target=[PluginState.name],
                update={PluginState.enabled: enabled, PluginState.error: None, PluginState.error_at: None},
            ).execute()
            versions.bump(versions.PLUGINS)
            self._forget_failures(name)
        self.refresh()
        return self.notify_plugin(name, "on_enabled" if enabled else "on_disabled", user=user)

    def clear_error(self, name: str) -> None:
        with db.atomic():
            PluginState.update(error=None, error_at=None).where(PluginState.name == name).execute()
            self._forget_failures(name)

    def enabled(self, name: str) -> bool:
        plugin = self.plugins.get(name)
        return bool(plugin and plugin.loaded and name not in self.disabled)

    # -- wiring into Flask ----------------------------------------------------------------------

    def register_blueprints(self, app) -> None:
        for name, blueprints in self.results("register_blueprints", include_disabled=True):
            try:
                for blueprint in blueprints:
                    if name != CORE and blueprint.name != name and not blueprint.name.startswith(f"{name}_"):
                        # its endpoints would clash with another plugin's, or point at the wrong one
                        raise pluggy.PluginValidationError(
                            self.plugins[name].obj, f"blueprint {blueprint.name!r} must be named {name!r} or start with '{name}_'")
                for blueprint in blueprints:
                    app.register_blueprint(blueprint)
                    self.blueprint_owner[blueprint.name] = name
            except Exception as exc:  # noqa: BLE001
                self._set_aside(name, exc)

    def _gate(self):
        """Before each request: refresh the switches; a plugin turned off answers 404."""
        endpoint = request.endpoint or ""
        if endpoint == "static" or endpoint.endswith(".static"):
            return
        self.refresh()
        owner = self.blueprint_owner.get((request.blueprint or "").split(".")[0])
        if owner is not None and owner in self.disabled:
            abort(404)

    def translation_directories(self) -> list[str]:
        directories = []
        for plugin in self.plugins.values():
            if plugin.obj is None:
                continue
            module = plugin.obj if inspect.ismodule(plugin.obj) else inspect.getmodule(plugin.obj)
            if module is None or not getattr(module, "__file__", None):
                continue
            folder = Path(module.__file__).parent / "translations"
            if folder.is_dir() and str(folder) not in directories:
                directories.append(str(folder))
        return directories


def init_app(app) -> PluginHost:
    host = PluginHost(app)
    host.load(
        entry_points=app.config["LOAD_ENTRYPOINTS"], extra=dict(app.config["EXTRA_PLUGINS"])
    )
    app.extensions["salesdeck"] = host
    app.before_request(host._gate)
    return host


def host_of(app) -> PluginHost:
    return app.extensions["salesdeck"]
