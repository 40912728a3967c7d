"""Values set aside by changes of a field's type (issue 8, data safety): nothing set aside is ever
overwritten, a value set aside returns when it fits again, select to multi-select keeps the options,
and every record page (the generic one and the pipeline's) shows what is set aside."""
from core.lowcode.entities import get_entity
from core.lowcode.models import FieldDefinition

from ..pipeline.conftest import Pipeline
from .conftest import make_entity


def change_type(admin, entity, key, to):
    done = admin.post(f"/admin/entities/{entity}/fields/{key}/type", data={"to": to}, follow_redirects=True)
    assert done.status_code == 200
    return done.text


def custom_of(app, entity, record_id) -> dict:
    with app.test_request_context():
        return dict(get_entity(entity).model.get_by_id(record_id).custom)


def kept_values(app, entity, record_id, key) -> list:
    return [entry["value"] for entry in custom_of(app, entity, record_id).get("_kept", {}).get(key, [])]


def test_a_second_type_change_does_not_overwrite_what_the_first_set_aside(app, people, login, create):
    entity = make_entity(app, people.admin, label="Lead", fields=[{"type": "text", "label": "Size"}])
    admin = login(people.admin)
    record = create(entity, people.admin, name="Acme", size="about fifty")
    change_type(admin, entity, "size", "integer")
    assert kept_values(app, entity, record, "size") == ["about fifty"]
    assert admin.post(f"/records/{entity}/{record}/edit", data={"name": "Acme", "size": "12"}).status_code == 302
    change_type(admin, entity, "size", "checkbox")  # 12 is neither yes nor no: set aside too
    assert kept_values(app, entity, record, "size") == ["about fifty", 12]
    page = admin.get(f"/records/{entity}/{record}").text
    assert "Kept from before a change of field type" in page and "about fifty" in page and ">12<" in page.replace(" ", "")


def test_a_value_set_aside_returns_when_the_type_fits_it_again(app, people, login, create):
    entity = make_entity(app, people.admin, label="Lead", fields=[{"type": "text", "label": "Size"}])
    admin = login(people.admin)
    record = create(entity, people.admin, name="Acme", size="about fifty")
    change_type(admin, entity, "size", "integer")
    assert "size" not in custom_of(app, entity, record)
    done = change_type(admin, entity, "size", "text")
    assert "1 value(s) came back" in done
    custom = custom_of(app, entity, record)
    assert custom["size"] == "about fifty" and "_kept" not in custom
    assert "Kept from before a change of field type" not in admin.get(f"/records/{entity}/{record}").text


def test_a_value_kept_the_old_way_still_shows_and_returns(app, people, login, create):
    entity = make_entity(app, people.admin, label="Lead", fields=[{"type": "integer", "label": "Size"}])
    admin = login(people.admin)
    record = create(entity, people.admin, name="Acme")
    with app.test_request_context():
        schema = get_entity(entity)
        row = schema.model.get_by_id(record)
        row.custom = {**row.custom, "_kept": {"size": "about fifty"}}  # as change_type kept it before
        row.save()
    assert "about fifty" in admin.get(f"/records/{entity}/{record}").text
    change_type(admin, entity, "size", "text")
    assert custom_of(app, entity, record)["size"] == "about fifty"


def test_select_to_multiselect_keeps_the_options_labels_colours_and_unused_ones(app, people, login, create, competitor):
    admin = login(people.admin)
    with app.app_context():
        before = FieldDefinition.get(FieldDefinition.entity == competitor, FieldDefinition.key == "level").options["choices"]
    a = before[0]["value"]
    record = create(competitor, people.admin, name="Acme", level=a)
    change_type(admin, competitor, "level", "multiselect")
    with app.app_context():
        after = FieldDefinition.get(FieldDefinition.entity == competitor, FieldDefinition.key == "level").options["choices"]
    assert [(c["value"], c["label"], c["color"]) for c in after] == [(c["value"], c["label"], c["color"]) for c in before]
    assert custom_of(app, competitor, record)["level"] == [a]
    # and back: the options stay, and a text field in between keeps them for the way back
    change_type(admin, competitor, "level", "text")
    change_type(admin, competitor, "level", "select")
    with app.app_context():
        again = FieldDefinition.get(FieldDefinition.entity == competitor, FieldDefinition.key == "level").options["choices"]
    assert [(c["label"], c["color"]) for c in again][:3] == [(c["label"], c["color"]) for c in before]


def test_the_pipelines_deal_and_customer_pages_show_what_is_set_aside(app, people, login):
    pipe = Pipeline(app=app, people=people)
    admin = login(people.admin)
    for entity in ("pipeline.customer", "pipeline.deal"):
        assert admin.post(f"/admin/entities/{entity}/fields/new", data={"type": "text", "label": "Budget"}).status_code == 302
    customer = pipe.customer(people.admin, budget="about a million")
    deal = pipe.deal(people.admin, customer, budget="ask again")
    for entity in ("pipeline.customer", "pipeline.deal"):
        change_type(admin, entity, "budget", "integer")
    customer_page = admin.get(f"/pipeline/customers/{customer}").text
    deal_page = admin.get(f"/pipeline/deals/{deal}").text
    assert "Kept from before a change of field type" in customer_page and "about a million" in customer_page
    assert "Kept from before a change of field type" in deal_page and "ask again" in deal_page
