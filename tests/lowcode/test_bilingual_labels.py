"""Both languages, everywhere (issue 9): labels admins type carry an English and a Chinese text,
and built-in labels stay in the reader's language after an admin drags or edits a field."""
import importlib
import re

import pytest

from core.lowcode.entities import get_entity
from core.lowcode.models import FieldDefinition
from core.models import User
from plugins.pipeline.entities import DEAL
from tests.pipeline.conftest import Pipeline

ZH = "zh_Hans_CN"


def speaks(app, user, locale):
    with app.app_context():
        User.update(locale=locale).where(User.id == user.id).execute()


@pytest.fixture
def pipe(app, people, login):
    return Pipeline(app=app, people=people, admin=login(people.admin), rep=login(people.rep))


def deal_keys(app) -> list[str]:
    with app.test_request_context():
        return [spec.key for spec in get_entity(DEAL).designable_fields]


# -- the drag bug: built-in labels never freeze in the admin's language ----------------------------


@pytest.mark.parametrize("admin_locale", ["en", ZH])
def test_dragging_a_field_keeps_every_built_in_label_in_the_readers_language(app, pipe, people, login, admin_locale):
    speaks(app, people.admin, admin_locale)
    speaks(app, people.rep, ZH)
    speaks(app, people.manager, "en")
    admin = login(people.admin)
    keys = deal_keys(app)
    moved = [keys[2]] + [key for key in keys if key != keys[2]]
    assert admin.post(f"/admin/entities/{DEAL}/fields/order", data={"order": moved}).status_code == 302
    admin.get(f"/admin/entities/{DEAL}/fields")  # the picture is built in the admin's language
    deal = pipe.deal(people.rep, pipe.customer(people.rep), expected_close="2026-12-24")
    chinese = pipe.rep.get(f"/pipeline/deals/{deal}").text
    assert "客户" in chinese and "预计成交日期" in chinese and "Expected close" not in chinese
    english = login(people.manager).get(f"/pipeline/deals/{deal}").text
    assert "Expected close" in english and "预计成交日期" not in english
    with app.app_context():
        stored = {d.key: d.label for d in FieldDefinition.select().where(FieldDefinition.entity == DEAL, FieldDefinition.base)}
    assert stored and set(stored.values()) == {""}  # a label is stored only when an admin changed it


def test_saving_a_built_in_field_without_changing_its_label_keeps_it_translated(app, pipe, people, login):
    speaks(app, people.admin, ZH)
    admin = login(people.admin)
    editor = admin.get(f"/admin/entities/{DEAL}/fields?field=expected_close").text
    version = re.search(r'name="field-version" value="([^"]*)"', editor).group(1)
    base = re.search(r'name="field-base" value="([^"]*)"', editor).group(1).replace("&#34;", '"').replace("&quot;", '"')
    saved = admin.post(f"/admin/entities/{DEAL}/fields/expected_close",
                       data={"label": "预计成交日期", "help": "Helpful", "field-version": version, "field-base": base})
    assert saved.status_code == 302, saved.text[:2000]
    with app.app_context():
        overlay = FieldDefinition.get(FieldDefinition.entity == DEAL, FieldDefinition.key == "expected_close")
    assert overlay.label == "" and overlay.help == "Helpful"
    deal = pipe.deal(people.rep, pipe.customer(people.rep), expected_close="2026-12-24")
    assert "Expected close" in pipe.rep.get(f"/pipeline/deals/{deal}").text


def test_the_migration_heals_labels_frozen_by_earlier_drags(app, people):
    healing = importlib.import_module("core.migrations.0006_label_languages")
    with app.app_context():
        FieldDefinition.create(entity=DEAL, key="customer", label="客户", type="select", base=True, position=0)
        FieldDefinition.create(entity=DEAL, key="expected_close", label="Expected close", type="date", base=True, position=10)
        FieldDefinition.create(entity=DEAL, key="amount", label="Deal size", type="decimal", base=True, position=20)
        FieldDefinition.create(entity=DEAL, key="budget", label="Customer", type="text", position=30)  # a custom field: kept
        with app.test_request_context():
            healing.heal_frozen_labels()
        stored = {d.key: d.label for d in FieldDefinition.select().where(FieldDefinition.entity == DEAL)}
    assert stored == {"customer": "", "expected_close": "", "amount": "Deal size", "budget": "Customer"}


# -- labels in both languages -----------------------------------------------------------------------


BOTH = {"label-en": "Budget", "label-zh_Hans_CN": "预算"}


