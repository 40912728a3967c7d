"""The home page arranged in Chromium: a card dragged by its handle stays where it was dropped."""
import re

import pytest
from playwright.sync_api import expect

from .test_board_drop import drag_onto
from .test_shell import sign_in

pytestmark = pytest.mark.browser


def order(page) -> list[str]:
    return [key for key in page.locator("[data-widget]").evaluate_all("cards => cards.map(card => card.dataset.widget)")]


def test_a_card_dragged_to_the_top_stays_there(page, live_server):
    sign_in(page, "manager@example.com")
    page.get_by_role("link", name="Arrange").click()
    before = order(page)
    second = page.locator(f'[data-widget="{before[1]}"]')  # both in view: a drag stays inside the window
    with page.expect_response(re.compile(r"/home/layout$")) as answer:
        drag_onto(page, second.locator(".handle"), page.locator(f'[data-widget="{before[0]}"]'))
    assert answer.value.status == 204
    page.get_by_role("link", name="Done").click()
    assert order(page) == [before[1], before[0]] + before[2:]
    expect(page.locator(".widget-tools")).to_have_count(0)
