"""Field types: what a custom field can be, and everything each type knows about its values.

A type builds its WTForms field from a definition, cleans what the form gives into the value
stored in the record's JSON column, displays it, reads and writes it as CSV/Excel text, converts a
value of another type, and says how SQL compares and sorts it (`kind`). Plugins add types through
the `register_field_types` hook by subclassing `FieldType`.
"""
from __future__ import annotations

import datetime
import decimal
import functools
import re

import babel.dates
import babel.numbers
import peewee
import regex
from flask import flash, has_request_context, session
from flask_babel import format_currency, format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    DecimalField,
    EmailField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
    URLField,
)
from wtforms.validators import (
    URL,
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from ..i18n import label_text, lazy_label, locale_code

# Kinds: how a value is stored in JSON and compared in SQL.
TEXT, NUMBER, DATE, DATETIME, BOOL, LIST, REFERENCE = "text", "number", "date", "datetime", "bool", "list", "reference"
PATTERN_TIMEOUT = 0.2  # seconds a pattern may spend on one value
MAX_NUMBER = decimal.Decimal("1e15")  # larger numbers are refused: JSON floats stay exact below it
# The storable range of dates: four-digit years, so the stored ISO text always parses, sorts and
# formats (strftime writes year 999 as "999"). Dates and times keep a day's margin at both ends, so
# no time zone carries one past it when it becomes UTC or the team's time again.
FIRST_DAY, LAST_DAY = datetime.date(1000, 1, 1), datetime.date(9999, 12, 31)
FIRST_MOMENT, LAST_MOMENT = datetime.datetime(1000, 1, 2), datetime.datetime(9999, 12, 30, 23, 59)
MAX_ID = 2**63 - 1  # ids are 64-bit integers on both databases
INTEGER_LIMITS = ((peewee.BigIntegerField, 2**63), (peewee.IntegerField, 2**31))  # a plugin's integer columns
COLORS = ("slate", "blue", "green", "amber", "red", "purple", "teal", "pink")
COLOR_LABELS = {"slate": _l("Grey"), "blue": _l("Blue"), "green": _l("Green"), "amber": _l("Amber"), "red": _l("Red"),
                "purple": _l("Purple"), "teal": _l("Teal"), "pink": _l("Pink")}


class Conversion(ValueError):
    """A value that cannot become a value of this type (the message says why)."""


class Unstorable(Conversion):
    """A value the databases cannot keep (out of its type's storable range). Raised by
    `FieldType.storable` on the way to the database; nothing is written."""

    def __init__(self, spec, reason: str):
        self.spec = spec
        self.message = _("%(field)s: %(reason)s", field=getattr(spec, "label", spec), reason=reason)
        super().__init__(self.message)


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, (list, tuple)):
        return any(_has_nul(item) for item in value)
    return False


def _blank(value) -> bool:
    return value is None or value == "" or value == []


class PatternCheck:
    """A WTForms validator for an admin's pattern, bounded in time (the `regex` module's timeout)."""

    def __init__(self, pattern: str, message: str | None = None):
        self.compiled = regex.compile(pattern)
        self.message = message

    def __call__(self, form, field):
        if _blank(field.data):
            return
        try:
            matched = self.compiled.fullmatch(str(field.data), timeout=PATTERN_TIMEOUT)
        except TimeoutError:
            raise ValidationError(_("This value took too long to check against the field's pattern.")) from None
        if not matched:
            raise ValidationError(self.message or _("This value does not have the expected format."))


class StorableCheck:
    """A WTForms validator: the value, cleaned as it would be stored, is within the type's range."""

    field_flags = {}

    def __init__(self, field_type, spec):
        self.field_type, self.spec = field_type, spec

    def __call__(self, form, field):
        if _blank(field.data):
            return
        try:
            reason = self.field_type.unstorable_reason(field.data, self.spec)
        except (ValueError, TypeError, ArithmeticError):
            reason = _("This value cannot be stored.")
        if reason:
            raise StopValidation(reason)


