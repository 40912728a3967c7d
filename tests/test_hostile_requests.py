"""Hostile query strings and forms never give a 500, on SQLite and PostgreSQL.

Every GET route of the app (app.url_map) is requested by an admin, its ids filled with a record the
admin may see, with:
- url_for's own keywords in the query string (`_external`, `_scheme`, `_anchor`, `endpoint`...):
  links are built from each page's own parameters only;
- hostile values (huge, negative, far dates, non-numbers, NUL) for every query parameter name the
  route reads (found by recording what the view asks `request.args` for);
and a NUL in any field of several forms is refused with a 400 and writes nothing.
"""
from __future__ import annotations

import datetime
import re
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import ImmutableMultiDict

from core.demo import create_admin, create_demo
from core.lowcode.entities import get_entity
from core.lowcode.models import AuditEntry, CustomRecord, FieldDefinition, Process, Stage
from core.plugins import host_of
from tests.conftest import PASSWORD
from tests.lowcode.conftest import COMPETITOR_FIELDS, make_entity

URL_FOR_KEYWORDS = [
    {"_external": "1", "_scheme": "javascript"}, {"endpoint": "x"}, {"_anchor": "x"}, {"_method": "x"},
    {"values": "x"}, {"_host": "evil.example"}, {"entity": "x"}, {"page": "x", "record_id": "x"},
]
HOSTILE_VALUES = ["99999999999999999999", "-1", "0001-01-01", "9999-12-31", "99999-01-01", "abc", "1e400"]
ENTITIES = ("pipeline.deal", "pipeline.activity")  # and a form made in the browser


class RecordingArgs(ImmutableMultiDict):
    """request.args that remembers the names a view asks for."""

    asked: set = set()

    def __getitem__(self, key):
        RecordingArgs.asked.add(key)
        return super().__getitem__(key)

    def getlist(self, key, type=None):
        RecordingArgs.asked.add(key)
        return super().getlist(key, type=type)

    def __contains__(self, key):
        RecordingArgs.asked.add(key)
        return super().__contains__(key)


@pytest.fixture
def world(make_app):
    app = make_app(PAGE_SIZE=2)  # every list has pages, so its page links are built
    with app.app_context():
        admin = create_admin("admin@example.com", PASSWORD)
        create_demo(host_of(app), PASSWORD, admin=admin)
    custom = make_entity(app, admin, fields=COMPETITOR_FIELDS + [{"type": "datetime", "label": "When"}])
    with app.test_request_context():
        from core.lowcode import records

        for name in ("One", "Two", "Three"):
            records.save(get_entity(custom), admin, {"name": name, "revenue": 10, "share": 5, "when": "2026-03-01T10:00"})
    client = app.test_client()
    client.login("admin@example.com")
    return SimpleNamespace(app=app, admin=client, entities=ENTITIES + (custom,))


def get_routes(app) -> list:
    """[(endpoint, rule)] of every GET route but static files."""
    return sorted(((rule.endpoint, rule) for rule in app.url_map.iter_rules()
                   if "GET" in rule.methods and rule.endpoint != "static"), key=lambda pair: pair[1].rule)


def filled(world, rule) -> list[str]:
    """The rule's URLs with its arguments filled by records the admin may see (one per entity for
    `entity`; for an id, the first of a few that opens)."""
    variants = [{}]
    for name in rule.arguments:
        if name == "entity":
            variants = [dict(v, entity=key) for v in variants for key in world.entities]
    def candidates_of(name):
        if "int" in str(rule._converters[name].__class__).lower() or type(rule._converters[name]).__name__ == "BoundedInteger":
            return [str(number) for number in range(1, 7)]
        return ["name", "funnel", "won", "x", datetime.date.today().strftime("%Y-%m")]  # a chart, a month

    urls = []
    for values in variants:
        chosen = dict(values)
        for name in sorted(rule.arguments - set(values)):
            candidates = candidates_of(name)
            pick = candidates[0]
            others = {other: candidates_of(other)[0] for other in rule.arguments - set(chosen) - {name}}
            for candidate in candidates:
                trial = rule.build({**others, **chosen, name: candidate}, append_unknown=False)[1]
                if status(world.admin, trial, {}) == 200:
                    pick = candidate
                    break
            chosen[name] = pick
        urls.append(rule.build(chosen, append_unknown=False)[1])
    return urls


