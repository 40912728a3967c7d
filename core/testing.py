"""pytest fixtures for a plugin's own tests: the real salesdeck, with the plugin in it, on a real
database. In the plugin's top-level `conftest.py`:

    pytest_plugins = ["core.testing"]

- `database_url`: a fully migrated database with no rows, private to the test: SQLite in the
  test's tmp_path, and the same test again on PostgreSQL when SALESDECK_TEST_POSTGRES_URL is set
  (ids `sqlite` and `postgres`). Migrated once per session, emptied for each test.
- `salesdeck_plugins`: plugin objects to load besides the pip-installed ones, `{name: module}`;
  empty by default (the installed plugins load through their entry points). Override it, at
  session scope, to test a plugin that is not installed.
- `make_app(**config)`, `app`: the app on that database, with the installed plugins.
- `people`: an admin, a manager, two reps in the manager's team (`team`) and a rep outside it.
- `login(user)`: a new test client signed in as that user; it sends the CSRF token with every POST,
  as the pages' forms do.
- `serve_over_http(app)`: the app over real HTTP in a thread (for a browser or a second process),
  as a context manager yielding its address.

salesdeck's own tests (tests/conftest.py) build on the helpers of this module too.
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

import peewee
import psycopg2
import pytest
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from . import create_app, schema
from .auth import hash_password
from .db import db, release
from .models import ADMIN, MANAGER, REP, Team, User
from .plugins import host_of

POSTGRES_URL = os.environ.get("SALESDECK_TEST_POSTGRES_URL")
PASSWORD = "correct-horse-battery"
FAST_ARGON2 = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
DATABASES = ["sqlite", "postgres"] if POSTGRES_URL else ["sqlite"]


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


@contextlib.contextmanager
def serve_over_http(app):
    """`app` over real HTTP on a free port, in a thread: yields its address. On leaving, it waits
    for the requests still running (a browser's last htmx call, say): the test then closes every
    pooled connection (`shut_database`), and closing one under a running query crashes the whole
    process on SQLite."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    server.daemon_threads = False  # each request's thread is kept, for server_close() to wait for
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


def shut_database() -> None:
    """Close every connection of the current database (pools included) after a test."""
    release()
    if db.obj is not None and hasattr(db.obj, "close_all"):
        db.obj.close_all()


def migrate_everything(url: str, instance: Path, **extra) -> dict[str, str]:
    """Apply the migrations of the core and of every plugin, pip-installed ones included (and
    those of `extra`'s EXTRA_PLUGINS); return the plugins whose migration failed, with why."""
    app = create_app(config_for(url, instance, SCHEMA_CHECK=False, LOAD_ENTRYPOINTS=True, **extra))
    with app.app_context():
        schema.migrate(host_of(app))
    shut_database()
    return dict(host_of(app).migration_failures)


def postgres_url(base_url: str, schema_name: str) -> str:
    """`base_url` with every connection's search_path set to one schema."""
    separator = "&" if "?" in base_url else "?"
    return f"{base_url}{separator}options=-c%20search_path%3D{schema_name}"


class PostgresSchema:
    """A private schema in the test database, migrated once, emptied before each test."""

    def __init__(self, base_url: str, instance: Path, **extra):
        self.name = f"sdtest_{uuid.uuid4().hex[:10]}"
        self.admin = psycopg2.connect(base_url)
        self.admin.autocommit = True
        with self.admin.cursor() as cursor:
            cursor.execute(f"CREATE SCHEMA {self.name}")
        self.url = postgres_url(base_url, self.name)
        self.failures = migrate_everything(self.url, instance, **extra)
        with self.admin.cursor() as cursor:
            cursor.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = %s AND tablename NOT LIKE %s",
                (self.name, "%\\_migrations"),
            )
            self.tables = [f"{self.name}.{row[0]}" for row in cursor.fetchall()]
            cursor.execute("SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = %s", (self.name,))
            self.sequences = [f"{self.name}.{row[0]}" for row in cursor.fetchall()]

    def empty(self) -> None:
        """Delete every row and restart the ids. DELETE with the foreign-key triggers off (as a
        superuser may) costs a few milliseconds where TRUNCATE costs a quarter of a second."""
        with self.admin.cursor() as cursor:
            try:
                cursor.execute("SET session_replication_role = replica")
            except psycopg2.Error:  # not a superuser: the slower, always allowed way
                cursor.execute(f"TRUNCATE {', '.join(self.tables)} RESTART IDENTITY CASCADE")
                return
            try:
                cursor.execute("".join(f"DELETE FROM {table};" for table in self.tables)
                               + "".join(f"ALTER SEQUENCE {sequence} RESTART;" for sequence in self.sequences))
            finally:
                cursor.execute("SET session_replication_role = DEFAULT")

    def drop(self) -> None:
        with self.admin.cursor() as cursor:
            cursor.execute(f"DROP SCHEMA {self.name} CASCADE")
        self.admin.close()