class FieldType:
    """The behaviour of one type of field. Subclass it and override what differs."""

    key = "text"
    label = _l("Text")
    kind = TEXT
    # Which settings the form designer offers for this type.
    settings: tuple[str, ...] = ("default", "placeholder", "unique")
    searchable = False  # contributes to the record's full-text search
    in_form = True  # computed fields are not typed in

    # -- the form ---------------------------------------------------------------------------------

    def validators(self, spec) -> list:
        return [InputRequired() if spec.required else Optional()]

    def field_class(self, spec):
        return StringField

    def field_arguments(self, spec) -> dict:
        return {}

    def form_field(self, spec):
        render_kw = {"placeholder": spec.placeholder} if spec.placeholder else {}
        return self.field_class(spec)(
            spec.label,
            validators=self.validators(spec),
            description=spec.help,
            render_kw=render_kw,
            **self.field_arguments(spec),
        )

    def clean(self, data, spec):
        """The form's data -> the value stored in JSON (None when empty)."""
        return None if _blank(data) else data

    def to_form(self, stored, spec):
        """A stored value -> the form field's data."""
        return stored

    def prepare(self, bound, spec, current) -> None:
        """Adjust a form's field before it validates or renders: fresh choices, for instance.

        `current` is the value stored on the record (None for a new one), never what was submitted.
        """

    # -- what the databases can keep ------------------------------------------------------------

    def storable(self, stored, spec) -> None:
        """Raise Unstorable when a value on its way to the database cannot be kept there. Every
        write (form, import, bulk edit, formula, plugin) passes here (records.apply_values)."""
        if _has_nul(stored):
            raise Unstorable(spec, _("Text cannot contain a NUL character."))
        reason = None if _blank(stored) else self.unstorable_reason(stored, spec)
        if reason:
            raise Unstorable(spec, reason)

    def unstorable_reason(self, stored, spec) -> str | None:
        """Why a (non-empty) value is out of this type's storable range, or None. Override it."""
        column = getattr(spec, "column", None)
        limit = getattr(column, "max_length", None)
        if isinstance(stored, str) and isinstance(limit, int) and len(stored) > limit:
            return _("Longer than %(count)d characters.", count=limit)
        return None

    # -- showing, searching, exporting ----------------------------------------------------------

    def display(self, stored, spec, lookups=None) -> str:
        return "" if _blank(stored) else str(stored)

    def search_text(self, stored, spec) -> str:
        return self.display(stored, spec) if self.searchable else ""

    def to_text(self, stored, spec, lookups=None) -> str:
        """For CSV and Excel exports."""
        return self.display(stored, spec, lookups)

    # -- reading text (imports) and converting from other types ---------------------------------

    def parse_text(self, text: str, spec):
        """Text from a CSV cell -> a stored value; raise Conversion with a message."""
        text = (text or "").strip()
        return text or None

    def convert(self, stored, spec):
        """A value stored under another type -> this type's value; raise Conversion."""
        if _blank(stored):
            return None
        if isinstance(stored, list):
            stored = ", ".join(str(item) for item in stored)
        if isinstance(stored, bool):
            stored = "true" if stored else "false"
        return self.parse_text(str(stored), spec)


class TextType(FieldType):
    key, label = "text", _l("Text")
    settings = ("default", "placeholder", "unique", "length", "pattern")
    searchable = True
    max_length = 500

    def validators(self, spec):
        options = spec.options
        maximum = min(int(options.get("max_length") or self.max_length), self.max_length)
        checks = super().validators(spec) + [Length(min=int(options.get("min_length") or 0), max=maximum)]
        if options.get("pattern"):
            checks.append(PatternCheck(options["pattern"], options.get("pattern_message")))
        return checks

    def clean(self, data, spec):
        return (data or "").strip() or None

    def parse_text(self, text, spec):
        """The same rules as the form: length and pattern."""
        text = (text or "").strip()
        if not text:
            return None
        options = spec.options or {}
        longest = min(int(options.get("max_length") or self.max_length), self.max_length)
        if len(text) > longest:
            raise Conversion(_("Longer than %(count)d characters.", count=longest))
        if len(text) < int(options.get("min_length") or 0):
            raise Conversion(_("Shorter than %(count)d characters.", count=int(options["min_length"])))
        if options.get("pattern"):
            try:
                matched = regex.fullmatch(options["pattern"], text, timeout=PATTERN_TIMEOUT)
            except TimeoutError:
                raise Conversion(_("This value took too long to check against the field's pattern.")) from None
            if not matched:
                raise Conversion(options.get("pattern_message") or _("This value does not have the expected format."))
        return text


