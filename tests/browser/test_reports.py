"""A report built in Chromium on SQLite and PostgreSQL, as the issue's manager does it: won revenue
by industry (a custom field) by quarter as a stacked chart, previewed as the choices change,
compared with the month before, saved, drilled into from a cell, and pinned to the home page."""
import datetime
import re

import pytest
from playwright.sync_api import expect

from core.lowcode import definitions, records
from core.lowcode.entities import get_entity
from core.lowcode.models import Process, Stage
from core.lowcode.processes import ensure_defaults
from plugins.pipeline.models import Deal

from .test_shell import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def live_server(served):
    """This module's pages run on both databases."""
    return served


def idle(page):
    """Each choice redraws the builder; the next waits for it (a newer request replaces one still on
    its way, and htmx reports the dropped one in the console, which the page fixture counts as an error)."""
    expect(page.locator(".htmx-request")).to_have_count(0)


# A choice made while the builder's last request is on its way replaces it (hx-sync): htmx reports
# the dropped request in the console, which is what the builder means to do.
@pytest.mark.expect_console(r"^htmx:(sendAbort|afterRequest), ")
def test_build_save_drill_and_pin(page, live_server):
    people = live_server.people
    today = datetime.datetime.now(datetime.UTC).date()
    with live_server.app.test_request_context():
        ensure_defaults()
        definitions.add_field(get_entity("pipeline.deal"), {"type": "select", "key": "industry", "label": "Industry", "options": {
            "choices": [{"label": "Retail", "position": 0}, {"label": "Energy", "position": 1}]}}, people.admin)
        won = Stage.select().join(Process).where(Process.key == "pipeline.sales", Stage.kind == "won").get()
        for owner, amount, industry in ((people.rep, 300, "retail"), (people.rep, 200, "energy"), (people.colleague, 70, "retail"),
                                        (people.rep, 999, "energy")):
            customer, _ = records.save(get_entity("pipeline.customer"), owner, {"name": f"Buyer {amount}"})
            deal, _ = records.save(get_entity("pipeline.deal"), owner, {"name": f"Deal {amount}", "customer": customer.id,
                                                                          "amount": amount, "industry": industry})
            if amount != 999:  # still open: not counted
                Deal.update(stage=won.id, closed_at=datetime.datetime.combine(today, datetime.time(1))).where(Deal.id == deal.id).execute()
    sign_in(page, "manager@example.com")
    page.goto("/analytics/")
    page.get_by_role("link", name="New report").first.click()
    expect(page).to_have_url(re.compile(r"/analytics/build"))
    page.wait_for_load_state("load")  # htmx listens for the choices once the page has loaded
    # Each choice redraws the builder (htmx); wait for what it shows before the next one.
    page.get_by_label("What to count").select_option(label="Deals")
    idle(page)
    expect(page.locator("#report-g1 option", has_text="Industry")).to_have_count(1)  # the deals' fields are there
    page.get_by_label("Group by").select_option(label="Industry")
    idle(page)
    expect(page.locator(".report-preview")).to_contain_text("Retail")
    page.get_by_label("Then by (optional)").select_option(label="Closed on")
    idle(page)
    expect(page.locator("select[name=b2]")).to_be_visible()
    page.locator("select[name=b2]").select_option(value="quarter")
    idle(page)
    expect(page.locator(".report-preview thead")).to_contain_text("Closed on")
    page.get_by_label("Show").select_option(label="Sum")
    idle(page)
    expect(page.locator(".report-preview")).to_contain_text("Choose a number field to add up.")
    page.get_by_label("Of (for a sum or an average)").select_option(label="Amount")
    idle(page)
    expect(page.locator(".report-preview")).not_to_contain_text("Choose a number field")
    page.locator("fieldset select[name=fk]").first.select_option(label="Stage")
    idle(page)
    page.locator("fieldset select[name=fo]").first.select_option(value="won")
    idle(page)
    expect(page.locator(".report-preview")).not_to_contain_text("999")
    expect(page.locator(".report-preview")).to_contain_text("370")  # retail: 300 + 70
    page.get_by_label("Chart").select_option(value="stacked")
    idle(page)
    expect(page.locator(".report-preview img.report-chart")).to_be_visible()
    # This month against the month before and the same month a year before, on every row.
    page.get_by_label("Compare").select_option(value="month")
    idle(page)
    expect(page.locator(".report-preview thead")).to_contain_text("The period before")
    page.get_by_label("A record's period is that of").select_option(label="Closed on")
    idle(page)
    expect(page.locator(".report-preview")).to_contain_text("370")
    page.get_by_label("Report name (English)").fill("Won revenue by industry")
    page.get_by_label("Who sees it").select_option(label="My team")
    idle(page)
    page.get_by_role("button", name="Save report").click()
    expect(page.locator(".flash-success")).to_contain_text("Won revenue by industry is saved.")
    page.get_by_role("button", name="Pin to my home page").click()
    page.get_by_role("link", name="370").click()
    expect(page.locator("main")).to_contain_text("Deal 300")
    expect(page.locator("main")).to_contain_text("Deal 70")
    expect(page.locator("main")).not_to_contain_text("Deal 200")
    expect(page.locator("main")).not_to_contain_text("Deal 999")
    page.goto("/")
    expect(page.locator('[data-widget^="analytics:report-"]')).to_contain_text("Won revenue by industry")
