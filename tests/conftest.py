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
import threading
import uuid
from pathlib import Path
from types import SimpleNamespace

import psycopg2
import pytest
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from core import create_app, schema
from core.auth import hash_password
from core.db import db, release
from core.models import ADMIN, MANAGER, REP, Team, User
from core.plugins import host_of

POSTGRES_URL = os.environ.get("SALESDECK_TEST_POSTGRES_URL")
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "correct-horse-battery"
FAST_ARGON2 = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
# Without a PostgreSQL URL its tests are left out at collection (said once in the header), not
# reported as hundreds of skips.
DATABASES = ["sqlite", "postgres"] if POSTGRES_URL else ["sqlite"]


def pytest_report_header(config):
    if not POSTGRES_URL:
        return "PostgreSQL is off: set SALESDECK_TEST_POSTGRES_URL to run every database test there too"
    return None


def config_for(url: str, instance: Path, **extra) -> dict:
    return {
        "DATABASE_URL": url,
        "SECRET_KEY": "test-secret",
        "TESTING": True,
        "LOAD_ENTRYPOINTS": False,
        "INSTANCE_PATH": str(instance),
        "ARGON2_PARAMETERS": FAST_ARGON2,
        **extra,
    }


def shut_database() -> None:
    """Close every connection of the current database (pools included) after a test."""
    release()
    if db.obj is not None and hasattr(db.obj, "close_all"):
        db.obj.close_all()


def migrate_everything(url: str, instance: Path) -> None:
    """Apply the migrations of the core and of every plugin, pip-installed ones included."""
    app = create_app(config_for(url, instance, SCHEMA_CHECK=False, LOAD_ENTRYPOINTS=True))
    with app.app_context():
        schema.migrate(host_of(app))
    shut_database()


# -- databases ------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("sqlite-template")
    path = folder / "template.db"
    migrate_everything(f"sqlite:///{path}", folder / "instance")
    assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0
    return path


class PostgresSchema:
    """A private schema in the test database, migrated once, emptied before each test."""

    def __init__(self, base_url: str, instance: Path):
        self.name = f"sdtest_{uuid.uuid4().hex[:10]}"
        self.admin = psycopg2.connect(base_url)
        self.admin.autocommit = True
        with self.admin.cursor() as cursor:
            cursor.execute(f"CREATE SCHEMA {self.name}")
        separator = "&" if "?" in base_url else "?"
        self.url = f"{base_url}{separator}options=-c%20search_path%3D{self.name}"
        migrate_everything(self.url, instance)
        with self.admin.cursor() as cursor:
            cursor.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = %s AND tablename NOT LIKE %s",
                (self.name, "%\\_migrations"),
            )
            self.tables = [f"{self.name}.{row[0]}" for row in cursor.fetchall()]

    def empty(self) -> None:
        with self.admin.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(self.tables)} RESTART IDENTITY CASCADE")

    def drop(self) -> None:
        with self.admin.cursor() as cursor:
            cursor.execute(f"DROP SCHEMA {self.name} CASCADE")
        self.admin.close()


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


class Client(FlaskClient):
    """A test client that sends the CSRF token with every POST, as the pages' forms do."""

    def csrf_token(self) -> str:
        page = self.get("/login", follow_redirects=True)
        return re.search(r'<meta name="csrf-token" content="([^"]+)"', page.text).group(1)

    def post(self, *args, csrf: bool = True, **kwargs):
        if csrf:
            data = dict(kwargs.get("data") or {})
            data.setdefault("csrf_token", self.csrf_token())
            kwargs["data"] = data
        return super().post(*args, **kwargs)

    def login(self, user, password: str = PASSWORD):
        email = user if isinstance(user, str) else user.email
        response = self.post("/login", data={"email": email, "password": password})
        assert response.status_code == 302, f"sign-in as {email} failed: {response.status_code}"
        return self


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


def create_people() -> SimpleNamespace:
    hashed = hash_password(PASSWORD)
    admin = User.create(email="admin@example.com", name="Ada Admin", role=ADMIN, password_hash=hashed)
    manager = User.create(email="manager@example.com", name="Max Manager", role=MANAGER, password_hash=hashed)
    team = Team.create(name="East", manager=manager)
    west = Team.create(name="West")
    rep = User.create(email="rep@example.com", name="Rita Rep", role=REP, team=team, password_hash=hashed)
    colleague = User.create(
        email="colleague@example.com", name="Carl Colleague", role=REP, team=team, password_hash=hashed
    )
    outsider = User.create(
        email="outsider@example.com", name="Olga Outsider", role=REP, team=west, password_hash=hashed
    )
    return SimpleNamespace(
        admin=admin, manager=manager, rep=rep, colleague=colleague, outsider=outsider, team=team, west=west
    )


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


# -- browser tests --------------------------------------------------------------------------------


@pytest.fixture
def live_server(tmp_path, sqlite_template):
    """The app on a SQLite copy, served over real HTTP on a free port, with `people` in it."""
    target = tmp_path / "live.db"
    shutil.copyfile(sqlite_template, target)
    app = create_app(config_for(f"sqlite:///{target}", tmp_path / "instance"))
    with app.app_context():
        people = create_people()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield SimpleNamespace(url=f"http://127.0.0.1:{server.server_port}", app=app, people=people)
    server.shutdown()
    thread.join()
    shut_database()


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
