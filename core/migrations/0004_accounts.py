"""The last failure of each hook of each plugin (the admin's plugin page).

Stands alone: it needs only 0001, whatever other migrations come before or after it.
"""
from peewee import CharField, DateTimeField, Model, TextField


def up(migrator, db):
    class PluginFailure(Model):
        plugin = CharField(max_length=100)
        hook = CharField(max_length=100)
        message = TextField()
        at = DateTimeField()

        class Meta:
            database = db
            table_name = "core_plugin_failure"
            indexes = ((("plugin", "hook"), True),)

    db.create_tables([PluginFailure])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("core_plugin_failure"))
