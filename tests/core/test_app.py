"""The app factory, the database and start-up."""
import os
import stat
import subprocess
import sys
from pathlib import Path

import peewee
import pytest

from core import create_app, schema
from core.db import ConfigurationError, db, open_database
from core.hookspecs import hookimpl

from ..conftest import config_for


def test_importing_salesdeck_runs_nothing():
    code = (
        "import core, core.cli, core.plugins, core.admin, plugins.pipeline.plugin, plugins.goals.plugin,"
        " plugins.incentives.plugin, plugins.timemgmt.plugin, plugins.team.plugin\n"
        "from core.db import db\n"
        "assert db.obj is None, 'a database was opened at import time'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[2])


def test_start_up_refuses_a_database_that_is_behind(empty_database_url, tmp_path):
    with pytest.raises(schema.DatabaseBehind, match=r"Run `salesdeck migrate`") as refused:
        create_app(config_for(empty_database_url, tmp_path))
    assert "core/0001_initial" in str(refused.value)

    cli_app = create_app(config_for(empty_database_url, tmp_path, SCHEMA_CHECK=False))
    with cli_app.app_context():
        applied = schema.migrate(cli_app.extensions["salesdeck"])
    assert ("core", "0001_initial") in applied
    assert create_app(config_for(empty_database_url, tmp_path)).extensions["salesdeck"]


def test_a_plugin_with_a_new_migration_blocks_start_up_until_migrated(make_app, tmp_path):
    folder = tmp_path / "notes_migrations"
    folder.mkdir()
    (folder / "0001_notes.py").write_text(
        "from peewee import CharField, Model\n"
        "def up(migrator, db):\n"
        "    class Note(Model):\n"
        "        text = CharField()\n"
        "        class Meta:\n"
        "            database = db\n"
        "            table_name = 'notes_note'\n"
        "    db.create_tables([Note])\n"
    )

    class Notes:
        @hookimpl
        def register_migrations(self):
            return folder

    with pytest.raises(schema.DatabaseBehind, match=r"notes/0001_notes"):
        make_app(EXTRA_PLUGINS={"notes": Notes()})
    app = make_app(EXTRA_PLUGINS={"notes": Notes()}, SCHEMA_CHECK=False)
    with app.app_context():
        assert schema.migrate(app.extensions["salesdeck"]) == [("notes", "0001_notes")]
        assert db.table_exists("notes_note")
    make_app(EXTRA_PLUGINS={"notes": Notes()})  # starts now


def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_a_busy_timeout(tmp_path):
    database = open_database(f"sqlite:///{tmp_path / 'x.db'}")
    database.connect()
    assert database.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert database.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert database.execute_sql("PRAGMA busy_timeout").fetchone()[0] == 15000
    database.close()


def test_a_relative_sqlite_url_is_resolved_and_its_folder_created(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    database = open_database("sqlite:///data/here.db")
    assert database.database == str(tmp_path / "data" / "here.db")
    assert (tmp_path / "data").is_dir()


def test_an_unknown_database_url_is_a_clear_error():
    with pytest.raises(ConfigurationError, match="must start with sqlite:/// or postgresql://"):
        open_database("mysql://root@localhost/salesdeck")


def test_postgresql_urls_use_a_pool():
    database = open_database("postgresql://sales:p%40ss@db.internal:5433/crm")
    assert isinstance(database, peewee.PostgresqlDatabase)
    assert database.connect_params["password"] == "p@ss"
    assert database.connect_params["port"] == 5433


def test_the_secret_key_is_generated_once_and_private(database_url, tmp_path):
    instance = tmp_path / "instance"
    config = config_for(database_url, instance)
    del config["SECRET_KEY"]
    first = create_app(config).config["SECRET_KEY"]
    second = create_app(config).config["SECRET_KEY"]
    assert first == second and len(first) == 64
    assert stat.S_IMODE(os.stat(instance / "secret_key").st_mode) == 0o600


def test_settings_come_from_the_environment(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("SALESDECK_TIMEZONE", "Asia/Shanghai")
    monkeypatch.setenv("SALESDECK_SECURE_COOKIES", "true")
    app = create_app(config_for(database_url, tmp_path))
    assert app.config["TIMEZONE"] == "Asia/Shanghai"
    assert app.config["SESSION_COOKIE_SECURE"] is True
