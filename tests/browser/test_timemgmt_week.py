"""The rest of a manager's week in Chromium: the afternoon blocked for the team, a task dragged into
the block and the block dragged to another hour of the week, a card moved on the team board, and
the weekly reflection written."""
import datetime

import pytest
from playwright.sync_api import expect

from plugins.timemgmt.models import Reflection, Task, TimeBlock

from .test_board_drop import drag_onto
from .test_shell import sign_in

pytestmark = pytest.mark.browser


def test_blocks_a_board_and_a_reflection(page, live_server):
    people = live_server.people
    with live_server.app.app_context():
        notes = Task.create(title="One-to-one notes", owner=people.manager.id, created_by=people.manager.id, minutes=45).id
        booth = Task.create(title="Trade show booth", owner=people.rep.id, created_by=people.rep.id, team=people.team.id).id

    sign_in(page, "manager@example.com")
    page.goto("/timemgmt/calendar")
    page.get_by_label("From").fill("14:00")
    page.get_by_label("Ends").fill("16:00")
    page.get_by_label("Category").select_option(label="Team")
    page.get_by_label("Title").fill("Coaching")
    page.get_by_role("button", name="Add block").click()
    block = page.locator(".blocks .board-column", has_text="Coaching")
    expect(block).to_contain_text("0 of 120 min planned")
    with page.expect_response("**/timemgmt/blocks/assign"):
        drag_onto(page, page.locator(f'[data-card="{notes}"] .deal-title'), block.locator("[data-board-column]"))
    expect(page.locator(".blocks .board-column", has_text="Coaching")).to_contain_text("45 of 120 min planned")
    with live_server.app.app_context():
        assert Task.get_by_id(notes).block_id == TimeBlock.get(TimeBlock.title == "Coaching").id

    # In the week's calendar the block moves to 10:00 the same day by drag, two hours long as before.
    with live_server.app.app_context():
        coaching = TimeBlock.get(TimeBlock.title == "Coaching")
    page.goto("/timemgmt/calendar/week")
    cell = page.locator(f'[data-stage="{coaching.starts_at.date().isoformat()}T10"]')
    with page.expect_response("**/timemgmt/blocks/move"):
        drag_onto(page, page.locator(f'[data-card="{coaching.id}"] .deal-title'), cell)
    page.reload()
    expect(page.locator(f'[data-stage="{coaching.starts_at.date().isoformat()}T10"]')).to_contain_text("Coaching")
    with live_server.app.app_context():
        moved = TimeBlock.get_by_id(coaching.id)
        assert (moved.starts_at.hour, moved.ends_at.hour) == (10, 12)

    page.goto(f"/timemgmt/board/team/{people.team.id}")
    doing = page.locator(".board-column", has=page.get_by_role("heading", name="Doing", exact=True))
    with page.expect_response("**/timemgmt/board/move"):  # not htmx_settled: the top bar's own load may settle first
        drag_onto(page, page.locator(f'[data-card="{booth}"] .deal-title'), doing.locator("[data-board-column]"))
    expect(page.locator(".board-column", has=page.get_by_role("heading", name="Doing", exact=True))).to_contain_text("Trade show booth")
    with live_server.app.app_context():
        assert Task.get_by_id(booth).stage == "doing"

    page.goto("/timemgmt/reflection")
    page.get_by_label("What went well").fill("The coaching block held")
    page.get_by_label("What to change").fill("Fewer ad-hoc meetings")
    page.get_by_role("button", name="Save reflection").click()
    expect(page.locator(".flash-success")).to_contain_text("Your reflection is saved.")
    expect(page.locator("table")).to_contain_text("Fewer ad-hoc meetings")
    with live_server.app.app_context():
        assert Reflection.get().week == datetime.date.today() - datetime.timedelta(days=datetime.date.today().weekday())
