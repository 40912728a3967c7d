"""Commission plans and the statements they pay: a plan's rules are stored as the admin typed them
(tiers and bonuses as rows of decimal text), an approved statement as a copy of every line."""
from __future__ import annotations

import peewee

from core.api import BaseModel, Team, User, json_field, utcnow


class Plan(BaseModel):
    name = peewee.CharField(max_length=120)
    labels = json_field(default=dict)  # {locale: name}: the name in each language the admin gave
    metric = peewee.CharField(max_length=100)
    filters = json_field(default=dict)  # what the metric is narrowed to: {dimension key: value}
    period = peewee.CharField(max_length=10, default="month")  # month, quarter
    starts = peewee.DateField()
    ends = peewee.DateField(null=True)
    roles = json_field(default=list)  # who it applies to: roles, team ids, user ids (any of them)
    teams = json_field(default=list)
    users = json_field(default=list)
    priority = peewee.IntegerField(default=0)  # of two plans for one rep at one time, the higher pays
    on_goal = peewee.BooleanField(default=True)  # tiers as % of the rep's goal; else as amounts
    mode = peewee.CharField(max_length=10, default="marginal")  # marginal, flat
    tiers = json_field(default=list)  # [{"start": "80", "rate": "3"}, ...] in order
    bonuses = json_field(default=list)  # [{"at": "120", "amount": "2000"}, ...]
    accelerators = json_field(null=True)  # [{"dimension": "product", "value": "12", "rate": "2"}]: extra % on a narrowed part
    cap = peewee.DecimalField(max_digits=18, decimal_places=2, null=True)
    floor = peewee.DecimalField(max_digits=18, decimal_places=2, null=True)
    currency = peewee.CharField(max_length=3, default="CNY")
    created_by = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    created_at = peewee.DateTimeField(default=utcnow)
    archived_at = peewee.DateTimeField(null=True)

    version = peewee.IntegerField(default=1)  # raised by every save: a form made from an older one is refused

    class Meta:
        table_name = "incentives_plan"


class Statement(BaseModel):
    """A rep's approved (locked) statement for one plan and period: every line as it was approved."""

    plan = peewee.ForeignKeyField(Plan, on_delete="CASCADE", backref="+")
    user = peewee.ForeignKeyField(User, on_delete="CASCADE", backref="+")
    start = peewee.DateField()
    end = peewee.DateField()
    value = peewee.DecimalField(max_digits=18, decimal_places=2)
    target = peewee.DecimalField(max_digits=18, decimal_places=2, null=True)
    total = peewee.DecimalField(max_digits=18, decimal_places=2)
    currency = peewee.CharField(max_length=3)
    lines = json_field(default=list)  # [{"kind", "text", "base", "rate", "amount", "period"?}, ...]
    approved_by = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    approved_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "incentives_statement"
        indexes = ((("plan", "user", "start"), True), (("start", "plan"), False))


class TeamSetting(BaseModel):
    """How a team's leaderboard shows to its reps: everyone's rank, or only their own and the top three."""

    team = peewee.ForeignKeyField(Team, primary_key=True, on_delete="CASCADE", backref="+")
    private_ranks = peewee.BooleanField(default=False)

    class Meta:
        table_name = "incentives_team_setting"


class Award(BaseModel):
    """Recognition defined in the browser: the best by a metric, the most improved, or nominated."""

    name = peewee.CharField(max_length=120)
    labels = json_field(default=dict)
    kind = peewee.CharField(max_length=12)  # top, improved, nominated
    metric = peewee.CharField(max_length=100, null=True)  # for top and improved
    period = peewee.CharField(max_length=10, default="month")  # month, quarter
    top = peewee.IntegerField(default=1)  # how many win
    team = peewee.ForeignKeyField(Team, null=True, on_delete="CASCADE", backref="+")  # None: the whole company
    prize = peewee.DecimalField(max_digits=18, decimal_places=2, null=True)
    currency = peewee.CharField(max_length=3, default="CNY")
    gift = peewee.CharField(max_length=120, null=True)  # a prize another plugin offers (`core.api.prizes()`), by key
    created_by = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    created_at = peewee.DateTimeField(default=utcnow)
    archived_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "incentives_award"