@pytest.fixture
def readers(app, people, login):
    """(admin, English reader, Chinese reader): signed-in clients; the admin reads English."""
    speaks(app, people.manager, "en")
    speaks(app, people.rep, ZH)
    return login(people.admin), login(people.manager), login(people.rep)


def test_a_field_and_its_options_read_in_each_readers_language(app, people, readers, create):
    admin, english, chinese = readers
    made = admin.post("/admin/entities/new", data={"label-en": "Competitor", "label-zh_Hans_CN": "竞争对手", "icon": "chart"})
    assert made.status_code == 302
    key = re.search(r"/admin/entities/([^/]+)/fields", made.headers["Location"]).group(1)
    assert admin.post(f"/admin/entities/{key}/fields/new", data={"type": "text", **BOTH}).status_code == 302
    assert admin.post(f"/admin/entities/{key}/fields/new", data={"type": "text", "label-en": "Region",
                                                                 "label-zh_Hans_CN": ""}).status_code == 302
    assert admin.post(f"/admin/entities/{key}/fields/new", data={
        "type": "select", "label-en": "Level", "label-zh_Hans_CN": "级别",
        "choice-0-label-en": "Hot", "choice-0-label-zh_Hans_CN": "热", "choice-0-position": "0",
        "choice-1-label-en": "", "choice-1-label-zh_Hans_CN": "冷", "choice-1-position": "1"}).status_code == 302
    with app.app_context():
        level = FieldDefinition.get(FieldDefinition.entity == key, FieldDefinition.key == "level")
        hot = next(c["value"] for c in level.options["choices"] if c["labels"].get("en") == "Hot")
    record = create(key, people.rep, name="ACME", budget="10", region="North", level=hot)
    record_url = f"/records/{key}/{record}"
    zh_form, zh_page = chinese.get(f"/records/{key}/new").text, chinese.get(record_url).text
    assert "预算" in zh_form and "级别" in zh_form and "热" in zh_form and "冷" in zh_form and "Budget" not in zh_form
    assert "Region" in zh_form  # no Chinese given: the English one
    assert "竞争对手" in chinese.get("/").text and "热" in zh_page and "Hot" not in zh_page
    en_form, en_page = english.get(f"/records/{key}/new").text, english.get(f"/records/{key}/").text
    assert "Budget" in en_form and "Level" in en_form and "预算" not in en_form
    assert "Hot" in en_form, re.findall(r"<option[^>]*>[^<]*</option>", en_form)
    assert "冷" in en_form  # no English given: the Chinese one
    assert "Competitor" in english.get("/").text and "Hot" in en_page
    # The designer shows an input per language, the admin's first, filled in.
    editor = admin.get(f"/admin/entities/{key}/fields?field=budget").text
    assert editor.index('name="label-en"') < editor.index('name="label-zh_Hans_CN"')
    assert 'value="预算"' in editor and 'name="choice-0-label-zh_Hans_CN"' in admin.get(f"/admin/entities/{key}/fields?field=level").text
    # Exports and imports: headers in the reader's language, an option typed in either language.
    assert chinese.get(f"/records/{key}/export.csv").data.decode("utf-8-sig").splitlines()[0].startswith("名称,预算") or \
        "预算" in chinese.get(f"/records/{key}/export.csv").data.decode("utf-8-sig").splitlines()[0]
    with app.test_request_context():
        spec = get_entity(key).field("level")
        assert spec.type.parse_text("热", spec) == hot and spec.type.parse_text("hot", spec) == hot


def test_a_stage_and_a_process_read_in_each_readers_language(app, people, readers, pipe):
    from core.lowcode.models import Process, Stage

    admin, english, chinese = readers
    won = pipe.stage("after_sales")
    with app.app_context():
        process = Process.get(Process.key == "pipeline.sales")
        stage = Stage.get_by_id(won)
    page = admin.get(f"/admin/processes/{process.id}?stage={stage.id}").text
    version = re.search(r'name="stage-version" value="([^"]*)"', page).group(1)
    base = re.search(r'name="stage-base" value="([^"]*)"', page).group(1).replace("&#34;", '"').replace("&quot;", '"')
    saved = admin.post(f"/admin/processes/{process.id}/stages/{stage.id}", data={
        "label-en": "Signed", "label-zh_Hans_CN": "已签约", "color": "green", "probability": "100", "kind": "won",
        "stage-version": version, "stage-base": base})
    assert saved.status_code == 302, saved.text[:3000]
    assert admin.post(f"/admin/processes/{process.id}/name", data={"label-en": "Key accounts",
                                                                   "label-zh_Hans_CN": "大客户"}).status_code == 302
    deal = pipe.deal(people.rep, pipe.customer(people.rep))
    pipe.admin.post("/pipeline/board/move", data={"deal": deal, "stage": won})
    zh_board, en_board = chinese.get("/pipeline/").text, english.get("/pipeline/").text
    assert "已签约" in zh_board and "Signed" not in zh_board
    assert "Signed" in en_board and "已签约" not in en_board
    assert "已签约" in chinese.get(f"/pipeline/deals/{deal}").text
    speaks(app, people.admin, ZH)
    assert "大客户" in admin.get("/admin/processes/").text and "已签约" in admin.get(f"/admin/processes/{process.id}").text
    # Left as the catalogue reads it, a built-in stage stays translated: nothing is stored.
    lost = pipe.stage("lost")
    with app.app_context():
        before = Stage.get_by_id(lost)
    page = admin.get(f"/admin/processes/{process.id}?stage={lost}").text
    assert 'value="输单"' in page or 'value="Lost"' in page
    with app.app_context():
        assert Stage.get_by_id(lost).labels == before.labels == {}


