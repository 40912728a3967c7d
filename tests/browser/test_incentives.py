"""Incentives in Chromium: an admin sets up a plan, a rep asks "what if I win this deal", the manager
approves last month, a deal reopened after approval lands as a correction this month, and an award
is confirmed onto the wall of fame."""
import datetime

import pytest
from playwright.sync_api import expect

from core.lowcode import records
from core.lowcode.entities import get_entity
from core.lowcode.models import Process, Stage
from core.lowcode.processes import ensure_defaults
from plugins.incentives import services
from plugins.pipeline.models import Deal

from ..conftest import htmx_settled
from .test_shell import sign_in

pytestmark = pytest.mark.browser
TODAY = datetime.datetime.now(datetime.UTC).date()
MONTH = services.period_of("month", TODAY)
LAST = services.period_of("month", MONTH[0] - datetime.timedelta(days=1))


def deal(live_server, owner, amount, won_on=None, close=None) -> int:
    with live_server.app.test_request_context():
        ensure_defaults()
        customer, _ = records.save(get_entity("pipeline.customer"), owner, {"name": f"Customer {amount}"})
        made, _ = records.save(get_entity("pipeline.deal"), owner, {"name": f"Deal {amount}", "customer": customer.id,
                                                                      "amount": amount, "expected_close": close})
        if won_on:
            stage = Stage.select().join(Process).where(Process.key == "pipeline.sales", Stage.kind == "won").get()
            Deal.update(stage=stage.id, closed_at=datetime.datetime.combine(won_on, datetime.time(12))).where(Deal.id == made.id).execute()
        return made.id


def test_a_plan_a_what_if_an_approval_and_a_correction(page, live_server, browser):
    people = live_server.people
    reopened = deal(live_server, people.rep, 150_000, won_on=LAST[0])
    deal(live_server, people.rep, 60_000, won_on=MONTH[0])
    deal(live_server, people.rep, 50_000, close=MONTH[1])

    sign_in(page, "admin@example.com")
    page.goto("/incentives/plans/new")
    page.get_by_label("Plan name (English)").fill("Monthly commission")
    page.get_by_label("Pays on").select_option(label="Won revenue")
    page.get_by_label("Applies from").fill("2020-01-01")
    page.get_by_label("Tiers are % of each person's goal for the period").uncheck()
    for row, (start, rate) in enumerate([("0", "0"), ("100000", "3"), ("200000", "5")]):
        page.get_by_label(f"Tier {row + 1} from").fill(start)
        page.get_by_label(f"Tier {row + 1} rate").fill(rate)
    page.get_by_role("button", name="Save plan").click()
    expect(page.locator(".flash-success")).to_contain_text("Monthly commission is saved.")

    rep = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 800}).new_page()
    sign_in(rep, "rep@example.com")
    rep.goto("/incentives/")
    rep.get_by_role("link", name="Monthly commission").click()
    expect(rep.locator(".statement")).to_contain_text("60,000.00")
    with htmx_settled(rep):
        rep.get_by_label("Deal 50000").check()
    # 110,000: 10,000 above 100,000 at 3 %
    expect(rep.locator("#what-if-result")).to_contain_text("With 50,000.00 more: 300.00 CNY instead of 0.00")
    expect(rep.locator("#what-if-result")).to_contain_text("90,000.00 more reaches the next tier")
    rep.emulate_media(media="print")  # the printable statement: its lines, not the shell, the buttons or the what-if
    expect(rep.locator(".statement")).to_be_visible()
    for hidden in (".sidebar", "#what-if-result", "[data-print]"):
        expect(rep.locator(hidden)).to_be_hidden()
    rep.emulate_media(media="screen")

    manager = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800}).new_page()
    sign_in(manager, "manager@example.com")
    key = services.period_key("month", LAST[0])
    manager.goto("/incentives/")
    manager.get_by_role("link", name="Statements").click()
    manager.get_by_role("link", name=services.period_label("month", LAST[0])).click()
    row = manager.locator("tr", has_text="Rita Rep")
    expect(row).to_contain_text("1,500.00")  # 50,000 above 100,000 at 3 %
    row.get_by_role("button", name="Approve").click()
    expect(manager.locator("tr", has_text="Rita Rep")).to_contain_text("Approved")

    with live_server.app.app_context():  # the deal is reopened after the month was approved
        ensure_defaults()
        first = Stage.select().join(Process).where(Process.key == "pipeline.sales", Stage.kind == "open").order_by(Stage.position).first()
        Deal.update(stage=first.id, closed_at=None).where(Deal.id == reopened).execute()
    manager.goto(f"/incentives/plans/1/{key}/{people.rep.id}")
    expect(manager.locator(".statement")).to_contain_text("1,500.00 CNY")  # locked
    manager.goto(f"/incentives/plans/1/{services.period_key('month', MONTH[0])}/{people.rep.id}")
    expect(manager.locator(".statement")).to_contain_text(f"Correction for {key}")
    expect(manager.locator(".statement")).to_contain_text("-1,500.00")

    # An award: the admin defines it, the manager confirms the nominee the numbers put forward, the wall shows it.
    page.goto("/incentives/awards/new")
    page.get_by_label("Award name (English)").fill("Best seller")
    page.get_by_label("Decided by (not for a nominated award)").select_option(label="Won revenue")
    page.get_by_role("button", name="Save award").click()
    expect(page.locator(".flash-success")).to_contain_text("Best seller is saved.")
    manager.goto("/incentives/awards")
    nominee = manager.locator(".nominee").first
    expect(nominee).to_contain_text("Rita Rep")
    nominee.get_by_label("Note for Rita Rep").fill("Opened the month with the biggest deal")
    nominee.get_by_role("button", name="Confirm").click()
    expect(manager.locator(".flash-success")).to_contain_text("Rita Rep receives Best seller.")
    rep.goto("/incentives/awards/wall")
    expect(rep.locator("main")).to_contain_text("Opened the month with the biggest deal")
