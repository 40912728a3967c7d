"""A report built in Chromium: won deals' amount by owner, previewed as the choices change, compared
with the month before, saved, drilled into, and pinned to the home page."""
import pytest
from playwright.sync_api import expect

from core.lowcode import records
from core.lowcode.entities import get_entity

from .test_shell import sign_in

pytestmark = pytest.mark.browser


def test_build_save_drill_and_pin(page, live_server):
    people = live_server.people
    with live_server.app.test_request_context():
        for owner, amount in ((people.rep, 300), (people.rep, 200), (people.colleague, 70)):
            customer, _ = records.save(get_entity("pipeline.customer"), owner, {"name": f"Buyer {amount}"})
            records.save(get_entity("pipeline.deal"), owner, {"name": f"Deal {amount}", "customer": customer.id, "amount": amount})
    sign_in(page, "manager@example.com")
    page.goto("/analytics/")
    page.get_by_role("link", name="New report").first.click()
    # Each choice redraws the builder (htmx); wait for what it shows before the next one.
    page.get_by_label("What to count").select_option(label="Deals")
    expect(page.locator("#report-g1 option", has_text="Stage")).to_have_count(1)  # the deals' fields are there
    page.get_by_label("Group by").select_option(label="Owner")
    expect(page.locator(".report-preview")).to_contain_text("Rita Rep")
    page.get_by_label("Show").select_option(label="Sum")
    expect(page.locator(".report-preview")).to_contain_text("Choose a number field to add up.")
    page.get_by_label("Of (for a sum or an average)").select_option(label="Amount")
    expect(page.locator(".report-preview")).to_contain_text("500")
    expect(page.locator(".report-preview")).not_to_contain_text("Choose a number field")
    expect(page.locator(".report-preview img.report-chart")).to_be_visible()
    # This month against the month before and the same month a year before, on every row.
    page.get_by_label("Compare").select_option(value="month")
    expect(page.locator(".report-preview thead")).to_contain_text("The period before")
    expect(page.get_by_label("A record's period is that of")).to_have_value("created_at")
    page.get_by_label("Report name (English)").fill("Amount by rep")
    page.get_by_label("Who sees it").select_option(label="My team")
    page.get_by_role("button", name="Save report").click()
    expect(page.locator(".flash-success")).to_contain_text("Amount by rep is saved.")
    page.get_by_role("button", name="Pin to my home page").click()
    page.get_by_role("link", name="500").click()
    expect(page.locator("main")).to_contain_text("Deal 300")
    expect(page.locator("main")).not_to_contain_text("Deal 70")
    page.goto("/")
    expect(page.locator('[data-widget^="analytics:report-"]')).to_contain_text("Amount by rep")
