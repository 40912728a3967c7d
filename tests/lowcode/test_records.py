"""Record pages for any entity: forms, lists with filters and sorts, scope, bulk edit, delete."""
import re
import threading

import pytest
from playhouse.test_utils import count_queries

from core.lowcode import records
from core.lowcode.entities import get_entity
from core.lowcode.models import AuditEntry, CustomRecord


def rows(response) -> list[str]:
    """The titles of the records a list shows, in order."""
    return re.findall(r'<td>\s*<a href="/records/[^"]+/\d+(?:\?deleted=1)?">([^<]*)</a>', response.text)


def test_a_record_is_created_with_errors_shown_next_to_fields(app, login, people, competitor):
    rep = login(people.rep)
    bad = rep.post(f"/records/{competitor}/new", data={"name": "", "code": "abc", "share": "150", "site": "javascript:alert(1)"})
    assert bad.status_code == 400
    errors = re.findall(r'<p class="error">([^<]+)</p>', bad.text)
    assert "This field is required." in errors
    assert "Two capitals, three digits." in errors
    assert "Number must be between 0 and 100." in errors
    assert "Start the address with http:// or https://." in errors
    with app.app_context():
        assert CustomRecord.select().count() == 0
    good = rep.post(f"/records/{competitor}/new", data={
        "name": "ACME 中国", "level": "a", "revenue": "1200.50", "share": "40", "founded": "2019-03-01",
        "regions": ["north", "华东"], "watcher": str(people.manager.id), "code": "AC001", "active": "y",
        "site": "https://acme.example", "staff": "250"})
    assert good.status_code == 302
    detail = rep.get(good.headers["Location"]).text
    for shown in ("ACME 中国", ">A</span>", "CN¥1,200.50", "40%", "480.2", "North", "华东", "Max Manager", "AC001", "Yes", "250"):
        assert shown in detail, shown
    assert 'href="https://acme.example"' in detail


def test_the_form_comes_back_as_an_htmx_fragment(app, people, competitor, htmx_client):
    htmx_client.login(people.rep)
    refused = htmx_client.post(f"/records/{competitor}/new", data={"name": ""})
    assert refused.status_code == 200 and refused.text.lstrip().startswith('<form id="record-form"')
    saved = htmx_client.post(f"/records/{competitor}/new", data={"name": "Via htmx"})
    assert saved.headers["HX-Redirect"].startswith(f"/records/{competitor}/")
    assert saved.status_code == 204 and saved.text == ""  # htmx follows the header: no form drawn to be left


def test_hostile_values_are_text_in_lists_details_and_exports(app, login, people, competitor, create):
    hostile = '<script>alert(1)</script>=HYPERLINK("http://evil")'
    record = create(competitor, people.rep, name=hostile)
    rep = login(people.rep)
    for url in (f"/records/{competitor}/", f"/records/{competitor}/{record}", f"/records/{competitor}/{record}/edit"):
        text = rep.get(url).text
        assert "<script>alert(1)" not in text and "&lt;script&gt;" in text, url
    create(competitor, people.rep, name='=HYPERLINK("http://evil")')
    exported = rep.get(f"/records/{competitor}/export.csv").data.decode("utf-8-sig")
    assert "\n'=HYPERLINK" in exported.replace('"', "") or "'=HYPERLINK" in exported


@pytest.fixture
def listed(app, people, competitor, create):
    """Five competitors with a spread of values."""
    create(competitor, people.rep, name="Alpha", level="a", revenue=900, share=10, founded="2018-01-05", regions=["north"], active=True,
           staff=9, watcher=people.manager.id)
    create(competitor, people.rep, name="Bravo", level="b", revenue=100, share=50, founded="2021-06-30", regions=["south", "华东"],
           active=False, staff=100)
    create(competitor, people.colleague, name="Charlie 华为", level="a", revenue=5000, share=5, founded="2023-11-11", regions=["华东"],
           staff=15)
    create(competitor, people.outsider, name="Delta", level="c", revenue=50, founded="2020-02-02", staff=1000)
    create(competitor, people.rep, name="Echo")
    return competitor


@pytest.mark.parametrize(
    "query, expected",
    [
        ("fk=level&fo=is&fv=a", {"Alpha", "Charlie 华为"}),
        ("fk=level&fo=empty&fv=", {"Echo"}),
        ("fk=revenue&fo=gt&fv=500", {"Alpha", "Charlie 华为"}),
        ("fk=revenue&fo=lte&fv=100", {"Bravo", "Delta"}),
        ("fk=weighted&fo=gte&fv=90", {"Alpha", "Charlie 华为"}),
        ("fk=staff&fo=lt&fv=20", {"Alpha", "Charlie 华为"}),
        ("fk=founded&fo=before&fv=2020-06-01", {"Alpha", "Delta"}),
        ("fk=founded&fo=after&fv=2021-06-30", {"Charlie 华为"}),
        ("fk=founded&fo=on&fv=2021-06-30", {"Bravo"}),
        ("fk=regions&fo=has&fv=华东", {"Bravo", "Charlie 华为"}),
        ("fk=active&fo=yes", {"Alpha"}),
        ("fk=active&fo=no", {"Bravo"}),
        ("fk=name&fo=contains&fv=charlie", {"Charlie 华为"}),
        ("fk=watcher&fo=filled&fv=", {"Alpha"}),
        ("fk=level&fo=is&fv=a&fk=staff&fo=gt&fv=10", {"Charlie 华为"}),
        ("q=华为", {"Charlie 华为"}),
        ("q=BRAVO", {"Bravo"}),
    ],
)
def test_filters_and_search_work_on_custom_fields(login, people, listed, query, expected):
    response = login(people.admin).get(f"/records/{listed}/?{query}")
    assert response.status_code == 200
    assert set(rows(response)) == expected