class LongTextType(TextType):
    key, label = "textarea", _l("Long text")
    settings = ("default", "placeholder", "length")
    max_length = 5000

    def field_class(self, spec):
        return TextAreaField


class NumberType(FieldType):
    key, label = "decimal", _l("Decimal number")
    kind = NUMBER
    optional_decimals = False  # 8,331.20 rather than 8,331.2
    settings = ("default", "placeholder", "unique", "range", "decimals")

    def decimals(self, spec) -> int:
        return max(0, min(int(spec.options.get("decimals", 2) or 0), 6))

    def field_class(self, spec):
        return DecimalField

    def field_arguments(self, spec):
        return {"places": self.decimals(spec), "render_kw": {"step": "any", "inputmode": "decimal",
                                                             **({"placeholder": spec.placeholder} if spec.placeholder else {})}}

    def form_field(self, spec):
        arguments = self.field_arguments(spec)
        return self.field_class(spec)(spec.label, validators=self.validators(spec), description=spec.help, **arguments)

    def validators(self, spec):
        options = spec.options
        minimum = options.get("min")
        maximum = options.get("max")
        return super().validators(spec) + [
            StorableCheck(self, spec),
            NumberRange(min=-MAX_NUMBER, max=MAX_NUMBER, message=_l("This number is too large.")),
            NumberRange(
                min=decimal.Decimal(str(minimum)) if minimum is not None else None,
                max=decimal.Decimal(str(maximum)) if maximum is not None else None,
            ),
        ]

    def clean(self, data, spec):
        if data is None:
            return None
        value = round(decimal.Decimal(data), self.decimals(spec))
        return int(value) if value == value.to_integral_value() else float(value)

    def limit(self, spec) -> decimal.Decimal:
        """The storable magnitude: 10**15 in JSON; what a plugin's numeric column holds."""
        column = getattr(spec, "column", None)
        if isinstance(column, peewee.DecimalField):
            return decimal.Decimal(10) ** (column.max_digits - column.decimal_places)
        for classes, bound in INTEGER_LIMITS:
            if isinstance(column, classes):
                return decimal.Decimal(bound)
        return MAX_NUMBER

    def unstorable_reason(self, stored, spec):
        try:
            value = decimal.Decimal(str(stored)) if not isinstance(stored, decimal.Decimal) else stored
        except (decimal.InvalidOperation, ValueError, TypeError):
            return _("Not a number.")
        if isinstance(stored, bool) or not value.is_finite():
            return _("Not a number.")
        if abs(value) >= self.limit(spec):
            return _("This number is too large.")
        return None

    def to_form(self, stored, spec):
        if stored is None or self.unstorable_reason(stored, spec):
            return None  # stored before values were checked: shown empty, for correcting
        return decimal.Decimal(str(stored))

    def display(self, stored, spec, lookups=None):
        if stored is None or stored == "":
            return ""
        places = self.decimals(spec)
        digit = "#" if self.optional_decimals else "0"
        try:
            return _decimal_text(stored, f"#,##0.{digit * places}" if places else "#,##0", locale_code())
        except (ValueError, TypeError, ArithmeticError):
            return str(stored)  # stored before values were checked

    def to_text(self, stored, spec, lookups=None):
        return "" if stored is None else str(stored)

    def parse_text(self, text, spec):
        text = (text or "").strip().replace(",", "").replace("，", "").replace(" ", "")
        for sign in ("¥", "￥", "$", "€", "£", "%"):
            text = text.replace(sign, "")
        if not text:
            return None
        try:
            value = decimal.Decimal(text)
        except decimal.InvalidOperation:
            raise Conversion(_("Not a number.")) from None
        if not value.is_finite() or abs(value) >= MAX_NUMBER:
            raise Conversion(_("This number is too large."))
        options = spec.options
        if options.get("min") is not None and value < decimal.Decimal(str(options["min"])):
            raise Conversion(_("Less than %(min)s.", min=options["min"]))
        if options.get("max") is not None and value > decimal.Decimal(str(options["max"])):
            raise Conversion(_("More than %(max)s.", max=options["max"]))
        return self.clean(value, spec)


