"""The pipeline's tables: customers, contacts, products, deals and their lines, activities."""
from __future__ import annotations

import peewee
from flask import g, has_app_context

from core.api import N_, BaseModel, CustomisableModel, Stage, Translated, TranslatedField, User, db, json_field, utcnow

from .normalize import normalized_name, phone_key

KINDS = ("call", "visit", "meeting", "email", "quote", "note")


class Customer(CustomisableModel):
    """A company. Without an owner it sits in the shared pool (公海), where reps claim it."""

    name = peewee.CharField(max_length=200)
    industry = peewee.CharField(max_length=80, default="")
    size = peewee.CharField(max_length=20, default="")
    region = peewee.CharField(max_length=80, default="")
    source = peewee.CharField(max_length=40, default="")
    level = peewee.CharField(max_length=1, default="")
    tags = peewee.CharField(max_length=200, default="")
    phone = peewee.CharField(max_length=40, default="")
    email = peewee.CharField(max_length=254, default="")
    owner = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    normalized_name = peewee.CharField(max_length=200, default="", index=True)
    phone_key = peewee.CharField(max_length=20, default="", index=True)
    last_activity_at = peewee.DateTimeField(null=True, index=True)
    claimed_at = peewee.DateTimeField(null=True)
    import_job = peewee.IntegerField(null=True)  # the import that created it (0: one before this was kept)

    class Meta:
        table_name = "pipeline_customer"

    def save(self, *args, **kwargs):
        self.normalized_name = normalized_name(self.name)
        self.phone_key = phone_key(self.phone)
        if kwargs.get("only"):
            kwargs["only"] = list(kwargs["only"]) + [Customer.normalized_name, Customer.phone_key]
        return super().save(*args, **kwargs)


class Contact(CustomisableModel):
    """A person at a customer. Belongs to whoever owns the customer; one added to a customer in
    the pool stays with its author (claiming the customer hands its contacts to the claimer)."""

    customer = peewee.ForeignKeyField(Customer, on_delete="CASCADE", backref="contacts")
    owner = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    name = peewee.CharField(max_length=120)
    role = peewee.CharField(max_length=80, default="")
    phone = peewee.CharField(max_length=40, default="")
    email = peewee.CharField(max_length=254, default="")
    wechat = peewee.CharField(max_length=60, default="")

    class Meta:
        table_name = "pipeline_contact"

    def save(self, *args, **kwargs):
        if self.customer_id:
            owner = Customer.select(Customer.owner).where(Customer.id == self.customer_id).scalar()
            if owner is not None:
                self.owner = owner
        return super().save(*args, **kwargs)


class Product(CustomisableModel):
    name = peewee.CharField(max_length=200)
    category = peewee.CharField(max_length=80, default="")
    list_price = peewee.DecimalField(max_digits=14, decimal_places=2, default=0)
    active = peewee.BooleanField(default=True)

    class Meta:
        table_name = "pipeline_product"


def reason_labels() -> dict:
    """{a lost reason as stored: its labels in each language an admin gave}, read once a request.
    A page that shows deals' lost reasons calls it first: deals then read them in each language."""
    if not has_app_context():
        return {}
    found = g.get("pipeline_reason_labels")
    if found is None:
        rows = LostReason.select(LostReason.label, LostReason.labels)  # a short list
        found = g.pipeline_reason_labels = {getattr(row.__data__["label"], "source", row.__data__["label"]): row.labels
                                            for row in rows if row.labels}
    return found


class _ReasonAccessor(peewee.FieldAccessor):
    """A deal's lost reason, read in the reader's language as the admins named it."""

    def __get__(self, instance, instance_type=None):
        value = super().__get__(instance, instance_type)
        if instance is not None and value and has_app_context():  # the names a page loaded (no query here)
            source = getattr(value, "source", value)
            labels = (g.get("pipeline_reason_labels") or {}).get(source)
            if labels:
                return Translated(source, labels)
        return value


class ReasonField(TranslatedField):
    accessor_class = _ReasonAccessor


