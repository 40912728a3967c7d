"""Languages: English and Simplified Chinese (catalogue locale `zh_Hans_CN`).

The language is the signed-in user's choice, else this browser session's, else the best match for
the browser's Accept-Language header.
"""
from __future__ import annotations

import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import peewee
from flask import current_app, has_request_context, request, session
from flask_babel import Babel
from flask_babel import gettext as _
from flask_login import current_user

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


def select_timezone() -> str:
    return current_app.config["TIMEZONE"]


def html_lang(locale) -> str:
    """The value of <html lang>: zh_Hans_CN -> zh-Hans-CN."""
    return str(locale).replace("_", "-")


def init_app(app, translation_directories: list[str]) -> None:
    directories = [str(CORE_TRANSLATIONS)] + translation_directories
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(directories)
    Babel(app, locale_selector=select_locale, timezone_selector=select_timezone)


def local_time(moment: datetime.datetime) -> datetime.datetime:
    """A stored timestamp (naive UTC, as every base column holds them) as the team's wall time."""
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    try:
        return moment.replace(tzinfo=datetime.timezone.utc).astimezone(zone).replace(tzinfo=None)
    except OverflowError:  # a row stored before values were range-checked: shown as it is
        return moment


def utc_time(moment: datetime.datetime) -> datetime.datetime:
    """The team's wall time (what a person types) as a stored timestamp (naive UTC)."""
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    try:
        return moment.replace(tzinfo=zone).astimezone(datetime.timezone.utc).replace(tzinfo=None)
    except OverflowError:  # a moment at the very end of the calendar, typed in the team's zone
        from .input_guard import Refused

        raise Refused(_("That date is beyond the calendar salesdeck can store.")) from None


def _offset_minutes() -> int:
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
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
