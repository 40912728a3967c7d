"""The team meeting in Chromium: the manager opens this week's meeting, sees the agenda built from
the data, drags a topic to the top, records a decision and an action; the action is on its owner's
day, where she ticks it off."""
import datetime

import pytest
from playwright.sync_api import expect

from core.lowcode import records
from core.lowcode.entities import get_entity
from core.lowcode.models import Process, Stage
from core.lowcode.processes import ensure_defaults
from plugins.pipeline.models import Deal

from ..conftest import htmx_settled
from .test_lowcode import drag
from .test_shell import sign_in

pytestmark = pytest.mark.browser
TODAY = datetime.datetime.now(datetime.UTC).date()


def won_deal(live_server, owner, name, amount) -> None:
    with live_server.app.test_request_context():
        ensure_defaults()
        customer, _ = records.save(get_entity("pipeline.customer"), owner, {"name": f"{name} Co"})
        made, _ = records.save(get_entity("pipeline.deal"), owner, {"name": name, "customer": customer.id, "amount": amount})
        stage = Stage.select().join(Process).where(Process.key == "pipeline.sales", Stage.kind == "won").get()
        Deal.update(stage=stage.id, closed_at=datetime.datetime.combine(TODAY, datetime.time(8))).where(Deal.id == made.id).execute()


def test_a_meeting_from_the_data_with_an_action_ticked_off_on_the_owners_day(page, live_server, browser):
    people = live_server.people
    won_deal(live_server, people.rep, "Harbour Logistics", 88_000)

    sign_in(page, "manager@example.com")
    page.goto("/team/")
    page.get_by_role("button", name="Open the meeting").click()
    topics = page.locator(".meeting-topic")
    expect(topics.first).to_contain_text("Wins to celebrate")
    expect(topics.first).to_contain_text("Rita Rep: Harbour Logistics · 88,000 CNY")
    page.get_by_placeholder("A topic of your own").fill("Trade fair booth")
    page.get_by_role("button", name="Add the topic").click()
    expect(topics.last).to_contain_text("Trade fair booth")
    with htmx_settled(page):
        drag(page, topics.last.locator(".handle"), topics.first)
    expect(topics.first).to_contain_text("Trade fair booth")
    page.reload()
    expect(page.locator(".meeting-topic").first).to_contain_text("Trade fair booth")  # the order is stored
    page.get_by_placeholder("What the team decided").fill("Two customer visits a week per rep.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator("section", has_text="Decisions")).to_contain_text("Two customer visits a week per rep.")
    page.get_by_label("Action", exact=True).fill("Send Harbour Logistics the reference case")
    page.get_by_label("Who does it").select_option(label="Rita Rep")
    page.get_by_label("Due").fill(TODAY.isoformat())
    page.get_by_role("button", name="Add the action").click()
    expect(page.locator("aside")).to_contain_text("Send Harbour Logistics the reference case")

    rep = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 800}).new_page()
    sign_in(rep, "rep@example.com")
    rep.goto("/timemgmt/")
    rep.get_by_role("link", name="Send Harbour Logistics the reference case").click()
    rep.get_by_role("button", name="Mark as done").click()
    expect(rep).to_have_url(f"{live_server.url}/timemgmt/")
    expect(rep.locator(".flash-success")).to_contain_text("Done: Send Harbour Logistics the reference case")
    expect(rep.get_by_role("link", name="Send Harbour Logistics the reference case")).to_have_count(0)
    rep.context.close()
