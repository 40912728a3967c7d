"""Indexes on custom fields: an admin marks a field "Indexed", the low-code layer creates the index,
the lists use it (same rows, same order, page after page), and it goes when the field changes."""
import re

import pytest

from core.db import db, is_sqlite
from core.lowcode import definitions, indexes
from core.lowcode.entities import get_entity
from core.testing import statements_of

LEVELS = ["b", None, "a", "c", "a", None, "b", "a"]


def field_indexes(app, entity: str) -> set[str]:
    with app.app_context():
        return indexes.existing(get_entity(entity))


def set_indexed(app, admin, entity: str, key: str, on: bool) -> None:
    with app.test_request_context():
        schema = get_entity(entity)
        definitions.set_indexed(schema, schema.field(key).definition, on, admin)


def plan_of(app, sql: str, params) -> str:
    """The plan the database chooses (PostgreSQL told to avoid whole-table reads, as it would at size)."""
    with app.app_context():
        if is_sqlite():
            return " ".join(str(row) for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall())
        for table in sorted(set(re.findall(r'(?:FROM|JOIN) "(\w+)"', sql))):  # settled as autovacuum leaves a table in use,
            db.execute_sql(f'VACUUM ANALYZE "{table}"')  # not as it happened to be when this test began
        with db.atomic():
            db.execute_sql("SET LOCAL enable_seqscan = off")
            return " ".join(row[0] for row in db.execute_sql("EXPLAIN " + sql, params).fetchall())


def names(response) -> list[str]:
    """The titles of the records a list shows, in order."""
    return re.findall(r'<td>\s*<a href="/records/[^"]+/\d+">([^<]*)</a>', response.text)


@pytest.fixture
def levelled(app, people, competitor, create):
    """Eight competitors named by their position, with levels (two empty) and staff numbers."""
    for number, level in enumerate(LEVELS):
        create(competitor, people.rep, name=f"C{number}", **({"level": level} if level else {}), staff=number * 7 % 5)
    return competitor


def test_an_indexed_field_gets_its_index_and_the_designer_says_so(app, login, people, levelled):
    admin = login(people.admin)
    assert field_indexes(app, levelled) == set()
    saved = admin.post(f"/admin/entities/{levelled}/fields/staff", data={"label": "Staff", "key": "staff", "indexed": "y"})
    assert saved.status_code == 302
    made = field_indexes(app, levelled)
    assert len(made) == 1
    designer = admin.get(f"/admin/entities/{levelled}/fields").text
    assert re.search(r">Staff</a>(?:(?!field-item).)*>Indexed</span>", designer, re.S)
    editor = admin.get(f"/admin/entities/{levelled}/fields?field=staff").text
    assert re.search(r'name="indexed" value="y" checked', editor)
    with app.app_context():
        entry = get_entity(levelled).field("staff").definition
    assert entry.indexed
    with app.app_context():
        from core.lowcode.models import AuditEntry
        change = AuditEntry.select().where(AuditEntry.entity == f"schema:{levelled}").order_by(AuditEntry.id.desc()).first()
    assert change.changes["indexed"] == [False, True]


@pytest.mark.parametrize("query", ["sort=level", "sort=-level", "fk=level&fo=is&fv=a", "fk=staff&fo=gt&fv=1&sort=-staff",
                                   "fk=level&fo=is&fv=b&sort=-level"])
def test_lists_read_the_same_rows_in_the_same_order_page_after_page_with_the_index(app, login, people, levelled, query):
    app.config["PAGE_SIZE"] = 3  # pages that end inside the filled values and inside the empty ones
    rep = login(people.rep)

    def every_page() -> list[list[str]]:
        pages = [names(rep.get(f"/records/{levelled}/?{query}&page={page}")) for page in range(1, 5)]
        return [page for number, page in enumerate(pages) if number == 0 or page != pages[number - 1]]  # past the end: the last

    without = every_page()
    assert sum(len(page) for page in without) == len(set().union(*map(set, without)))
    set_indexed(app, people.admin, levelled, "level", True)
    set_indexed(app, people.admin, levelled, "staff", True)
    assert len(field_indexes(app, levelled)) == 2
    assert every_page() == without
    if query == "sort=level":  # empty values last; ties newest first would break the index order: same direction
        assert [name for page in without for name in page] == ["C2", "C4", "C7", "C0", "C6", "C3", "C1", "C5"]


def test_the_lists_queries_use_the_index(app, login, people, levelled):
    set_indexed(app, people.admin, levelled, "level", True)
    (made,) = field_indexes(app, levelled)
    rep = login(people.rep)
    for query in ("sort=level", "fk=level&fo=is&fv=a"):
        statements = statements_of(lambda asked=query: rep.get(f"/records/{levelled}/?{asked}"))
        reading = [(sql, params) for sql, params in statements if "level" in sql and "core_record" in sql]
        assert reading, query
        assert any(made in plan_of(app, sql, params) for sql, params in reading), (query, reading)


def test_the_index_goes_with_the_field_and_follows_its_key_and_type(app, login, people, levelled):
    admin = login(people.admin)
    set_indexed(app, people.admin, levelled, "staff", True)
    (first,) = field_indexes(app, levelled)
    set_indexed(app, people.admin, levelled, "staff", False)
    assert field_indexes(app, levelled) == set()
    set_indexed(app, people.admin, levelled, "staff", True)
    assert admin.post(f"/admin/entities/{levelled}/fields/staff/archive").status_code == 302
    assert field_indexes(app, levelled) == set()
    assert admin.post(f"/admin/entities/{levelled}/fields/staff/archive", data={"restore": "1"}).status_code == 302
    assert field_indexes(app, levelled) == {first}
    changed = admin.post(f"/admin/entities/{levelled}/fields/staff/type", data={"to": "text"})
    assert changed.status_code == 302, changed.text[:300]
    (retyped,) = field_indexes(app, levelled)
    assert retyped != first  # the text expression, not the number's
    assert names(admin.get(f"/records/{levelled}/?fk=staff&fo=is&fv=4"))  # and the list still reads it


def test_a_plugin_entity_and_a_list_type_are_indexed_as_well_or_not_at_all(app, people):
    with app.test_request_context():
        deal = get_entity("pipeline.deal")
        definitions.add_field(deal, {"type": "select", "label": "Tier", "indexed": True,
                                     "options": {"choices": [{"label": "Gold"}, {"label": "Silver"}]}}, people.admin)
        definitions.add_field(get_entity("pipeline.deal"), {"type": "multiselect", "label": "Tags", "indexed": True,
                                                            "options": {"choices": [{"label": "x"}]}}, people.admin)
        deal = get_entity("pipeline.deal")
        assert deal.field("tier").indexed and not deal.field("tags").indexed
    assert len(field_indexes(app, "pipeline.deal")) == 1
