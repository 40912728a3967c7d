"""Training and development: skills, the catalogue of courses, assignments, skill ratings."""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = "core_user"

    class Skill(Model):
        name = CharField(max_length=120)
        labels = JSONField(default=dict)
        metric = CharField(max_length=100, null=True)
        archived_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "team_skill"

    class Course(Model):
        name = CharField(max_length=200)
        labels = JSONField(default=dict)
        kind = CharField(max_length=10, default="course")
        external = BooleanField(default=False)
        hours = DecimalField(max_digits=8, decimal_places=1, default=0)
        cost = DecimalField(max_digits=14, decimal_places=2, default=0)
        currency = CharField(max_length=3, default="CNY")
        skills = JSONField(default=list)
        created_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
        created_at = DateTimeField()
        archived_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "team_course"

    class Assignment(Model):
        course = ForeignKeyField(Course, on_delete="CASCADE", backref="+")
        user = ForeignKeyField(User, on_delete="CASCADE", backref="+")
        due = DateField(null=True)
        reason = TextField(default="")
        assigned_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
        assigned_at = DateTimeField()
        completed_at = DateTimeField(null=True)
        feedback = TextField(default="")

        class Meta:
            database = db
            table_name = "team_assignment"
            indexes = ((("user", "completed_at"), False),)

    class SkillRating(Model):
        user = ForeignKeyField(User, on_delete="CASCADE", backref="+")
        skill = ForeignKeyField(Skill, on_delete="CASCADE", backref="+")
        level = IntegerField()
        note = CharField(max_length=500, default="")
        assessed_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
        assessed_at = DateTimeField()

        class Meta:
            database = db
            table_name = "team_skill_rating"
            indexes = ((("user", "skill", "assessed_at"), False),)

    db.create_tables([Skill, Course, Assignment, SkillRating])


def down(migrator, db):
    for table in ("team_skill_rating", "team_assignment", "team_course", "team_skill"):
        db.execute_sql(f"DROP TABLE {table}")
