"""Values that cannot be stored are refused with a message and never written; rows stored before
the guard (a date-time of year 999, a number past what the databases keep) still show.

The storable ranges (core/lowcode/types.py): numbers |x| < 10**15 (a plugin's decimal column: what
its digits hold), dates 1000-01-01..9999-12-31, dates and times 1000-01-02..9999-12-30."""
import datetime

import pytest

from core.lowcode import records, types
from core.lowcode.entities import get_entity
from core.lowcode.models import AuditEntry, CustomRecord, FieldDefinition

from .conftest import make_entity

FIELDS = [
    {"type": "decimal", "label": "Base"},
    {"type": "decimal", "label": "Factor"},
    {"type": "computed", "label": "Huge", "options": {"formula": "base * factor * base * factor"}},
    {"type": "datetime", "label": "When"},
    {"type": "date", "label": "Day"},
    {"type": "integer", "label": "Count"},
]


@pytest.fixture
def measured(app, people):
    return make_entity(app, people.admin, label="Measure", fields=FIELDS)


def stored_records(app):
    with app.app_context():
        return [dict(record.custom or {}) for record in CustomRecord.select()]


@pytest.mark.parametrize("field,value", [
    ("when", "0999-12-31T10:00"), ("when", "9999-12-31T23:00"), ("day", "0999-01-01"),
    ("base", "1e400"), ("base", "NaN"), ("base", "sNaN"), ("base", "Infinity"), ("count", "99999999999999999999"),
])
def test_the_record_form_refuses_a_value_that_cannot_be_stored(app, login, people, measured, field, value):
    rep = login(people.rep)
    response = rep.post(f"/records/{measured}/new", data={"name": "Out of range", field: value})
    assert response.status_code == 400
    assert '<p class="error">' in response.text
    assert stored_records(app) == []


def test_a_formula_result_past_the_storable_range_is_stored_empty_with_a_message(app, login, people, measured):
    rep = login(people.rep)
    response = rep.post(f"/records/{measured}/new", data={"name": "Big", "base": "900000000000000", "factor": "900000000000000"},
                        follow_redirects=True)
    assert response.status_code == 200
    assert "Huge" in response.text and "too large" in response.text
    [custom] = stored_records(app)
    assert "huge" not in custom and custom["base"] == 900000000000000
    # every later save of the record works too
    with app.app_context():
        record_id = CustomRecord.get().id
    again = rep.post(f"/records/{measured}/{record_id}/edit", data={"name": "Big again", "base": "900000000000000",
                                                                      "factor": "900000000000000"})
    assert again.status_code == 302


def test_bulk_edit_refuses_a_date_that_cannot_be_stored(app, login, people, measured, create):
    record = create(measured, people.rep, name="One", when="2026-03-01T09:00")
    rep = login(people.rep)
    with app.app_context():
        audited = AuditEntry.select().count()
    response = rep.post(f"/records/{measured}/bulk", data={"field": "when", "bulk-value": "0999-12-31T10:00", "ids": [str(record)]},
                        follow_redirects=True)
    assert response.status_code == 200
    assert "between" in response.text
    assert stored_records(app)[0]["when"] == "2026-03-01T09:00"
    with app.app_context():
        assert AuditEntry.select().count() == audited


def test_the_write_path_refuses_what_the_form_did_not_check(app, people, measured):
    """Imports, API-like callers and plugins all go through records.save."""
    with app.test_request_context():
        schema = get_entity(measured)
        for values in ({"when": "999-01-01T10:00"}, {"day": "0999-01-01"}, {"base": 10**16}, {"name": "nul\x00byte"},
                       {"count": float("nan")}):
            with pytest.raises(types.Unstorable) as refused:
                records.save(schema, people.rep, {"name": "x", **values})
            assert refused.value.message
    assert stored_records(app) == []


