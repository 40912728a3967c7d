"""Admins design forms in the browser: fields of every type, order, archive, type changes."""
import re

import pytest

from core.lowcode.entities import get_entity
from core.lowcode.models import FieldDefinition

HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(2)>'


def designer_post(client, entity, /, **data):
    return client.post(f"/admin/entities/{entity}/fields/new", data=data)


def test_an_admin_creates_a_form_in_the_browser_and_it_gets_every_page(app, login, people):
    admin = login(people.admin)
    response = admin.post("/admin/entities/new", data={"label": "报价申请 Quote request", "icon": "form"})
    assert response.status_code == 302
    key = re.search(r"/admin/entities/([^/]+)/fields", response.headers["Location"]).group(1)
    designer = admin.get(response.headers["Location"])
    assert designer.status_code == 200 and "报价申请 Quote request" in designer.text
    rep = login(people.rep)
    home = rep.get("/").text
    assert "报价申请 Quote request" in home  # in everyone's navigation
    created = rep.post(f"/records/{key}/new", data={"name": "For ACME"})
    assert created.status_code == 302
    detail = rep.get(created.headers["Location"])
    assert "For ACME" in detail.text and "History" in detail.text
    assert "For ACME" in rep.get(f"/records/{key}/").text
    assert rep.get(f"/records/{key}/export.csv").data.decode("utf-8-sig").startswith("Name,")


@pytest.mark.parametrize("type_key", ["text", "textarea", "integer", "decimal", "currency", "percent", "date",
                                      "datetime", "checkbox", "email", "phone", "url", "user"])
def test_every_simple_type_can_be_added_and_used(app, login, people, competitor, type_key):
    admin = login(people.admin)
    response = designer_post(admin, competitor, type=type_key, label=f"My {type_key}")
    assert response.status_code == 302, re.findall(r'class="error">([^<]+)', response.text)
    form = admin.get(f"/records/{competitor}/new").text
    assert f"My {type_key}" in form


def test_the_key_comes_from_the_label_in_any_script_and_stays_once_records_have_values(app, login, people, competitor, create):
    admin = login(people.admin)
    designer_post(admin, competitor, type="text", label="客户 级别!")
    with app.app_context():
        definition = FieldDefinition.get(FieldDefinition.entity == competitor, FieldDefinition.label == "客户 级别!")
    assert definition.key == "客户_级别"
    renamed = admin.post(f"/admin/entities/{competitor}/fields/客户_级别", data={"label": "客户级别", "key": "kehu_jibie"})
    assert renamed.status_code == 302
    create(competitor, people.rep, name="X", kehu_jibie="VIP")
    locked = admin.post(f"/admin/entities/{competitor}/fields/kehu_jibie", data={"label": "客户级别", "key": "other"})
    assert locked.status_code == 400 and "can no longer change" in locked.text


