"""salesdeck's core: the app factory. Importing this package runs nothing."""
from __future__ import annotations

from pathlib import Path

from flask import Flask

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def create_app(config: dict | None = None) -> Flask:
    """Build the salesdeck app.

    Order: configuration, database, plugin manager, models and migrations, blueprints, templates,
    command line. Raises `core.schema.DatabaseBehind` when migrations are pending (unless
    `SCHEMA_CHECK` is off, as it is for the `salesdeck` command itself).
    """
    from htmx_flask import Htmx

    from . import auth, db, i18n, input_guard, jobs, lowcode, plugins, schema, security, settings, shell

    values = settings.resolve(config)
    app = Flask(__name__, template_folder=str(TEMPLATES), instance_path=values["INSTANCE_PATH"])
    app.config.update(values)
    app.url_map.converters["int"] = shell.BoundedInteger  # before any route is added
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = settings.secret_key(app.instance_path)

    db.init_app(app)
    try:
        host = plugins.init_app(app)
        if app.config["SCHEMA_CHECK"]:
            schema.check(host)
        host.refresh()
        Htmx(app)
        input_guard.init_app(app)
        security.init_app(app)
        auth.init_app(app)
        host.register_blueprints(app)
        shell.init_app(app)
        lowcode.init_app(app)
        i18n.init_app(app, host.translation_directories())
        jobs.init_app(app, host)
        for name, commands in host.results("register_commands", include_disabled=True):
            for command in commands:
                app.cli.add_command(command if name not in host.disabled else plugins.turned_off_command(name, command))
    finally:
        db.release()  # no connection may survive into a forked server worker
    return app
