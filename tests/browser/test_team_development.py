"""One-to-ones and training in Chromium: the manager holds today's one-to-one, which opens with
last time's open action; a course suggested from the rep's weak quote-to-win rate is assigned, and
the rep completes it on her phone with a short feedback."""
import datetime

import pytest
from playwright.sync_api import expect

from core.db import utcnow
from core.lowcode import records
from core.lowcode.entities import get_entity
from plugins.pipeline.models import Activity
from plugins.team import oneonones, training

from .test_shell import sign_in
from .test_team import TODAY, won_deal

pytestmark = pytest.mark.browser


def quotes(live_server, owner, count) -> None:
    with live_server.app.test_request_context():
        customer, _ = records.save(get_entity("pipeline.customer"), owner, {"name": f"Quoted by {owner.name}"})
        for number in range(count):
            activity, _ = records.save(get_entity("pipeline.activity"), owner, {"subject": f"Quote {number}", "kind": "quote",
                                                                                "customer": customer.id})
            Activity.update(done_at=utcnow() - datetime.timedelta(days=5)).where(Activity.id == activity.id).execute()


def test_a_one_to_one_with_last_times_action_and_a_suggested_course_completed(page, live_server, browser):
    people = live_server.people
    quotes(live_server, people.rep, 10)
    won_deal(live_server, people.rep, "Harbour Logistics", 20_000)
    quotes(live_server, people.colleague, 5)
    for number in range(5):
        won_deal(live_server, people.colleague, f"Win {number}", 10_000)
    with live_server.app.test_request_context():
        closing = training.save_skill({"name": "Closing", "labels": {}, "metric": "pipeline.quotes"}, people.admin)
        training.save_course(None, {"name": "Negotiation and closing", "labels": {}, "kind": "course", "hours": "12", "cost": "3600",
                                    "skills": [closing.id]}, people.admin)
        earlier = oneonones.open_one(people.rep, TODAY - datetime.timedelta(days=14), people.manager)
        oneonones.add_action(earlier, "Shadow two customer calls", people.rep.id, TODAY, people.manager)

    sign_in(page, "manager@example.com")
    page.goto("/team/one-to-ones")
    page.locator("tr", has_text="Rita Rep").get_by_role("button", name="Today's one-to-one").click()
    expect(page.locator("section", has_text="Last time's open actions")).to_contain_text("Shadow two customer calls")
    expect(page.locator("section", has_text="Numbers since the last one")).to_contain_text("Quotes")
    page.get_by_label("What went well").fill("The harbour deal is won.")
    page.get_by_label("Held").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flash-success")).to_contain_text("Saved.")
    expect(page.locator(".badge", has_text="Held")).to_be_visible()

    page.goto("/team/training")
    suggestion = page.locator(".suggestion", has_text="Rita Rep")
    expect(suggestion).to_contain_text("Quotes → Deals won: 10% of 10, the team's 40% (last 90 days)")
    suggestion.get_by_label("Due").fill((TODAY + datetime.timedelta(days=30)).isoformat())
    suggestion.get_by_role("button", name="Assign").click()
    expect(page.locator(".flash-success")).to_contain_text("Assigned to Rita Rep.")
    expect(page.locator(".suggestion")).to_have_count(0)

    rep = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 800}).new_page()
    sign_in(rep, "rep@example.com")
    rep.goto("/team/training")
    rep.locator("section", has_text="My training").get_by_role("link", name="Negotiation and closing").click()
    expect(rep.locator(".record-fields")).to_contain_text("Quotes → Deals won: 10% of 10")
    rep.get_by_label("Feedback").fill("The role plays helped.")
    rep.get_by_role("button", name="Mark as completed").click()
    expect(rep.locator(".flash-success")).to_contain_text("Completed: Negotiation and closing")
    expect(rep.locator(".record-fields")).to_contain_text("The role plays helped.")
    rep.context.close()
