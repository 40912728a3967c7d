"""A manager's month in Chromium: sets the article's goals while the SMART check answers, breaks
one down, sees live progress, and holds the monthly review."""
import datetime
import re

import pytest
from playwright.sync_api import expect

from core.lowcode import records
from core.lowcode.entities import get_entity
from core.lowcode.models import Process, Stage
from core.lowcode.processes import ensure_defaults
from plugins.goals import periods
from plugins.goals.models import Goal, Review
from plugins.pipeline.models import Deal

from .test_shell import sign_in

pytestmark = pytest.mark.browser
TODAY = datetime.datetime.now(datetime.UTC).date()


def won(live_server, owner, amount, on):
    with live_server.app.test_request_context():
        ensure_defaults()
        stage = Stage.select().join(Process).where(Process.key == "pipeline.sales", Stage.kind == "won").get()
        customer, _ = records.save(get_entity("pipeline.customer"), owner, {"name": f"Customer {amount}"})
        deal, _ = records.save(get_entity("pipeline.deal"), owner, {"name": "Deal", "customer": customer.id, "amount": amount})
        Deal.update(stage=stage.id, closed_at=datetime.datetime.combine(on, datetime.time(12))).where(Deal.id == deal.id).execute()


def test_a_manager_sets_the_articles_goals_breaks_one_down_and_reviews_the_month(page, live_server):
    people = live_server.people
    quarter, month = periods.containing("quarter", TODAY), periods.containing("month", TODAY)
    won(live_server, people.rep, 400000, quarter.start)
    won(live_server, people.colleague, 100000, quarter.start)
    sign_in(page, "manager@example.com")

    # "Raise sales by 20% by the end of next quarter."
    page.goto("/goals/new")
    form = page.locator(".goal-form")
    form.get_by_label("Whose goal").select_option(label="East")
    form.get_by_label("What is measured").select_option(label="Won revenue")
    form.get_by_label("Set the target as").select_option("growth")
    expect(form.get_by_label("Growth over the period before (%)")).to_be_visible()
    expect(form.get_by_label("Target", exact=True)).to_be_hidden()
    form.get_by_label("Growth over the period before (%)").fill("20")
    form.get_by_label("Period", exact=True).select_option(f"quarter:{periods.shifted(quarter, 1).start.isoformat()}")
    smart = page.locator("#smart")
    expect(smart).to_contain_text("20% over 500,000")  # the check worked the target out while typing
    expect(smart.locator(".smart-missing")).to_contain_text("Relevant")
    form.get_by_label("Why it matters").fill("Raise sales by 20% by the end of next quarter.")
    expect(smart.locator(".smart-missing")).to_have_count(0)
    form.get_by_role("button", name="Set the goal").click()
    expect(page.get_by_text("The goal is set.")).to_be_visible()
    expect(page.locator(".summary")).to_contain_text("600,000")

    # "... and win at least 100 new customers a month", broken down into weeks.
    page.goto("/goals/new")
    form.get_by_label("Whose goal").select_option(label="East")
    form.get_by_label("What is measured").select_option(label="New customers")
    form.get_by_label("Target", exact=True).fill("100")
    form.get_by_label("Period", exact=True).select_option(f"month:{month.start.isoformat()}")
    form.get_by_label("Why it matters").fill("Win at least 100 new customers a month.")
    form.get_by_role("button", name="Set the goal").click()
    expect(page.get_by_text("The goal is set.")).to_be_visible()
    children = page.locator("#children")
    children.get_by_label("Into").select_option("week")
    children.get_by_label("by").select_option("working_days")
    children.get_by_role("button", name="Break down").click()
    expect(page.locator("#children")).to_contain_text("Together: 100 of 100.")
    with live_server.app.app_context():
        monthly = Goal.get(Goal.metric == "pipeline.new_customers", Goal.period_kind == "month")
        assert sum(g.target for g in Goal.select().where(Goal.parent == monthly.id)) == 100

    # Live progress: this quarter's revenue goal shows what was won.
    page.goto("/goals/new")
    form.get_by_label("Whose goal").select_option(label="Rita Rep")
    form.get_by_label("Target", exact=True).fill("800000")
    form.get_by_label("Period", exact=True).select_option(f"quarter:{quarter.start.isoformat()}")
    form.get_by_label("Why it matters").fill("Rita's part.")
    form.get_by_role("button", name="Set the goal").click()
    expect(page.locator(".summary")).to_contain_text("400,000")
    expect(page.locator(".summary")).to_contain_text("50%")
    page.goto(f"/goals/?period=quarter:{quarter.start.isoformat()}")
    expect(page.locator(".goal-node", has_text="Rita Rep").first).to_contain_text("400,000 / 800,000")

    # The monthly review, saved and printable.
    page.goto("/goals/reviews/")
    page.get_by_label("Review").select_option(label="East")
    page.get_by_label("for").select_option(f"month:{month.start.isoformat()}")
    page.get_by_role("button", name="Start the review").click()
    row = page.locator(".review-table tr", has_text="New customers")
    row.get_by_label("Causes").fill("Too few events this month.")
    row.get_by_label("Actions").fill("Two trade fairs next month.")
    page.get_by_label("Summary").fill("Revenue is fine; new customers lag.")
    page.get_by_role("button", name="Save the review").click()
    expect(page.get_by_text("The review is saved.")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Two trade fairs next month.")
    expect(page.get_by_role("button", name="Print")).to_be_visible()
    with live_server.app.app_context():
        review = Review.get()
        assert re.search("trade fairs", str(review.rows)) and review.summary.startswith("Revenue is fine")


def test_a_manager_narrows_a_goal_to_one_product_and_the_form_follows_the_measure(page, live_server):
    people = live_server.people
    with live_server.app.app_context():
        from plugins.pipeline.models import Product

        Product.create(name="Widget", category="Tools", search_text="widget")
    sign_in(page, "manager@example.com")
    page.goto("/goals/new")
    form = page.locator(".goal-form")
    filters = page.locator("#goal-filters")
    form.get_by_label("What is measured").select_option(label="Calls")  # calls cannot be narrowed by product
    expect(filters.get_by_label("Customers: Level")).to_be_visible()
    expect(filters.get_by_label("Product", exact=True)).to_have_count(0)
    form.get_by_label("What is measured").select_option(label="Won revenue")
    filters.get_by_label("Product", exact=True).select_option(label="Widget")
    form.get_by_label("Whose goal").select_option(label=people.rep.name)
    form.get_by_label("Target", exact=True).fill("5000")
    expect(page.locator("#smart")).to_contain_text("counting only Product: Widget")
    form.get_by_label("Why it matters").fill("Launch the widget.")
    form.get_by_role("button", name="Set the goal").click()
    expect(page.get_by_text("The goal is set.")).to_be_visible()
    expect(page.locator("h1")).to_contain_text("Won revenue (Product: Widget)")
