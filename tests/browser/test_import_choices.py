"""Issue 9 in Chromium: an import's rows that look like existing records are listed with their names
and a choice each; "set every row to" changes them all in place, one row is then set to update the
record it resembles, and the result names what happened to each. The preview fits a phone."""
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from core.lowcode import records
from core.lowcode.entities import get_entity
from core.models import User

from ..conftest import htmx_settled
from .test_shell import sign_in

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("SALESDECK_SHOTS")  # a folder: screenshots of the preview are kept there
PHONE = {"width": 390, "height": 844}
FILE = b"name,phone\nACME trading,1\nBlue Sky Trading Co,2\nNew Co,3\n"


def customers(live_server):
    people = live_server.people
    with live_server.app.test_request_context():
        schema = get_entity("pipeline.customer")
        acme, _changes = records.save(schema, people.rep, {"name": "Acme Trading Ltd", "phone": "0"})
        records.save(schema, people.outsider, {"name": "Blue Sky Trading"})
        return acme.id


def checked_preview(page):
    page.goto("/records/pipeline.customer/import")
    page.set_input_files("#file", files=[{"name": "customers.csv", "mimeType": "text/csv", "buffer": FILE}])
    page.locator("form[enctype] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/records/pipeline\.customer/import/[0-9a-f]+$"))
    page.locator("form.card[method=post] > button[type=submit]").click()
    expect(page.locator("#import-duplicates")).to_be_visible()


def test_set_every_row_then_choose_one_and_see_what_was_done(page, live_server):
    acme = customers(live_server)
    sign_in(page, "rep@example.com")
    checked_preview(page)
    acme_row, blue_row = page.locator("#import-duplicate-2"), page.locator("#import-duplicate-3")
    expect(acme_row).to_contain_text("ACME trading")
    expect(blue_row).to_contain_text("Blue Sky Trading Co")
    expect(blue_row).to_contain_text("owned by Olga Outsider")
    expect(blue_row.locator("a")).to_have_count(0)  # not the rep's to open
    expect(acme_row.get_by_role("combobox")).to_have_value("skip")

    with htmx_settled(page):
        page.locator("#import-set-all").get_by_role("link", name="create a new record").click()
    expect(acme_row.get_by_role("combobox")).to_have_value("create")
    expect(blue_row.get_by_role("combobox")).to_have_value("create")
    acme_row.get_by_role("combobox").select_option(f"update:{acme}")
    page.get_by_role("button", name="Import", exact=True).click()

    expect(page.get_by_role("status")).to_contain_text("Imported: 2 created, 1 updated, 0 skipped.")
    expect(page.locator("#import-outcome-update")).to_contain_text("ACME trading")
    expect(page.locator("#import-outcome-create")).to_contain_text("Blue Sky Trading Co")
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / "import-choices-result-en-1280.png"), full_page=True)


@pytest.mark.parametrize("locale", ["en", "zh_Hans_CN"])
def test_the_preview_fits_a_phone(page, live_server, locale):
    customers(live_server)
    with live_server.app.app_context():
        User.update(locale=locale).where(User.id == live_server.people.rep.id).execute()
    sign_in(page, "rep@example.com")
    checked_preview(page)
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"import-choices-{locale}-1280.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.reload()
    expect(page.locator("#import-duplicates")).to_be_visible()
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"import-choices-{locale}-390.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the import preview is {width} px wide on a {PHONE['width']} px screen"
