"""Data health in Chromium, on SQLite and PostgreSQL: a manager sees a deal past its expected close
counted against its rep, follows "Fix these" to exactly that deal, moves its date, and the check
and the rep's score come back clean."""
import datetime

import pytest
from playwright.sync_api import expect

from core.lowcode import records
from core.lowcode.entities import get_entity
from core.lowcode.processes import ensure_defaults

from .test_shell import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def live_server(served):
    """This module's pages run on both databases."""
    return served


def test_a_manager_fixes_what_data_health_lists(page, live_server):
    people = live_server.people
    yesterday = datetime.datetime.now(datetime.UTC).date() - datetime.timedelta(days=1)
    with live_server.app.test_request_context():
        ensure_defaults()
        for name, close in (("Late deal", yesterday), ("Fine deal", yesterday + datetime.timedelta(days=40))):
            customer, _ = records.save(get_entity("pipeline.customer"), people.rep, {"name": f"Buyer of {name}", "phone": "13800000001"
                                                                                      if name == "Late deal" else "13800000002"})
            records.save(get_entity("pipeline.deal"), people.rep, {"name": name, "customer": customer.id, "amount": 100,
                                                                    "expected_close": close})
    sign_in(page, "manager@example.com")
    page.goto("/analytics/health")
    overdue = page.locator("tr", has_text="Open deals whose expected close has passed")
    expect(overdue.locator("td.amount")).to_have_text("1")
    rita = page.locator("tr", has_text="Rita Rep")
    expect(rita.locator("strong")).not_to_have_text("100")
    overdue.get_by_role("link", name="Fix these").click()
    expect(page.locator("main")).to_contain_text("Late deal")
    expect(page.locator("main")).not_to_contain_text("Fine deal")
    page.get_by_role("link", name="Late deal").first.click()
    page.locator("main").get_by_role("link", name="Edit", exact=True).click()
    page.get_by_label("Expected close").fill((yesterday + datetime.timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flash-success")).to_be_visible()
    page.goto("/analytics/health")
    expect(page.locator("tr", has_text="Open deals whose expected close has passed").locator("td.amount")).to_have_text("0")
    expect(page.locator("tr", has_text="Rita Rep").locator("strong")).to_have_text("100")
