"""Fixtures shared by every test.

- `database_url`: a fresh, fully migrated database per test, on SQLite and (when
  SALESDECK_TEST_POSTGRES_URL is set) on PostgreSQL; ids `sqlite` and `postgres`.
- `make_app` / `app`: the real app on that database; pip-installed plugins are not loaded unless a
  test asks for them (`make_app(LOAD_ENTRYPOINTS=True)`).
- `client`, `htmx_client`: Flask test clients that send the CSRF token like a browser does.
- `people`: an admin, a manager, two reps in the manager's team and a rep outside it.
- `live_server`, `page`: the app served over HTTP and a real Chromium page (browser tests).
"""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import uuid
from pathlib import Path
from types import SimpleNamespace

import psycopg2
import pytest
from werkzeug.routing import Rule

from core import create_app
from core.testing import (  # noqa: F401  (FAST_ARGON2, PASSWORD, ...: tests import them from here too)
    FAST_ARGON2,
    PASSWORD,
    Client,
    PostgresSchema,
    config_for,
    create_people,
    migrate_everything,
    serve_over_http,
    shut_database,
)

POSTGRES_URL = os.environ.get("SALESDECK_TEST_POSTGRES_URL")
CHROMIUM = "/usr/bin/chromium"
# Without a PostgreSQL URL its tests are left out at collection (said once in the header), not
# reported as hundreds of skips.
DATABASES = ["sqlite", "postgres"] if POSTGRES_URL else ["sqlite"]


# Every test builds its own app, and building one is mostly Werkzeug compiling a URL builder per
# rule with `ast` and `compile` (0.2 s of 0.25 s, times some 1,600 apps). A builder depends only on
# the rule's text, its defaults and converters, so the suite compiles each one once.
_BUILDERS: dict = {}
_compile_builder = Rule._compile_builder


def _reused_builder(self, append_unknown=True):
    key = (self.rule, self.subdomain, self.host, self.map.host_matching if self.map else None, self.merge_slashes, append_unknown,
           tuple(self._trace), repr(sorted((self.defaults or {}).items())),
           tuple((name, type(converter), repr({k: v for k, v in vars(converter).items() if k != "map"}))
                 for name, converter in sorted(self._converters.items())))
    if key not in _BUILDERS:
        _BUILDERS[key] = _compile_builder(self, append_unknown)
    return _BUILDERS[key]


Rule._compile_builder = _reused_builder


# Sweeps that take a minute or more run first: spread over every core, a long test left for last
# keeps one core busy while the others wait.
LONG_MODULES = ("test_hostile_requests.py", "test_permission_sweep.py", "test_import_jobs.py")


def pytest_collection_modifyitems(config, items):
    items.sort(key=lambda item: item.path.name not in LONG_MODULES)  # stable: the rest keep their order


def pytest_report_header(config):
    if not POSTGRES_URL:
        return "PostgreSQL is off: set SALESDECK_TEST_POSTGRES_URL to run every database test there too"
    return None


# -- databases ------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("sqlite-template")
    path = folder / "template.db"
    migrate_everything(f"sqlite:///{path}", folder / "instance")
    assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0
    return path


@pytest.fixture(scope="session")
def postgres_template(tmp_path_factory):
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL tests run when SALESDECK_TEST_POSTGRES_URL is set")
    template = PostgresSchema(POSTGRES_URL, tmp_path_factory.mktemp("pg-instance"))
    yield template
    template.drop()


@pytest.fixture(params=DATABASES)
def database_url(request, tmp_path) -> str:
    """A migrated database with no rows, private to this test."""
    if request.param == "sqlite":
        target = tmp_path / "salesdeck.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), target)
        return f"sqlite:///{target}"
    template = request.getfixturevalue("postgres_template")
    template.empty()
    return template.url


