"""The audit log: every change to records and definitions, who and when, before and after."""
import datetime

from core.lowcode.models import AuditEntry


def test_record_and_definition_changes_are_in_the_audit_log(app, login, people, competitor):
    admin, rep = login(people.admin), login(people.rep)
    url = rep.post(f"/records/{competitor}/new", data={"name": "Audited", "staff": "5"}).headers["Location"]
    rep.post(f"{url}/edit", data={"name": "Audited", "staff": "6"})
    admin.post(f"/admin/entities/{competitor}/fields/new", data={"type": "text", "label": "Motto"})
    with app.app_context():
        entries = list(AuditEntry.select().order_by(AuditEntry.id))
        actions = [(entry.action, entry.entity) for entry in entries]
        assert ("create", competitor) in actions and ("update", competitor) in actions
        assert ("field_add", f"schema:{competitor}") in actions and ("entity_add", f"schema:{competitor}") in actions
        update = next(entry for entry in entries if entry.action == "update")
        assert update.changes["staff"] == [5, 6] and update.user_id == people.rep.id


def test_admins_filter_the_log_in_both_shapes(app, login, people, competitor, htmx_client):
    admin, rep = login(people.admin), login(people.rep)
    rep.post(f"/records/{competitor}/new", data={"name": "By Rita"})
    page = admin.get(f"/admin/audit/?user={people.rep.id}&action=create")
    assert page.status_code == 200 and "By Rita" in page.text and "Motto" not in page.text
    assert "By Rita" not in admin.get(f"/admin/audit/?user={people.admin.id}").text
    today = datetime.date.today()
    assert "By Rita" in admin.get(f"/admin/audit/?from={today}&to={today}").text
    assert "By Rita" not in admin.get(f"/admin/audit/?to={today - datetime.timedelta(days=2)}").text
    assert admin.get("/admin/audit/?from=garbage&user=x&action=<script>&page=-4").status_code == 200
    htmx_client.login(people.admin)
    fragment = htmx_client.get(f"/admin/audit/?entity={competitor}")
    assert fragment.text.lstrip().startswith('<div id="audit-entries">')


def test_only_admins_read_the_whole_log(login, people):
    for user in (people.rep, people.manager):
        assert login(user).get("/admin/audit/").status_code == 403
