"""A plugin's migration cannot silently lose an index or a table to another plugin's: indexes are
named after their table, and a clash stops the migration with a message naming it."""
from core import schema
from core.db import db
from core.hookspecs import hookimpl

MODEL = '''from peewee import AutoField, CharField, Model


def up(migrator, db):
    class Deal(Model):  # the same class name as the pipeline's
        id = AutoField()
        owner_id = CharField(index=True)

        class Meta:
            database = db
            table_name = "{table}"

    db.create_tables([Deal])
'''


def plugin_with(tmp_path, name, table):
    folder = tmp_path / name
    folder.mkdir()
    (folder / "0001_initial.py").write_text(MODEL.format(table=table))

    class Plugin:
        @hookimpl
        def register_migrations(self):
            return folder

    return Plugin()


def index_names(table):
    return {index.name for index in db.get_indexes(table)}


def test_a_plugins_model_named_like_another_gets_its_own_index(make_app, tmp_path):
    app = make_app(EXTRA_PLUGINS={"crm": plugin_with(tmp_path, "crm", "crm_deal")}, SCHEMA_CHECK=False)
    with app.app_context():
        schema.migrate(app.extensions["salesdeck"])
        assert "crm_deal_owner_id" in index_names("crm_deal")


def test_a_table_that_already_exists_stops_the_migration_loudly(make_app, tmp_path):
    app = make_app(EXTRA_PLUGINS={"copycat": plugin_with(tmp_path, "copycat", "pipeline_deal")}, SCHEMA_CHECK=False)
    host = app.extensions["salesdeck"]
    with app.app_context():
        schema.migrate(host)
    assert "copycat/0001_initial: the table 'pipeline_deal' already exists" in host.migration_failures["copycat"]
    assert "the table 'pipeline_deal' already exists" in host.plugins["copycat"].load_error
