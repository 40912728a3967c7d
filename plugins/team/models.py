"""Team meetings with their agenda as it stood when they opened, decisions and action items; a
rep's one-to-ones with their manager; a setting per team."""
from __future__ import annotations

import peewee

from core.api import BaseModel, Team, User, json_field, utcnow


class TeamSetting(BaseModel):
    """How a team meets: every how many days, a one-to-one at least every how many weeks, and
    whether the manager's private notes of a one-to-one are hidden from the rep."""

    team = peewee.ForeignKeyField(Team, primary_key=True, on_delete="CASCADE", backref="+")
    rhythm_days = peewee.IntegerField(default=7)
    one_to_one_weeks = peewee.IntegerField(default=2)
    hide_private_notes = peewee.BooleanField(default=True)

    class Meta:
        table_name = "team_setting"


class Meeting(BaseModel):
    """A team meeting on a day; it looks back to `start` (the day after the previous meeting)."""

    team = peewee.ForeignKeyField(Team, on_delete="CASCADE", backref="+")
    day = peewee.DateField()
    start = peewee.DateField()
    notes = peewee.TextField(default="")
    opened_by = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    opened_at = peewee.DateTimeField(default=utcnow)
    closed_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "team_meeting"
        indexes = ((("team", "day"), True),)


class MeetingTopic(BaseModel):
    """A point of a meeting's agenda: from the data as it stood when the meeting opened (`lines`
    kept as they were), or added by the manager; with the notes taken on it."""

    meeting = peewee.ForeignKeyField(Meeting, on_delete="CASCADE", backref="+")
    position = peewee.IntegerField(default=0)
    kind = peewee.CharField(max_length=60, default="")  # "pipeline.won", ..., "" for one the manager added
    title = peewee.CharField(max_length=200)
    lines = json_field(default=list)  # [[text, url or null], ...] in the language of who opened it
    labels = json_field(default=dict)  # {locale: title}: the title in every shipped language
    texts = json_field(default=dict)  # {locale: lines}: the lines in every shipped language
    owner = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    notes = peewee.TextField(default="")

    class Meta:
        table_name = "team_meeting_topic"
        indexes = ((("meeting", "position"), False),)


class Decision(BaseModel):
    meeting = peewee.ForeignKeyField(Meeting, on_delete="CASCADE", backref="+")
    text = peewee.TextField()
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "team_decision"


class OneToOne(BaseModel):
    """A one-to-one of a rep with their manager: what went well, the concerns of each, the
    manager's private notes, the rep's pulse of the week, the next date, the numbers as they stood."""

    rep = peewee.ForeignKeyField(User, on_delete="CASCADE", backref="+")
    manager = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    day = peewee.DateField()
    went_well = peewee.TextField(default="")
    rep_concerns = peewee.TextField(default="")
    manager_concerns = peewee.TextField(default="")
    private_notes = peewee.TextField(default="")
    pulse = peewee.IntegerField(null=True)  # 1 (a hard week) .. 5 (a great one), the rep's
    next_day = peewee.DateField(null=True)
    numbers = json_field(default=list)  # [[label, value text], ...] since the previous one, as they stood
    held_at = peewee.DateTimeField(null=True)
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "team_one_to_one"
        indexes = ((("rep", "day"), False),)


class SharedTopic(BaseModel):
    """A point either side put on a one-to-one's agenda before it."""

    one_to_one = peewee.ForeignKeyField(OneToOne, on_delete="CASCADE", backref="+")
    author = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    text = peewee.CharField(max_length=500)
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "team_shared_topic"


class ActionItem(BaseModel):
    """Something agreed in a meeting or a one-to-one: who does it by when; shown on their day."""

    meeting = peewee.ForeignKeyField(Meeting, null=True, on_delete="CASCADE", backref="+")
    one_to_one = peewee.ForeignKeyField(OneToOne, null=True, on_delete="CASCADE", backref="+")
    topic = peewee.ForeignKeyField(MeetingTopic, null=True, on_delete="SET NULL", backref="+")
    title = peewee.CharField(max_length=300)
    owner = peewee.ForeignKeyField(User, on_delete="CASCADE", backref="+")
    due = peewee.DateField()
    done_at = peewee.DateTimeField(null=True)
    done_by = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    created_by = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "team_action_item"
        indexes = ((("owner", "done_at", "due"), False),)


