"""The `salesdeck` command: init, migrate, create-user, set-password, demo, serve, worker, backup, plugins.

Plugins add their own subcommands through the `register_commands` hook.
"""
from __future__ import annotations

import datetime
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, routes_command, shell_command

from . import create_app, schema
from .db import db, is_sqlite
from .demo import ADMIN_EMAIL, DEMO_PEOPLE, DemoRefused, add_plugin_demo, create_admin, create_demo, demo_exists, initial_password
from .models import ROLES, Team, User
from .plugins import host_of


def _cli_app():
    # Commands such as `migrate` must run on a database that is behind, so no schema check here.
    return create_app({"SCHEMA_CHECK": False})


cli = FlaskGroup(
    name="salesdeck",
    create_app=_cli_app,
    add_default_commands=False,
    help="salesdeck: a self-hosted workbench for sales teams.",
)
cli.add_command(shell_command)
cli.add_command(routes_command)


def _print_logins(password: str, generated: bool, demo: bool) -> None:
    click.echo("")
    click.secho("salesdeck is ready. Sign in with:", bold=True)
    click.echo(f"  {ADMIN_EMAIL:<28} {password}   (admin)")
    if demo:
        for email, name, role, _locale in DEMO_PEOPLE:
            click.echo(f"  {email:<28} {password}   ({role}: {name})")
    if generated:
        click.secho("This password is shown once: keep it somewhere safe.", fg="yellow")
    click.echo("")


@cli.command("migrate")
def migrate_command():
    """Apply the pending migrations of the core and of every plugin."""
    host = host_of(current_app)
    applied = schema.migrate(host)
    for plugin, name in applied:
        click.echo(f"applied {plugin}/{name}")
    if host.migration_failures:
        click.echo(f"{len(applied)} migration(s) applied.")
        _fail_on_migrations(host)
    click.echo(f"{len(applied)} migration(s) applied; the database is up to date.")


def _fail_on_migrations(host) -> None:
    """Plugins whose migration failed: say which and why, that the rest runs without them, and exit 1."""
    for plugin, message in host.migration_failures.items():
        click.secho(f"The plugin {plugin!r} is set aside: its {message}", fg="red", err=True)
    click.secho("salesdeck starts without it; fix the plugin (or uninstall it), then run `salesdeck migrate`.", err=True)
    sys.exit(1)


@cli.command("init")
@click.option("--demo/--no-demo", default=False, help="Also create a demo team with example records.")
def init_command(demo):
    """Create or update the database; on a new one, create the first admin (and the demo team).

    The admin's password is SALESDECK_ADMIN_PASSWORD when set, otherwise generated and printed once.
    """
    host = host_of(current_app)
    applied = schema.migrate(host)
    if applied:
        click.echo(f"{len(applied)} migration(s) applied.")
    host.refresh()
    if host.migration_failures and User.select().exists():
        _fail_on_migrations(host)
    if User.select().exists():
        click.echo("The database already has users: nothing else to do.")
        return
    password, generated = initial_password()
    failures = create_demo(host, password) if demo else []
    if not demo:
        create_admin(ADMIN_EMAIL, password)
    _print_logins(password, generated, demo)
    if host.migration_failures:
        _fail_on_migrations(host)
    _fail_on(failures)


@cli.command("demo")
@click.option("--plugin", "plugin", default=None, metavar="NAME",
              help="Add only this plugin's example records to the demo team already here (a plugin installed later); once.")
