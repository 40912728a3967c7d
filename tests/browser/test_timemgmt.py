"""My day in Chromium: a manager plans the day from the matrix (a task dragged to "Do now"),
delegates a task that then shows on the rep's day, and runs a focus session across a page change
with the time left in the top bar."""
import datetime

import pytest
from playwright.sync_api import expect

from plugins.timemgmt.models import Task

from .test_board_drop import drag_onto
from .test_shell import sign_in

pytestmark = pytest.mark.browser
TODAY = datetime.datetime.now(datetime.UTC).date()


def test_a_manager_plans_delegates_and_focuses(page, live_server, browser):
    people = live_server.people
    with live_server.app.app_context():
        review = Task.create(title="Review the forecast", owner=people.manager.id, created_by=people.manager.id).id
        Task.create(title="Call the biggest customer", owner=people.manager.id, created_by=people.manager.id, important=True, urgent=True)
        tender = Task.create(title="Chase the tender papers", owner=people.manager.id, created_by=people.manager.id, urgent=True).id

    sign_in(page, "manager@example.com")
    page.goto("/timemgmt/matrix")
    do_now = page.locator('[data-stage="do"]')
    expect(page.locator('[data-stage="drop"]')).to_contain_text("Review the forecast")
    with page.expect_response("**/timemgmt/matrix/move"):
        drag_onto(page, page.locator(f'[data-card="{review}"] .deal-title'), do_now)
    expect(page.locator(".board-dialog")).to_contain_text("is now in Do now")
    expect(do_now).to_contain_text("Review the forecast")
    with live_server.app.app_context():
        assert (Task.get_by_id(review).important, Task.get_by_id(review).urgent) == (True, True)
    page.goto("/timemgmt/")
    page.get_by_role("button", name="Accept this plan").click()
    expect(page.locator(".flash-success")).to_contain_text("Your plan for today is set.")

    # Delegate the urgent, unimportant task to Rita.
    page.goto(f"/timemgmt/tasks/{tender}")
    page.get_by_label("To", exact=True).select_option(label="Rita Rep")
    page.get_by_label("Expected outcome").fill("The papers, signed")
    page.get_by_label("Check back on").fill(TODAY.isoformat())
    page.get_by_role("button", name="Hand it over").click()
    expect(page.locator("#timemgmt-delegation-" + str(tender))).to_contain_text("Open")
    rep = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 800}).new_page()
    sign_in(rep, "rep@example.com")
    rep.goto("/timemgmt/")
    expect(rep.locator("#timemgmt-plan")).to_contain_text("Chase the tender papers")
    expect(rep.locator("#timemgmt-plan")).to_contain_text("from Max Manager")
    page.goto("/timemgmt/")
    expect(page.locator("#timemgmt-plan")).to_contain_text("Check back with Rita Rep")

    # Focus on the forecast, wander off to the pipeline, come back: the session still runs.
    page.goto(f"/timemgmt/tasks/{review}")
    page.get_by_role("button", name="Focus on it").click()
    expect(page.locator(".focus-time")).to_contain_text("2")
    shown = page.locator(".focus-time").inner_text()
    expect(page.locator(".focus-time")).not_to_have_text(shown)  # the seconds move on between the server's answers
    page.goto("/pipeline/")
    expect(page.locator(".focus-clock")).to_contain_text(":")
    page.locator(".focus-clock").click()
    expect(page.locator(".focus-kind")).to_contain_text("Review the forecast")
    page.get_by_role("button", name="Finish").click()
    expect(page.locator(".table")).to_contain_text("25")
