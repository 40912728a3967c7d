"""Row scope answers two questions: may this user see the record, and may they change it.

A customer in the pool (公海) is seen by every rep and changed by none until one claims it; the
generic record pages, bulk edit, import updates and customer merges ask "may change", reading
pages ask "may see".
"""
import io
import re
import time

import pytest
from werkzeug.exceptions import NotFound

from core.lowcode.entities import get_entity
from core.lowcode.models import AuditEntry
from plugins.pipeline.entities import CUSTOMER
from plugins.pipeline.models import Customer
from tests.lowcode.conftest import mapping_form


def pooled(pipe, name="Pool Co", **values):
    customer = pipe.customer(pipe.people.admin, name, **values)
    with pipe.app.app_context():
        Customer.update(owner=None).where(Customer.id == customer).execute()
    return customer


def snapshot(pipe, customer_id):
    with pipe.app.app_context():
        record = Customer.get_by_id(customer_id)
        return (record.name, record.industry, record.owner_id, record.deleted_at, record.custom)


def test_scope_answers_see_and_change_apart(pipe, people):
    from core.auth import get_changeable_or_404, get_visible_or_404, scope

    pool = pooled(pipe)
    mine = pipe.customer(people.rep, "Mine")
    theirs = pipe.customer(people.colleague, "Colleague's")
    with pipe.app.test_request_context():
        query = Customer.select()
        for user, seen, changed in (
            (people.rep, {pool, mine}, {mine}),
            (people.manager, {pool, mine, theirs}, {mine, theirs}),
            (people.outsider, {pool}, set()),
            (people.admin, {pool, mine, theirs}, {pool, mine, theirs}),
        ):
            also = Customer.owner.is_null()
            assert {c.id for c in scope(query, Customer.owner, user, also=also)} == seen, user.name
            assert {c.id for c in scope(query, Customer.owner, user, also=also, change=True)} == changed, user.name
            schema = get_entity(CUSTOMER)
            assert {c.id for c in schema.visible(user)} == seen
            assert {c.id for c in schema.changeable(user)} == changed
        assert get_visible_or_404(Customer, mine, user=people.rep).id == mine
        assert get_changeable_or_404(Customer, mine, user=people.rep).id == mine
        with pytest.raises(NotFound):
            get_changeable_or_404(Customer, theirs, user=people.rep)
        with pytest.raises(NotFound):
            get_visible_or_404(Customer, "9" * 30, user=people.admin)


def test_a_rep_sees_a_pool_customer_but_cannot_edit_delete_or_move_it(pipe, people):
    pool = pooled(pipe, "Pool Co", industry="Retail")
    before = snapshot(pipe, pool)
    page = pipe.rep.get(f"/records/pipeline.customer/{pool}")
    assert page.status_code == 200 and "Pool Co" in page.text
    assert f"/records/pipeline.customer/{pool}/edit" not in page.text
    assert f"/records/pipeline.customer/{pool}/delete" not in page.text
    assert pipe.rep.get(f"/records/pipeline.customer/{pool}/edit").status_code == 403
    assert pipe.rep.post(f"/records/pipeline.customer/{pool}/edit", data={"name": "Taken over"}).status_code == 403
    assert pipe.rep.post(f"/records/pipeline.customer/{pool}/delete").status_code == 403
    assert pipe.manager.post(f"/records/pipeline.customer/{pool}/edit", data={"name": "Taken over"}).status_code == 403
    assert snapshot(pipe, pool) == before
    # Once claimed, it is theirs to change.
    assert pipe.rep.post(f"/pipeline/customers/{pool}/claim").status_code == 302
    page = pipe.rep.get(f"/records/pipeline.customer/{pool}").text
    assert f"/records/pipeline.customer/{pool}/edit" in page
    assert pipe.rep.post(f"/records/pipeline.customer/{pool}/edit", data={"name": "Now mine"}).status_code == 302
    assert snapshot(pipe, pool)[0] == "Now mine"


