"""A manager in Chromium sets "100 new customers every month" for half a year in one click, sees
which months already had one, grows a target over a quarter still running or the last complete
one, and changes it by a percentage; a Chinese manager sets a recurring goal in Chinese."""
import datetime

import pytest
from playwright.sync_api import expect

from core.models import User
from plugins.goals import periods
from plugins.goals.models import Goal

from .test_goals import won
from .test_shell import sign_in

pytestmark = pytest.mark.browser
TODAY = datetime.datetime.now(datetime.UTC).date()
QUARTER, MONTH = periods.containing("quarter", TODAY), periods.containing("month", TODAY)


def months(count: int) -> list[periods.Period]:
    return [periods.shifted(MONTH, n) for n in range(1, count + 1)]


def fits(page) -> None:
    """Nothing on the page scrolls sideways."""
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


@pytest.mark.expect_console(r"status of 400")  # the refused repeat comes back as the form, with 400
def test_a_manager_sets_a_monthly_goal_for_half_a_year_and_grows_a_target(page, live_server):
    people = live_server.people
    span = months(6)
    with live_server.app.test_request_context():
        first, last, third = span[0].label(), span[-1].label(), span[2].label()
    sign_in(page, "manager@example.com")

    # "100 new customers every month", six months in one click.
    page.goto("/goals/new")
    form = page.locator(".goal-form")
    form.get_by_label("Whose goal").select_option(label="East")
    form.get_by_label("What is measured").select_option(label="New customers")
    form.get_by_label("Target", exact=True).fill("100")
    form.get_by_label("Period", exact=True).select_option(span[0].key)
    form.get_by_label("Repeat for each period until").select_option(span[-1].key)
    smart = page.locator("#smart")
    expect(smart).to_contain_text(f"One goal for each period from {first} to {last}: 6 goals.")
    form.get_by_label("Why it matters").fill("Win at least 100 new customers a month.")
    form.get_by_role("button", name="Set the goal").click()
    expect(page.get_by_role("heading", name="6 goals set")).to_be_visible()
    expect(page.locator("li.made")).to_have_count(6)
    with live_server.app.app_context():
        made = list(Goal.select().where(Goal.metric == "pipeline.new_customers").order_by(Goal.start))
        assert [(g.start, g.target) for g in made] == [(p.start, 100) for p in span]

    # Again: every month has one; the form says so and links each of them.
    page.goto("/goals/new")
    form.get_by_label("Whose goal").select_option(label="East")
    form.get_by_label("What is measured").select_option(label="New customers")
    form.get_by_label("Target", exact=True).fill("120")
    form.get_by_label("Period", exact=True).select_option(span[0].key)
    form.get_by_label("Repeat for each period until").select_option(span[-1].key)
    form.get_by_role("button", name="Set the goal").click()
    expect(page.get_by_text("Every one of these periods already has a goal for New customers")).to_be_visible()
    expect(page.locator("a.duplicate-link")).to_have_count(6)
    page.locator("a.duplicate-link").nth(2).click()
    expect(page.locator("h1")).to_contain_text(third)
    expect(page.locator(".summary")).to_contain_text("100")

    # Growth over this quarter (still running) or the last complete one, said while typing.
    won(live_server, people.rep, 50000, QUARTER.start)
    won(live_server, people.rep, 80000, periods.shifted(QUARTER, -1).start)
    page.goto("/goals/new")
    form.get_by_label("Whose goal").select_option(label="East")
    form.get_by_label("What is measured").select_option(label="Won revenue")
    form.get_by_label("Set the target as").select_option("growth")
    form.get_by_label("Growth over the period before (%)").fill("20")
    form.get_by_label("Period", exact=True).select_option(periods.shifted(QUARTER, 1).key)
    expect(smart).to_contain_text("20% over 50,000")
    expect(smart.locator(".basis-running")).to_contain_text("still running")
    form.get_by_label("Which period before").select_option("complete")
    expect(smart).to_contain_text("20% over 80,000")
    expect(smart.locator(".basis-running")).to_have_count(0)
    form.get_by_label("Why it matters").fill("Raise sales by 20%.")
    form.get_by_role("button", name="Set the goal").click()
    expect(page.locator(".summary")).to_contain_text("96,000")
    expect(page.locator(".basis")).to_contain_text("Set as 20% over 80,000")

    # Change the target by a percentage over the basis it was set with.
    card = page.locator("form", has=page.get_by_role("button", name="Change"))
    expect(card.get_by_label("Growth (%)")).to_be_hidden()
    card.get_by_label("Set the target as").select_option("growth")
    expect(card.get_by_label("New target")).to_be_hidden()
    card.get_by_label("Growth (%)").fill("25")
    card.get_by_label("Over", exact=True).select_option("set")
    card.get_by_label("Why").fill("A bigger market.")
    card.get_by_role("button", name="Change").click()
    expect(page.locator(".summary")).to_contain_text("100,000")
    expect(page.locator(".basis")).to_contain_text("Set as 25% over 80,000")
    expect(page.locator(".history")).to_contain_text("96,000 → 100,000")


def test_a_chinese_manager_sets_a_recurring_goal_in_chinese_and_nothing_overflows_a_phone(page, live_server):
    people = live_server.people
    with live_server.app.app_context():
        User.update(locale="zh_Hans_CN").where(User.id == people.manager.id).execute()
    span = months(3)
    sign_in(page, "manager@example.com")
    page.goto("/goals/new")
    expect(page.locator("h1")).to_have_text("新建目标")
    form = page.locator(".goal-form")
    form.get_by_label("目标负责人").select_option(label="East")
    form.get_by_label("衡量指标").select_option(label="新客户数")
    form.locator('input[name="target"]').fill("100")
    form.locator('select[name="period"]').select_option(span[0].key)
    form.get_by_label("逐期重复，直到").select_option(span[-1].key)
    expect(page.locator("#smart")).to_contain_text("共 3 个目标")
    form.get_by_label("为什么重要").fill("每月至少新增 100 个客户。")
    form.get_by_role("button", name="设定目标").click()
    expect(page.get_by_role("heading", name="已设定 3 个目标")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("goals set")
    page.locator("li.made a").first.click()
    expect(page.locator("h1")).to_contain_text("新客户数")
    expect(page.get_by_label("目标设定方式")).to_be_visible()
    # On a phone the goal page and the form fit the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    fits(page)
    page.goto("/goals/new")
    fits(page)
