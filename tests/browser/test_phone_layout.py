"""On a phone (390 px wide) no pipeline page is wider than the screen: the board's columns scroll
inside their own container, tables inside theirs. In English and in Chinese.

SALESDECK_SHOTS=/some/folder also saves screenshots of each page at 1280 and 390 px."""
import datetime
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from core.db import utcnow
from core.models import User
from plugins.pipeline.entities import ACTIVITY, CUSTOMER, DEAL, PRODUCT
from plugins.pipeline.models import DealLine

from .test_pipeline import make
from .test_shell import sign_in

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
SHOTS = os.environ.get("SALESDECK_SHOTS")
# What sticks out: elements reaching past the screen's right edge, outside any scrolling box.
STICKING_OUT = """(limit) => {
  const clipped = (element) => { for (let up = element.parentElement; up; up = up.parentElement) {
      if (["auto", "scroll", "hidden", "clip"].includes(getComputedStyle(up).overflowX)) return true; } return false; };
  return [...document.querySelectorAll("body *")].filter((element) => element.getBoundingClientRect().right > limit + 1
      && !clipped(element)).slice(0, 8).map((element) => element.tagName.toLowerCase() + "." + element.className
      + " " + Math.round(element.getBoundingClientRect().right));
}"""


def busy_pipeline(live_server):
    """A manager's pipeline as it looks in use: long names, products, follow-ups, a closed deal."""
    people = live_server.people
    manager = people.manager
    customer = make(live_server, CUSTOMER, manager, name="Shanghai Pudong International Precision Manufacturing Co., Ltd.",
                    industry="Manufacturing", region="Shanghai", phone="+86 21 5555 0100", email="purchasing@pudong-precision.example.com")
    deal = make(live_server, DEAL, manager, name="Factory-wide rollout of the CRM Professional Edition, phase two",
                customer=customer, amount=1234567, expected_close=datetime.date(2027, 3, 31))
    product = make(live_server, PRODUCT, people.admin, name="CRM Professional Edition, yearly licence per seat", list_price=12345)
    for n in range(3):
        make(live_server, DEAL, people.rep, name=f"Deal number {n} with a rather long name", customer=customer, amount=50000 * (n + 1))
    now = utcnow()
    for days, subject in ((-2, "Call back about the quote"), (0, "Visit the plant"), (3, "Send the contract"), (20, "Quarterly review")):
        make(live_server, ACTIVITY, manager, subject=subject, kind="call", customer=customer, deal=deal,
             due_at=now + datetime.timedelta(days=days))
    with live_server.app.app_context():
        DealLine.create(deal=deal, product=product, quantity=250, unit_price=12345)
    return customer, deal


def pages(customer, deal):
    return {"board": "/pipeline/", "deal": f"/pipeline/deals/{deal}", "customer": f"/pipeline/customers/{customer}",
            "followups": "/pipeline/followups?who=team", "numbers": "/pipeline/numbers"}


@pytest.mark.parametrize("locale", ["en", "zh_Hans_CN"])
def test_no_pipeline_page_is_wider_than_a_phone(page, live_server, locale):
    customer, deal = busy_pipeline(live_server)
    with live_server.app.app_context():
        User.update(locale=locale).where(User.id == live_server.people.manager.id).execute()
    sign_in(page, "manager@example.com")
    expect(page.locator(".sidebar, .topbar").first).to_be_visible()
    for name, url in pages(customer, deal).items():
        if SHOTS:
            page.set_viewport_size({"width": 1280, "height": 900})
            page.goto(url)
            page.screenshot(path=str(Path(SHOTS) / f"{name}-{locale}-1280.png"), full_page=True)
        page.set_viewport_size(PHONE)
        page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        if SHOTS:
            page.screenshot(path=str(Path(SHOTS) / f"{name}-{locale}-390.png"), full_page=True)
        assert width <= PHONE["width"], (f"{url} is {width} px wide on a {PHONE['width']} px screen: "
                                         f"{page.evaluate(STICKING_OUT, PHONE['width'])}")
    # The board still shows every column: they scroll sideways inside the board.
    page.goto("/pipeline/")
    board = page.locator("#board")
    assert page.evaluate("document.getElementById('board').scrollWidth") > PHONE["width"]
    assert board.evaluate("element => getComputedStyle(element).overflowX") in ("auto", "scroll")