class Deal(CustomisableModel):
    name = peewee.CharField(max_length=200)
    customer = peewee.ForeignKeyField(Customer, on_delete="CASCADE", backref="deals")
    contact = peewee.ForeignKeyField(Contact, null=True, on_delete="SET NULL", backref="+")
    owner = peewee.ForeignKeyField(User, on_delete="CASCADE", backref="+")
    amount = peewee.DecimalField(max_digits=14, decimal_places=2, default=0)
    currency = peewee.CharField(max_length=3, default="CNY")
    expected_close = peewee.DateField(null=True, index=True)
    stage = peewee.ForeignKeyField(Stage, null=True, on_delete="SET NULL", backref="+")
    probability = peewee.IntegerField(null=True)  # overrides the stage's when set
    next_step = peewee.CharField(max_length=200, default="")
    lost_reason = ReasonField(max_length=120, default="")  # a LostReason's label, as stored
    closed_at = peewee.DateTimeField(null=True, index=True)
    rank = peewee.FloatField(default=0)  # order within a board column
    stage_entered_at = peewee.DateTimeField(default=utcnow)
    last_activity_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "pipeline_deal"


class DealLine(BaseModel):
    deal = peewee.ForeignKeyField(Deal, on_delete="CASCADE", backref="lines")
    product = peewee.ForeignKeyField(Product, on_delete="RESTRICT", backref="+")
    quantity = peewee.DecimalField(max_digits=12, decimal_places=2, default=1)
    unit_price = peewee.DecimalField(max_digits=14, decimal_places=2, default=0)

    class Meta:
        table_name = "pipeline_deal_line"


class DealCredit(BaseModel):
    """A share of a deal's credit given to someone besides its owner (a helper, or the rep who
    handed it over mid-way): the owner keeps 100 % less the helpers' shares. Won revenue and deals
    won count each person's share, so statements and leaderboards do."""

    deal = peewee.ForeignKeyField(Deal, on_delete="CASCADE", backref="credits")
    user = peewee.ForeignKeyField(User, on_delete="CASCADE", backref="+")
    share = peewee.DecimalField(max_digits=5, decimal_places=2)  # percent, 0.01 to 99.99

    class Meta:
        table_name = "pipeline_deal_credit"
        indexes = ((("deal", "user"), True), (("user", "deal"), False))


class Activity(CustomisableModel):
    """A call, visit, meeting, email, quote or note: planned (due) or done."""

    kind = peewee.CharField(max_length=10, default="call")
    subject = peewee.CharField(max_length=200)
    outcome = peewee.TextField(default="")
    deal = peewee.ForeignKeyField(Deal, null=True, on_delete="CASCADE", backref="activities")
    customer = peewee.ForeignKeyField(Customer, null=True, on_delete="CASCADE", backref="activities")
    owner = peewee.ForeignKeyField(User, on_delete="CASCADE", backref="+")
    due_at = peewee.DateTimeField(null=True, index=True)
    done_at = peewee.DateTimeField(null=True, index=True)

    class Meta:
        table_name = "pipeline_activity"
        indexes = ((("owner", "done_at"), False),)


class LostReason(BaseModel):
    label = TranslatedField(max_length=120, unique=True)
    labels = json_field(default=dict)  # {locale: label}: the reason in each language an admin gave
    position = peewee.IntegerField(default=0)
    archived_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "pipeline_lost_reason"


class Setting(BaseModel):
    key = peewee.CharField(max_length=40, primary_key=True)
    value = json_field(null=True)

    class Meta:
        table_name = "pipeline_setting"


def ensure_lost_reasons() -> bool:
    """Give a new database the common reasons for losing a deal, stored in English and read in
    each user's language until an admin renames them. True when there are reasons now."""
    if LostReason.select().exists():
        return True
    labels = [N_("Price too high"), N_("Chose a competitor"), N_("No budget"), N_("No decision made"), N_("Timing")]
    try:
        with db.atomic():
            LostReason.insert_many([{"label": label, "position": n} for n, label in enumerate(labels)]).execute()
    except peewee.IntegrityError:
        pass  # another process seeded them at the same moment
    return True


MODELS = [Customer, Contact, Product, Deal, DealLine, DealCredit, Activity, LostReason, Setting]