def status(client, url, query) -> int:
    """The answer's status; an exception the app let through (TESTING propagates them) is a 500."""
    try:
        return client.get(url, query_string=query).status_code
    except Exception as error:  # noqa: BLE001
        return f"500 {type(error).__name__}: {str(error)[:80]}"


# Links are built in Python, the same on either database: SQLite is enough for this sweep.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_url_for_keywords_in_the_query_string_never_break_a_page(world):
    failures = []
    for _endpoint, rule in get_routes(world.app):
        for url in filled(world, rule):
            for query in URL_FOR_KEYWORDS:
                code = status(world.admin, url, {**query, "page": "2"} if "page" not in query else query)
                if not isinstance(code, int) or code >= 500:
                    failures.append((url, query, code))
    assert not failures, "\n".join(map(str, failures))
    listed = world.admin.get("/records/pipeline.customer/", query_string={"_external": "1", "_scheme": "javascript", "q": "a",
                                                                           "_anchor": "x", "endpoint": "x"})
    assert listed.status_code == 200
    links = re.findall(r'href="([^"]+)"', listed.text)
    assert not [link for link in links if "javascript" in link or "_anchor" in link or "endpoint=" in link or "#x" in link]


def test_hostile_values_for_every_query_parameter_never_break_a_page(world, monkeypatch):
    recording = type("RecordingRequest", (world.app.request_class,), {"parameter_storage_class": RecordingArgs})
    monkeypatch.setattr(world.app, "request_class", recording)
    failures, tried = [], set()
    for _endpoint, rule in get_routes(world.app):
        for url in filled(world, rule):
            RecordingArgs.asked = set()
            status(world.admin, url, {})
            names = set(RecordingArgs.asked)  # a parameter a page never reads cannot break it
            tried |= {(url.split("?")[0], name) for name in names}
            for name in sorted(names):
                for value in HOSTILE_VALUES:
                    code = status(world.admin, url, {name: value})
                    if not isinstance(code, int) or code >= 500:
                        failures.append((url, name, value, code))
    assert {("/records/pipeline.deal/", "page"), ("/records/pipeline.deal/", "sort"), ("/pipeline/", "owner")} <= tried
    assert not failures, "\n".join(map(str, failures))


def test_hostile_filters_on_every_field_of_a_list_never_break_it(world):
    failures = []
    for key in world.entities:
        schema = get_entity_in(world, key)
        for spec_key, operators in schema:
            for op in operators:
                for value in HOSTILE_VALUES + ["\u00ff" * 300]:
                    query = {"fk": spec_key, "fo": op, "fv": value, "sort": spec_key}
                    code = status(world.admin, f"/records/{key}/", query)
                    if not isinstance(code, int) or code >= 500:
                        failures.append((key, query, code))
    assert not failures, "\n".join(map(str, failures))


def get_entity_in(world, key):
    from core.lowcode import query as list_query

    with world.app.test_request_context():
        schema = get_entity(key)
        return [(spec.key, [name for name, _label in list_query.operators_for(spec)]) for spec in schema.fields if spec.filterable]


# -- NUL bytes ------------------------------------------------------------------------------------


def counts(app) -> tuple:
    with app.app_context():
        return CustomRecord.select().count(), AuditEntry.select().count(), FieldDefinition.select().count()


def test_a_nul_in_any_query_string_or_path_is_refused_not_a_500(world):
    for key in world.entities:
        for query in ({"q": "a\x00b"}, {"fk": "name", "fo": "contains", "fv": "x\x00"}, {"fk": "na\x00me", "fo": "is", "fv": "x"},
                      {"sort": "\x00"}, {"pa\x00ge": "1"}):
            response = world.admin.get(f"/records/{key}/", query_string=query)
            assert response.status_code == 400, (key, query)
            assert "NUL" in response.text
    assert world.admin.get("/records/pipeline.deal%00/").status_code == 400
    assert world.admin.get("/pipeline/pool", query_string={"q": "\x00"}).status_code == 400
    assert world.admin.get("/admin/audit/", query_string={"entity": "\x00"}).status_code == 400


