"""The command line reports plugins' trouble: a command of a plugin that is off says so (not "No
such command"), and a plugin failing to add its demo records makes `init --demo` exit non-zero."""
from click.testing import CliRunner
from flask.cli import ScriptInfo

from core import create_app
from core.cli import cli
from core.hookspecs import hookimpl
from core.models import User
from core.plugins import host_of

from ..conftest import config_for


def run(app, *args):
    return CliRunner().invoke(cli, list(args), obj=ScriptInfo(create_app=lambda: app))


def test_a_command_of_a_plugin_that_is_off_says_so(make_app):
    app = make_app()
    assert "pipeline-return" in run(app, "--help").output
    with app.app_context():
        host_of(app).set_enabled("pipeline", False)
    off = make_app()
    result = run(off, "pipeline-return")
    assert result.exit_code == 1
    assert "the plugin 'pipeline' is turned off" in result.output
    assert "No such command" not in result.output
    with off.app_context():
        host_of(off).set_enabled("pipeline", True)
    assert run(make_app(), "pipeline-return").exit_code == 0


class BrokenDemo:
    @hookimpl
    def demo_data(self, team, rng):
        raise RuntimeError("no demo today")


def test_init_demo_exits_non_zero_and_names_a_plugin_whose_demo_failed(empty_database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("SALESDECK_ADMIN_PASSWORD", "chosen-password")
    app = create_app(config_for(empty_database_url, tmp_path / "instance", SCHEMA_CHECK=False,
                                EXTRA_PLUGINS={"broken": BrokenDemo()}))
    result = CliRunner().invoke(cli, ["init", "--demo"], obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 1
    assert "The plugin 'broken' could not add its demo records: RuntimeError: no demo today" in result.output
    with app.app_context():
        assert User.select().count() == 5  # the rest of the demo is there to sign in to


def test_a_broken_migration_sets_its_plugin_aside_and_the_rest_starts(empty_database_url, tmp_path):
    folder = tmp_path / "notes_migrations"
    folder.mkdir()
    (folder / "0001_notes.py").write_text("def up(migrator, db):\n    raise ValueError('a typo in the migration')\n")

    class Notes:
        @hookimpl
        def register_migrations(self):
            return folder

    def build(**config):
        return create_app(config_for(empty_database_url, tmp_path / "instance", EXTRA_PLUGINS={"notes": Notes()}, **config))

    result = CliRunner().invoke(cli, ["migrate"], obj=ScriptInfo(create_app=lambda: build(SCHEMA_CHECK=False)))
    assert result.exit_code == 1
    assert "The plugin 'notes' is set aside: its migration 0001_notes failed: ValueError: a typo in the migration" in result.output
    assert "applied pipeline/0001_initial" in result.output  # the plugins after it still migrate

    app = build()  # starts (without the plugin) instead of refusing a database that is behind
    assert "migration 0001_notes failed" in host_of(app).plugins["notes"].load_error
    assert host_of(app).plugins["pipeline"].load_error is None

    (folder / "0001_notes.py").write_text("def up(migrator, db):\n    pass\n")
    fixed = CliRunner().invoke(cli, ["migrate"], obj=ScriptInfo(create_app=lambda: build(SCHEMA_CHECK=False)))
    assert fixed.exit_code == 0 and "applied notes/0001_notes" in fixed.output
    assert host_of(build()).plugins["notes"].load_error is None
