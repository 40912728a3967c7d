"""The base form of each pipeline entity. Admins add custom fields after these in the browser.

Select fields pointing at other records (a deal's customer) get their choices from the low-code
layer's link type, which offers only the records the user may see.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    DecimalField,
    EmailField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from .models import KINDS, LostReason, ensure_lost_reasons

MONEY = NumberRange(min=0, max=10**12, message=_l("Write an amount from 0 to 1,000,000,000,000."))


def _id(value):
    return int(value) if value not in (None, "", "None") else None


def _choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


SIZES = [("", "—"), ("1-10", "1–10"), ("11-50", "11–50"), ("51-200", "51–200"), ("201-1000", "201–1,000"), ("1000+", "1,000+")]
SOURCES = [("", "—"), ("referral", _l("Referral")), ("website", _l("Website")), ("event", _l("Event")),
           ("cold_call", _l("Cold call")), ("partner", _l("Partner")), ("other", _l("Other"))]
LEVELS = [("", "—"), ("A", "A"), ("B", "B"), ("C", "C")]
CURRENCIES = [("CNY", "CNY ¥"), ("USD", "USD $"), ("EUR", "EUR €"), ("HKD", "HKD $"), ("JPY", "JPY ¥"), ("GBP", "GBP £")]
KIND_LABELS = {"call": _l("Call"), "visit": _l("Visit"), "meeting": _l("Meeting"), "email": _l("Email"),
               "quote": _l("Quote"), "note": _l("Note")}


class CustomerForm(FlaskForm):
    name = StringField(_l("Company name"), validators=[DataRequired(), Length(max=200)])
    industry = StringField(_l("Industry"), validators=[Optional(), Length(max=80)])
    size = SelectField(_l("Size"), choices=_choices(SIZES), validators=[Optional()])
    region = StringField(_l("Region"), validators=[Optional(), Length(max=80)])
    source = SelectField(_l("Source"), choices=_choices(SOURCES), validators=[Optional()])
    level = SelectField(_l("Level"), choices=_choices(LEVELS), validators=[Optional()])
    tags = StringField(_l("Tags"), description=_l("Separated by commas."), validators=[Optional(), Length(max=200)])
    phone = TelField(_l("Phone"), validators=[Optional(), Length(max=40)])
    email = EmailField(_l("Email"), validators=[Optional(), Email(message=_l("Invalid email address.")), Length(max=254)])


class ContactForm(FlaskForm):
    customer = SelectField(_l("Customer"), coerce=_id, validators=[DataRequired()], choices=[])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    role = StringField(_l("Role"), description=_l("Their job, such as purchasing manager."), validators=[Optional(), Length(max=80)])
    phone = TelField(_l("Phone"), validators=[Optional(), Length(max=40)])
    email = EmailField(_l("Email"), validators=[Optional(), Email(message=_l("Invalid email address.")), Length(max=254)])
    wechat = StringField(_l("WeChat id"), validators=[Optional(), Length(max=60)])


class ProductForm(FlaskForm):
    name = StringField(_l("Product name"), validators=[DataRequired(), Length(max=200)])
    category = StringField(_l("Category"), validators=[Optional(), Length(max=80)])
    list_price = DecimalField(_l("List price"), places=2, validators=[Optional(), MONEY])
    active = BooleanField(_l("On sale"), default=True)


def lost_reason_choices(current: str = "") -> list[SelectChoice]:
    """The reasons offered for losing a deal: the active ones, and `current` (a deal keeps the
    reason it was lost for when an admin archives it). A new database gets the default list here
    first, once (as `processes_of` gives it the default process)."""
    reasons = list(LostReason.select().where(LostReason.archived_at.is_null() | (LostReason.label == current))
                   .order_by(LostReason.position))
    if not reasons and ensure_lost_reasons():
        reasons = list(LostReason.select().where(LostReason.archived_at.is_null()).order_by(LostReason.position))
    return [SelectChoice("", "—")] + [SelectChoice(reason.label.source, reason.label) for reason in reasons]


class LostReasonField(SelectField):
    """The admins' list of reasons for losing a deal. A form is built without queries: the list is
    read when this field is shown or checked (a move into Lost, a deal's edit page), never when a
    form is merely built, as for a move that asks for two other fields."""

    @property
    def choices(self):
        if self._choices is None:
            self._choices = lost_reason_choices(getattr(self.data, "source", self.data) or "")
        return self._choices

    @choices.setter
    def choices(self, value):
        self._choices = value

    def pre_validate(self, form):
        if not self.data:  # no reason ("—") is always offered: nothing to read (a deal saved while open)
            return
        super().pre_validate(form)


class DealForm(FlaskForm):
    name = StringField(_l("Deal"), validators=[DataRequired(), Length(max=200)])
    customer = SelectField(_l("Customer"), coerce=_id, validators=[DataRequired()], choices=[])
    contact = SelectField(_l("Contact"), coerce=_id, validators=[Optional()], choices=[])
    amount = DecimalField(_l("Amount"), places=2, description=_l("Worked out from the products when the deal has any."),
                          validators=[Optional(), MONEY])
    currency = SelectField(_l("Currency"), choices=_choices(CURRENCIES), default="CNY")
    expected_close = DateField(_l("Expected close"), validators=[Optional()])
    probability = IntegerField(_l("Probability (%)"), description=_l("Leave empty to use the stage's."),
                               validators=[Optional(), NumberRange(min=0, max=100)])
    next_step = StringField(_l("Next step"), validators=[Optional(), Length(max=200)])
    # Reasons are stored as written (English for the defaults) and shown translated.
    lost_reason = LostReasonField(_l("Lost reason"), validators=[Optional()], coerce=lambda value: getattr(value, "source", value) or "")


class ActivityForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=[SelectChoice(key, label) for key, label in KIND_LABELS.items()], default="call")
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=200)])
    customer = SelectField(_l("Customer"), coerce=_id, validators=[Optional()], choices=[])
    deal = SelectField(_l("Deal"), coerce=_id, validators=[Optional()], choices=[])
    due_at = DateTimeLocalField(_l("Planned for"), format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"], validators=[Optional()])
    done_at = DateTimeLocalField(_l("Done at"), format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"], validators=[Optional()])
    outcome = TextAreaField(_l("Outcome"), validators=[Optional(), Length(max=5000)])


assert set(KIND_LABELS) == set(KINDS)