# The CSRF refusal, in each shipped language: a cached token the session no longer holds.
CSRF_REFUSED = ("This form has expired or was sent from elsewhere.", "表单已过期或来源异常")


class Client(FlaskClient):
    """A test client that sends the CSRF token with every POST, as the pages' forms do. The token
    is fetched once per client (it lives as long as the session) and again if a POST is refused
    for it (the session was replaced)."""

    _csrf: str | None = None

    def csrf_token(self) -> str:
        if self._csrf is None:
            page = self.get("/login", follow_redirects=True)
            self._csrf = re.search(r'<meta name="csrf-token" content="([^"]+)"', page.text).group(1)
        return self._csrf

    def post(self, *args, csrf: bool = True, **kwargs):
        data = dict(kwargs.get("data") or {})
        if not csrf or "csrf_token" in data:
            return super().post(*args, **kwargs)
        kwargs["data"] = {**data, "csrf_token": self.csrf_token()}
        response = super().post(*args, **kwargs)
        if response.status_code == 400 and any(text in response.text for text in CSRF_REFUSED):
            self._csrf = None  # the session changed under the cached token: fetch it again, once
            kwargs["data"] = {**data, "csrf_token": self.csrf_token()}
            response = super().post(*args, **kwargs)
        return response

    def login(self, user, password: str = PASSWORD):
        email = user if isinstance(user, str) else user.email
        response = self.post("/login", data={"email": email, "password": password})
        assert response.status_code == 302, f"sign-in as {email} failed: {response.status_code}"
        return self


def statements_of(action) -> list[tuple[str, tuple]]:
    """The SQL statements `action()` sends, with their parameters, in order."""
    seen = []
    original = peewee.Database.execute_sql

    def recording(self, sql, params=None, *args, **kwargs):
        seen.append((sql, params))
        return original(self, sql, params, *args, **kwargs)

    peewee.Database.execute_sql = recording
    try:
        action()
    finally:
        peewee.Database.execute_sql = original
    return seen


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


# -- fixtures for a plugin's tests ----------------------------------------------------------------


def _refuse_failures(failures: dict[str, str]) -> None:
    if failures:  # a plugin whose migration fails would be set aside, and its tests fail obscurely
        pytest.fail("; ".join(f"the plugin {name!r}: {message}" for name, message in failures.items()), pytrace=False)


@pytest.fixture(scope="session")
def salesdeck_plugins() -> dict:
    """Plugin objects to load besides the pip-installed ones: {name: module}."""
    return {}


@pytest.fixture(scope="session")
def salesdeck_sqlite_template(tmp_path_factory, salesdeck_plugins) -> Path:
    folder = tmp_path_factory.mktemp("salesdeck-sqlite")
    path = folder / "template.db"
    _refuse_failures(migrate_everything(f"sqlite:///{path}", folder / "instance", EXTRA_PLUGINS=salesdeck_plugins))
    return path


@pytest.fixture(scope="session")
def salesdeck_postgres_template(tmp_path_factory, salesdeck_plugins):
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL tests run when SALESDECK_TEST_POSTGRES_URL is set")
    template = PostgresSchema(POSTGRES_URL, tmp_path_factory.mktemp("salesdeck-pg"), EXTRA_PLUGINS=salesdeck_plugins)
    try:
        _refuse_failures(template.failures)
        yield template
    finally:
        template.drop()


@pytest.fixture(params=DATABASES)
def database_url(request, tmp_path) -> str:
    """A migrated database with no rows, private to this test."""
    if request.param == "sqlite":
        target = tmp_path / "salesdeck.db"
        shutil.copyfile(request.getfixturevalue("salesdeck_sqlite_template"), target)
        return f"sqlite:///{target}"
    template = request.getfixturevalue("salesdeck_postgres_template")
    template.empty()
    return template.url


@pytest.fixture
def make_app(database_url, tmp_path, salesdeck_plugins):
    """Build apps on this test's database, with the installed plugins: make_app(**config)."""

    def make(**config):
        options = {"LOAD_ENTRYPOINTS": True, "EXTRA_PLUGINS": salesdeck_plugins, **config}
        app = create_app(config_for(database_url, tmp_path / "instance", **options))
        app.test_client_class = Client
        return app

    yield make
    shut_database()


@pytest.fixture
def app(make_app):
    return make_app()


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
