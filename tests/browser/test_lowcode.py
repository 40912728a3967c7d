"""The low-code layer in Chromium: design a form by drag and drop, move a record into an approval
stage, import a file with errors."""
import re

import pytest
from playwright.sync_api import expect

from core.lowcode import records
from core.lowcode.entities import get_entity
from core.lowcode.models import Process, Stage

from ..conftest import htmx_settled
from ..lowcode.conftest import make_entity
from .test_shell import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def competitor(live_server):
    return make_entity(live_server.app, live_server.people.admin, fields=[
        {"type": "text", "label": "Code"},
        {"type": "integer", "label": "Staff"},
    ])


def drag(page, source, target):
    """Drag with the mouse, step by step, as a person does (Sortable runs in fallback mode)."""
    box, goal = source.bounding_box(), target.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    for step in range(1, 16):
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + (goal["y"] - box["y"]) * step / 15 - 4)
        page.wait_for_timeout(20)  # Sortable follows the pointer frame by frame
    page.mouse.up()


def test_an_admin_designs_a_form_with_drag_and_drop(page, live_server, competitor):
    sign_in(page, "admin@example.com")
    page.goto(f"/admin/entities/{competitor}/fields")
    with htmx_settled(page):
        page.get_by_role("link", name="+ Add a field").click()
    with htmx_settled(page):
        page.locator("#field-editor").get_by_role("link", name="Choice from a list").click()
    page.get_by_label("Label (English)").press_sequentially("Threat level", delay=30)  # typed, as a person does
    expect(page.locator("#form-preview")).to_contain_text("Threat level")  # the preview follows the typing
    page.get_by_label("Option 1 (English)").fill("High")
    page.get_by_label("Option 2 (English)").fill("Low")
    page.get_by_role("button", name="Save field").click()
    expect(page.locator("#field-editor")).to_contain_text("Threat level is added.")
    expect(page.locator("#field-list")).to_contain_text("Threat level")

    items = page.locator("#field-list .field-item")
    expect(items.first).to_contain_text("Name")
    page.wait_for_function("document.querySelector('#field-list form').sortable")  # the refreshed list is ready
    page.evaluate("window.scrollTo(0, 0)")  # back up to the top of the list
    drag(page, items.filter(has_text="Threat level").locator(".handle"), items.first)
    expect(items.first).to_contain_text("Threat level")
    expect(page.locator("#form-preview label").first).to_have_text("Threat level")
    page.reload()
    expect(page.locator("#field-list .field-item").first).to_contain_text("Threat level")
    page.goto(f"/records/{competitor}/new")
    expect(page.locator("#record-form label").first).to_have_text("Threat level")


@pytest.fixture
def reviewed(live_server, competitor):
    """A process whose second stage needs a code and a manager's approval, and a rep's record."""
    app, people = live_server.app, live_server.people
    with app.test_request_context():
        process = Process.create(key="review", label="Review", entity=competitor)
        Stage.create(process=process, key="new", label="New", position=0, color="blue")
        Stage.create(process=process, key="review", label="Under review", position=1, color="purple",
                     needs_approval=True, required_fields=["code"])
        Stage.create(process=process, key="won", label="Signed", position=2, kind="won", color="green")
        record, _ = records.save(get_entity(competitor), people.rep, {"name": "Initech"})
    return record.id


def test_a_rep_moves_a_record_into_an_approval_stage_and_the_manager_approves(browser, page, live_server, competitor, reviewed):
    sign_in(page, "rep@example.com")
    page.goto(f"/records/{competitor}/{reviewed}")
    expect(page.locator(".stage-current")).to_have_text("New")
    with htmx_settled(page):
        page.get_by_role("button", name=re.compile("Under review")).click()
    panel = page.locator("#move-panel")
    expect(panel).to_contain_text("Under review needs these fields first:")
    with htmx_settled(page):  # typing before the answer is swapped in would type into the old form
        panel.get_by_role("button", name="Move").click()
    expect(panel).to_contain_text("Under review needs this field.")
    panel.get_by_label("Code").fill("IN-7")
    panel.get_by_role("button", name="Move").click()
    expect(page.get_by_text("Moving to Under review waits for a manager's approval.")).to_be_visible()
    expect(page.locator(".stage-current")).to_have_text("New")

    manager = browser.new_context(base_url=live_server.url).new_page()
    sign_in(manager, "manager@example.com")
    manager.get_by_role("link", name="Approvals").click()
    item = manager.locator(".approvals li").filter(has_text="Initech")
    expect(item).to_contain_text("Rita Rep asks to move it from New to Under review.")
    item.get_by_role("button", name="Approve").click()
    expect(manager.get_by_text("Initech is moved to Under review.")).to_be_visible()
    manager.context.close()

    page.reload()
    expect(page.locator(".stage-current")).to_have_text("Under review")
    expect(page.locator(".record-fields")).to_contain_text("IN-7")
    expect(page.locator(".history")).to_contain_text("approved the move")


def test_a_rep_imports_a_file_fixes_its_errors_and_imports_it(page, live_server, competitor, tmp_path):
    broken = tmp_path / "companies.csv"
    broken.write_text("Name,Staff,Code\nGlobex,120,GL1\nHooli,many,HO2\n,5,XX\n", encoding="gbk")
    sign_in(page, "rep@example.com")
    page.goto(f"/records/{competitor}/")
    page.get_by_role("link", name="Import").click()
    page.get_by_label("A CSV or Excel (.xlsx) file").set_input_files(str(broken))
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("heading", name="Match the columns")).to_be_visible()
    page.get_by_role("button", name="Check the file").click()
    check = page.locator("#import-check")
    expect(check).to_contain_text("2 problems: nothing can be imported yet")
    expect(check).to_contain_text("Not a number.")
    expect(check).to_contain_text("Name cannot be empty.")
    with page.expect_download() as download:
        check.get_by_role("link", name="Download the list of problems").click()
    assert "Not a number." in download.value.path().read_text(encoding="utf-8-sig")

    fixed = tmp_path / "companies-fixed.csv"
    fixed.write_text("Name,Staff,Code\nGlobex,120,GL1\nHooli,300,HO2\nPied Piper,5,PP3\n", encoding="utf-8")
    page.goto(f"/records/{competitor}/import")
    page.get_by_label("A CSV or Excel (.xlsx) file").set_input_files(str(fixed))
    page.get_by_role("button", name="Upload").click()
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("#import-check")).to_contain_text("3 rows are ready to import.")
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_text("Imported: 3 created, 0 updated, 0 skipped.")).to_be_visible(timeout=15000)
    page.get_by_role("link", name="See the records").click()
    expect(page.locator("#records-results")).to_contain_text("Pied Piper")
