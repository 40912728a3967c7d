"""A manager's own time: tasks (with their place in the urgent x important matrix and in a
delegation), time blocks on the calendar, focus sessions, the accepted plan of a day, weekly
reflections and each person's settings (focus lengths, the calendar feed's secret)."""
from __future__ import annotations

import peewee

from core.api import BaseModel, Team, User, json_field, utcnow

CATEGORIES = ("customers", "team", "strategy", "admin", "focus", "other")


class Task(BaseModel):
    """Something to do. `owner` does it (a delegated task's owner is the one it was handed to);
    `delegated_by` handed it over and checks back on `check_back`. A task still `in_inbox` was
    captured in a hurry and waits to be processed."""

    title = peewee.CharField(max_length=200)
    notes = peewee.TextField(default="")
    owner = peewee.ForeignKeyField(User, on_delete="CASCADE", backref="+")
    created_by = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    due_day = peewee.DateField(null=True, index=True)  # the team's day
    due_time = peewee.TimeField(null=True)  # the team's wall time on due_day
    important = peewee.BooleanField(default=False)
    urgent = peewee.BooleanField(default=False)
    minutes = peewee.IntegerField(null=True)  # the estimate
    entity = peewee.CharField(max_length=60, default="")  # a linked record: "pipeline.deal" and its id
    record_id = peewee.IntegerField(null=True)
    checklist = json_field(default=list)  # [{"text": ..., "done": bool}, ...]
    in_inbox = peewee.BooleanField(default=False)
    delegated_by = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    outcome = peewee.TextField(default="")  # what the delegator expects back
    check_back = peewee.DateField(null=True)
    block = peewee.DeferredForeignKey("TimeBlock", null=True, on_delete="SET NULL", backref="+")
    team = peewee.ForeignKeyField(Team, null=True, on_delete="SET NULL", backref="+")  # on the team's board, seen by the team
    stage = peewee.CharField(max_length=20, default="todo")  # the board's column: todo, doing, done, or "col-<id>"
    position = peewee.IntegerField(default=0)
    labels = json_field(default=list)
    created_at = peewee.DateTimeField(default=utcnow)
    done_at = peewee.DateTimeField(null=True)
    dropped_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "timemgmt_task"
        indexes = ((("owner", "done_at"), False), (("delegated_by", "done_at"), False))


class TimeBlock(BaseModel):
    """A stretch of a day set aside for one kind of work (customer follow-up 9-11), stored in UTC."""

    owner = peewee.ForeignKeyField(User, on_delete="CASCADE", backref="+")
    title = peewee.CharField(max_length=120, default="")
    category = peewee.CharField(max_length=20, default="other")
    starts_at = peewee.DateTimeField(index=True)
    ends_at = peewee.DateTimeField()

    class Meta:
        table_name = "timemgmt_block"
        indexes = ((("owner", "starts_at"), False),)




class FocusSession(BaseModel):
    """A pomodoro: `minutes` of focus (or of a break), possibly paused; kept on the server so it
    survives page changes, reloads and a second tab. `interruptions`: [{"at": iso, "note": ...}]."""

    owner = peewee.ForeignKeyField(User, on_delete="CASCADE", backref="+")
    task = peewee.ForeignKeyField(Task, null=True, on_delete="SET NULL", backref="+")
    kind = peewee.CharField(max_length=10, default="focus")  # focus, break
    minutes = peewee.IntegerField(default=25)
    started_at = peewee.DateTimeField(default=utcnow)
    paused_at = peewee.DateTimeField(null=True)
    paused_seconds = peewee.IntegerField(default=0)
    finished_at = peewee.DateTimeField(null=True, index=True)
    completed = peewee.BooleanField(default=False)  # ran its full length
    interruptions = json_field(default=list)

    class Meta:
        table_name = "timemgmt_focus"
        indexes = ((("owner", "finished_at"), False),)


class Preference(BaseModel):
    user = peewee.ForeignKeyField(User, primary_key=True, on_delete="CASCADE", backref="+")
    focus_minutes = peewee.IntegerField(default=25)
    break_minutes = peewee.IntegerField(default=5)
    feed_token = peewee.CharField(max_length=64, null=True, unique=True)

    class Meta:
        table_name = "timemgmt_preference"


class DayPlan(BaseModel):
    """The order a person accepted for a day: item keys ("task:12", "agenda:<digest>")."""

    owner = peewee.ForeignKeyField(User, on_delete="CASCADE", backref="+")
    day = peewee.DateField()
    order = json_field(default=list)
    accepted_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "timemgmt_dayplan"
        indexes = ((("owner", "day"), True),)


class BoardColumn(BaseModel):
    """A column a team (or a person, on their own board) added after to do, doing and done."""

    team = peewee.ForeignKeyField(Team, null=True, on_delete="CASCADE", backref="+")
    owner = peewee.ForeignKeyField(User, null=True, on_delete="CASCADE", backref="+")  # a personal board's
    label = peewee.CharField(max_length=60)
    position = peewee.IntegerField(default=0)

    class Meta:
        table_name = "timemgmt_column"


class Reflection(BaseModel):
    owner = peewee.ForeignKeyField(User, on_delete="CASCADE", backref="+")
    week = peewee.DateField()  # the Monday
    summary = json_field(default=dict)  # the numbers of the week when it was written
    went_well = peewee.TextField(default="")
    to_change = peewee.TextField(default="")
    written_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "timemgmt_reflection"
        indexes = ((("owner", "week"), True),)


class MailSettings(BaseModel):
    """How the morning digest is sent: one row, set by an admin. The password is kept as typed
    (an SMTP server needs it back), so the page never shows it."""

    host = peewee.CharField(max_length=200, default="")
    port = peewee.IntegerField(default=587)
    username = peewee.CharField(max_length=200, default="")
    password = peewee.CharField(max_length=200, default="")
    sender = peewee.CharField(max_length=200, default="")
    security = peewee.CharField(max_length=10, default="starttls")  # starttls, ssl, none
    hour = peewee.IntegerField(default=7)  # the team's hour from which the digest goes out
    enabled = peewee.BooleanField(default=False)

    class Meta:
        table_name = "timemgmt_mail"


class DigestSent(BaseModel):
    """A morning digest sent (or being sent) to a person for a day: never twice."""

    user = peewee.ForeignKeyField(User, on_delete="CASCADE", backref="+")
    day = peewee.DateField()
    sent_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "timemgmt_digest"
        indexes = ((("user", "day"), True),)


MODELS = [Task, TimeBlock, FocusSession, Preference, DayPlan, BoardColumn, Reflection, MailSettings, DigestSent]
