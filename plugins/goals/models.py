"""Goals, the history of their targets, reviews and the holidays that are not working days."""
from __future__ import annotations

import peewee

from core.api import BaseModel, Team, User, json_field, utcnow


class Goal(BaseModel):
    """A target for one metric over one period, owned by a rep, a team or (neither) the company."""

    owner_user = peewee.ForeignKeyField(User, null=True, on_delete="CASCADE", backref="+")
    owner_team = peewee.ForeignKeyField(Team, null=True, on_delete="CASCADE", backref="+")
    metric = peewee.CharField(max_length=100)
    filters = json_field(null=True)  # what the metric is narrowed to: {dimension key: value}; None: everything
    target = peewee.DecimalField(max_digits=18, decimal_places=2)
    period_kind = peewee.CharField(max_length=10)
    start = peewee.DateField()
    end = peewee.DateField()
    parent = peewee.ForeignKeyField("self", null=True, on_delete="CASCADE", backref="children")
    description = peewee.TextField(default="")
    reason = peewee.TextField(default="")  # why it matters, when it has no parent goal
    basis = json_field(default=dict)  # how the target was set: {"growth": 20, "base": 1000, ...}
    split_method = peewee.CharField(max_length=20, default="")  # how its children were made
    created_by = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    created_at = peewee.DateTimeField(default=utcnow)
    archived_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "goals_goal"
        indexes = ((("metric", "start", "end"), False), (("owner_user", "start"), False))


class TargetChange(BaseModel):
    """A target that moved (re-baselining): from what, to what, why, who and when."""

    goal = peewee.ForeignKeyField(Goal, on_delete="CASCADE", backref="changes")
    before = peewee.DecimalField(max_digits=18, decimal_places=2)
    after = peewee.DecimalField(max_digits=18, decimal_places=2)
    reason = peewee.TextField()
    user = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "goals_target_change"


class Review(BaseModel):
    """A manager's look back at a person's or a team's goals for a period: the numbers as they
    stood, and notes on causes and actions."""

    owner_user = peewee.ForeignKeyField(User, null=True, on_delete="CASCADE", backref="+")
    owner_team = peewee.ForeignKeyField(Team, null=True, on_delete="CASCADE", backref="+")
    start = peewee.DateField()
    end = peewee.DateField()
    rows = json_field(default=list)  # [{goal, title, target, actual, variance, cause, action}]
    summary = peewee.TextField(default="")
    written_by = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    created_at = peewee.DateTimeField(default=utcnow)
    updated_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "goals_review"


class Holiday(BaseModel):
    day = peewee.DateField(unique=True)
    name = peewee.CharField(max_length=80, default="")

    class Meta:
        table_name = "goals_holiday"


MODELS = [Goal, TargetChange, Review, Holiday]
