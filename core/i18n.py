"""Languages: English and Simplified Chinese (catalogue locale `zh_Hans_CN`).

The language is the signed-in user's choice, else this browser session's, else the best match for
the browser's Accept-Language header.
"""
from __future__ import annotations

import datetime
import functools
from pathlib import Path
from zoneinfo import ZoneInfo

import peewee
from flask import current_app, has_request_context, request, session
from flask_babel import Babel, LazyString
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import escape

from .models import LOCALES

CORE_TRANSLATIONS = Path(__file__).parent / "translations"
# Browsers say zh, zh-CN, zh-Hans...; Babel only finds the catalogue as zh_Hans_CN.
_BROWSER_TO_CATALOGUE = {"en": "en", "zh": "zh_Hans_CN"}


def N_(text: str) -> str:
    """Marks text for the catalogue without translating it: text stored in the database in the
    source language and translated when read (see `core.lowcode.models.Translated`)."""
    return text


def select_locale() -> str:
    if not has_request_context():
        return "en"  # commands and background work write the source language
    if current_user and current_user.is_authenticated and current_user.locale in LOCALES:
        return current_user.locale
    if session.get("locale") in LOCALES:
        return session["locale"]
    best = request.accept_languages.best_match(["en", "zh"], default="en")
    return _BROWSER_TO_CATALOGUE[best]


def locale_code() -> str:
    """The reader's locale as text, looked up once per request (formatting caches key on it)."""
    from flask import g
    from flask_babel import get_locale

    code = g.get("salesdeck_locale")
    if code is None:
        code = g.salesdeck_locale = str(get_locale())
    return code


def label_languages() -> list[str]:
    """The shipped languages, the reader's first: the order of a label's inputs in the editors."""
    from flask_babel import get_locale

    reader = str(get_locale() or "en")
    return sorted(LOCALES, key=lambda code: code != reader)


def label_inputs() -> list[tuple[str, str]]:
    """(locale, language name in the reader's language) of each shipped language, the reader's
    first: one input each for a label admins type."""
    from babel import Locale
    from flask_babel import get_locale

    reader = str(get_locale() or "en")
    return [(code, Locale.parse(code).get_language_name(reader)) for code in label_languages()]


def language_of(text: str) -> str:
    """The shipped language a label typed before labels had languages is most likely in: Chinese
    when it holds Han characters, else English (for the editors to show it in the right input)."""
    han = any("\u3400" <= char <= "\u9fff" for char in str(text or ""))
    return next((code for code in LOCALES if code.startswith("zh") == han), "en")


def label_text(labels: dict | None, label="", built_in=None) -> str:
    """A label an admin typed, in the reader's language: their text for it in `labels`
    ({locale: text}), else the plugin's own (`built_in`, a lazy translation), else the text in
    another shipped language, else the plain `label` (stored text reads as `Translated` does)."""
    from flask_babel import get_locale

    labels = labels if isinstance(labels, dict) else {}
    reader = str(get_locale() or "en")
    if labels.get(reader):
        return labels[reader]
    if built_in is not None and str(built_in):
        return str(built_in)
    for code in LOCALES:
        if labels.get(code):
            return labels[code]
    source = getattr(label, "source", None)
    return _(source) if source else str(label or "")


class LazyLabel(LazyString):
    """A label read when shown. Unlike a lazy message id, what an admin typed is escaped in HTML."""

    def __html__(self):
        return str(escape(str(self)))


def lazy_label(labels: dict | None, label="", built_in=None):
    """`label_text` read when shown, in each reader's language (for pictures kept across requests)."""
    if not labels and built_in is None and not getattr(label, "source", None):
        return label
    return LazyLabel(label_text, dict(labels or {}), label, built_in)


def labels_from_form(form, name: str = "label") -> dict | None:
    """The inputs of a label in each shipped language (`label-en`, `label-zh_Hans_CN`) as
    {locale: text}; None when the form has none of them (a form or script with one `label`)."""
    if not any(f"{name}-{code}" in form for code in LOCALES):
        return None
    return {code: (form.get(f"{name}-{code}") or "").strip() for code in LOCALES}


def typed_labels(label, labels: dict | None, before: dict | None = None) -> tuple[str, dict]:
    """(label, labels) to store from what an admin typed: the label in each language, and as the
    plain label the one in the admin's language (else the other). With one plain `label` (no
    `labels`), it is the label in the admin's language, beside the other languages kept."""
    from flask_babel import get_locale

    reader = str(get_locale() or "en")
    label = (label or "").strip()
    if labels is None:
        labels = {**before, reader: label} if before and label else {}
    labels = {code: (labels.get(code) or "").strip() for code in LOCALES if (labels.get(code) or "").strip()}
    if labels:
        label = labels.get(reader) or next(iter(labels.values()))
    return label, labels


def label_texts(source, labels: dict | None) -> dict:
    """A stored label in each shipped language, as its editor shows it: the texts an admin gave,
    else (none given) the stored text as the catalogue reads it in that language."""
    from flask_babel import force_locale

    if labels:
        return {code: labels.get(code) or "" for code in LOCALES}
    texts = {}
    for code in LOCALES:
        with force_locale(code):
            texts[code] = _(source) if source else ""
    return texts