def test_an_admin_changes_a_pool_customer(pipe, people):
    pool = pooled(pipe)
    assert f"/records/pipeline.customer/{pool}/edit" in pipe.admin.get(f"/records/pipeline.customer/{pool}").text
    assert pipe.admin.post(f"/records/pipeline.customer/{pool}/edit", data={"name": "Renamed"}).status_code == 302
    assert snapshot(pipe, pool)[0] == "Renamed"


def test_bulk_edit_changes_no_pool_customer(pipe, people):
    pool = pooled(pipe, "Pool Co", industry="Retail")
    mine = pipe.customer(people.rep, "Mine", industry="Retail")
    before = snapshot(pipe, pool)
    # Only pool customers selected: nothing to change.
    response = pipe.rep.post("/records/pipeline.customer/bulk", data={"ids": [pool], "field": "industry", "bulk-value": "Mining"},
                             follow_redirects=True)
    assert snapshot(pipe, pool) == before and "Select the records to change first." in response.text
    # Mixed with their own: refused as a whole, nothing is changed.
    response = pipe.rep.post("/records/pipeline.customer/bulk", data={"ids": [pool, mine], "field": "industry", "bulk-value": "Mining"},
                             follow_redirects=True)
    assert "not yours to change" in response.text
    assert snapshot(pipe, pool) == before and snapshot(pipe, mine)[1] == "Retail"
    with pipe.app.app_context():
        assert not AuditEntry.select().where(AuditEntry.action == "bulk").exists()
    # Their own alone: changed.
    pipe.rep.post("/records/pipeline.customer/bulk", data={"ids": [mine], "field": "industry", "bulk-value": "Mining"})
    assert snapshot(pipe, mine)[1] == "Mining"


def test_merging_a_pool_customer_needs_claiming_it_first(pipe, people):
    pool = pooled(pipe, "Acme Trading Ltd")
    mine = pipe.customer(people.rep, "Acme Trading")
    assert pipe.rep.post("/pipeline/duplicates/merge", data={"keep": mine, "other": pool}).status_code == 403
    assert pipe.rep.post("/pipeline/duplicates/merge", data={"keep": pool, "other": mine}).status_code == 403
    assert snapshot(pipe, pool)[3] is None and snapshot(pipe, mine)[3] is None
    assert pipe.rep.post(f"/pipeline/customers/{pool}/claim").status_code == 302
    assert pipe.rep.post("/pipeline/duplicates/merge", data={"keep": mine, "other": pool}).status_code == 302
    assert snapshot(pipe, pool)[3] is not None



def _import(client, entity, data: bytes, **choices) -> str:
    uploaded = client.post(f"/records/{entity}/import", data={"file": (io.BytesIO(data), "customers.csv")},
                           content_type="multipart/form-data")
    uid = re.search(r"/import/([0-9a-f]+)$", uploaded.headers["Location"]).group(1)
    form = {**mapping_form(client.get(f"/records/{entity}/import/{uid}").text), **choices}
    client.post(f"/records/{entity}/import/{uid}", data=form)
    client.post(f"/records/{entity}/import/{uid}/run")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        page = client.get(f"/records/{entity}/import/{uid}/progress").text
        if "every 1s" not in page:
            return page
        time.sleep(0.05)
    raise AssertionError("the import did not finish")


def test_an_import_does_not_update_a_pool_customer_it_matches(pipe, people):
    pool = pooled(pipe, "Pool Co", industry="Retail")
    mine = pipe.customer(people.rep, "Mine Co", industry="Retail")
    before = snapshot(pipe, pool)
    page = _import(pipe.rep, CUSTOMER, b"Name,Industry\nPool Co,Mining\nMine Co,Mining\n",
                   key_field="name", on_duplicate="update")
    assert "0 created, 1 updated, 1 skipped" in page
    assert snapshot(pipe, pool) == before
    assert snapshot(pipe, mine)[1] == "Mining"
