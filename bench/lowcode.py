"""Speed of the low-code layer with many records and many custom fields.

    .venv/bin/python bench/lowcode.py [--records 20000] [--runs 15]

Builds, in a throw-away database, a form with 30 custom fields holding N records, and a form with
50 custom fields, then measures through real HTTP requests (Flask's test client, signed in as an
admin) and prints one `name=value` line per figure, medians of the runs:

- list_page_ms: a list page that filters on a custom choice field and sorts on a custom number
- list_page_queries: SQL statements for that page (and list_page_queries_at_1000 at 1,000 records)
- bare_list_ms: the same rows and total (the list's columns, filtered and sorted alike) from
  hand-written SQL through a bare Flask app and a Jinja template, in the same run (taking turns), and list_vs_bare,
  the ratio of the two (issue 11's target: at most 3 at 20,000 records)
- form_render_ms: the edit form of a record with 50 custom fields
- add_field_ms: adding a field through the designer's POST

Runs on SQLite; also on PostgreSQL when SALESDECK_TEST_POSTGRES_URL is set (suffix `_postgres`).
Targets at 20,000 records: list page under 60 ms, form under 15 ms, adding a field under 10 ms,
the same query count at 1,000 and 20,000 records.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

import flask
import jinja2
import peewee

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


from common import median_ms, migrated_app, on_every_database, paired_median_ms, query_count, report  # noqa: E402

from core.auth import hash_password  # noqa: E402
from core.db import db, utcnow  # noqa: E402
from core.lowcode import definitions  # noqa: E402
from core.lowcode.entities import get_entity  # noqa: E402
from core.lowcode.models import CustomRecord  # noqa: E402
from core.models import ADMIN, REP, User  # noqa: E402

PASSWORD = "bench-password-1"
LEVELS = ["a", "b", "c", "d"]


def custom_fields(count: int) -> list[dict]:
    """A realistic mix: choices, numbers, money, dates, texts, yes/no."""
    kinds = [
        lambda n: {"type": "select", "label": f"Level {n}", "options": {"choices": [{"label": level.upper()} for level in LEVELS]}},
        lambda n: {"type": "decimal", "label": f"Score {n}"},
        lambda n: {"type": "currency", "label": f"Budget {n}"},
        lambda n: {"type": "date", "label": f"Date {n}"},
        lambda n: {"type": "text", "label": f"Note {n}"},
        lambda n: {"type": "checkbox", "label": f"Flag {n}"},
    ]
    return [kinds[n % len(kinds)](n) for n in range(count)]


def value_for(spec, rng: random.Random):
    kind = spec.type.key
    if kind == "select":
        return rng.choice(LEVELS)
    if kind in ("decimal", "currency"):
        return round(rng.uniform(0, 100000), 2)
    if kind == "date":
        return f"2026-{rng.randint(1, 12):02}-{rng.randint(1, 28):02}"
    if kind == "text":
        return f"note {rng.randint(0, 10**6)} 客户"
    if kind == "checkbox":
        return rng.random() < .5
    return None


def make_form(app, admin, label: str, count: int) -> str:
    with app.test_request_context():
        key = definitions.create_entity(label, "chart", admin).key
        for field in custom_fields(count):
            definitions.add_field(get_entity(key), {"required": False, "unique": False, "hidden": False, **field}, admin)
    return key


def fill(app, key: str, owners: list[int], count: int, rng: random.Random) -> None:
    """Insert records in bulk (the benchmark measures reading, not saving)."""
    with app.test_request_context():
        schema = get_entity(key)
        specs = [spec for spec in schema.custom_fields if not spec.archived]
        rows = []
        now = utcnow()
        for n in range(count):
            custom = {spec.key: value_for(spec, rng) for spec in specs}
            custom["name"] = f"Company {n} 公司"
            rows.append({"entity": key, "owner": owners[n % len(owners)], "custom": custom, "created_at": now,
                         "updated_at": now, "search_text": f"company {n} 公司"})
        with db.atomic():
            for start in range(0, len(rows), 500):
                CustomRecord.insert_many(rows[start:start + 500]).execute()


BARE_LIST = jinja2.Environment(autoescape=True).from_string("""<!doctype html>
<html><head><meta charset="utf-8"><title>Records</title></head><body><p>{{ total }} records</p>
<table class="records"><thead><tr>{% for column in columns %}<th>{{ column }}</th>{% endfor %}<th>Owner</th></tr></thead><tbody>
{%- for record_id, values, owner in rows %}
<tr><td><a href="/records/{{ record_id }}">{{ values.get(columns[0], "") }}</a></td>
{%- for column in columns[1:] %}<td>{{ values.get(column, "") }}</td>{% endfor %}<td>{{ owner }}</td></tr>
{%- endfor %}</tbody></table></body></html>""")


def bare_list(entity: str, level: str, score: str, columns: list[str]):
    """The list's page as a bare Flask page would make it: hand-written SQL, one template."""
    bare = flask.Flask("bare")
    mark = db.obj.param
    if isinstance(db.obj, peewee.SqliteDatabase):
        text, number = f"r.custom ->> '$.{level}'", f"CAST(r.custom ->> '$.{score}' AS REAL)"
    else:
        text, number = f"r.custom ->> '{level}'", f"(r.custom ->> '{score}')::float"
    where = f"r.entity = {mark} AND r.deleted_at IS NULL AND {text} = {mark}"

    @bare.route("/")
    def page():
        total = list(db.execute_sql(f"SELECT COUNT(*) FROM core_record r WHERE {where}", (entity, "b")))[0][0]
        found = db.execute_sql(f"SELECT r.id, r.custom, u.name FROM core_record r LEFT JOIN core_user u ON u.id = r.owner_id "
                               f"WHERE {where} ORDER BY {number} DESC, r.id DESC LIMIT 50", (entity, "b"))
        rows = [(record_id, json.loads(values) if isinstance(values, str) else values, owner) for record_id, values, owner in found]
        return BARE_LIST.render(total=total, rows=rows, columns=columns)

    client = bare.test_client()

    def get():
        response = client.get("/")
        assert response.status_code == 200 and "records" in response.text

    return get


