"""Archiving a process in the browser (issue 8): archive and restore, audited once, refused for the
last active process of its records; process and stage changes go through one service."""
import pytest

from core.lowcode.models import AuditEntry, Process, Stage

from .conftest import make_entity


@pytest.fixture
def lead(app, people, login):
    key = make_entity(app, people.admin, label="Lead", fields=[{"type": "text", "label": "Source"}])
    admin = login(people.admin)
    for label in ("Sales", "Renewals"):
        assert admin.post("/admin/processes/new", data={"label": label, "entity": key}).status_code == 302
    with app.app_context():
        sales, renewals = (Process.get(Process.entity == key, Process.label == label) for label in ("Sales", "Renewals"))
    return key, admin, sales.id, renewals.id


def audits(app, action):
    with app.app_context():
        return list(AuditEntry.select().where(AuditEntry.action == action))


def test_an_admin_archives_a_process_and_restores_it(app, people, lead, login):
    key, admin, sales, renewals = lead
    assert "Archive the process" in admin.get(f"/admin/processes/{sales}").text
    done = admin.post(f"/admin/processes/{sales}/archive", follow_redirects=True)
    assert done.status_code == 200 and "Sales is archived" in done.text
    with app.app_context():
        assert Process.get_by_id(sales).archived_at is not None
    assert [entry.record_id for entry in audits(app, "process_archive")] == [sales]
    page = admin.get("/admin/processes/").text
    assert "Archived" in page and "Restore" in page

    # New records enter the process that is still active.
    rep = login(people.rep)
    created = rep.post(f"/records/{key}/new", data={"name": "Acme"})
    record_id = int(created.headers["Location"].rsplit("/", 1)[1])
    with app.test_request_context():
        from core.lowcode.entities import get_entity
        record = get_entity(key).model.get_by_id(record_id)
        assert Stage.get_by_id(record.stage_id).process_id == renewals

    restored = admin.post(f"/admin/processes/{sales}/archive", data={"restore": "1"}, follow_redirects=True)
    assert "Sales is restored" in restored.text
    with app.app_context():
        assert Process.get_by_id(sales).archived_at is None
    assert [entry.record_id for entry in audits(app, "process_restore")] == [sales]


def test_the_last_active_process_of_its_records_is_not_archived(app, lead):
    key, admin, sales, renewals = lead
    assert admin.post(f"/admin/processes/{sales}/archive").status_code == 302
    refused = admin.post(f"/admin/processes/{renewals}/archive", follow_redirects=True)
    assert "Renewals is the only active process of Lead" in refused.text
    with app.app_context():
        assert Process.get_by_id(renewals).archived_at is None
    assert len(audits(app, "process_archive")) == 1


def test_only_admins_archive_processes(app, people, lead, login):
    key, admin, sales, renewals = lead
    for user in (people.manager, people.rep):
        assert login(user).post(f"/admin/processes/{sales}/archive").status_code in (403, 404)
    with app.app_context():
        assert Process.get_by_id(sales).archived_at is None
    assert admin.post("/admin/processes/999999/archive").status_code == 404


def test_every_stage_change_is_validated_and_audited_once(app, lead):
    key, admin, sales, renewals = lead
    with app.app_context():
        new = Stage.get(Stage.process == sales, Stage.key == "new")
    data = {"label": "Qualified", "kind": "open", "probability": "30", "color": "teal"}
    assert admin.post(f"/admin/processes/{sales}/stages/{new.id}", data=data).status_code == 302
    assert admin.post(f"/admin/processes/{sales}/stages", data={**data, "label": "Proposal"}).status_code == 302
    bad = admin.post(f"/admin/processes/{sales}/stages/{new.id}", data={**data, "probability": "300"})
    assert bad.status_code == 400 and "Write a whole number from 0 to 100." in bad.text
    assert admin.post(f"/admin/processes/{sales}/stages/{new.id}/archive").status_code == 302
    assert admin.post(f"/admin/processes/{sales}/order", data={"order": [str(new.id)]}).status_code == 302
    assert [e.changes for e in audits(app, "stage_change")] == [
        {"label": ["New", "Qualified"], "probability": [10, 30], "color": ["blue", "teal"]}]
    assert len(audits(app, "stage_add")) == 1 and len(audits(app, "stage_archive")) == 1
    assert len(audits(app, "stage_order")) == 1
    with app.app_context():
        assert Stage.get_by_id(new.id).probability == 30
