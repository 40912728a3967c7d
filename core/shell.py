"""The shell every page lives in: navigation, widgets, fragments for htmx, and error pages.

Plugins hand over data (NavItem, DashboardWidget); the shell renders it, so the look stays in one
place and one plugin's failure never takes a page down.
"""
from __future__ import annotations

import datetime
import logging
import math
import re
from dataclasses import dataclass
from functools import cached_property

import peewee
from flask import current_app, g, make_response, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from jinja2_fragments.flask import render_block
from markupsafe import Markup
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BuildError, IntegerConverter

from .changes import Unkept, remembered
from .contributions import RecordPanel
from .i18n import html_lang, locale_code
from .models import LOCALES
from .plugins import host_of


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    icon: str
    active: bool


class Shell:
    """Per-render facts the base layout needs, computed only when a template asks for them."""

    @cached_property
    def nav(self) -> dict[str, list[NavLink]]:
        sections: dict[str, list[NavLink]] = {"main": [], "admin": [], "top": []}
        if not current_user.is_authenticated:
            return sections
        # Asked of the plugins once per user and language, and kept until a user or team, the
        # schema or the plugins change (docs/plugins.md, nav_items).
        entries = remembered("shell.nav", (current_user.id, locale_code()), (), _nav_entries)
        # The current page is the entry whose address the page's is under most closely: /analytics/health
        # is Data health's, not Reports' (/analytics/) too.
        under = [url for _label, url, _icon, _section in entries
                 if request.path == url or (url != "/" and request.path.startswith(url.rstrip("/") + "/"))]
        current = max(under, key=len, default=None)
        for label, url, icon, section in entries:
            sections.setdefault(section, []).append(NavLink(label, url, icon, url == current))
        return sections

    @property
    def lang(self) -> str:
        return html_lang(get_locale())

    @property
    def locale(self) -> str:
        return str(get_locale())

    locales = LOCALES


def _nav_entries() -> tuple[tuple[str, str, str, str], ...]:
    """(label, address, icon, section) of every navigation entry the plugins give the signed-in
    user, in their order, labels in the reader's language."""
    host, failed = host_of(current_app), []
    entries = []
    for plugin, items in host.results("nav_items", user=current_user, failed=failed):
        for item in items:
            try:
                url = url_for(item.endpoint, **item.values)
            except BuildError as exc:
                host.record_error(plugin, "nav_items", exc)
                continue
            entries.append((item, url))
    entries.sort(key=lambda entry: (entry[0].order, str(entry[0].label)))
    found = tuple((str(item.label), url, item.icon, item.section) for item, url in entries)
    return Unkept(found) if failed else found  # a plugin that failed is asked again on the next page


def render_record_panels(entity: str, record) -> list[tuple]:
    """[(panel, html)] for a record's page, from `record_panels`, sorted by order then title; a
    panel whose hook or template fails shows a notice instead. The page has already checked that
    the signed-in user may see the record."""
    host = host_of(current_app)
    panels = []
    for plugin, contributed in host.results("record_panels", entity=entity, record=record, user=current_user):
        if not isinstance(contributed, (list, tuple)) or not all(isinstance(panel, RecordPanel) for panel in contributed):
            host.record_error(plugin, "record_panels", TypeError("record_panels must return a list of RecordPanel"))
            continue
        for panel in contributed:
            try:
                if not panel.template.endswith(".html"):
                    raise ValueError(f"panel template {panel.template!r} must be .html (autoescaped)")
                html = Markup(render_template(panel.template, **panel.context))
            except Exception as exc:  # noqa: BLE001 - a broken panel must not break the record's page
                host.record_error(plugin, "record_panels", exc)
                html = None
            panels.append((panel, html))
    panels.sort(key=lambda shown: (shown[0].order, str(shown[0].title)))
    return panels


def plugin_icon(name) -> tuple | None:
    """The path data of an icon a plugin added (`register_icons`), or None for the sprite's own."""
    from .registry import built_in_icons, icons

    if not isinstance(name, str) or name in built_in_icons():
        return None
    return icons().get(name)


def render_page(template: str, block: str | None = None, status: int = 200, **context):
    """Render the whole page, or only `block` of it when htmx asks (same URL, same template)."""
    if block and request.htmx and not request.htmx.boosted:
        return render_fragment(template, block, status, **context)
    return make_response(render_template(template, **context), status)


def render_fragment(template: str, block: str, status: int = 200, **context):
    """Render one block of a page, for URLs that only ever serve a part of it."""
    return make_response(render_block(template, block, **context), status)


