"""A rep picks a customer that is not among a deal form's latest fifty by typing part of its name."""
import pytest
from playwright.sync_api import expect

from core.lowcode import records
from core.lowcode.entities import get_entity
from plugins.pipeline.models import Deal

from .test_shell import sign_in

pytestmark = pytest.mark.browser


def test_a_rep_finds_an_older_customer_by_typing_and_saves_the_deal(page, live_server):
    people = live_server.people
    with live_server.app.test_request_context():
        for number in range(60):
            records.save(get_entity("pipeline.customer"), people.rep, {"name": f"Customer {number:03d}"})
    sign_in(page, "rep@example.com")
    page.goto("/records/pipeline.deal/new")
    customer = page.locator("select#customer")
    expect(customer.locator("option", has_text="Customer 004")).to_have_count(0)  # older than the latest fifty
    page.get_by_label("Find: Customer").fill("004")
    expect(customer.locator("option", has_text="Customer 004")).to_have_count(1)
    customer.select_option(label="Customer 004")
    page.locator("input#name").fill("Found by typing")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Found by typing is saved.")).to_be_visible()
    with live_server.app.app_context():
        assert Deal.get(Deal.name == "Found by typing").customer.name == "Customer 004"
