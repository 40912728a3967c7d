"""A custom field can be indexed: the low-code layer then keeps an index on its expression
(core/lowcode/indexes.py) so lists filtered or sorted on it do not read every record's JSON.
Numbered before 0007, which reads the fields through the model."""
from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_column('core_field', 'indexed', BooleanField(default=False)))


def down(migrator, db):
    migrator.migrate(migrator.drop_column('core_field', 'indexed'))
