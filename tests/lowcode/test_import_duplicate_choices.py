"""Issue 9: rows of an import that look like existing records are not imported silently. The
preview names each flagged row and what it resembles, and asks what to do: skip it (the default),
update the existing record (only one the importer may change) or create a new one; the job applies
the choices and the result names the rows."""
from __future__ import annotations

import io
import re

import pytest

from core.lowcode import import_choices, imports
from core.lowcode.entities import get_entity
from core.lowcode.models import AuditEntry, ImportJob

from .conftest import mapping_form

CUSTOMER = "pipeline.customer"
FILE = b"Company name,Phone\nACME trading,13800138000\nNew Co,2\n"


def save_customer(app, owner, name, **values) -> int:
    from core.lowcode import records

    with app.test_request_context():
        record, _changes = records.save(get_entity(CUSTOMER), owner, {"name": name, **values})
        return record.id


def checked_file(client, data: bytes = FILE, **choices):
    """Upload, keep the proposed mapping, check: (uid, the page showing what the check found)."""
    upload = client.post(f"/records/{CUSTOMER}/import", data={"file": (io.BytesIO(data), "customers.csv")},
                         content_type="multipart/form-data")
    assert upload.status_code == 302, upload.text[:500]
    uid = re.search(r"/import/([0-9a-f]+)$", upload.headers["Location"]).group(1)
    page = client.get(f"/records/{CUSTOMER}/import/{uid}").text
    checked = client.post(f"/records/{CUSTOMER}/import/{uid}", data={**mapping_form(page), **choices})
    assert checked.status_code == 200, checked.text[:500]
    return uid, checked.text


def run_form(page: str) -> dict:
    """The import form's fields as the browser sends them: each flagged row's selected choice."""
    form = {}
    for name, options in re.findall(r'<select name="(choice-\d+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', options)
        form[name] = chosen.group(1) if chosen else re.search(r'<option value="([^"]*)"', options).group(1)
    default = re.search(r'name="duplicate_default" value="([^"]*)"', page)
    if default:
        form["duplicate_default"] = default.group(1)
    return form


def run(client, uid, form):
    return client.post(f"/records/{CUSTOMER}/import/{uid}/run", data=form)


def result(client, uid) -> str:
    return client.get(f"/records/{CUSTOMER}/import/{uid}/progress").text


def customers(app) -> dict:
    from plugins.pipeline.models import Customer

    with app.app_context():
        return {row.name: row for row in Customer.select().where(Customer.deleted_at.is_null())}


def flagged_row(page: str, line: int) -> str:
    found = re.search(rf'<tr id="import-duplicate-{line}">(.*?)</tr>', page, re.S)
    assert found, page
    return found.group(1)


# -- the preview ----------------------------------------------------------------------------------


def test_a_flagged_row_shows_its_name_what_it_resembles_and_skip_chosen(app, login, people):
    acme = save_customer(app, people.rep, "Acme Trading Ltd")
    rep = login(people.rep)
    _uid, page = checked_file(rep)
    assert "1 row looks like a record that already exists" in page
    row = flagged_row(page, 2)
    assert "Line 2" in row and "ACME trading" in row  # the row's own name beside its line
    assert f'href="/pipeline/customers/{acme}"' in row  # the rep may open their own customer
    assert "Acme Trading Ltd" in row and "same name" in row and "same phone" not in row
    assert '<option value="skip" selected>' in row
    assert f'<option value="update:{acme}">' in row and '<option value="create">' in row
    assert "import-duplicate-3" not in page  # New Co resembles nothing


def test_the_default_skips_the_flagged_row_and_the_result_names_it(app, login, people):
    acme = save_customer(app, people.rep, "Acme Trading Ltd", phone="1")
    rep = login(people.rep)
    uid, page = checked_file(rep)
    assert run(rep, uid, run_form(page)).status_code == 302
    done = result(rep, uid)
    assert "1 created, 0 updated, 1 skipped." in done
    skipped = re.search(r'id="import-outcome-skip">(.*?)</section>', done, re.S).group(1)
    assert "Line 2" in skipped and "ACME trading" in skipped
    found = customers(app)
    assert set(found) == {"Acme Trading Ltd", "New Co"} and found["Acme Trading Ltd"].phone == "1"
    assert found["Acme Trading Ltd"].id == acme


def test_no_choice_sent_at_all_still_skips(app, login, people):
    save_customer(app, people.rep, "Acme Trading Ltd")
    rep = login(people.rep)
    uid, _page = checked_file(rep)
    run(rep, uid, {})
    assert "1 created, 0 updated, 1 skipped." in result(rep, uid)
    assert set(customers(app)) == {"Acme Trading Ltd", "New Co"}