@pytest.mark.parametrize(
    "data, message",
    [
        ({"type": "text", "label": ""}, "Give the field a label."),
        ({"type": "text", "label": "Dup", "key": "code"}, "Another field already has the key code."),
        ({"type": "text", "label": "Res", "key": "owner"}, "owner is reserved"),
        ({"type": "text", "label": "Bad key", "key": "1abc"}, "A key starts with a letter"),
        ({"type": "text", "label": "P", "pattern": "[a-"}, "This pattern is not valid"),
        ({"type": "text", "label": "P", "pattern": "(a|aa)+$"}, "takes too long to check"),
        ({"type": "text", "label": "P", "pattern": "a" * 201}, "longer than 200 characters"),
        ({"type": "select", "label": "Empty choice"}, "A choice field needs at least one option."),
        ({"type": "select", "label": "Twice", "choice-0-label": "Same", "choice-1-label": "same"}, "The option same appears twice."),
        ({"type": "integer", "label": "Range", "min": "10", "max": "1"}, "The largest value is smaller than the smallest."),
        ({"type": "integer", "label": "Range", "min": "ten"}, "Not a number."),
        ({"type": "text", "label": "Len", "min_length": "9", "max_length": "3"}, "The longest length is shorter"),
        ({"type": "computed", "label": "F", "formula": "nothing * 2"}, "uses nothing, which is not a number field"),
        ({"type": "computed", "label": "F", "formula": "revenue +"}, "Unexpected the end."),
        ({"type": "computed", "label": "F", "formula": "weighted * 2", "key": "weighted"}, "Another field already has the key"),
        ({"type": "link", "label": "L", "entity": "no.such"}, "Choose the kind of record to link to."),
        ({"type": "integer", "label": "D", "default": "many"}, "Not a number."),
        ({"type": "nosuchtype", "label": "T"}, "Choose a type."),
        ({"type": "text", "label": "H", "required": "y", "hidden": "y"}, "A hidden field cannot be filled in"),
    ],
)
def test_the_designer_refuses_bad_definitions_and_saves_nothing(app, login, people, competitor, data, message):
    with app.app_context():
        before = FieldDefinition.select().count()
    response = designer_post(login(people.admin), competitor, **data)
    assert response.status_code == 400
    assert message in response.text.replace("&#39;", "'")
    with app.app_context():
        assert FieldDefinition.select().count() == before


def test_formulas_that_loop_are_refused(app, login, people, competitor):
    admin = login(people.admin)
    assert designer_post(admin, competitor, type="computed", label="Double", formula="weighted * 2").status_code == 302
    looped = admin.post(f"/admin/entities/{competitor}/fields/weighted", data={"label": "Weighted", "formula": "double + 1"})
    assert looped.status_code == 400 and "depend on each other in a loop" in looped.text


def test_hostile_labels_and_options_are_shown_as_text_everywhere(app, login, people, competitor, create):
    admin = login(people.admin)
    designer_post(admin, competitor, type="select", label=HOSTILE, **{"choice-0-label": HOSTILE})
    spec = next(s for s in get_entity_in(app, competitor).custom_fields if s.label == HOSTILE)
    create(competitor, people.admin, name=HOSTILE, **{spec.key: spec.options["choices"][0]["value"]})
    with app.app_context():
        from core.lowcode.models import EntitySetting

        EntitySetting.update(list_columns=["name", spec.key]).where(EntitySetting.key == competitor).execute()
    for url in (f"/admin/entities/{competitor}/fields", f"/records/{competitor}/new", f"/records/{competitor}/",
                f"/records/{competitor}/1"):
        text = admin.get(url).text
        assert "<script>alert(1)" not in text and "<img src=x" not in text, url
        assert "&lt;script&gt;alert(1)" in text, url


def get_entity_in(app, key):
    with app.test_request_context():
        return get_entity(key)


def test_fields_are_reordered_by_the_designer_and_the_form_follows(app, login, people, competitor):
    admin = login(people.admin)
    schema = get_entity_in(app, competitor)
    keys = [spec.key for spec in schema.designable_fields]
    wanted = ["staff", "code"] + [key for key in keys if key not in ("staff", "code")]
    response = admin.post(f"/admin/entities/{competitor}/fields/order", data={"order": wanted}, headers={"HX-Request": "true"})
    assert response.status_code == 204 and response.headers["HX-Trigger"] == "schema-changed"
    assert admin.get(f"/admin/entities/{competitor}/fields/list").text.index(">Staff<") < admin.get(
        f"/admin/entities/{competitor}/fields/list").text.index(">Code<")
    form = admin.get(f"/records/{competitor}/new").text
    assert form.index('name="staff"') < form.index('name="code"') < form.index('name="name"')
    plain = admin.post(f"/admin/entities/{competitor}/fields/order", data={"order": list(reversed(wanted))})
    assert plain.status_code == 302  # without JavaScript: back to the designer
    form = admin.get(f"/records/{competitor}/new").text
    assert form.index('name="name"') < form.index('name="code"') < form.index('name="staff"')