def test_the_owner_filter_and_created_date_are_there_too(login, people, listed):
    admin = login(people.admin)
    assert set(rows(admin.get(f"/records/{listed}/?fk=owner&fo=is&fv={people.colleague.id}"))) == {"Charlie 华为"}


@pytest.mark.parametrize(
    "sort, expected",
    [
        ("revenue", ["Delta", "Bravo", "Alpha", "Charlie 华为", "Echo"]),  # numbers, not text; empty last
        ("-revenue", ["Charlie 华为", "Alpha", "Bravo", "Delta", "Echo"]),
        ("staff", ["Alpha", "Charlie 华为", "Bravo", "Delta", "Echo"]),
        ("founded", ["Alpha", "Delta", "Bravo", "Charlie 华为", "Echo"]),
        ("-name", ["Echo", "Delta", "Charlie 华为", "Bravo", "Alpha"]),
    ],
)
def test_lists_sort_on_custom_fields_by_type(login, people, listed, sort, expected):

    admin = login(people.admin)
    assert rows(admin.get(f"/records/{listed}/?sort={sort}")) == expected


def test_bad_filters_are_explained_not_crashed(login, people, listed):
    admin = login(people.admin)
    for query, message in [
        ("fk=revenue&fo=gt&fv=lots", "lots is not a value Revenue can have"),
        ("fk=founded&fo=after&fv=yesterday", "yesterday is not a value Founded can have"),
        ("fk=nosuch&fo=is&fv=1", "There is no field nosuch to filter on."),
        ("fk=revenue&fo=contains&fv=1", "Revenue cannot be filtered that way."),
        ("fk=watcher&fo=is&fv=someone", "someone is not a value Watcher can have"),
        ("sort=nosuch&page=abc", None),
        ("fk=revenue&fo=gt&fv=1e999", "is not a value Revenue can have"),
    ]:
        response = admin.get(f"/records/{listed}/?{query}")
        assert response.status_code == 200, query
        if message:
            assert message in response.text, query


def test_the_row_scope_applies_to_every_record_page(login, people, listed, app):
    with app.app_context():
        ids = {r.custom["name"]: r.id for r in CustomRecord.select()}
    rep, manager, outsider = login(people.rep), login(people.manager), login(people.outsider)
    assert set(rows(rep.get(f"/records/{listed}/"))) == {"Alpha", "Bravo", "Echo"}
    assert set(rows(manager.get(f"/records/{listed}/"))) == {"Alpha", "Bravo", "Charlie 华为", "Echo"}
    assert set(rows(outsider.get(f"/records/{listed}/"))) == {"Delta"}
    charlie = ids["Charlie 华为"]
    for url in (f"/records/{listed}/{charlie}", f"/records/{listed}/{charlie}/edit"):
        assert rep.get(url).status_code == 404
        assert manager.get(url).status_code == 200
    assert rep.post(f"/records/{listed}/{charlie}/edit", data={"name": "Mine now"}).status_code == 404
    assert rep.post(f"/records/{listed}/{charlie}/delete").status_code == 404
    assert "Charlie" not in rep.get(f"/records/{listed}/export.csv").data.decode("utf-8-sig")
    bulk = rep.post(f"/records/{listed}/bulk", data={"field": "level", "bulk-value": "c", "ids": [str(charlie), str(ids["Alpha"])]})
    assert bulk.status_code == 302
    with app.app_context():
        assert CustomRecord.get_by_id(charlie).custom["level"] == "a"  # untouched
        assert CustomRecord.get_by_id(ids["Alpha"]).custom["level"] == "c"