class Skill(BaseModel):
    """A skill reps are assessed on; `metric` is the funnel step it helps (quotes: turning quotes
    into wins), so a rep weak at that step is offered the courses that build it."""

    name = peewee.CharField(max_length=120)
    labels = json_field(default=dict)  # {locale: name}
    metric = peewee.CharField(max_length=100, null=True)
    archived_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "team_skill"


class Course(BaseModel):
    """A course, an expert talk or a trade fair of the catalogue."""

    name = peewee.CharField(max_length=200)
    labels = json_field(default=dict)
    kind = peewee.CharField(max_length=10, default="course")  # course, talk, fair
    external = peewee.BooleanField(default=False)
    hours = peewee.DecimalField(max_digits=8, decimal_places=1, default=0)
    cost = peewee.DecimalField(max_digits=14, decimal_places=2, default=0)
    currency = peewee.CharField(max_length=3, default="CNY")
    skills = json_field(default=list)  # ids of the skills it builds
    created_by = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    created_at = peewee.DateTimeField(default=utcnow)
    archived_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "team_course"


class Assignment(BaseModel):
    """A course given to a rep: by whom, by when, why (the numbers behind a suggestion), and how it went."""

    course = peewee.ForeignKeyField(Course, on_delete="CASCADE", backref="+")
    user = peewee.ForeignKeyField(User, on_delete="CASCADE", backref="+")
    due = peewee.DateField(null=True)
    reason = peewee.TextField(default="")
    assigned_by = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    assigned_at = peewee.DateTimeField(default=utcnow)
    completed_at = peewee.DateTimeField(null=True)
    feedback = peewee.TextField(default="")

    class Meta:
        table_name = "team_assignment"
        indexes = ((("user", "completed_at"), False),)


class SkillRating(BaseModel):
    """A manager's assessment of a rep's skill on a scale of 1 to 5, kept as a history."""

    user = peewee.ForeignKeyField(User, on_delete="CASCADE", backref="+")
    skill = peewee.ForeignKeyField(Skill, on_delete="CASCADE", backref="+")
    level = peewee.IntegerField()
    note = peewee.CharField(max_length=500, default="")
    assessed_by = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    assessed_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "team_skill_rating"
        indexes = ((("user", "skill", "assessed_at"), False),)


class TeamEvent(BaseModel):
    """A team activity or a joint project; with no team, a project across teams."""

    team = peewee.ForeignKeyField(Team, null=True, on_delete="CASCADE", backref="+")
    kind = peewee.CharField(max_length=10, default="activity")  # activity, project
    name = peewee.CharField(max_length=200)
    day = peewee.DateField()
    notes = peewee.TextField(default="")
    created_by = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "team_event"


class EventMember(BaseModel):
    event = peewee.ForeignKeyField(TeamEvent, on_delete="CASCADE", backref="+")
    user = peewee.ForeignKeyField(User, on_delete="CASCADE", backref="+")

    class Meta:
        table_name = "team_event_member"
        indexes = ((("event", "user"), True),)


class Photo(BaseModel):
    """A photo of a team event: the file is kept in the instance folder under `stored`."""

    event = peewee.ForeignKeyField(TeamEvent, on_delete="CASCADE", backref="+")
    filename = peewee.CharField(max_length=255)
    stored = peewee.CharField(max_length=64)
    content_type = peewee.CharField(max_length=40)
    size = peewee.IntegerField()
    uploaded_by = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    uploaded_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "team_photo"


class Thanks(BaseModel):
    """A colleague thanked by another, with a short note."""

    sender = peewee.ForeignKeyField(User, on_delete="CASCADE", backref="+")
    receiver = peewee.ForeignKeyField(User, on_delete="CASCADE", backref="+")
    note = peewee.CharField(max_length=300)
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "team_thanks"
        indexes = ((("receiver", "created_at"), False),)


MODELS = [TeamSetting, Meeting, MeetingTopic, Decision, OneToOne, SharedTopic, ActionItem, Skill, Course, Assignment, SkillRating,
          TeamEvent, EventMember, Photo, Thanks]
