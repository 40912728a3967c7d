"""Saved reports and who pinned which to their home page; data-health scores; process reviews."""
from __future__ import annotations

import peewee

from core.api import BaseModel, Process, Team, User, json_field, utcnow


class Report(BaseModel):
    """A report as built in the browser: what it counts, how it groups, how it shows, who sees it."""

    name = peewee.CharField(max_length=120)
    labels = json_field(default=dict)
    entity = peewee.CharField(max_length=100)
    filters = json_field(default=list)  # [[field key, operator, value]], as the record list takes them
    groups = json_field(default=list)  # [{"key": ..., "bucket": ...}], one or two
    aggregate = peewee.CharField(max_length=8, default="count")
    measure = peewee.CharField(max_length=100, null=True)
    chart = peewee.CharField(max_length=12, default="bar")
    sort = peewee.CharField(max_length=10, default="value")
    top = peewee.IntegerField(default=20)
    owner = peewee.ForeignKeyField(User, on_delete="CASCADE", backref="+")
    shared = peewee.CharField(max_length=10, default="private")  # private, team, everyone
    team = peewee.ForeignKeyField(Team, null=True, on_delete="SET NULL", backref="+")
    version = peewee.IntegerField(default=1)
    created_at = peewee.DateTimeField(default=utcnow)
    updated_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "analytics_report"
        indexes = ((("shared", "team"), False),)


class Pin(BaseModel):
    """A report on a user's home page."""

    user = peewee.ForeignKeyField(User, on_delete="CASCADE", backref="+")
    report = peewee.ForeignKeyField(Report, on_delete="CASCADE", backref="+")

    class Meta:
        table_name = "analytics_pin"
        indexes = ((("user", "report"), True),)


class HealthScore(BaseModel):
    """A person's data-health score on a day, kept when the page is seen, for its trend."""

    day = peewee.DateField()
    user = peewee.ForeignKeyField(User, on_delete="CASCADE", backref="+")
    score = peewee.IntegerField()
    issues = peewee.IntegerField(default=0)
    records = peewee.IntegerField(default=0)

    class Meta:
        table_name = "analytics_health_score"
        indexes = ((("day", "user"), True), (("user", "day"), False))


class ProcessReview(BaseModel):
    """A manager's quarterly review of a process: its numbers as they stood when saved (per stage,
    as `process.StageNumbers` keeps them) and the decisions taken."""

    process = peewee.ForeignKeyField(Process, on_delete="CASCADE", backref="+")
    quarter = peewee.CharField(max_length=7)  # "2026-Q4"
    numbers = json_field(default=list)
    decisions = peewee.TextField(default="")
    author = peewee.ForeignKeyField(User, on_delete="CASCADE", backref="+")
    version = peewee.IntegerField(default=1)
    created_at = peewee.DateTimeField(default=utcnow)
    updated_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "analytics_process_review"
        indexes = ((("author", "process", "quarter"), True), (("process", "quarter"), False))


MODELS = [Report, Pin, HealthScore, ProcessReview]