def test_a_lost_reason_reads_in_each_readers_language(app, people, readers, pipe):
    from plugins.pipeline.models import LostReason

    admin, english, chinese = readers
    admin.get("/pipeline/settings")
    added = admin.post("/pipeline/settings/lost-reasons", data={"action": "add", "label-en": "Too slow", "label-zh_Hans_CN": "太慢"})
    assert added.status_code == 302
    with app.app_context():
        reason = LostReason.get(LostReason.label == "Too slow")
        timing = LostReason.get(LostReason.label == "Timing")
    assert reason.labels == {"en": "Too slow", "zh_Hans_CN": "太慢"}
    renamed = admin.post("/pipeline/settings/lost-reasons", data={
        "action": "rename", "reason": timing.id, "label-en": "Bad timing", "label-zh_Hans_CN": "时机不对"})
    assert renamed.status_code == 302
    deal = pipe.deal(people.rep, pipe.customer(people.rep), lost_reason="Timing")
    pipe.admin.post("/pipeline/board/move", data={"deal": deal, "stage": pipe.stage("lost"), "lost_reason": "Timing"})
    assert "时机不对" in chinese.get(f"/pipeline/deals/{deal}").text
    assert "Bad timing" in english.get(f"/pipeline/deals/{deal}").text
    settings = admin.get("/pipeline/settings").text
    assert 'value="太慢"' in settings and 'value="时机不对"' in settings
    edit = chinese.get(f"/pipeline/deals/{deal}/edit")
    if edit.status_code == 200:
        assert "太慢" in edit.text


@pytest.mark.parametrize("path, data", [
    ("/admin/entities/new", {"label-en": "x" * 10000, "label-zh_Hans_CN": "名"}),
    ("/admin/entities/{entity}/fields/new", {"type": "text", "label-en": "ok", "label-zh_Hans_CN": "长" * 10000}),
    ("/admin/entities/{entity}/settings", {"label-en": "x" * 10000, "label-zh_Hans_CN": ""}),
    ("/admin/processes/{process}/name", {"label-en": "", "label-zh_Hans_CN": "长" * 10000}),
    ("/admin/processes/{process}/stages", {"label-en": "x" * 10000, "kind": "open", "probability": "1"}),
    ("/admin/entities/{entity}/fields/new", {"type": "text", "label-en": "a\x00b"}),
])
def test_hostile_labels_are_refused_with_a_message(app, people, login, competitor, path, data):
    from core.lowcode.models import AuditEntry, Process
    from core.lowcode.processes import ensure_defaults

    admin = login(people.admin)
    with app.test_request_context():
        ensure_defaults()
        process = Process.get(Process.key == "pipeline.sales").id
        audited = AuditEntry.select().count()
    response = admin.post(path.format(entity=competitor, process=process), data=data)
    assert 400 <= response.status_code < 500
    assert "characters" in response.text or "NUL" in response.text
    with app.app_context():
        assert AuditEntry.select().count() == audited  # nothing written


def test_a_lost_reason_too_long_is_refused(app, people, login):
    from plugins.pipeline.models import LostReason

    admin = login(people.admin)
    admin.get("/pipeline/settings")
    with app.app_context():
        count = LostReason.select().count()
    response = admin.post("/pipeline/settings/lost-reasons", data={"action": "add", "label-en": "x" * 10000}, follow_redirects=True)
    assert response.status_code == 200 and "1 to 120 characters" in response.text
    with app.app_context():
        assert LostReason.select().count() == count
