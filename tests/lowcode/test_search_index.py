"""The lists' search goes through a text index (SQLite FTS5 trigram, PostgreSQL pg_trgm), kept in step
with every save, delete and restore, and finds what the plain scan found."""
import pytest

from core.db import db, is_sqlite
from core.lowcode import records
from core.lowcode.entities import get_entity
from core.testing import statements_of

from .test_field_indexes import names, plan_of


@pytest.fixture
def named(app, people, competitor, create):
    for name in ("Acme 华为科技", "Acme West", "Globex", "100% [real] *star*", "Initech"):
        create(competitor, people.rep, name=name)
    return competitor


def search(client, entity, text):
    return sorted(names(client.get(f"/records/{entity}/", query_string={"q": text})))


def test_the_search_index_is_there_and_the_search_uses_it(app, login, people, named):
    with app.app_context():
        if is_sqlite():
            assert "core_record__fts" in db.get_tables()
        else:
            assert db.execute_sql("SELECT 1 FROM pg_indexes WHERE indexname = 'core_record_search_trgm'").fetchone()
    rep = login(people.rep)
    statements = statements_of(lambda: rep.get(f"/records/{named}/?q=acme"))
    searching = [(sql, params) for sql, params in statements if "search_text" in sql and "core_record" in sql]
    assert searching
    if is_sqlite():  # the text index answers which rows hold the piece of text
        plans = [plan_of(app, sql, params) for sql, params in searching]
        assert any("VIRTUAL TABLE" in plan for plan in plans), plans
    else:  # the list asks ILIKE on the search text, which the trigram index serves (at this size the
        # planner prefers the owner's index for the whole statement, so the condition is planned alone)
        assert any('"search_text" ILIKE' in sql for sql, _params in searching), searching
        plan = plan_of(app, "SELECT id FROM core_record WHERE search_text ILIKE %s", ["%acme%"])
        assert "core_record_search_trgm" in plan, plan


def test_the_search_finds_pieces_of_words_in_any_script_and_takes_wildcards_literally(app, login, people, named):
    rep = login(people.rep)
    assert search(rep, named, "acme") == ["Acme West", "Acme 华为科技"]
    assert search(rep, named, "ACME WE") == ["Acme West"]
    assert search(rep, named, "华为科") == ["Acme 华为科技"]
    assert search(rep, named, "华为") == ["Acme 华为科技"]  # shorter than a trigram: read in full, still found
    assert search(rep, named, "me") == ["Acme West", "Acme 华为科技"]
    assert search(rep, named, "0% [real]") == ["100% [real] *star*"]
    assert search(rep, named, "*star*") == ["100% [real] *star*"]
    assert search(rep, named, "a*e") == []  # a star is a star, not "anything"
    assert search(rep, named, "ac_e") == []


def test_the_index_follows_saves_deletes_and_restores(app, login, people, named, create):
    rep = login(people.rep)
    with app.test_request_context():
        schema = get_entity(named)
        record = schema.model.get(schema.model.search_text.contains("globex"))
        records.save(schema, people.rep, {"name": "Umbrella Corp"}, record=record)
    assert search(rep, named, "globex") == []
    assert search(rep, named, "umbrella") == ["Umbrella Corp"]
    with app.test_request_context():
        schema = get_entity(named)
        record = schema.model.get(schema.model.search_text.contains("umbrella"))
        records.soft_delete(schema, record, people.rep)
    assert search(rep, named, "umbrella") == []
    with app.test_request_context():
        schema = get_entity(named)
        records.restore(schema, schema.model.get_by_id(record.id), people.rep)
    assert search(rep, named, "umbrella") == ["Umbrella Corp"]
    create(named, people.rep, name="Hooli")
    assert search(rep, named, "hool") == ["Hooli"]
    with app.app_context():
        schema = get_entity(named)
        schema.model.delete().where(schema.model.id == record.id).execute()  # gone for good (a purge)
    assert search(rep, named, "umbrella") == []