def test_a_nul_in_any_field_of_a_form_is_refused_and_writes_nothing(world):
    custom = world.entities[-1]
    forms = {
        f"/records/{custom}/new": {"name": "A", "code": "AB123", "revenue": "1", "share": "1", "founded": "2020-01-01",
                                   "site": "https://x.example", "staff": "2", "level": "a", "when": "2026-01-01T10:00"},
        "/records/pipeline.customer/new": {"name": "Nul Ltd", "industry": "x", "region": "y", "phone": "12345678",
                                           "email": "a@b.example"},
        f"/admin/entities/{custom}/fields/new": {"label": "Note", "type": "text", "help": "h", "placeholder": "p"},
    }
    before = counts(world.app)
    for url, data in forms.items():
        for name in list(data) + ["csrf_token", "extra\x00name"]:
            hostile = dict(data)
            if name in hostile:
                hostile[name] = f"{hostile[name]}\x00"
            else:
                hostile[name] = "x\x00"
            response = world.admin.post(url, data=hostile)
            assert response.status_code == 400, (url, name, response.status_code)
        token = world.admin.csrf_token()
        assert world.admin.post(url, csrf=False, json={"name": "a\x00"}, headers={"X-CSRFToken": token}).status_code == 400
    assert counts(world.app) == before
    # and a file name with a NUL
    import io

    upload = world.admin.post(f"/records/{custom}/import", data={"file": (io.BytesIO(b"Name\nA\n"), "a\x00.csv")},
                              content_type="multipart/form-data")
    assert upload.status_code == 400
    assert counts(world.app) == before


# -- random forms ---------------------------------------------------------------------------------

HOSTILE_TEXT = st.one_of(
    st.sampled_from(HOSTILE_VALUES + ["", "0", "1.5", "-0", "1e3", "NaN", "Infinity", "0999-12-31", "0001-01-01T00:00",
                                      "9999-12-31T23:59", "٣", "a" * 6000, "javascript:alert(1)", "\u202e", "\ud7ff"]),
    st.text(max_size=40),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.dates(min_value=datetime.date(1, 1, 1)).map(lambda day: day.isoformat()),
)


def random_forms(world) -> dict:
    """{url: field names} of a handful of the app's forms."""
    custom = world.entities[-1]
    with world.app.app_context():
        process = Process.get(Process.key == "pipeline.sales")
        stage = Stage.select().where(Stage.process == process).first()
    return {
        f"/records/{custom}/new": ["name", "level", "revenue", "share", "founded", "regions", "watcher", "code", "active",
                                   "site", "staff", "when"],
        "/records/pipeline.deal/new": ["name", "customer", "contact", "amount", "currency", "expected_close", "probability",
                                       "next_step", "lost_reason"],
        f"/admin/entities/{custom}/fields/new": ["label", "type", "key", "help", "default", "min", "max", "decimals",
                                                 "max_length", "min_length", "pattern", "formula", "choice-0-label",
                                                 "choice-0-position", "choice-1-position", "entity"],
        f"/admin/processes/{process.id}/stages/{stage.id}": ["label", "kind", "probability", "color", "followup_days",
                                                             "needs_approval", "required_fields"],
        "/goals/new": ["owner", "metric", "mode", "target", "growth", "basis", "period", "until", "start", "end", "parent",
                       "description", "reason"],
    }


def test_random_values_in_forms_never_give_a_500(world):
    failures = []
    for url, names in random_forms(world).items():
        @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
        @given(st.dictionaries(st.sampled_from(names), HOSTILE_TEXT, min_size=1))
        def post(data):
            try:
                code = world.admin.post(url, data=data).status_code  # noqa: B023 - post() runs within this turn of the loop
            except Exception as error:  # noqa: BLE001 - TESTING lets the app's exceptions through
                code = f"500 {type(error).__name__}: {str(error)[:80]}"
            if not isinstance(code, int) or code >= 500:
                failures.append((url, data, code))  # noqa: B023 - as above

        post()
    assert not failures, "\n".join(map(str, failures[:20]))
