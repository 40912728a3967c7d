"""An export follows a filter applied in place: after a search swaps the results, the export links
carry the search."""
import re

import pytest
from playwright.sync_api import expect

from core.lowcode import records
from core.lowcode.entities import get_entity

from ..conftest import htmx_settled
from ..lowcode.conftest import make_entity
from .test_shell import sign_in

pytestmark = pytest.mark.browser


def test_the_export_links_carry_a_search_typed_in_place(page, live_server):
    people = live_server.people
    competitor = make_entity(live_server.app, people.admin, fields=[{"type": "text", "label": "Code"}])
    with live_server.app.test_request_context():
        for name in ("Initech", "Globex"):
            records.save(get_entity(competitor), people.admin, {"name": name})
    sign_in(page, "admin@example.com")
    page.goto(f"/records/{competitor}/")
    export = page.locator('a[href*="/export.csv"]')  # in a closed menu: there, not visible
    assert "q=" not in export.get_attribute("href")
    with htmx_settled(page):
        page.get_by_role("searchbox", name="Search").fill("Globex")
    expect(page.locator("#records-results")).not_to_contain_text("Initech")
    assert re.search(r"/export\.csv\?(.*&)?q=Globex", export.get_attribute("href"))
    xlsx = page.locator('a[href*="/export.xlsx"]')
    assert re.search(r"/export\.xlsx\?(.*&)?q=Globex", xlsx.get_attribute("href"))
    assert export.count() == 1  # swapped, not added
