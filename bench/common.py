"""What the benchmarks share: running on SQLite and PostgreSQL, medians, printing the figures."""
from __future__ import annotations

import contextlib
import os
import statistics
import tempfile
import time
import uuid

import psycopg2

from core.db import db, release


@contextlib.contextmanager
def postgres_schema(base_url: str):
    """Yield a database URL whose tables live in a new schema, dropped afterwards."""
    name = f"bench_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(base_url)
    admin.autocommit = True
    admin.cursor().execute(f"CREATE SCHEMA {name}")
    try:
        separator = "&" if "?" in base_url else "?"
        yield f"{base_url}{separator}options=-c%20search_path%3D{name}"
    finally:
        admin.cursor().execute(f"DROP SCHEMA {name} CASCADE")
        admin.close()


def on_every_database(measure, *args) -> None:
    """measure(url, instance folder, *args, suffix) on a throw-away SQLite database, then on
    PostgreSQL (suffix "_postgres") when SALESDECK_TEST_POSTGRES_URL is set."""
    with tempfile.TemporaryDirectory() as folder:
        measure(f"sqlite:///{folder}/bench.db", folder, *args, "")
        postgres = os.environ.get("SALESDECK_TEST_POSTGRES_URL")
        if postgres:
            with postgres_schema(postgres) as url:
                measure(url, folder, *args, "_postgres")


def migrated_app(url: str, instance: str):
    """An app on a new, fully migrated database (built-in plugins only, no CSRF for scripted posts)."""
    from core import create_app, schema
    from core.plugins import host_of

    config = {"DATABASE_URL": url, "INSTANCE_PATH": instance, "LOAD_ENTRYPOINTS": False, "SECRET_KEY": "bench",
              "WTF_CSRF_ENABLED": False}
    setup = create_app({**config, "SCHEMA_CHECK": False})
    with setup.app_context():
        schema.migrate(host_of(setup))
    return create_app(config)


def query_count(action) -> int:
    """SQL statements `action` runs, once its caches are warm."""
    from playhouse.test_utils import count_queries

    action()
    with count_queries() as counter:
        action()
    return counter.count


def median_ms(action, runs: int) -> float:
    """The median time of `runs` calls, in milliseconds, after one call that warms the caches."""
    action()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 1)


def paired_median_ms(action, bare, runs: int) -> tuple[float, float]:
    """The median times of `action` and of `bare`, in milliseconds, their calls taking turns (a
    ratio of the two is then not the machine's load at two moments: run one after the other on a
    shared machine, the same pages gave ratios from 1.8 to 3.9)."""
    action()
    bare()
    mine, theirs = [], []
    for _ in range(runs):
        for call, times in ((action, mine), (bare, theirs)):
            started = time.perf_counter()
            call()
            times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(mine), 1), round(statistics.median(theirs), 1)


def report(figures: dict, suffix: str) -> None:
    """Print one `name=value` line per figure, then close the run's database connections."""
    for name, value in figures.items():
        print(f"{name}{suffix}={value}", flush=True)
    release()
    if hasattr(db.obj, "close_all"):
        db.obj.close_all()
