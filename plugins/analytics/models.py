"""Saved reports and who pinned which to their home page, the alerts watching them; data-health
scores; process reviews."""
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
    compare = peewee.CharField(max_length=8, default="")  # "", month, quarter, year: against the period before and a year before
    compare_on = peewee.CharField(max_length=100, default="")  # the date field that places a record in a period
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


class Alert(BaseModel):
    """A condition on a saved report that notifies its owner when it becomes true: the report's
    total or any one of its rows (its value, or the share of its records matching `share`, or its
    pace towards `target` over a `period` of `date_field`) compared with `threshold`."""

    report = peewee.ForeignKeyField(Report, on_delete="CASCADE", backref="+")
    owner = peewee.ForeignKeyField(User, on_delete="CASCADE", backref="+")
    name = peewee.CharField(max_length=120)
    number = peewee.CharField(max_length=8, default="value")  # value, share, pace
    over = peewee.CharField(max_length=8, default="total")  # total, any (row)
    comparison = peewee.CharField(max_length=4, default="gt")  # gt, lt, gte, lte
    threshold = peewee.DecimalField(max_digits=20, decimal_places=4, null=True)
    share = json_field(default=list)  # [[field key, operator, value]]: the records a share counts
    period = peewee.CharField(max_length=8, null=True)  # month, quarter, year (pace)
    date_field = peewee.CharField(max_length=100, null=True)  # the date that places a record in the period (pace)
    target = peewee.DecimalField(max_digits=20, decimal_places=4, null=True)  # for the whole period (pace)
    is_true = peewee.BooleanField(default=False)  # the last check's finding
    fired = peewee.IntegerField(default=0)  # how many times it became true
    checked_at = peewee.DateTimeField(null=True)
    last_value = peewee.DecimalField(max_digits=20, decimal_places=4, null=True)  # what the last check found
    last_row = peewee.CharField(max_length=200, default="")  # and where (the row's labels; empty for the total)
    version = peewee.IntegerField(default=1)
    created_at = peewee.DateTimeField(default=utcnow)
    updated_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "analytics_alert"
        indexes = ((("owner", "report"), False),)


class AlertEvent(BaseModel):
    """An alert becoming true: one row per time (`number`), unique, so it fires once."""

    alert = peewee.ForeignKeyField(Alert, on_delete="CASCADE", backref="+")
    owner = peewee.ForeignKeyField(User, on_delete="CASCADE", backref="+")
    number = peewee.IntegerField()
    fired_at = peewee.DateTimeField(default=utcnow)
    value = peewee.DecimalField(max_digits=20, decimal_places=4, null=True)
    compared_with = peewee.DecimalField(max_digits=20, decimal_places=4, null=True)  # the threshold, or the pace's target so far
    row = peewee.CharField(max_length=200, default="")  # the row that made it true ("Rita Rep"); empty for the total
    read_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "analytics_alert_event"
        indexes = ((("alert", "number"), True), (("owner", "read_at"), False))


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


MODELS = [Report, Pin, HealthScore, Alert, AlertEvent, ProcessReview]