def test_archiving_keeps_values_and_restoring_shows_them_again(app, login, people, competitor, create):
    admin = login(people.admin)
    record = create(competitor, people.admin, name="Keeper", staff=42)
    assert admin.post(f"/admin/entities/{competitor}/fields/staff/archive").status_code == 302
    assert 'name="staff"' not in admin.get(f"/records/{competitor}/new").text
    assert ">42<" not in admin.get(f"/records/{competitor}/{record}").text.replace("\n", "").replace(" ", "")
    admin.post(f"/records/{competitor}/{record}/edit", data={"name": "Keeper 2"})  # an edit does not lose it
    admin.post(f"/admin/entities/{competitor}/fields/staff/archive", data={"restore": "1"})
    detail = admin.get(f"/records/{competitor}/{record}").text
    assert re.search(r"Staff</dt>\s*<dd>\s*42", detail)


def test_a_field_read_by_a_formula_cannot_be_archived(app, login, people, competitor):
    response = login(people.admin).post(f"/admin/entities/{competitor}/fields/revenue/archive", follow_redirects=True)
    assert "The formula of Weighted reads this field" in response.text


def test_changing_a_type_reports_what_does_not_convert_and_keeps_it(app, login, people, competitor, create):
    admin = login(people.admin)
    designer_post(admin, competitor, type="text", label="Employees")
    good = create(competitor, people.admin, name="Good", employees="120")
    bad = create(competitor, people.admin, name="Bad", employees="about fifty")
    report = admin.get(f"/admin/entities/{competitor}/fields/employees/type?to=integer")
    assert "1 value converts." in report.text and "1 value does not fit the new type." in report.text
    assert "about fifty" in report.text and "Not a number." in report.text
    with app.app_context():
        assert FieldDefinition.get(FieldDefinition.key == "employees").type == "text"  # nothing changed yet
    done = admin.post(f"/admin/entities/{competitor}/fields/employees/type", data={"to": "integer"}, follow_redirects=True)
    assert "1 value(s) converted, 1 kept aside" in done.text
    assert re.search(r"Employees</dt>\s*<dd>\s*120", admin.get(f"/records/{competitor}/{good}").text)
    kept = admin.get(f"/records/{competitor}/{bad}").text
    assert "Kept from before a change of field type" in kept and "about fifty" in kept
    assert admin.get(f"/records/{competitor}/?fk=employees&fo=gt&fv=100").text.count('name="ids"') == 1


def test_a_text_field_becoming_a_choice_gets_its_values_as_options(app, login, people, competitor, create):
    admin = login(people.admin)
    designer_post(admin, competitor, type="text", label="Tier")
    create(competitor, people.admin, name="One", tier="Gold")
    create(competitor, people.admin, name="Two", tier="Silver")
    admin.post(f"/admin/entities/{competitor}/fields/tier/type", data={"to": "select"})
    spec = get_entity_in(app, competitor).field("tier")
    assert [c["label"] for c in spec.options["choices"]] == ["Gold", "Silver"]
    assert "Gold" in admin.get(f"/records/{competitor}/?fk=tier&fo=is&fv=gold").text


def test_renamed_and_archived_options_stay_on_their_records(app, login, people, competitor, create):
    admin = login(people.admin)
    record = create(competitor, people.admin, name="Rated", level="c")
    spec = get_entity_in(app, competitor).field("level")
    rows = {f"choice-{i}-{part}": choice.get(part, "") for i, choice in enumerate(spec.options["choices"]) for part in ("value", "label",
                                                                                                                        "color")}
    rows["choice-0-label"] = "A+"  # rename A
    rows["choice-2-archived"] = "y"  # archive C
    assert admin.post(f"/admin/entities/{competitor}/fields/level", data={"label": "Level", **rows}).status_code == 302
    detail = admin.get(f"/records/{competitor}/{record}").text
    assert ">C</span>" in detail  # still on the record
    assert '<option value="c">C</option>' not in admin.get(f"/records/{competitor}/new").text  # not offered anew
    edit = admin.get(f"/records/{competitor}/{record}/edit").text
    assert '<option selected value="c">C</option>' in edit  # kept when this record is edited
    assert '<option value="a">A+</option>' in edit