def demo_command(plugin):
    """Add the demo team and every plugin's example records to this database."""
    host = host_of(current_app)
    host.refresh()
    if plugin is not None:
        try:
            failures = add_plugin_demo(host, plugin.strip())
        except DemoRefused as refused:
            raise click.ClickException(str(refused)) from None
        for name, message in failures:
            click.secho(f"The plugin {name!r} could not add its demo records: {message}", fg="red", err=True)
            click.secho("Nothing of it was kept; run the command again once the plugin is fixed.", err=True)
            sys.exit(1)
        click.echo(f"The demo records of the plugin {plugin.strip()!r} were added to the demo team.")
        return
    if demo_exists():
        raise click.ClickException("The demo team is already here; to add the records of a plugin installed since, "
                                   "run `salesdeck demo --plugin NAME`.")
    password, generated = initial_password()
    admin = User.get_or_none(User.email == ADMIN_EMAIL)
    failures = create_demo(host, password, admin=admin)
    click.echo("Demo team created.")
    click.echo("")
    for email, name, role, _locale in DEMO_PEOPLE:
        click.echo(f"  {email:<28} {password}   ({role}: {name})")
    if generated:
        click.secho("This password is shown once: keep it somewhere safe.", fg="yellow")
    _fail_on(failures)


def _fail_on(failures: list[tuple[str, str]]) -> None:
    """Plugins that could not add their demo records: say which and why, and exit non-zero."""
    if not failures:
        return
    for plugin, message in failures:
        click.secho(f"The plugin {plugin!r} could not add its demo records: {message}", fg="red", err=True)
    click.secho("The rest of the demo is in place; the plugin's failure is also on the plugins page.", err=True)
    sys.exit(1)


@cli.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(list(ROLES)), default="rep", show_default=True)
@click.option("--team", "team_name", default=None, help="The name of an existing team.")
@click.password_option(help="Asked for when not given.")
def create_user_command(email, name, role, team_name, password):
    """Create a user who can sign in at once."""
    email = email.strip().lower()
    if User.select().where(User.email == email).exists():
        raise click.ClickException(f"A user with the email {email} already exists.")
    team = None
    if team_name:
        team = Team.get_or_none(Team.name == team_name)
        if team is None:
            raise click.ClickException(f"There is no team named {team_name!r}.")
    if len(password) < 8:
        raise click.ClickException("The password needs at least 8 characters.")
    from .auth import hash_password

    User.create(email=email, name=name, role=role, team=team, password_hash=hash_password(password))
    click.echo(f"{name} <{email}> can now sign in as {role}.")


@cli.command("set-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the new password from the first line of stdin.")
def set_password_command(email, password_stdin):
    """Give a user a new password (a lost admin password, say); signs them out everywhere."""
    from . import accounts
    from .auth import PASSWORD_MAX, PASSWORD_MIN

    email = email.strip().lower()
    user = User.get_or_none(User.email == email)
    if user is None:
        raise click.ClickException(f"No user has the email {email}.")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("New password", hide_input=True, confirmation_prompt=True)
    if len(password) < PASSWORD_MIN:
        raise click.ClickException(f"The password needs at least {PASSWORD_MIN} characters.")
    if len(password) > PASSWORD_MAX:
        raise click.ClickException(f"The password may have at most {PASSWORD_MAX} characters.")
    accounts.set_password(None, user, password)
    click.echo(f"{user.name} <{user.email}> has a new password and is signed out everywhere.")


@cli.command("backup")
@click.argument("target", required=False, type=click.Path(dir_okay=False, path_type=Path))
def backup_command(target):
    """Copy the SQLite database to a file while salesdeck keeps running (online backup)."""
    if not is_sqlite():
        raise click.ClickException(
            "This database is PostgreSQL: back it up with pg_dump, for example\n"
            "  pg_dump --format=custom --file=salesdeck.dump \"$SALESDECK_DATABASE_URL\""
        )
    if target is None:
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        target = Path(current_app.config["INSTANCE_PATH"]) / "backups" / f"salesdeck-{stamp}.db"
    target.parent.mkdir(parents=True, exist_ok=True)
    with db.connection_context():
        destination = sqlite3.connect(target)
        try:
            db.connection().backup(destination)
        finally:
            destination.close()
    click.echo(f"Backed up to {target}")


@cli.command("plugins")
def plugins_command():
    """List the installed plugins and their state."""
    host = host_of(current_app)
    host.refresh()
    for plugin in host.plugins.values():
        if not plugin.loaded:
            state = f"failed: {plugin.load_error}"
        elif plugin.name in host.disabled:
            state = "disabled"
        else:
            state = "enabled"
        click.echo(f"{plugin.name:<16} {plugin.version:<10} {plugin.source:<9} {state}")


