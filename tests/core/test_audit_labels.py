"""The audit log speaks the reader's language: field labels, stage names, user names and linked
records' titles, not raw keys and ids; and the language switch keeps the page's query string."""
from core.db import db
from core.lowcode import records
from core.lowcode.entities import get_entity
from core.lowcode.models import AuditEntry, FieldDefinition, Process, Stage
from core.lowcode.processes import ensure_defaults
from core.models import User


def test_switching_language_keeps_the_query_string(login, people):
    client = login(people.rep)
    response = client.post("/language", data={"locale": "zh_Hans_CN"},
                           headers={"Referer": "http://localhost/records/pipeline.deal/?q=x&page=2"})
    assert response.headers["Location"] == "/records/pipeline.deal/?q=x&page=2"
    response = client.post("/language", data={"locale": "en"}, headers={"Referer": "https://evil.example//x?q=1"})
    assert response.headers["Location"] == "/"


def _entries(app, people, admin, count):
    """`count` audit entries of a deal: a stage move, an owner change, a linked customer and a
    custom field."""
    admin.post("/admin/entities/pipeline.deal/fields/new", data={"type": "text", "label": "Motto"})
    with app.test_request_context():
        ensure_defaults()
        stages = {stage.key: stage.id for stage in Stage.select().join(Process).where(Process.key == "pipeline.sales")}
        motto = FieldDefinition.get(FieldDefinition.entity == "pipeline.deal", FieldDefinition.label == "Motto").key
        customer, _changes = records.save(get_entity("pipeline.customer"), people.rep, {"name": "Acme Trading"})
        AuditEntry.delete().execute()
        for number in range(count):
            AuditEntry.create(action="update", entity="pipeline.deal", record_id=1000 + number, title=f"Deal {number}",
                              user=people.rep.id, changes={
                                  "stage": [stages["first_contact"], stages["discovery"]],
                                  "owner": [people.rep.id, people.colleague.id],
                                  "customer": [None, customer.id],
                                  motto: ["old words", "new words"]})


def _queries(app, client, monkeypatch) -> int:
    seen = []
    database = db.obj
    original = database.execute_sql

    def counting(sql, params=None, *args, **kwargs):
        seen.append(sql)
        return original(sql, params, *args, **kwargs)

    monkeypatch.setattr(database, "execute_sql", counting)
    try:
        assert client.get("/admin/audit/").status_code == 200
    finally:
        monkeypatch.setattr(database, "execute_sql", original)
    return len(seen)


def _entries_of(page: str) -> str:
    """The table of entries, without the filters (whose user list names everyone)."""
    return page.split('id="audit-entries"', 1)[1]


def test_the_audit_log_shows_labels_and_names_in_english_and_chinese(app, login, people):
    admin = login(people.admin)
    _entries(app, people, admin, 1)
    page = _entries_of(admin.get("/admin/audit/").text)
    assert "Stage" in page and "First contact" in page and "Information gathering" in page
    assert "Owner" in page and "Rita Rep" in page and "Carl Colleague" in page
    assert "Acme Trading" in page and "Motto" in page and "new words" in page
    assert "<code>stage</code>" not in page and "<code>owner</code>" not in page and "pipeline.deal" not in page
    with app.app_context():
        User.update(locale="zh_Hans_CN").where(User.id == people.admin.id).execute()
    page = _entries_of(login(people.admin).get("/admin/audit/").text)
    assert "阶段" in page and "初步接触" in page and "信息收集" in page
    assert "负责人" in page and "Carl Colleague" in page and "Acme Trading" in page and "pipeline.deal" not in page


def test_the_audit_log_loads_names_in_a_fixed_number_of_queries(app, login, people, monkeypatch):
    admin = login(people.admin)
    _entries(app, people, admin, 5)
    few = _queries(app, admin, monkeypatch)
    _entries(app, people, admin, 50)
    many = _queries(app, admin, monkeypatch)
    assert "Carl Colleague" in _entries_of(admin.get("/admin/audit/").text) and many == few