class IntegerType(NumberType):
    key, label = "integer", _l("Whole number")
    settings = ("default", "placeholder", "unique", "range")

    def decimals(self, spec):
        return 0

    def field_class(self, spec):
        return IntegerField

    def field_arguments(self, spec):
        return {"render_kw": {"inputmode": "numeric", **({"placeholder": spec.placeholder} if spec.placeholder else {})}}

    def clean(self, data, spec):
        return None if data is None else int(data)

    def to_form(self, stored, spec):
        try:
            return None if stored is None else int(stored)
        except (ValueError, TypeError, OverflowError):
            return None  # stored before values were checked

    def parse_text(self, text, spec):
        value = super().parse_text(text, spec)
        if value is not None and value != int(value):
            raise Conversion(_("Not a whole number."))
        return None if value is None else int(value)


class CurrencyType(NumberType):
    key, label = "currency", _l("Amount of money")
    settings = ("default", "placeholder", "range", "currency")

    def decimals(self, spec):
        return 2

    def display(self, stored, spec, lookups=None):
        if stored is None or stored == "":
            return ""
        try:
            return format_currency(stored, spec.options.get("currency") or "CNY")
        except (ValueError, TypeError, ArithmeticError):
            return str(stored)  # stored before values were checked


class PercentType(NumberType):
    key, label = "percent", _l("Percentage")
    optional_decimals = True  # 37%, not 37.00%
    settings = ("default", "placeholder", "range", "decimals")

    def display(self, stored, spec, lookups=None):
        return "" if stored is None or stored == "" else f"{super().display(stored, spec)}%"


class DateType(FieldType):
    key, label = "date", _l("Date")
    kind = DATE
    settings = ("default",)

    def field_class(self, spec):
        return DateField

    def validators(self, spec):
        return super().validators(spec) + [StorableCheck(self, spec)]

    def clean(self, data, spec):
        return None if data is None else data.isoformat()

    def unstorable_reason(self, stored, spec):
        try:
            day = stored if isinstance(stored, datetime.date) else datetime.date.fromisoformat(str(stored)[:10])
        except ValueError:
            return _("Not a date (write it as 2026-03-31).")
        if isinstance(day, datetime.datetime):
            day = day.date()
        if not FIRST_DAY <= day <= LAST_DAY:
            return _("Choose a date between %(first)s and %(last)s.", first=FIRST_DAY.isoformat(), last=LAST_DAY.isoformat())
        return None

    def to_form(self, stored, spec):
        try:
            return None if not stored else datetime.date.fromisoformat(stored[:10])
        except (ValueError, TypeError):
            return None  # stored before values were checked

    def display(self, stored, spec, lookups=None):
        try:
            return "" if not stored else _date_text(stored[:10], locale_code())
        except (ValueError, TypeError):
            return str(stored)  # stored before values were checked

    def to_text(self, stored, spec, lookups=None):
        return stored or ""

    def parse_text(self, text, spec):
        text = (text or "").strip()
        if not text:
            return None
        for pattern in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"):
            try:
                return datetime.datetime.strptime(text, pattern).date().isoformat()
            except ValueError:
                continue
        raise Conversion(_("Not a date (write it as 2026-03-31)."))

    def convert(self, stored, spec):
        if isinstance(stored, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?", stored):
            return stored[:10]
        return super().convert(stored, spec)


class DateTimeType(FieldType):
    key, label = "datetime", _l("Date and time")
    kind = DATETIME
    settings = ("default",)

    def field_class(self, spec):
        return DateTimeLocalField

    def field_arguments(self, spec):
        return {"format": ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]}

    def validators(self, spec):
        return super().validators(spec) + [StorableCheck(self, spec)]

    def clean(self, data, spec):
        return None if data is None else data.isoformat(timespec="minutes")  # strftime writes year 999 as "999"

    def unstorable_reason(self, stored, spec):
        try:
            moment = stored if isinstance(stored, datetime.datetime) else datetime.datetime.fromisoformat(str(stored))
        except ValueError:
            return _("Not a date and time (write it as 2026-03-31 14:30).")
        if not FIRST_MOMENT <= moment.replace(tzinfo=None) <= LAST_MOMENT:
            return _("Choose a date between %(first)s and %(last)s.", first=FIRST_MOMENT.date().isoformat(),
                     last=LAST_MOMENT.date().isoformat())
        return None

    def to_form(self, stored, spec):
        try:
            return None if not stored else datetime.datetime.fromisoformat(stored)
        except (ValueError, TypeError):
            return None  # stored before values were checked

    def display(self, stored, spec, lookups=None):
        try:
            return "" if not stored else format_datetime(datetime.datetime.fromisoformat(stored), "short", rebase=False)
        except (ValueError, TypeError, OverflowError):
            return str(stored)  # stored before values were checked

    def to_text(self, stored, spec, lookups=None):
        return (stored or "").replace("T", " ")

    def parse_text(self, text, spec):
        text = (text or "").strip()
        if not text:
            return None
        for pattern in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d"):
            try:
                return datetime.datetime.strptime(text, pattern).isoformat(timespec="minutes")
            except ValueError:
                continue
        raise Conversion(_("Not a date and time (write it as 2026-03-31 14:30)."))