class Winner(BaseModel):
    """An award given for a period: who, why, the prize, and the statement that paid it."""

    award = peewee.ForeignKeyField(Award, on_delete="CASCADE", backref="+")
    start = peewee.DateField()
    user = peewee.ForeignKeyField(User, on_delete="CASCADE", backref="+")
    value = peewee.DecimalField(max_digits=18, decimal_places=2, null=True)  # the number that made them a nominee
    note = peewee.TextField(default="")
    prize = peewee.DecimalField(max_digits=18, decimal_places=2, null=True)
    plan = peewee.ForeignKeyField(Plan, null=True, on_delete="SET NULL", backref="+")  # whose next statement pays the prize
    statement = peewee.ForeignKeyField(Statement, null=True, on_delete="SET NULL", backref="+")  # set once paid
    gift = peewee.CharField(max_length=300, null=True)  # what the award's gift gave, as its plugin said it
    decided_by = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    decided_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "incentives_winner"
        indexes = ((("award", "start", "user"), True), (("user", "statement"), False))




class Challenge(BaseModel):
    """A shared target for a team (or the whole company) over a few weeks, with a shared reward."""

    name = peewee.CharField(max_length=120)
    labels = json_field(default=dict)
    metric = peewee.CharField(max_length=100)
    team = peewee.ForeignKeyField(Team, null=True, on_delete="CASCADE", backref="+")  # None: the whole company
    starts = peewee.DateField()
    ends = peewee.DateField()
    target = peewee.DecimalField(max_digits=18, decimal_places=2)
    currency = peewee.CharField(max_length=3, default="CNY")  # for a metric in money
    reward = peewee.CharField(max_length=300, default="")  # what everyone gets when the target is reached
    created_by = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    created_at = peewee.DateTimeField(default=utcnow)
    archived_at = peewee.DateTimeField(null=True)

    version = peewee.IntegerField(default=1)  # raised by every save: a form made from an older one is refused

    class Meta:
        table_name = "incentives_challenge"
        indexes = ((("ends", "starts"), False),)



class Spiff(BaseModel):
    """A short-term bonus (短期激励): from `starts` to `ends`, so much per unit of a narrowed metric
    ("+500 per new customer in the West") or a percentage of it, paid once as its own statement line."""

    name = peewee.CharField(max_length=120)
    labels = json_field(default=dict)
    metric = peewee.CharField(max_length=100)
    filters = json_field(default=dict)
    starts = peewee.DateField()
    ends = peewee.DateField()
    per_unit = peewee.DecimalField(max_digits=18, decimal_places=2, null=True)
    rate = peewee.DecimalField(max_digits=7, decimal_places=3, null=True)
    currency = peewee.CharField(max_length=3, default="CNY")
    teams = json_field(default=list)  # empty: everyone a plan pays
    created_by = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    created_at = peewee.DateTimeField(default=utcnow)
    archived_at = peewee.DateTimeField(null=True)

    version = peewee.IntegerField(default=1)  # raised by every save: a form made from an older one is refused

    class Meta:
        table_name = "incentives_spiff"
        indexes = ((("ends", "starts"), False),)


class SpiffPaid(BaseModel):
    """A short-term bonus paid to a person, and the approved statement that paid it (once)."""

    spiff = peewee.ForeignKeyField(Spiff, on_delete="CASCADE", backref="+")
    user = peewee.ForeignKeyField(User, on_delete="CASCADE", backref="+")
    statement = peewee.ForeignKeyField(Statement, on_delete="CASCADE", backref="+")

    class Meta:
        table_name = "incentives_spiff_paid"
        indexes = ((("spiff", "user"), True),)


MODELS = [Plan, Statement, TeamSetting, Award, Winner, Challenge, Spiff, SpiffPaid]