@cli.command("serve", with_appcontext=False)
@click.option("--host", envvar="SALESDECK_HOST", default="127.0.0.1", show_default=True)
@click.option("--port", envvar="SALESDECK_PORT", default=5000, show_default=True, type=int)
@click.option("--workers", envvar="SALESDECK_WORKERS", default=0, type=int,
              help="Worker processes; 0 means one per CPU core.")
def serve_command(host, port, workers):
    """Serve salesdeck with gunicorn (sync workers, one per core by default)."""
    from gunicorn.app.base import BaseApplication

    try:
        app = create_app()
    except schema.DatabaseBehind as exc:
        raise click.ClickException(str(exc)) from None

    class Server(BaseApplication):
        def load_config(self):
            options = {
                "bind": f"{host}:{port}",
                "workers": workers or os.cpu_count() or 1,
                "worker_class": "sync",
                "preload_app": True,  # the app is built once, before the workers fork: they share its pages
                "timeout": 60,
                "accesslog": "-",
                "max_requests": 2000,
                "max_requests_jitter": 200,
                "control_socket_disable": True,  # unused; two servers on one machine would share its path
            }
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):
            return app

    consumer = _start_consumer()
    click.echo(f"salesdeck serving on http://{host}:{port}/ with a job worker (Ctrl+C stops both)")
    try:
        Server().run()
    finally:
        _stop_consumer(consumer)


def _start_consumer() -> subprocess.Popen:
    """`salesdeck worker` as a child of this server: it stops with it (and by itself if this
    process is killed outright)."""
    return subprocess.Popen([sys.executable, "-m", "core.cli", "worker", "--parent", str(os.getpid())])


def _stop_consumer(consumer: subprocess.Popen) -> None:
    if consumer.poll() is None:
        consumer.terminate()
        try:
            consumer.wait(timeout=30)
        except subprocess.TimeoutExpired:
            consumer.kill()


@cli.command("worker", with_appcontext=False)
@click.option("--threads", envvar="SALESDECK_JOB_THREADS", default=2, show_default=True, type=int,
              help="Jobs run at the same time.")
@click.option("--parent", type=int, default=None, hidden=True, help="Stop when this process is gone (serve's own worker).")
def worker_command(threads, parent):
    """Run the background jobs (imports, the plugins' periodic work) until stopped."""
    import logging
    import signal
    import threading
    import time

    from . import jobs

    try:
        app = create_app()
    except schema.DatabaseBehind as exc:
        raise click.ClickException(str(exc)) from None
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    consumer = jobs.consumer(app, workers=max(threads, 1))
    if parent:
        def follow_parent():
            while os.getppid() == parent:
                time.sleep(1)
            os.kill(os.getpid(), signal.SIGTERM)

        threading.Thread(target=follow_parent, daemon=True).start()
    click.echo("salesdeck worker running the background jobs (Ctrl+C stops it)")
    consumer.run()


@cli.command("new-plugin", with_appcontext=False)
@click.argument("name")
@click.option("--directory", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The folder to create (default: ./salesdeck-NAME); it must not exist.")
def new_plugin_command(name, directory):
    """Write a working plugin to start from: a customisable model, a page, a metric, tests, a Chinese catalogue."""
    from . import scaffold

    try:
        target, _files = scaffold.create(name, directory)
    except scaffold.Refused as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Created the plugin {name!r} in {target}. Next:")
    click.echo(f"  pip install -e {target}    # into salesdeck's environment")
    click.echo("  salesdeck migrate && salesdeck serve")
    click.echo(f"  cd {target} && pytest")


def main() -> None:
    try:
        cli.main(prog_name="salesdeck")
    except schema.DatabaseBehind as exc:  # raised by create_app when the schema check is on
        click.echo(str(exc), err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