# A list or a board shows the same amounts and dates many times: Babel's formatting is pure, so
# each (value, locale) is formatted once.
@functools.lru_cache(maxsize=8192)
def _decimal_text(value, pattern: str, locale: str) -> str:
    return babel.numbers.format_decimal(value, format=pattern, locale=locale)


def number(value, pattern: str = "#,##0.##", locale: str | None = None) -> str:
    """A number in the reader's language, as the `number` template filter: like Babel's
    `decimalformat`, remembered for the values a page shows many times."""
    if value is None or value == "":
        return ""
    return _decimal_text(value, pattern, locale or locale_code())


@functools.lru_cache(maxsize=8192)
def _date_text(iso: str, locale: str) -> str:
    return babel.dates.format_date(datetime.date.fromisoformat(iso), "medium", locale=locale)


def active_choices(spec, keep=()) -> list[dict]:
    """The options a form offers: those not archived, plus archived ones a record still uses."""
    keep = set(keep if isinstance(keep, (list, tuple, set)) else [keep])
    return [c for c in spec.options.get("choices", []) if not c.get("archived") or c["value"] in keep]


def choice_text(choice: dict) -> str:
    """An option's label in the reader's language (else the other one, else as typed)."""
    return label_text(choice.get("labels"), choice["label"])


def choice_name(choice: dict):
    """An option's label as a form offers it: read when shown (forms are kept across requests)."""
    return lazy_label(choice.get("labels"), choice["label"])


def choice_label(spec, value) -> str:
    for choice in spec.options.get("choices", []):
        if choice["value"] == value:
            return choice_text(choice)
    return str(value)


class SelectType(FieldType):
    key, label = "select", _l("Choice from a list")
    settings = ("default", "choices")
    searchable = True

    def field_class(self, spec):
        return SelectField

    def form_field(self, spec):
        return SelectField(spec.label, validators=self.validators(spec), description=spec.help,
                           choices=[SelectChoice("", "—")] + [SelectChoice(c["value"], choice_name(c)) for c in active_choices(spec)])

    def validators(self, spec):
        return [DataRequired() if spec.required else Optional()]

    def prepare(self, bound, spec, current):
        # An option the admin archived stays selectable on the records that already have it.
        offered = {choice.value for choice in bound.choices}
        for choice in active_choices(spec, keep=current if isinstance(current, list) else [current]):
            if choice["value"] not in offered:
                bound.choices.append(SelectChoice(choice["value"], choice_text(choice)))

    def display(self, stored, spec, lookups=None):
        return "" if _blank(stored) else choice_label(spec, stored)

    def parse_text(self, text, spec):
        text = (text or "").strip()
        if not text:
            return None
        for choice in spec.options.get("choices", []):
            names = [str(choice["label"]), *(choice.get("labels") or {}).values()]  # in any language
            if text == choice["value"] or text.lower() in {name.lower() for name in names}:
                return choice["value"]
        raise Conversion(_("%(value)s is not one of the options.", value=text))


