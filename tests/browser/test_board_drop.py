"""Cards dragged on the board with the mouse land where they were dropped, stay put until a stage's
question is answered; the stand-alone move page moves the record."""
import pytest
from playwright.sync_api import expect

from core.db import utcnow
from core.lowcode.models import Stage
from plugins.pipeline.entities import CUSTOMER, DEAL
from plugins.pipeline.models import Deal

from .test_pipeline import make
from .test_shell import sign_in

pytestmark = pytest.mark.browser


def drag_onto(page, source, target, upper=True):
    """Drag with the mouse, step by step, onto the upper (or lower) part of `target`."""
    box, goal = source.bounding_box(), target.bounding_box()
    start_x, start_y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    end_x, end_y = goal["x"] + goal["width"] / 2, goal["y"] + goal["height"] * (.25 if upper else .75)
    page.mouse.move(start_x, start_y)
    page.mouse.down()
    for step in range(1, 21):
        page.mouse.move(start_x + (end_x - start_x) * step / 20, start_y + (end_y - start_y) * step / 20)
        page.wait_for_timeout(20)  # Sortable follows the pointer frame by frame
    page.mouse.up()


def column(page, name):
    return page.locator(".board-column", has=page.get_by_role("heading", name=name, exact=True))


def titles(page, name):
    return column(page, name).locator(".deal-title").all_inner_texts()


def test_a_card_dragged_between_two_cards_never_moved_stays_there(page, live_server):
    people = live_server.people
    acme = make(live_server, CUSTOMER, people.rep, name="Acme Trading")
    for name in ("First", "Second", "Third"):
        make(live_server, DEAL, people.rep, name=name, customer=acme, amount=1000)
    page.set_viewport_size({"width": 2200, "height": 900})
    sign_in(page, "rep@example.com")
    page.goto("/pipeline/")
    page.wait_for_function("document.querySelector('[data-board-column]').sortable")
    assert titles(page, "Customer development") == ["First", "Second", "Third"]

    with page.expect_response(lambda response: "/pipeline/board/move" in response.url) as answer:
        drag_onto(page, page.locator(".deal-card", has_text="Third").locator("dl"), page.locator(".deal-card", has_text="Second"))
    assert answer.value.status == 204
    page.reload()
    assert titles(page, "Customer development") == ["First", "Third", "Second"]


def test_while_a_stage_asks_for_a_field_the_card_waits_in_its_old_column(page, live_server):
    people = live_server.people
    acme = make(live_server, CUSTOMER, people.rep, name="Acme Trading")
    deal = make(live_server, DEAL, people.rep, name="Acme rollout", customer=acme, amount=12000)
    page.set_viewport_size({"width": 2200, "height": 900})
    sign_in(page, "rep@example.com")
    page.goto("/pipeline/")
    page.wait_for_function("document.querySelector('[data-board-column]').sortable")
    drag_onto(page, page.locator(f'[data-card="{deal}"]').locator("dl"), column(page, "Lost").locator("[data-board-column]"))
    dialog = page.locator("#board-dialog")
    expect(dialog).to_contain_text("Lost needs these fields first")
    expect(dialog.locator(".field-error")).to_have_count(0)  # a question, not yet an error
    expect(column(page, "Customer development")).to_contain_text("Acme rollout")
    expect(column(page, "Lost").locator(".deal-card")).to_have_count(0)
    expect(column(page, "Lost").locator(".column-count")).to_have_text("0")

    dialog.get_by_label("Lost reason").select_option(label="Timing")
    dialog.get_by_role("button", name="Move").click()
    expect(dialog).to_contain_text("Acme rollout is now in Lost.")
    expect(column(page, "Lost")).to_contain_text("Acme rollout")
    expect(column(page, "Lost").locator(".column-count")).to_have_text("1")
    with live_server.app.app_context():
        assert Deal.get_by_id(deal).lost_reason.source == "Timing"


