"""A rep's and a manager's day in the pipeline, in Chromium: drag a card into a stage that asks
for a field, log a call and schedule the next, claim a customer from the pool, merge duplicates."""
import pytest
from playwright.sync_api import expect

from core.lowcode import records
from core.lowcode.entities import get_entity
from plugins.pipeline.entities import CUSTOMER, DEAL
from plugins.pipeline.models import Activity, Customer, Deal

from .test_shell import sign_in

pytestmark = pytest.mark.browser


def make(live_server, entity, owner, **values):
    with live_server.app.test_request_context():
        record, _changes = records.save(get_entity(entity), owner, values)
        return record.id


def drag_to(page, source, target):
    """Drag with the mouse in small steps, as a person does (Sortable runs in fallback mode)."""
    box, goal = source.bounding_box(), target.bounding_box()
    start_x, start_y = box["x"] + box["width"] / 2, box["y"] + box["height"] - 8
    end_x, end_y = goal["x"] + goal["width"] / 2, goal["y"] + 30
    page.mouse.move(start_x, start_y)
    page.mouse.down()
    for step in range(1, 21):
        page.mouse.move(start_x + (end_x - start_x) * step / 20, start_y + (end_y - start_y) * step / 20)
        page.wait_for_timeout(20)
    page.mouse.up()


def test_a_card_dropped_on_lost_asks_for_the_reason_first(page, live_server):
    people = live_server.people
    acme = make(live_server, CUSTOMER, people.rep, name="Acme Trading")
    deal = make(live_server, DEAL, people.rep, name="Acme rollout", customer=acme, amount=12000)
    page.set_viewport_size({"width": 2200, "height": 900})  # every column in view
    sign_in(page, "rep@example.com")
    page.goto("/pipeline/")
    card = page.locator(f'[data-card="{deal}"]')
    lost = page.locator(".board-column", has=page.get_by_role("heading", name="Lost")).locator("[data-board-column]")
    expect(card).to_be_visible()
    page.wait_for_function("document.querySelector('[data-board-column]').sortable")
    drag_to(page, card.locator("dl"), lost)

    dialog = page.locator("#board-dialog")
    expect(dialog).to_contain_text("Lost needs these fields first")
    with live_server.app.app_context():
        assert Deal.get_by_id(deal).lost_reason == ""  # nothing happened yet
    dialog.get_by_label("Lost reason").select_option(label="Chose a competitor")
    dialog.get_by_role("button", name="Move").click()
    expect(dialog).to_contain_text("Acme rollout is now in Lost.")
    expect(page.locator(".board-column", has=page.get_by_role("heading", name="Lost"))).to_contain_text("Acme rollout")
    with live_server.app.app_context():
        moved = Deal.get_by_id(deal)
        assert moved.lost_reason.source == "Chose a competitor" and moved.closed_at is not None
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_empty()


def test_a_rep_logs_a_call_and_schedules_the_next_in_one_go(page, live_server):
    people = live_server.people
    acme = make(live_server, CUSTOMER, people.rep, name="Acme Trading")
    deal = make(live_server, DEAL, people.rep, name="Acme rollout", customer=acme, amount=12000)
    sign_in(page, "rep@example.com")
    page.goto(f"/pipeline/deals/{deal}")
    form = page.locator(".log-form")
    form.get_by_label("Kind").select_option("call")
    form.get_by_label("Subject").fill("Talked about the budget")
    form.get_by_label("Outcome").fill("They can spend 12k this quarter.")
    form.get_by_label("Next activity").select_option("quote")
    form.get_by_label("When").fill("2030-01-15T10:00")
    form.get_by_label("About").fill("Send the quote")
    form.get_by_role("button", name="Log it").click()
    expect(page.get_by_text("Logged. Next: Send the quote.")).to_be_visible()
    timeline = page.locator("#timeline")
    expect(timeline.locator(".activities").first).to_contain_text("Send the quote")
    expect(timeline.locator(".activities.done")).to_contain_text("They can spend 12k this quarter.")
    page.goto(f"/pipeline/customers/{acme}")  # the customer's timeline holds its deals' activities
    expect(page.locator("#timeline")).to_contain_text("Send the quote")
    with live_server.app.app_context():
        assert Activity.select().where(Activity.deal == deal).count() == 2


def test_a_rep_claims_a_customer_from_the_pool(page, live_server):
    people = live_server.people
    waiting = make(live_server, CUSTOMER, people.admin, name="蓝海物流股份有限公司", industry="Logistics")
    with live_server.app.app_context():
        Customer.update(owner=None).where(Customer.id == waiting).execute()
    sign_in(page, "rep@example.com")
    page.goto("/pipeline/pool")
    row = page.locator(f"#pipeline-customer-{waiting}")
    expect(row).to_contain_text("Logistics")
    row.get_by_role("button", name="Claim").click()
    expect(page.get_by_role("heading", name="蓝海物流股份有限公司")).to_be_visible()
    expect(page.get_by_text("is yours now")).to_be_visible()
    expect(page.locator(".page-head").get_by_text("Owner: Rita Rep")).to_be_visible()
    with live_server.app.app_context():
        assert Customer.get_by_id(waiting).owner_id == people.rep.id


def test_a_manager_merges_two_duplicates(page, live_server):
    people = live_server.people
    keep = make(live_server, CUSTOMER, people.rep, name="华为技术有限公司", phone="13800138000")
    other = make(live_server, CUSTOMER, people.colleague, name="华为技术", email="buy@example.com")
    make(live_server, DEAL, people.colleague, name="Phones", customer=other, amount=5000)
    sign_in(page, "manager@example.com")
    page.goto("/pipeline/duplicates")
    group = page.locator(".duplicate-group")
    expect(group).to_contain_text("same name")
    page.once("dialog", lambda dialog: dialog.accept())
    group.get_by_role("button", name="Keep 华为技术有限公司 (Rita Rep), merge 华为技术 into it").click()
    expect(page.get_by_text("华为技术 is merged into 华为技术有限公司: 0 contact(s), 1 deal(s)")).to_be_visible()
    expect(page.get_by_role("heading", name="华为技术有限公司")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Phones")
    with live_server.app.app_context():
        assert Customer.get_by_id(other).deleted_at is not None
        assert Deal.get(Deal.name == "Phones").customer_id == keep
        assert Customer.get_by_id(keep).email == "buy@example.com"