class MultiSelectType(SelectType):
    key, label = "multiselect", _l("Several choices from a list")
    kind = LIST
    settings = ("choices",)

    def form_field(self, spec):
        return SelectMultipleField(
            spec.label, validators=self.validators(spec), description=spec.help,
            choices=[SelectChoice(c["value"], choice_name(c)) for c in active_choices(spec)],
            widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
        )

    def clean(self, data, spec):
        return list(data) or None if data else None

    def to_form(self, stored, spec):
        return stored or []

    def display(self, stored, spec, lookups=None):
        return ", ".join(choice_label(spec, value) for value in stored or [])

    def parse_text(self, text, spec):
        parts = [part.strip() for part in re.split(r"[,，;；、]", text or "") if part.strip()]
        return [SelectType.parse_text(self, part, spec) for part in parts] or None

    def convert(self, stored, spec):
        if isinstance(stored, list):
            return [SelectType.parse_text(self, str(item), spec) for item in stored] or None
        return super().convert(stored, spec)


class CheckboxType(FieldType):
    key, label = "checkbox", _l("Yes / no")
    kind = BOOL
    settings = ("default",)
    TRUE = {"1", "true", "yes", "y", "是", "对", "x", "✓"}
    FALSE = {"0", "false", "no", "n", "否", "不", ""}

    def field_class(self, spec):
        return BooleanField

    def validators(self, spec):
        return [InputRequired()] if spec.required else []

    def clean(self, data, spec):
        return bool(data)

    def display(self, stored, spec, lookups=None):
        if stored is None:
            return ""
        return _("Yes") if stored else _("No")

    def parse_text(self, text, spec):
        text = (text or "").strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise Conversion(_("Not yes or no."))


class EmailType(TextType):
    key, label = "email", _l("Email")
    settings = ("default", "placeholder", "unique")

    def field_class(self, spec):
        return EmailField

    def validators(self, spec):
        return super().validators(spec) + [Email(message=_l("Invalid email address."))]

    def clean(self, data, spec):
        return (data or "").strip().lower() or None

    def parse_text(self, text, spec):
        text = (text or "").strip().lower()
        if text and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", text):
            raise Conversion(_("Not an email address."))
        return text or None


PHONE = re.compile(r"\+?[\d\s\-().]{5,30}")


class PhoneType(TextType):
    key, label = "phone", _l("Phone number")
    settings = ("default", "placeholder", "unique")

    def field_class(self, spec):
        return TelField

    def validators(self, spec):
        return super().validators(spec) + [PatternCheck(PHONE.pattern, _l("Not a phone number."))]

    def parse_text(self, text, spec):
        text = (text or "").strip()
        if text and not PHONE.fullmatch(text):
            raise Conversion(_("Not a phone number."))
        return text or None


class UrlType(TextType):
    key, label = "url", _l("Web address")
    settings = ("default", "placeholder")

    def field_class(self, spec):
        return URLField

    def validators(self, spec):
        # Only http(s): the address becomes a link, so javascript: and data: are refused.
        return super().validators(spec) + [URL(require_tld=False), PatternCheck(r"https?://\S+", _l("Start the address with http:// or https://."))]

    def parse_text(self, text, spec):
        text = (text or "").strip()
        if text and not re.fullmatch(r"https?://\S+", text):
            raise Conversion(_("Start the address with http:// or https://."))
        return text or None


def _reference_reason(stored) -> str | None:
    if isinstance(stored, int) and not isinstance(stored, bool) and not 0 < stored <= MAX_ID:
        return _("There is no such record.")
    return None


def _optional_id(value):
    if value in (None, "", "None"):
        return None
    return int(value)


class UserType(FieldType):
    """A member of the team, stored by id."""

    key, label = "user", _l("Team member")
    kind = REFERENCE
    settings = ()

    def unstorable_reason(self, stored, spec):
        return _reference_reason(stored)

    def form_field(self, spec):
        return SelectField(spec.label, validators=[DataRequired() if spec.required else Optional()],
                           description=spec.help, coerce=_optional_id, choices=[])

    def prepare(self, bound, spec, current):
        from ..models import User

        people = User.select(User.id, User.name).where((User.active == True) | (User.id == (current or 0)))  # noqa: E712
        bound.choices = [SelectChoice(None, "—")] + [SelectChoice(p.id, p.name) for p in people.order_by(User.name)]

    def display(self, stored, spec, lookups=None):
        if stored is None:
            return ""
        return (lookups or {}).get(("user", stored), f"#{stored}")

    def parse_text(self, text, spec):
        from ..models import User

        text = (text or "").strip()
        if not text:
            return None
        person = User.get_or_none((User.email == text.lower()) | (User.name == text))
        if person is None:
            raise Conversion(_("No user is called %(name)s.", name=text))
        return person.id

    def convert(self, stored, spec):
        if isinstance(stored, int) and not isinstance(stored, bool):
            return stored
        return super().convert(stored, spec)