def test_the_move_page_moves_the_record(page, live_server):
    people = live_server.people
    acme = make(live_server, CUSTOMER, people.rep, name="Acme Trading")
    deal = make(live_server, DEAL, people.rep, name="Acme rollout", customer=acme, amount=12000)
    with live_server.app.app_context():
        lost = Stage.get(Stage.key == "lost")
    sign_in(page, "rep@example.com")
    page.goto(f"/records/pipeline.deal/{deal}/move?stage={lost.id}")
    page.get_by_role("button", name="Move").click()  # without the reason: asked again, on this page
    expect(page.locator(".field-error")).to_contain_text("Lost needs this field.")
    page.get_by_label("Lost reason").select_option(label="No budget")
    page.get_by_role("button", name="Move").click()
    expect(page).to_have_url(f"{live_server.url}/pipeline/deals/{deal}")
    expect(page.locator("body")).to_contain_text("Acme rollout is now in Lost.")
    with live_server.app.app_context():
        assert Deal.get_by_id(deal).stage_id == lost.id


@pytest.mark.expect_console("404")
def test_a_refused_drop_puts_the_board_back_as_it_is(page, live_server):
    people = live_server.people
    acme = make(live_server, CUSTOMER, people.rep, name="Acme Trading")
    deal = make(live_server, DEAL, people.rep, name="Gone meanwhile", customer=acme, amount=100)
    page.set_viewport_size({"width": 2200, "height": 900})
    sign_in(page, "rep@example.com")
    page.goto("/pipeline/")
    page.wait_for_function("document.querySelector('[data-board-column]').sortable")
    with live_server.app.app_context():
        Deal.update(deleted_at=utcnow()).where(Deal.id == deal).execute()  # deleted in another tab
    drag_onto(page, page.locator(f'[data-card="{deal}"]').locator("dl"), column(page, "First contact").locator("[data-board-column]"))
    expect(page.locator("#toasts")).not_to_be_empty()
    expect(page.locator(f'[data-card="{deal}"]')).to_have_count(0)


def test_cards_a_column_shows_on_demand_are_dragged_like_the_first(page, live_server):
    people = live_server.people
    acme = make(live_server, CUSTOMER, people.rep, name="Acme Trading")
    with live_server.app.app_context():
        development = Deal.get_by_id(make(live_server, DEAL, people.rep, name="Deal 00", customer=acme)).stage_id
        now = utcnow()
        Deal.insert_many([{"name": f"Deal {n:02d}", "customer": acme, "owner": people.rep, "amount": 1, "stage": development,
                           "rank": float(n), "created_at": now, "updated_at": now, "search_text": "", "stage_entered_at": now,
                           "last_activity_at": now} for n in range(1, 25)]).execute()
    page.set_viewport_size({"width": 2200, "height": 900})
    sign_in(page, "rep@example.com")
    page.goto("/pipeline/")
    page.wait_for_function("document.querySelector('[data-board-column]').sortable")
    cards = column(page, "Customer development").locator(".deal-card")
    expect(cards).to_have_count(20)
    column(page, "Customer development").get_by_role("button", name="Show 5 more").click()
    expect(cards).to_have_count(25)
    expect(column(page, "Customer development").get_by_role("button")).to_have_count(0)
    assert titles(page, "Customer development")[-1] == "Deal 24"

    page.locator(".deal-card", has_text="Deal 24").scroll_into_view_if_needed()  # at the foot of its column
    with page.expect_response(lambda response: "/pipeline/board/move" in response.url) as answer:
        drag_onto(page, page.locator(".deal-card", has_text="Deal 24").locator("dl"),
                  column(page, "First contact").locator("[data-board-column]"))
    assert answer.value.status == 200
    expect(column(page, "First contact")).to_contain_text("Deal 24")
    with live_server.app.app_context():
        assert Stage.get_by_id(Deal.get(Deal.name == "Deal 24").stage_id).key == "first_contact"
