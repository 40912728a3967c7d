"""Credit splits: a deal worked by two reps is credited to both, by shares set on the deal."""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'core_user'

    class Deal(Model):
        class Meta:
            database = db
            table_name = 'pipeline_deal'

    class DealCredit(Model):
        deal = ForeignKeyField(Deal, on_delete='CASCADE')
        user = ForeignKeyField(User, on_delete='CASCADE')
        share = DecimalField(max_digits=5, decimal_places=2)

        class Meta:
            database = db
            table_name = 'pipeline_deal_credit'
            indexes = ((('deal', 'user'), True), (('user', 'deal'), False))

    db.create_tables([DealCredit])


def down(migrator, db):
    db.execute_sql('DROP TABLE pipeline_deal_credit')