class LinkSelectField(SelectField):
    """A link's select. Its choices (up to 500 titles) are read only when the form is shown; a
    submitted id is checked with one query against the records the user may see, so saving a form
    costs the same whatever the linked table holds."""

    link_entity = ""
    link_current = None

    def pre_validate(self, form):
        if self.data is None or self.data == self.link_current:
            return  # empty (its validators judge that), or the record it already links to
        from .entities import get_entity

        target = get_entity(self.link_entity)
        if not isinstance(self.data, int) or not 0 < self.data < 2**63 or target is None or \
                not target.visible().where(target.model.id == self.data).exists():
            raise ValidationError(self.gettext("Not a valid choice."))


class LinkType(FieldType):
    """A record of another entity, stored by id. The form offers the records its user may see."""

    key, label = "link", _l("Link to a record")
    kind = REFERENCE
    settings = ("link",)
    choice_limit = 50  # the latest; the form's search finds the others (`records.link_choices`)

    def unstorable_reason(self, stored, spec):
        return _reference_reason(stored)

    def form_field(self, spec):
        return LinkSelectField(spec.label, validators=[DataRequired() if spec.required else Optional()],
                               description=spec.help, coerce=_optional_id, choices=[])

    def prepare(self, bound, spec, current):
        if isinstance(bound, LinkSelectField):
            bound.link_entity, bound.link_current = spec.options.get("entity", ""), current
            bound.choices = lambda: self.choices(spec, current)  # read when shown, not to save
        else:
            bound.choices = self.choices(spec, current)

    def choices(self, spec, current) -> list:
        from .entities import get_entity

        target = get_entity(spec.options.get("entity", ""))
        choices = [SelectChoice(None, "—")]
        if target is not None:
            choices += [SelectChoice(pk, title) for pk, title in target.titles(limit=self.choice_limit)]
        if current and current not in {choice.value for choice in choices}:
            choices.append(SelectChoice(current, f"#{current}"))  # kept, though no longer offered
        return choices

    def display(self, stored, spec, lookups=None):
        if stored is None:
            return ""
        return (lookups or {}).get((spec.options.get("entity"), stored), f"#{stored}")

    def parse_text(self, text, spec):
        from .entities import get_entity

        text = (text or "").strip()
        if not text:
            return None
        target = get_entity(spec.options.get("entity", ""))
        found = target.find_by_title(text) if target is not None else None
        if found is None:
            raise Conversion(_("No record is called %(name)s.", name=text))
        return found

    def convert(self, stored, spec):
        raise Conversion(_("Only a link field can hold a link."))


class ComputedType(NumberType):
    """A number worked out from other numeric fields with a formula, on every save."""

    key, label = "computed", _l("Calculated number")
    settings = ("formula", "decimals")
    in_form = False

    def parse_text(self, text, spec):
        return None  # calculated, never imported

    def convert(self, stored, spec):
        return None

    def clean(self, data, spec):
        """A formula's result; one past the storable range is stored empty, with a message, so a
        record is always saved whatever its numbers."""
        if data is not None and self.unstorable_reason(data, spec):
            if has_request_context():
                message = _("%(field)s could not be calculated: the result is too large to store.", field=spec.label)
                if message not in [text for _category, text in session.get("_flashes", [])]:
                    flash(message, "error")
            return None
        return super().clean(data, spec)


BUILT_IN_TYPES = [
    TextType(), LongTextType(), IntegerType(), NumberType(), CurrencyType(), PercentType(), DateType(),
    DateTimeType(), SelectType(), MultiSelectType(), CheckboxType(), EmailType(), PhoneType(), UrlType(),
    UserType(), LinkType(), ComputedType(),
]
NUMERIC_TYPES = {"integer", "decimal", "currency", "percent", "computed"}