def test_every_server_process_sees_a_new_field_at_once(make_app, people, competitor):
    first, second = make_app(), make_app()
    admin = first.test_client().login(people.admin)
    rep = second.test_client().login(people.rep)
    assert 'name="budget"' not in rep.get(f"/records/{competitor}/new").text  # built and cached
    designer_post(admin, competitor, type="currency", label="Budget")
    assert 'name="budget"' in rep.get(f"/records/{competitor}/new").text


def test_the_preview_shows_a_draft_before_it_is_saved(app, login, people, competitor, htmx_client):
    htmx_client.login(people.admin)
    response = htmx_client.post(f"/admin/entities/{competitor}/fields/preview",
                                data={"type": "text", "label": "Draft field", "help": "Only in the preview"})
    assert response.status_code == 200 and response.text.lstrip().startswith('<div id="form-preview"')
    assert "Draft field" in response.text and "Only in the preview" in response.text
    assert "Draft field" not in htmx_client.get(f"/records/{competitor}/new").text


def test_the_designer_answers_htmx_with_fragments_and_events(app, people, competitor, htmx_client):
    htmx_client.login(people.admin)
    editor = htmx_client.get(f"/admin/entities/{competitor}/fields/editor?type=integer")
    assert editor.text.lstrip().startswith('<div id="field-editor">') and "New field: Whole number" in editor.text
    saved = htmx_client.post(f"/admin/entities/{competitor}/fields/new", data={"type": "integer", "label": "Seats"})
    assert saved.status_code == 200 and saved.headers["HX-Trigger"] == "schema-changed"
    assert "Seats is added." in saved.text
    refused = htmx_client.post(f"/admin/entities/{competitor}/fields/new", data={"type": "integer", "label": ""})
    assert refused.status_code == 200 and "Give the field a label." in refused.text  # htmx swaps a 200


def test_a_plugin_fields_label_and_help_can_change_but_a_required_one_cannot_hide(hello, people):
    admin = hello.admin
    response = admin.post("/admin/entities/hello.greeting/fields/text", data={"label": "Message", "help": "Be kind"})
    assert response.status_code == 302
    form = hello.rep.get("/records/hello.greeting/new").text
    assert "Message" in form and "Be kind" in form
    hidden = admin.post("/admin/entities/hello.greeting/fields/text", data={"label": "Message", "hidden": "y"})
    assert hidden.status_code == 400 and "cannot be hidden" in hidden.text


def test_only_admins_design(login, people, competitor):
    for user in (people.rep, people.manager):
        client = login(user)
        assert client.get("/admin/entities/").status_code == 403
        assert designer_post(client, competitor, type="text", label="Sneaky").status_code == 403


def test_unknown_entities_and_fields_are_404(login, people):
    admin = login(people.admin)
    assert admin.get("/admin/entities/nope/fields").status_code == 404
    assert admin.get("/records/nope/").status_code == 404
    assert admin.get("/admin/entities/custom.x/fields?field=nope").status_code == 404


def test_a_new_field_is_known_empty_and_its_key_locks_once_a_record_has_a_value(app, login, people, competitor, create):
    """Whether records hold values under a key is remembered (reading every record answers "no"),
    and counted again when a record changes, however it was written."""
    from core.lowcode.models import CustomRecord

    admin = login(people.admin)
    designer_post(admin, competitor, type="text", label="Grade")
    editor = f"/admin/entities/{competitor}/fields/editor?field=grade"
    stays = "so it stays as it is"
    assert stays not in admin.get(editor).text
    record = create(competitor, people.rep, name="X")
    assert stays not in admin.get(editor).text
    with app.app_context():
        row = CustomRecord.get_by_id(record)
        CustomRecord.update(custom={**row.custom, "grade": "A"}).where(CustomRecord.id == record).execute()
    assert stays in admin.get(editor).text