@pytest.fixture(params=DATABASES)
def empty_database_url(request, tmp_path):
    """A database with no tables at all (for tests of migrations and first start)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL tests run when SALESDECK_TEST_POSTGRES_URL is set")
    connection = psycopg2.connect(POSTGRES_URL)
    connection.autocommit = True
    name = f"sdempty_{uuid.uuid4().hex[:10]}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA {name}")
    separator = "&" if "?" in POSTGRES_URL else "?"
    yield f"{POSTGRES_URL}{separator}options=-c%20search_path%3D{name}"
    shut_database()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA {name} CASCADE")
    connection.close()


# -- the app and its clients ----------------------------------------------------------------------


@pytest.fixture
def make_app(database_url, tmp_path):
    """Build apps on this test's database: make_app(EXTRA_PLUGINS={...}, LOAD_ENTRYPOINTS=True)."""

    def make(database=None, **config):
        app = create_app(config_for(database or database_url, tmp_path / "instance", **config))
        app.test_client_class = Client
        return app

    yield make
    shut_database()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app) -> Client:
    return app.test_client()


@pytest.fixture
def htmx_client(app) -> Client:
    client = app.test_client()
    client.environ_base["HTTP_HX_REQUEST"] = "true"
    return client


@pytest.fixture
def people(app) -> SimpleNamespace:
    with app.app_context():
        return create_people()


@pytest.fixture
def login(app):
    """login(user) -> a new client signed in as that user (to `app`, or to the one given)."""

    def sign_in(user, to=None, **kwargs) -> Client:
        return (to or app).test_client().login(user, **kwargs)

    return sign_in


# -- mail ------------------------------------------------------------------------------------------


class Inbox:
    """What a local SMTP server received (`smtp` fixture): the envelopes, and the port it listens on."""

    def __init__(self):
        self.messages = []
        self.port = 0

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp():
    """An SMTP server on a free local port (aiosmtpd), for mail the app sends."""
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    inbox.port = port
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox
    controller.stop()


# -- browser tests --------------------------------------------------------------------------------


@contextlib.contextmanager
def serving(app, people):
    """`app` over real HTTP on a free port: its address, the app and its `people`."""
    with serve_over_http(app) as url:
        yield SimpleNamespace(url=url, app=app, people=people)


@pytest.fixture
def live_server(tmp_path, sqlite_template):
    """The app on a SQLite copy, served over real HTTP on a free port, with `people` in it. A
    module that shows a page on both databases overrides it with `served`."""
    target = tmp_path / "live.db"
    shutil.copyfile(sqlite_template, target)
    app = create_app(config_for(f"sqlite:///{target}", tmp_path / "instance"))
    with app.app_context():
        people = create_people()
    with serving(app, people) as server:
        yield server
    shut_database()


@pytest.fixture
def served(app, people):
    """The test's app, on each database of the `app` fixture, over real HTTP. A browser module runs
    its `page` on both databases by overriding `live_server` with it."""
    with serving(app, people) as server:
        yield server


@contextlib.contextmanager
def htmx_settled(page):
    """Wait, after the actions inside the block, until htmx has swapped and settled what they
    asked for: act on a fragment only once it is there (a busy machine makes swaps slow). The
    page marks <html> when it settles, and a locator waits for the mark (polling a script would
    need eval, which the Content-Security-Policy forbids)."""
    page.evaluate("""() => { delete document.documentElement.dataset.settled;
        document.addEventListener("htmx:afterSettle",
            () => { document.documentElement.dataset.settled = "yes"; }, {once: true}); }""")
    yield
    page.locator("html[data-settled=yes]").wait_for(state="attached")


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Browser tests need Debian's Chromium at {CHROMIUM}: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(request, browser, live_server):
    """A fresh browser tab (no cookies) on the live server. A console error (a script failing, a
    Content-Security-Policy violation...) fails the test, unless the test expects it with
    @pytest.mark.expect_console("regex")."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800})
    tab = context.new_page()
    problems: list[str] = []
    tab.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    tab.on("pageerror", lambda error: problems.append(str(error)))
    yield tab
    context.close()
    expected = [re.compile(marker.args[0]) for marker in request.node.iter_markers("expect_console")]
    unexpected = [text for text in problems if not any(pattern.search(text) for pattern in expected)]
    assert not unexpected, f"the browser reported errors: {unexpected}"