def test_rows_stored_before_the_guard_still_show(app, login, people, measured, create):
    record = create(measured, people.rep, name="Old")
    with app.app_context():
        CustomRecord.update(custom={"when": "999-01-01T10:00", "day": "999-01-01", "base": "9e999", "count": "x"}).where(
            CustomRecord.id == record).execute()
    rep = login(people.rep)
    for url in (f"/records/{measured}/", f"/records/{measured}/{record}", f"/records/{measured}/{record}/edit",
                f"/records/{measured}/?sort=when", f"/records/{measured}/export.csv"):
        assert rep.get(url).status_code == 200, url
    assert "999-01-01T10:00" in rep.get(f"/records/{measured}/").text


def test_a_plugin_date_time_column_is_guarded_too(app, login, people):
    """The deal's base columns go through the same check: a far date is refused, nothing written."""
    from plugins.pipeline.models import Activity, Customer, Deal

    with app.app_context():
        customer = Customer.create(name="Guarded", owner=people.rep.id)
    rep = login(people.rep)
    response = rep.post("/records/pipeline.activity/new", data={
        "kind": "call", "subject": "Far", "customer": str(customer.id), "due_at": "0999-12-31T10:00"})
    assert response.status_code == 400
    deal = rep.post("/records/pipeline.deal/new", data={"name": "Too big", "customer": str(customer.id), "amount": "1e13"})
    assert deal.status_code == 400
    with app.app_context():
        assert Activity.select().count() == 0 and Deal.select().count() == 0
        with pytest.raises(types.Unstorable):
            records.save(get_entity("pipeline.deal"), people.rep, {"name": "x", "customer": customer.id, "amount": 10**13})
        with pytest.raises(types.Unstorable):
            records.save(get_entity("pipeline.activity"), people.rep, {"subject": "x", "customer": customer.id,
                                                                   "due_at": datetime.datetime(999, 1, 1)})
        assert Activity.select().count() == 0 and Deal.select().count() == 0


# -- numbers typed where the designer expects whole numbers ---------------------------------------


@pytest.mark.parametrize("position", ["abc", "1.5", "99999999999999999999999", "1e3", "٣"])
def test_a_non_integer_option_position_is_refused_with_a_message(app, login, people, competitor, position):
    admin = login(people.admin)
    with app.app_context():
        before = FieldDefinition.get(FieldDefinition.entity == competitor, FieldDefinition.key == "level").options
    changed = admin.post(f"/admin/entities/{competitor}/fields/level", data={
        "label": "Level", "choice-0-label": "A", "choice-0-value": "a", "choice-0-position": position,
        "choice-1-label": "Z", "choice-1-position": "1"})
    assert changed.status_code == 400 and "position" in changed.text
    added = admin.post(f"/admin/entities/{competitor}/fields/new", data={
        "label": "Tier", "type": "select", "choice-0-label": "Gold", "choice-0-position": position})
    assert added.status_code == 400 and "position" in added.text
    previewed = admin.post(f"/admin/entities/{competitor}/fields/preview", data={
        "label": "Tier", "type": "select", "choice-0-label": "Gold", "choice-0-position": position})
    assert previewed.status_code == 400
    with app.app_context():
        assert FieldDefinition.get(FieldDefinition.entity == competitor, FieldDefinition.key == "level").options == before
        assert not FieldDefinition.select().where(FieldDefinition.key == "tier").exists()


@pytest.mark.parametrize("stage_id", ["abc", "99999999999999999999", "-1", "1.0"])
def test_a_stage_order_with_a_non_id_is_refused(app, login, people, stage_id):
    from core.lowcode.models import Process, Stage
    from core.lowcode.processes import ensure_defaults

    with app.test_request_context():
        ensure_defaults()
        process = Process.get(Process.key == "pipeline.sales")
        order = [str(stage.id) for stage in Stage.select().where(Stage.process == process).order_by(Stage.position.desc())]
        positions = [(stage.id, stage.position) for stage in Stage.select().order_by(Stage.id)]
    admin = login(people.admin)
    response = admin.post(f"/admin/processes/{process.id}/order", data={"order": order + [stage_id]})
    assert response.status_code == 400
    with app.app_context():
        assert [(stage.id, stage.position) for stage in Stage.select().order_by(Stage.id)] == positions