def test_update_changes_the_existing_record_through_the_records_service(app, login, people):
    acme = save_customer(app, people.rep, "Acme Trading Ltd", phone="1")
    rep = login(people.rep)
    uid, page = checked_file(rep)
    run(rep, uid, {**run_form(page), "choice-2": f"update:{acme}"})
    done = result(rep, uid)
    assert "1 created, 1 updated, 0 skipped." in done
    updated = re.search(r'id="import-outcome-update">(.*?)</section>', done, re.S).group(1)
    assert "Line 2" in updated and "ACME trading" in updated and "Acme Trading Ltd" in updated  # the row, the record
    found = customers(app)
    assert set(found) == {"ACME trading", "New Co"}  # the record took the row's values
    assert found["ACME trading"].id == acme and found["ACME trading"].phone == "13800138000"
    with app.app_context():
        audited = AuditEntry.select().where(AuditEntry.entity == CUSTOMER, AuditEntry.record_id == acme,
                                            AuditEntry.action == "import")
        assert audited.count() == 1


def test_create_makes_a_new_record_beside_the_one_it_resembles(app, login, people):
    save_customer(app, people.rep, "Acme Trading Ltd")
    rep = login(people.rep)
    uid, page = checked_file(rep)
    run(rep, uid, {**run_form(page), "choice-2": "create"})
    done = result(rep, uid)
    assert "2 created, 0 updated, 0 skipped." in done
    assert "ACME trading" in re.search(r'id="import-outcome-create">(.*?)</section>', done, re.S).group(1)
    assert set(customers(app)) == {"Acme Trading Ltd", "ACME trading", "New Co"}


def test_set_every_row_to_create_in_the_page_and_as_its_fragment(app, login, people, htmx_client):
    save_customer(app, people.rep, "Acme Trading Ltd")
    rep = login(people.rep)
    uid, _page = checked_file(rep)
    page = rep.get(f"/records/{CUSTOMER}/import/{uid}?all=create").text
    assert '<option value="create" selected>' in flagged_row(page, 2)
    htmx_client.login(people.rep)
    fragment = htmx_client.get(f"/records/{CUSTOMER}/import/{uid}?all=create").text
    assert fragment.lstrip().startswith('<section class="card" id="import-check"')
    assert '<option value="create" selected>' in flagged_row(fragment, 2) and "<html" not in fragment


def test_rows_past_the_preview_take_the_default_shown_under_the_list(app, login, people, monkeypatch):
    monkeypatch.setattr(import_choices, "SHOWN", 2)
    for name in ("Alpha Co", "Beta Co", "Gamma Co", "Delta Co"):
        save_customer(app, people.rep, name)
    rep = login(people.rep)
    data = b"Company name\nalpha\nbeta\ngamma\ndelta\nFresh\n"
    uid, _page = checked_file(rep, data)
    page = rep.get(f"/records/{CUSTOMER}/import/{uid}?all=create").text
    assert "4 rows look like records that already exist" in page
    assert len(re.findall(r'<tr id="import-duplicate-', page)) == 2
    assert "…and 2 more rows, all set to: create a new record." in page
    run(rep, uid, {**run_form(page), "choice-2": "skip"})
    done = result(rep, uid)
    assert "4 created, 0 updated, 1 skipped." in done
    assert set(customers(app)) == {"Alpha Co", "Beta Co", "Gamma Co", "Delta Co", "beta", "gamma", "delta", "Fresh"}


def test_a_row_the_duplicate_key_matches_follows_the_keys_rule_not_a_choice(app, login, people):
    acme = save_customer(app, people.rep, "Acme Trading Ltd")
    rep = login(people.rep)
    uid, page = checked_file(rep, b"Company name,Phone\nAcme Trading Ltd,77\n",
                             key_field="name", on_duplicate="update")
    assert "import-duplicate-2" not in page and "looks like a record" not in page
    run(rep, uid, run_form(page))
    assert "0 created, 1 updated, 0 skipped." in result(rep, uid)
    assert customers(app)["Acme Trading Ltd"].phone == "77" and customers(app)["Acme Trading Ltd"].id == acme


# -- whose records ----------------------------------------------------------------------------------


def test_a_rep_is_offered_no_update_of_a_colleagues_record_and_cannot_force_one(app, login, people):
    theirs = save_customer(app, people.outsider, "Acme Trading Ltd", phone="1")
    rep = login(people.rep)
    uid, page = checked_file(rep)
    row = flagged_row(page, 2)
    assert "Acme Trading Ltd" in row and "owned by Olga Outsider" in row
    assert "<a " not in row  # no link to a page that would answer 404
    assert "update:" not in row
    forced = run(rep, uid, {"choice-2": f"update:{theirs}"})
    assert forced.status_code == 400 and "You may not change Acme Trading Ltd" in forced.text
    assert job_status(app, uid) == imports.CHECKED
    assert customers(app)["Acme Trading Ltd"].phone == "1" and set(customers(app)) == {"Acme Trading Ltd"}