def same_as_catalogue(source, labels: dict) -> bool:
    """Whether the texts an admin gave are just the catalogue's reading of the stored `source` (a
    plugin's stage name left alone): then nothing is stored and it keeps reading in each language."""
    return bool(source) and all(labels.get(code, "") == text for code, text in label_texts(source, None).items())


def select_timezone() -> str:
    return current_app.config["TIMEZONE"]


def html_lang(locale) -> str:
    """The value of <html lang>: zh_Hans_CN -> zh-Hans-CN."""
    return str(locale).replace("_", "-")


def init_app(app, translation_directories: list[str]) -> None:
    # Flask-Babel merges the catalogues in this order, a later one overriding an earlier: the
    # core's (which holds the built-in plugins' words) comes last, so a plugin's catalogue adds its
    # own words and cannot rename anyone else's.
    directories = [folder for folder in translation_directories if Path(folder) != CORE_TRANSLATIONS] + [str(CORE_TRANSLATIONS)]
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(directories)
    Babel(app, locale_selector=select_locale, timezone_selector=select_timezone)
    app.jinja_env.install_gettext_callables(
        gettext=lambda text: translations().ugettext(text),
        ngettext=lambda singular, plural, count: translations().ungettext(singular, plural, count),
        pgettext=lambda context, text: translations().upgettext(context, text),
        npgettext=lambda context, singular, plural, count: translations().unpgettext(context, singular, plural, count),
        newstyle=True,
    )
    app.jinja_env.filters["numberformat"] = number_text
    app.jinja_env.globals["label_inputs"] = label_inputs  # templates/lowcode/_labels.html


def number_text(number) -> str:
    """A number as the reader writes it (Flask-Babel's `numberformat` filter, remembered: the same
    totals are shown again and again, and Babel takes some 15 µs for each)."""
    return _number_text(number, locale_code())


@functools.lru_cache(maxsize=4096)
def _number_text(number, code: str) -> str:
    from babel.numbers import format_decimal

    return format_decimal(number, locale=code)


def translated(text: str) -> str:
    """`text` in the reader's language (Flask-Babel's `gettext` without variables, the catalogue
    found once per request: for what reads many labels, as the picture of every form does)."""
    return translations().ugettext(text)


def translations():
    """Flask-Babel's catalogue for the reader's language, found once per request and language
    (Flask-Babel looks it up anew for every word: a tenth of a page's time). Outside the app, none
    (the source text), as Flask-Babel's own `gettext` reads there."""
    from flask import g, has_app_context
    from flask_babel import get_translations

    if not has_app_context():
        return get_translations()
    kept = g.get("_flask_babel")
    if kept is not None:
        found = getattr(kept, "salesdeck_translations", None)
        if found is not None and found[0] is getattr(kept, "babel_locale", None):
            return found[1]
    found = get_translations()
    kept = g.get("_flask_babel")
    if kept is not None:
        kept.salesdeck_translations = (getattr(kept, "babel_locale", None), found)
    return found


def local_time(moment: datetime.datetime) -> datetime.datetime:
    """A stored timestamp (naive UTC, as every base column holds them) as the team's wall time."""
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    try:
        return moment.replace(tzinfo=datetime.UTC).astimezone(zone).replace(tzinfo=None)
    except OverflowError:  # a row stored before values were range-checked: shown as it is
        return moment


def utc_time(moment: datetime.datetime) -> datetime.datetime:
    """The team's wall time (what a person types) as a stored timestamp (naive UTC)."""
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    try:
        return moment.replace(tzinfo=zone).astimezone(datetime.UTC).replace(tzinfo=None)
    except OverflowError:  # a moment at the very end of the calendar, typed in the team's zone
        from .input_guard import Refused

        raise Refused(_("That date is beyond the calendar salesdeck can store.")) from None


def _offset_minutes() -> int:
    now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    return round((local_time(now) - now).total_seconds() / 60)


def local_sql(column):
    """A UTC timestamp column as the team's wall time, in SQL, for bucketing by day, week or month.

    PostgreSQL: exact for every row, daylight saving included (`AT TIME ZONE` with the team's
    timezone name, from PostgreSQL's own timezone database).
    SQLite: an approximation. SQLite knows no timezones, so every row is shifted by today's
    offset from UTC: a row within an hour of midnight, stored in the other half of the year
    (summer time against winter time), lands in the neighbouring day, and on the first or last
    day of a month in the neighbouring month. Use PostgreSQL where that hour matters."""
    from .db import is_sqlite

    if is_sqlite():
        return peewee.fn.datetime(column, f"{_offset_minutes():+d} minutes")
    # timezone(zone, t) is `t AT TIME ZONE zone`: naive UTC -> timestamptz -> the team's wall time.
    return peewee.fn.timezone(current_app.config["TIMEZONE"], peewee.fn.timezone("UTC", column))


def local_day_sql(column):
    """The team's calendar day of a UTC timestamp column, in SQL (a date; text on SQLite)."""
    from .db import is_sqlite

    if is_sqlite():
        return peewee.fn.date(column, f"{_offset_minutes():+d} minutes")
    return peewee.Cast(local_sql(column), "DATE")


def team_today() -> datetime.date:
    """Today's date where the team works (SALESDECK_TIMEZONE), not where the server runs."""
    return datetime.datetime.now(ZoneInfo(current_app.config["TIMEZONE"])).date()