def measure(url: str, instance: str, records: int, runs: int, suffix: str) -> None:
    app = migrated_app(url, instance)
    with app.app_context():
        hashed = hash_password(PASSWORD)
        admin = User.create(email="admin@bench.example.com", name="Admin", role=ADMIN, password_hash=hashed)
        owners = [User.create(email=f"rep{n}@bench.example.com", name=f"Rep {n}", role=REP, password_hash=hashed).id for n in range(5)]
    client = app.test_client()
    assert client.post("/login", data={"email": "admin@bench.example.com", "password": PASSWORD}).status_code == 302

    listed = make_form(app, admin, "Listed", 30)
    wide = make_form(app, admin, "Wide", 50)
    rng = random.Random(7)
    fill(app, wide, owners, 1, rng)
    with app.app_context():
        schema = get_entity(listed)
        level = next(spec.key for spec in schema.custom_fields if spec.type.key == "select")
        score = next(spec.key for spec in schema.custom_fields if spec.type.key == "decimal")
        wide_id = CustomRecord.select(CustomRecord.id).where(CustomRecord.entity == wide).scalar()
    list_url = f"/records/{listed}/?fk={level}&fo=is&fv=b&sort=-{score}"

    def list_page():
        response = client.get(list_url)
        assert response.status_code == 200 and "records" in response.text

    def queries() -> int:
        return query_count(list_page)

    fill(app, listed, owners, min(1000, records), rng)
    at_1000 = queries()
    fill(app, listed, owners, max(0, records - 1000), rng)
    figures = {"list_page_queries_at_1000": at_1000, "list_page_queries": queries()}
    with app.test_request_context():
        columns = [spec.key for spec in get_entity(listed).list_columns if not spec.base]
    figures["list_page_ms"], figures["bare_list_ms"] = paired_median_ms(list_page, bare_list(listed, level, score, columns), runs)
    figures["list_vs_bare"] = round(figures["list_page_ms"] / figures["bare_list_ms"], 2)

    def form_page():
        response = client.get(f"/records/{wide}/{wide_id}/edit")
        assert response.status_code == 200

    figures["form_render_ms"] = median_ms(form_page, runs)

    counter = iter(range(10**6))

    def add_field():
        response = client.post(f"/admin/entities/{listed}/fields/new", data={"type": "integer", "label": f"Added {next(counter)}"})
        assert response.status_code == 302, response.status_code

    figures["add_field_ms"] = median_ms(add_field, runs)
    figures["records"] = records
    report(figures, suffix)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    on_every_database(measure, args.records, args.runs)


if __name__ == "__main__":
    main()
