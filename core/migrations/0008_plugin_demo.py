"""Which plugins' demo records are in the database, so `salesdeck demo --plugin NAME` adds a plugin
installed later once. A demo made before counts as made with every plugin then switched on."""
from peewee import *


def up(migrator, db):
    from core.db import utcnow

    class PluginDemo(Model):
        name = CharField(max_length=100, primary_key=True)
        added_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'core_plugin_demo'

    db.create_tables([PluginDemo])
    for name in _plugins_of_an_earlier_demo(db):
        PluginDemo.insert(name=name, added_at=utcnow()).on_conflict_ignore().execute()


def _plugins_of_an_earlier_demo(db) -> list:
    from flask import current_app, has_app_context

    if not has_app_context() or 'core_user' not in db.get_tables():
        return []
    from core.demo import DEMO_PEOPLE
    from core.plugins import host_of

    users = Table('core_user', ('id', 'email')).bind(db)
    if not users.select(users.id).where(users.email.in_([email for email, *_ in DEMO_PEOPLE])).exists():
        return []
    host = host_of(current_app)
    host.refresh()
    return sorted({impl.plugin_name for impl in host._implementations('demo_data', include_disabled=False)})


def down(migrator, db):
    migrator.migrate(migrator.drop_table('core_plugin_demo'))
