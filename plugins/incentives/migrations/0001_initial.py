"""Commission plans and approved statements."""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'core_user'

    class Plan(Model):
        name = CharField(max_length=120)
        labels = JSONField(default=dict)
        metric = CharField(max_length=100)
        filters = JSONField(default=dict)
        period = CharField(max_length=10, default="month")
        starts = DateField()
        ends = DateField(null=True)
        roles = JSONField(default=list)
        teams = JSONField(default=list)
        users = JSONField(default=list)
        priority = IntegerField(default=0)
        on_goal = BooleanField(default=True)
        mode = CharField(max_length=10, default="marginal")
        tiers = JSONField(default=list)
        bonuses = JSONField(default=list)
        cap = DecimalField(max_digits=18, decimal_places=2, null=True)
        floor = DecimalField(max_digits=18, decimal_places=2, null=True)
        currency = CharField(max_length=3, default="CNY")
        created_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
        created_at = DateTimeField()
        archived_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "incentives_plan"

    class Statement(Model):
        plan = ForeignKeyField(Plan, on_delete="CASCADE", backref="+")
        user = ForeignKeyField(User, on_delete="CASCADE", backref="+")
        start = DateField()
        end = DateField()
        value = DecimalField(max_digits=18, decimal_places=2)
        target = DecimalField(max_digits=18, decimal_places=2, null=True)
        total = DecimalField(max_digits=18, decimal_places=2)
        currency = CharField(max_length=3)
        lines = JSONField(default=list)
        approved_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
        approved_at = DateTimeField()

        class Meta:
            database = db
            table_name = "incentives_statement"
            indexes = ((("plan", "user", "start"), True), (("start", "plan"), False))

    db.create_tables([Plan, Statement])


def down(migrator, db):
    db.execute_sql("DROP TABLE incentives_statement")
    db.execute_sql("DROP TABLE incentives_plan")
