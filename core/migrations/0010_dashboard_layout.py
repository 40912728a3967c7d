"""Each user's arrangement of the home page: the cards shown, their order and width, those removed."""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'core_user'

    class DashboardLayout(Model):
        user = ForeignKeyField(User, primary_key=True, on_delete='CASCADE')
        items = JSONField(default=list)
        removed = JSONField(default=list)
        updated_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'core_dashboard_layout'

    db.create_tables([DashboardLayout])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('core_dashboard_layout'))
