"""The `salesdeck` command."""
import sqlite3

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo

from core import create_app
from core.cli import cli
from core.models import Team, User

from ..conftest import config_for


@pytest.fixture
def run(tmp_path):
    """run(app, *args) -> click's Result of `salesdeck <args>` against that app."""

    def invoke(app, *args, **kwargs):
        return CliRunner().invoke(cli, list(args), obj=ScriptInfo(create_app=lambda: app), **kwargs)

    return invoke


@pytest.fixture
def fresh_app(empty_database_url, tmp_path):
    return create_app(config_for(empty_database_url, tmp_path / "instance", SCHEMA_CHECK=False))


def test_init_creates_the_database_and_a_demo_team_once(fresh_app, run, monkeypatch, login):
    monkeypatch.setenv("SALESDECK_ADMIN_PASSWORD", "chosen-password")
    result = run(fresh_app, "init", "--demo")
    assert result.exit_code == 0, result.output
    assert "admin@example.com            chosen-password   (admin)" in result.output
    assert "shown once" not in result.output  # the admin chose it
    with fresh_app.app_context():
        assert User.select().count() == 5
        team = Team.get()
        assert team.manager.role == "manager" and team.members.count() == 4
    again = run(fresh_app, "init", "--demo")
    assert again.exit_code == 0 and "already has users" in again.output
    with fresh_app.app_context():
        assert User.select().count() == 5


def test_init_without_a_password_generates_one_that_works(fresh_app, run, monkeypatch, tmp_path):
    monkeypatch.delenv("SALESDECK_ADMIN_PASSWORD", raising=False)
    result = run(fresh_app, "init")
    assert "This password is shown once" in result.output
    password = result.output.split("admin@example.com")[1].split()[0]
    served = create_app(config_for(fresh_app.config["DATABASE_URL"], tmp_path / "instance"))
    from ..conftest import Client

    served.test_client_class = Client
    served.test_client().login("admin@example.com", password=password)


def test_migrate_reports_what_it_applied(fresh_app, run):
    first = run(fresh_app, "migrate")
    assert "applied core/0001_initial" in first.output and first.exit_code == 0
    assert "0 migration(s) applied" in run(fresh_app, "migrate").output


def test_create_user_and_its_mistakes(app, run, people):
    ok = run(app, "create-user", "--email", "New@Example.com", "--name", "Nia", "--role", "manager", "--team", "East",
             "--password", "long-enough-1")
    assert ok.exit_code == 0, ok.output
    with app.app_context():
        assert User.get(User.email == "new@example.com").team.name == "East"
    duplicate = run(app, "create-user", "--email", "new@example.com", "--name", "N", "--password", "long-enough-1")
    assert duplicate.exit_code == 1 and "already exists" in duplicate.output
    no_team = run(app, "create-user", "--email", "x@example.com", "--name", "X", "--team", "Nowhere", "--password", "long-enough-1")
    assert no_team.exit_code == 1 and "There is no team named 'Nowhere'" in no_team.output
    short = run(app, "create-user", "--email", "y@example.com", "--name", "Y", "--password", "short")
    assert short.exit_code == 1 and "at least 8 characters" in short.output


def test_demo_adds_the_demo_team_once(app, run):
    assert run(app, "demo").exit_code == 0
    refused = run(app, "demo")
    assert refused.exit_code == 1 and "already here" in refused.output


def test_backup_copies_a_sqlite_database_or_explains_pg_dump(app, run, people, tmp_path):
    target = tmp_path / "copy.db"
    result = run(app, "backup", str(target))
    if app.config["DATABASE_URL"].startswith("sqlite"):
        assert result.exit_code == 0 and f"Backed up to {target}" in result.output
        with sqlite3.connect(target) as copy:
            assert copy.execute("SELECT COUNT(*) FROM core_user").fetchone()[0] == 5
        default = run(app, "backup")
        assert "instance/backups/salesdeck-" in default.output
    else:
        assert result.exit_code == 1 and "pg_dump --format=custom" in result.output


def test_plugins_lists_their_state(app, run, login, people):
    login(people.admin).post("/admin/plugins/goals", data={"action": "disable"})
    lines = run(app, "plugins").output.splitlines()
    assert any(line.startswith("goals") and line.endswith("disabled") for line in lines)
    assert any(line.startswith("pipeline") and line.endswith("enabled") for line in lines)


def test_serve_refuses_a_database_that_is_behind(empty_database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("SALESDECK_DATABASE_URL", empty_database_url)
    monkeypatch.setenv("SALESDECK_INSTANCE_PATH", str(tmp_path))
    result = CliRunner().invoke(cli, ["serve"])
    assert result.exit_code == 1
    assert "The database is behind" in result.output and "salesdeck migrate" in result.output
