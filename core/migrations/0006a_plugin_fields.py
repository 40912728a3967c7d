"""Fields a plugin ships as data (`Entity.default_fields`): `plugin` names the plugin whose field
it is, so admins edit it like any custom field while its key and type stay what the plugin reads.
Numbered before 0007, which reads the fields through the model: on a new database it runs first,
on one that has 0007 already it runs as the one pending."""
from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_column('core_field', 'plugin', CharField(max_length=100, null=True)))


def down(migrator, db):
    migrator.migrate(migrator.drop_column('core_field', 'plugin'))