def test_a_record_handed_to_a_colleague_before_the_job_runs_is_not_updated(make_app, people, login):
    from plugins.pipeline.models import Customer

    app = make_app(JOBS_IMMEDIATE=False)
    acme = save_customer(app, people.rep, "Acme Trading Ltd", phone="1")
    rep = login(people.rep, to=app)
    uid, _page = checked_file(rep)
    with app.app_context():  # the check waits for a worker: run it here
        job = ImportJob.get(ImportJob.uid == uid)
        imports.run_check(job.id, job.attempt)
    page = rep.get(f"/records/{CUSTOMER}/import/{uid}").text
    assert run(rep, uid, {**run_form(page), "choice-2": f"update:{acme}"}).status_code == 302
    with app.app_context():
        Customer.update(owner=people.outsider.id).where(Customer.id == acme).execute()
        job = ImportJob.get(ImportJob.uid == uid)
        assert job.report["choices"] == {"default": "skip", "rows": {"2": f"update:{acme}"}}  # kept with the job
        imports.run_import(job.id, job.attempt)
    done = result(rep, uid)
    assert "1 created, 0 updated, 0 skipped." in done
    refused = re.search(r'id="import-refused"(.*?)</div>', done, re.S).group(1)
    assert "Line 2" in refused and "ACME trading" in refused and "may not change" in refused
    found = customers(app)
    assert found["Acme Trading Ltd"].phone == "1" and set(found) == {"Acme Trading Ltd", "New Co"}


def test_a_manager_may_update_their_reps_record(app, login, people):
    acme = save_customer(app, people.rep, "Acme Trading Ltd", phone="1")
    manager = login(people.manager)
    uid, page = checked_file(manager)
    assert f'<option value="update:{acme}">' in flagged_row(page, 2)
    run(manager, uid, {**run_form(page), "choice-2": f"update:{acme}"})
    assert "1 created, 1 updated, 0 skipped." in result(manager, uid)
    assert customers(app)["ACME trading"].id == acme


# -- hostile input ----------------------------------------------------------------------------------


def job_status(app, uid) -> str:
    with app.app_context():
        return ImportJob.get(ImportJob.uid == uid).status


@pytest.mark.parametrize("form, message", [
    ({"choice-2": "delete"}, "is not a choice for line 2"),
    ({"choice-2": "update:999999"}, "is not a choice for line 2"),
    ({"choice-2": "update:"}, "is not a choice for line 2"),
    ({"choice-2": "update:1 OR 1=1"}, "is not a choice for line 2"),
    ({"choice-3": "skip"}, "Line 3 was not flagged"),
    ({"choice-99999999999999999999": "skip"}, "was not flagged"),
    ({"choice-x<b>": "skip"}, "was not flagged"),
    ({"choice-²": "skip"}, "was not flagged"),
    ({"choice-2": "update:²"}, "is not a choice for line 2"),
    ({"duplicate_default": "update"}, "is not a choice for the rows"),
    ({"choice-2": "<script>alert(1)</script>"}, "is not a choice for line 2"),
])
def test_a_choice_that_is_not_offered_is_refused_and_nothing_is_imported(app, login, people, form, message):
    save_customer(app, people.rep, "Acme Trading Ltd")
    rep = login(people.rep)
    uid, _page = checked_file(rep)
    refused = run(rep, uid, form)
    assert refused.status_code == 400 and message in refused.text
    assert "<script>alert" not in refused.text
    assert job_status(app, uid) == imports.CHECKED
    assert set(customers(app)) == {"Acme Trading Ltd"}


def test_the_choices_need_the_csrf_token(app, login, people):
    save_customer(app, people.rep, "Acme Trading Ltd")
    rep = login(people.rep)
    uid, page = checked_file(rep)
    refused = rep.post(f"/records/{CUSTOMER}/import/{uid}/run", data=run_form(page), csrf=False)
    assert refused.status_code == 400
    assert job_status(app, uid) == imports.CHECKED


def test_an_update_of_another_rows_match_is_refused(app, login, people):
    save_customer(app, people.rep, "Acme Trading Ltd")
    other = save_customer(app, people.rep, "Other Corp")
    rep = login(people.rep)
    uid, _page = checked_file(rep)
    refused = run(rep, uid, {"choice-2": f"update:{other}"})
    assert refused.status_code == 400 and job_status(app, uid) == imports.CHECKED
