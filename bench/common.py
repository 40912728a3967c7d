"""What the benchmarks share: a private PostgreSQL schema for one run."""
from __future__ import annotations

import contextlib
import uuid

import psycopg2


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