class BoundedInteger(IntegerConverter):
    """`<int:...>` in every URL: a number too large for a database id is no match (404), not a
    crash in the database driver."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


MAX_ID = 2**63 - 1


def id_from(text) -> int | None:
    """An id sent in a form or a query string: None unless it is a number a database id can be
    (so a made-up "99999999999999999999" is "not found", not a crash in the driver)."""
    text = str(text if text is not None else "").strip()
    return int(text) if text.isdigit() and len(text) <= 19 and 0 < int(text) <= MAX_ID else None


FIRST_DAY, LAST_DAY = datetime.date(1000, 1, 1), datetime.date(9999, 12, 30)


def date_from(text) -> datetime.date | None:
    """A day sent in a form or a query string (2026-03-31): None unless it is one, within years
    1000..9999 with a day's margin at the end, so a page may add a day to it or turn it into UTC
    (the storable range of core.lowcode.types)."""
    text = str(text if text is not None else "").strip()[:10]
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        return None
    try:
        day = datetime.date.fromisoformat(text)
    except ValueError:
        return None
    return day if FIRST_DAY <= day <= LAST_DAY else None


URL_FOR_KEYWORDS = {"endpoint", "values", "_external", "_scheme", "_anchor", "_method", "_host"}


def list_url(endpoint: str, keep, **changes) -> str:
    """A link from a list to `endpoint` (itself with another page or sort, its export) that carries
    only the list's own query parameters, `keep` (every value of each, repeated filters included),
    then `changes` (None drops one). The route's arguments come along when the link is to the same
    route. Nothing else of the query string reaches url_for: `?_external=1&_scheme=javascript` or
    `?endpoint=x` are not link options."""
    route = dict(request.view_args or {}) if endpoint == request.endpoint else {}
    values = {name: request.args.getlist(name) for name in keep
              if name in request.args and name not in route and name not in URL_FOR_KEYWORDS}
    values.update({name: value for name, value in changes.items() if name not in URL_FOR_KEYWORDS})
    return url_for(endpoint, **{**route, **values})


def page_number(args) -> int:
    """The page a list is asked for: 1 unless a sensible positive number."""
    number = id_from(args.get("page", "1")) or 1
    return min(number, 10**6)


@dataclass(frozen=True)
class Page:
    """One page of a long list."""

    items: list
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def paginate(query, size: int | None = None) -> Page:
    """Two queries whatever the list's length: the count, and the rows of the requested page."""
    size = size or current_app.config["PAGE_SIZE"]
    number = page_number(request.args)
    total = query.count()
    number = min(number, max(1, math.ceil(total / size)))
    return Page(items=list(query.paginate(number, size)), number=number, size=size, total=total)


ERROR_MESSAGES = {
    400: lambda: _("The request could not be understood."),
    403: lambda: _("You do not have permission to open this page."),
    404: lambda: _("This page does not exist, or it is not yours to see."),
    405: lambda: _("This address does not accept that kind of request."),
    413: lambda: _("The upload is too large."),
    500: lambda: _("Something went wrong on our side. The error has been logged."),
}


# What an unreachable (or locked, or broken) database raises; peewee wraps the drivers' errors.
DATABASE_UNAVAILABLE = (peewee.OperationalError, peewee.InterfaceError)

log = logging.getLogger(__name__)


def _without_database() -> None:
    """Render the rest of this request as for a visitor: no query for the user, and so none for
    the navigation, the plugins or the user's language."""
    g._login_user = current_app.login_manager.anonymous_user()


def _render_error(code: int, message) -> object:
    text = message() if callable(message) else str(message)
    if request.htmx:
        return make_response(text, code)
    return make_response(render_template("errors/error.html", code=code, message=text), code)


def render_error(code: int, message):
    """The error page inside the shell (the message alone for htmx); `message` is text or a
    function that translates it. When the database fails while the page renders (the user, the
    language, the navigation), it renders again without it: an error never becomes a traceback."""
    try:
        return _render_error(code, message)
    except DATABASE_UNAVAILABLE as error:
        log.error("the error page was rendered without the database: %s", error)
        _without_database()
        return _render_error(code, message)


def _error_page(error: HTTPException):
    code = error.code or 500
    return render_error(code, ERROR_MESSAGES.get(code, lambda: error.description))


def _database_unavailable(error: peewee.PeeweeException):
    log.error("the database cannot be reached: %s", error)
    _without_database()
    return render_error(503, lambda: _("The database cannot be reached. Try again in a moment."))


def init_app(app) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.context_processor(lambda: {"shell": Shell()})
    app.jinja_env.globals["list_url"] = list_url
    app.jinja_env.globals["record_panels_of"] = render_record_panels
    app.jinja_env.globals["plugin_icon"] = plugin_icon
    for code in ERROR_MESSAGES:
        app.register_error_handler(code, _error_page)
    for error in DATABASE_UNAVAILABLE:
        app.register_error_handler(error, _database_unavailable)