def test_bulk_edit_changes_one_field_on_the_selected_records(app, login, people, listed):
    with app.app_context():
        ids = {r.custom["name"]: r.id for r in CustomRecord.select()}
    manager = login(people.manager)
    response = manager.post(f"/records/{listed}/bulk", data={"field": "level", "bulk-value": "b",
                                                              "ids": [str(ids["Alpha"]), str(ids["Echo"])]}, follow_redirects=True)
    assert "Level is changed on 2 record(s)." in response.text
    with app.app_context():
        assert CustomRecord.get_by_id(ids["Echo"]).custom["level"] == "b"
        assert AuditEntry.select().where(AuditEntry.action == "bulk_update").count() == 2
    refused = manager.post(f"/records/{listed}/bulk", data={"field": "revenue", "bulk-value": "-5", "ids": [str(ids["Alpha"])]},
                           follow_redirects=True)
    assert "Revenue:" in refused.text and "at least 0" in refused.text
    owners = manager.post(f"/records/{listed}/bulk", data={"field": "owner", "bulk-value": str(people.colleague.id),
                                                           "ids": [str(ids["Echo"])]})
    assert owners.status_code == 302
    with app.app_context():
        assert CustomRecord.get_by_id(ids["Echo"]).owner_id == people.colleague.id
    assert login(people.rep).post(f"/records/{listed}/bulk", data={"field": "owner", "bulk-value": str(people.rep.id),
                                                                   "ids": [str(ids["Alpha"])]}, follow_redirects=True).status_code == 200


def test_delete_is_soft_and_an_admin_restores(app, login, people, listed):
    with app.app_context():
        alpha = CustomRecord.select().where(CustomRecord.custom["name"] == "Alpha").get().id
    rep, admin = login(people.rep), login(people.admin)
    assert rep.post(f"/records/{listed}/{alpha}/delete").status_code == 302
    assert "Alpha" not in rows(rep.get(f"/records/{listed}/"))
    assert rep.get(f"/records/{listed}/{alpha}").status_code == 404
    assert rep.get(f"/records/{listed}/?deleted=1").status_code == 403
    assert rep.post(f"/records/{listed}/{alpha}/restore").status_code == 403
    assert rows(admin.get(f"/records/{listed}/?deleted=1")) == ["Alpha"]
    assert admin.post(f"/records/{listed}/{alpha}/restore").status_code == 302
    assert "Alpha" in rows(rep.get(f"/records/{listed}/"))
    history = rep.get(f"/records/{listed}/{alpha}").text
    assert "deleted it" in history and "restored it" in history


def test_the_history_shows_who_changed_what(app, login, people, competitor):
    rep = login(people.rep)
    created = rep.post(f"/records/{competitor}/new", data={"name": "Hist", "level": "a", "revenue": "10"})
    url = created.headers["Location"]
    rep.post(f"{url}/edit", data={"name": "Hist", "level": "b", "revenue": "25", "watcher": str(people.manager.id)})
    history = rep.get(url).text
    assert "Rita Rep" in history and "created it" in history and "changed it" in history
    assert re.search(r"Level: <del>A</del> → B", history)
    assert "Watcher: Max Manager" in history


def test_a_unique_field_holds_under_concurrent_saves(app, people, competitor):
    """Two writers save the same code at the same moment: exactly one wins, on either database."""
    barrier = threading.Barrier(2)
    outcomes = []

    def write(name):
        with app.test_request_context():
            schema = get_entity(competitor)
            barrier.wait()
            try:
                records.save(schema, people.rep, {"name": name, "code": "ZZ100"})
                outcomes.append("saved")
            except records.UniqueViolation:
                outcomes.append("refused")
            finally:
                from core.db import db

                db.close()

    threads = [threading.Thread(target=write, args=(f"Writer {n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "saved"]


def test_pages_keep_filters_and_sort(app, login, people, competitor):
    with app.test_request_context():
        schema = get_entity(competitor)
        for n in range(120):
            records.save(schema, people.rep, {"name": f"N{n:03}", "level": "a" if n % 2 else "b", "revenue": n})
    admin = login(people.admin)
    first = admin.get(f"/records/{competitor}/?fk=level&fo=is&fv=a&sort=revenue")
    assert rows(first)[:2] == ["N001", "N003"] and "Page 1 of 2" in first.text
    next_link = re.search(r'href="([^"]+page=2[^"]*)"', first.text).group(1).replace("&amp;", "&")
    second = admin.get(next_link)
    assert rows(second)[0] == "N101" and len(rows(second)) == 10


def test_a_list_page_runs_the_same_number_of_queries_for_few_or_many_records(app, login, people, competitor, create):
    admin = login(people.admin)
    url = f"/records/{competitor}/?fk=level&fo=is&fv=a&sort=-revenue"

    def queries() -> int:
        with count_queries() as counter:
            assert admin.get(url).status_code == 200
        return counter.count

    create(competitor, people.rep, name="One", level="a", revenue=1, watcher=people.manager.id)
    queries()  # the first request fills the caches (and copies the plugins' default processes)
    few = queries()
    with app.test_request_context():
        schema = get_entity(competitor)
        for n in range(60):
            records.save(schema, [people.rep, people.colleague, people.manager][n % 3], {"name": f"R{n}", "level": "a", "revenue": n,
                                                                                         "watcher": people.manager.id})
    assert queries() == few


def test_plugin_entities_get_the_same_pages(hello, people):
    created = hello.rep.post("/records/hello.greeting/new", data={"text": "你好"})
    assert created.status_code == 302
    assert "你好" in hello.rep.get("/records/hello.greeting/").text
    assert "你好" not in hello.colleague.get("/records/hello.greeting/").text
