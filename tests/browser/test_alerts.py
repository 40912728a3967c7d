"""An alert in Chromium, on SQLite and PostgreSQL: a manager saves a report, adds an alert on its
page (htmx swaps the report's alerts), the check runs, the alert appears once in Fired alerts and
on My day; a second check does not fire it again; read, it leaves My day."""

import pytest
from playwright.sync_api import expect

from core.lowcode import records
from core.lowcode.entities import get_entity
from plugins.analytics import alerts

from .test_shell import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def live_server(served):
    """This module's pages run on both databases."""
    return served


def check(live_server):
    with live_server.app.test_request_context():
        return alerts.check_all()


def test_an_alert_added_on_a_report_fires_once(page, live_server):
    people = live_server.people
    with live_server.app.test_request_context():
        for owner, amount in ((people.rep, 300), (people.rep, 200), (people.colleague, 70)):
            customer, _ = records.save(get_entity("pipeline.customer"), owner, {"name": f"Buyer {amount}"})
            records.save(get_entity("pipeline.deal"), owner, {"name": f"Deal {amount}", "customer": customer.id, "amount": amount})
    sign_in(page, "manager@example.com")
    page.goto("/analytics/build?entity=pipeline.deal&g1=owner&agg=count&chart=bar")
    expect(page.locator(".report-preview")).to_contain_text("Rita Rep")
    page.get_by_label("Report name (English)").fill("Deals by rep")
    page.get_by_role("button", name="Save report").click()
    expect(page.locator(".flash-success")).to_contain_text("Deals by rep is saved.")

    page.get_by_text("Add an alert").click()
    # The form shows the settings of the number it watches: none extra for the report's value.
    expect(page.locator(".alert-share")).to_be_hidden()
    page.get_by_label("Number to watch").select_option("share")
    expect(page.locator(".alert-share")).to_be_visible()
    expect(page.locator(".alert-pace")).to_be_hidden()
    page.get_by_label("Number to watch").select_option("value")
    page.get_by_label("Alert name").fill("Busy rep")
    page.get_by_label("Of the report").select_option(label="any one of its rows")
    page.get_by_label("How it compares").select_option(label="≥")
    page.get_by_label("Threshold value").fill("2")
    page.get_by_role("button", name="Save alert").click()
    alerts_section = page.locator("section[id^=analytics-alerts-]")
    expect(alerts_section.locator("tbody tr")).to_have_count(1)  # swapped in by htmx
    expect(alerts_section).to_contain_text("Busy rep")
    expect(alerts_section).to_contain_text("Not checked yet")

    assert check(live_server) == (1, 1)  # Rita has 2 deals
    page.reload()
    expect(alerts_section).to_contain_text("True now · Rita Rep 2")
    page.get_by_role("link", name="Fired alerts").click()
    expect(page.locator(".alert-event")).to_have_count(1)
    expect(page.locator(".alert-event")).to_contain_text("Busy rep: Rita Rep 2 (≥ 2)")

    assert check(live_server) == (1, 0)  # still true: not again
    page.reload()
    expect(page.locator(".alert-event")).to_have_count(1)
    page.goto("/timemgmt/")
    expect(page.locator("main")).to_contain_text("Busy rep: Rita Rep 2 (≥ 2)")
    page.goto("/analytics/alerts")
    page.get_by_role("button", name="Mark as read").click()
    expect(page.locator(".alert-event")).to_contain_text("Already read")
    page.goto("/timemgmt/")
    expect(page.locator("main")).not_to_contain_text("Busy rep")
