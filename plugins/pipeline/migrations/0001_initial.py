"""Customers, contacts, products, deals and their lines, activities, lost reasons, settings.

Generated with playhouse.schema_diff; timestamps and JSON defaults get their values from the models.
"""
from peewee import *


def up(migrator, db):
    class Stage(Model):
        class Meta:
            database = db
            table_name = 'core_stage'

    class User(Model):
        class Meta:
            database = db
            table_name = 'core_user'

    class Customer(Model):
        custom = JSONField(default=dict)
        search_text = TextField(default='')
        created_at = DateTimeField(index=True)
        updated_at = DateTimeField()
        deleted_at = DateTimeField(index=True, null=True)
        name = CharField(max_length=200)
        industry = CharField(max_length=80, default='')
        size = CharField(max_length=20, default='')
        region = CharField(max_length=80, default='')
        source = CharField(max_length=40, default='')
        level = CharField(max_length=1, default='')
        tags = CharField(max_length=200, default='')
        phone = CharField(max_length=40, default='')
        email = CharField(max_length=254, default='')
        owner = ForeignKeyField(User, null=True, on_delete='SET NULL')
        normalized_name = CharField(index=True, max_length=200, default='')
        phone_key = CharField(index=True, max_length=20, default='')
        last_activity_at = DateTimeField(index=True, null=True)
        claimed_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'pipeline_customer'
    db.create_tables([Customer])

    class Contact(Model):
        custom = JSONField(default=dict)
        search_text = TextField(default='')
        created_at = DateTimeField(index=True)
        updated_at = DateTimeField()
        deleted_at = DateTimeField(index=True, null=True)
        customer = ForeignKeyField(Customer, on_delete='CASCADE')
        owner = ForeignKeyField(User, null=True, on_delete='SET NULL')
        name = CharField(max_length=120)
        role = CharField(max_length=80, default='')
        phone = CharField(max_length=40, default='')
        email = CharField(max_length=254, default='')
        wechat = CharField(max_length=60, default='')
        class Meta:
            database = db
            table_name = 'pipeline_contact'
    db.create_tables([Contact])

    class Deal(Model):
        custom = JSONField(default=dict)
        search_text = TextField(default='')
        created_at = DateTimeField(index=True)
        updated_at = DateTimeField()
        deleted_at = DateTimeField(index=True, null=True)
        name = CharField(max_length=200)
        customer = ForeignKeyField(Customer, on_delete='CASCADE')
        contact = ForeignKeyField(Contact, null=True, on_delete='SET NULL')
        owner = ForeignKeyField(User, on_delete='CASCADE')
        amount = DecimalField(max_digits=14, decimal_places=2, default=0)
        currency = CharField(max_length=3, default='CNY')
        expected_close = DateField(index=True, null=True)
        stage = ForeignKeyField(Stage, null=True, on_delete='SET NULL')
        probability = IntegerField(null=True)
        next_step = CharField(max_length=200, default='')
        lost_reason = CharField(max_length=120, default='')
        closed_at = DateTimeField(index=True, null=True)
        rank = FloatField(default=0)
        stage_entered_at = DateTimeField()
        last_activity_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'pipeline_deal'
    db.create_tables([Deal])

    class Activity(Model):
        custom = JSONField(default=dict)
        search_text = TextField(default='')
        created_at = DateTimeField(index=True)
        updated_at = DateTimeField()
        deleted_at = DateTimeField(index=True, null=True)
        kind = CharField(max_length=10, default='call')
        subject = CharField(max_length=200)
        outcome = TextField(default='')
        deal = ForeignKeyField(Deal, null=True, on_delete='CASCADE')
        customer = ForeignKeyField(Customer, null=True, on_delete='CASCADE')
        owner = ForeignKeyField(User, on_delete='CASCADE')
        due_at = DateTimeField(index=True, null=True)
        done_at = DateTimeField(index=True, null=True)
        class Meta:
            database = db
            table_name = 'pipeline_activity'
            indexes = ((('owner', 'done_at'), False),)
    db.create_tables([Activity])

    class Product(Model):
        custom = JSONField(default=dict)
        search_text = TextField(default='')
        created_at = DateTimeField(index=True)
        updated_at = DateTimeField()
        deleted_at = DateTimeField(index=True, null=True)
        name = CharField(max_length=200)
        category = CharField(max_length=80, default='')
        list_price = DecimalField(max_digits=14, decimal_places=2, default=0)
        active = BooleanField(default=True)
        class Meta:
            database = db
            table_name = 'pipeline_product'
    db.create_tables([Product])

    class DealLine(Model):
        deal = ForeignKeyField(Deal, on_delete='CASCADE')
        product = ForeignKeyField(Product, on_delete='RESTRICT')
        quantity = DecimalField(max_digits=12, decimal_places=2, default=1)
        unit_price = DecimalField(max_digits=14, decimal_places=2, default=0)
        class Meta:
            database = db
            table_name = 'pipeline_deal_line'
    db.create_tables([DealLine])

    class LostReason(Model):
        label = CharField(unique=True, max_length=120)
        position = IntegerField(default=0)
        archived_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'pipeline_lost_reason'
    db.create_tables([LostReason])

    class Setting(Model):
        key = CharField(primary_key=True, max_length=40)
        value = JSONField(null=True)
        class Meta:
            database = db
            table_name = 'pipeline_setting'
    db.create_tables([Setting])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('pipeline_setting'))
    migrator.migrate(migrator.drop_table('pipeline_lost_reason'))
    migrator.migrate(migrator.drop_table('pipeline_deal_line'))
    migrator.migrate(migrator.drop_table('pipeline_product'))
    migrator.migrate(migrator.drop_table('pipeline_activity'))
    migrator.migrate(migrator.drop_table('pipeline_deal'))
    migrator.migrate(migrator.drop_table('pipeline_contact'))
    migrator.migrate(migrator.drop_table('pipeline_customer'))
