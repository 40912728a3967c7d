"""Setting goals: the article's example, the SMART check, bad input, who may set what."""
import decimal
import re

import pytest

from plugins.goals import periods
from plugins.goals.models import Goal

from .conftest import MONTH, NEXT_QUARTER, QUARTER, TODAY, key, made


def test_the_articles_goals_work_as_written(goals, people):
    """"Raise sales by 20% by the end of next quarter and win at least 100 new customers a month."
    Next quarter's revenue goal is 20% over the quarter before it (this one, so far)."""
    goals.won(people.rep, 300000, QUARTER.start)
    goals.won(people.colleague, 200000, QUARTER.start)
    goals.won(people.outsider, 999999, QUARTER.start)  # another team: not counted
    revenue = made(goals.post_goal(goals.manager, mode="growth", growth="20", period=key(NEXT_QUARTER),
                                   reason="Raise sales by 20% by the end of next quarter."))
    goal = goals.goal(revenue)
    assert goal.target == decimal.Decimal("600000.00")  # 500,000 × 1.2
    assert (goal.start, goal.end, goal.period_kind) == (NEXT_QUARTER.start, NEXT_QUARTER.end, "quarter")
    assert goal.basis["base"] == "500000.00" and goal.basis["growth"] == "20"
    page = goals.manager.get(f"/goals/{revenue}").text
    assert "Set as 20% over 500,000" in page
    customers = made(goals.post_goal(goals.manager, metric="pipeline.new_customers", target="100", period=key(MONTH),
                                     reason="Win at least 100 new customers a month."))
    assert goals.goal(customers).target == 100 and goals.goal(customers).period_kind == "month"


def test_the_smart_check_speaks_while_the_form_is_filled_in(goals, people):
    for months_back, amount in ((1, 100000), (2, 80000), (3, 60000)):
        goals.won(people.rep, amount, periods.shifted(MONTH, -months_back).start)
    goals.manager.environ_base["HTTP_HX_REQUEST"] = "true"
    base = {"owner": f"user:{people.rep.id}", "metric": "pipeline.won_revenue", "mode": "number", "period": key(MONTH)}
    modest = goals.manager.post("/goals/check", data={**base, "target": "120000"}).text
    assert "<html" not in modest and modest.count('class="smart-ok"') == 4 and 'class="smart-missing"' in modest  # no reason yet
    assert "120% of the best period: ambitious and within reach." in modest
    assert "Best of the last three periods: 100,000; average: 80,000." in modest
    huge = goals.manager.post("/goals/check", data={**base, "target": "400000", "reason": "Big year"}).text
    assert 'class="smart-warn"' in huge and "400% of the best period: a big stretch." in huge
    empty = goals.manager.post("/goals/check", data={"mode": "number"}).text
    assert empty.count('class="smart-missing"') >= 3


@pytest.mark.parametrize("fields, field, message", [
    ({"target": "-5"}, "target", "A target is more than zero."),
    ({"target": "0"}, "target", "A target is more than zero."),
    ({"target": "1e15"}, "target", "That target is beyond any sales team"),
    ({"target": "lots"}, "target", "Write the target as a number."),
    ({"target": "12.345"}, "target", "Write at most two decimals."),
    ({"target": "10.5", "metric": "pipeline.calls"}, "target", "Calls are counted in whole numbers."),
    ({"target": "100", "metric": "nope.unknown"}, "metric", "Not a valid choice"),
    ({"target": "100", "period": "custom", "start": "2027-05-01", "end": "2027-04-01"}, "period", "The end comes before the start."),
    ({"target": "100", "period": "custom", "start": "2027-05-01"}, "period", "Give both dates of a custom period."),
    ({"target": "100", "owner": "user:999999"}, "owner", "Not a valid choice"),
    ({"target": "100", "owner": ""}, "owner", "Choose whose goal it is."),
    ({"mode": "growth", "growth": "abc"}, "growth", "Write the growth as a percentage"),
])
def test_bad_goals_are_refused_beside_the_field_and_nothing_is_saved(goals, fields, field, message):
    response = goals.post_goal(goals.manager, **{"period": key(MONTH), **fields})
    assert response.status_code == 400 and message in response.text
    assert re.search(rf'field-error">\s*<label for="{field}"', response.text) or '<p class="error">' in response.text
    assert goals.count() == 0


def test_a_parent_must_measure_the_same_and_hold_the_period_and_duplicates_are_refused(goals, people):
    year = periods.containing("year", TODAY)
    parent = made(goals.post_goal(goals.manager, target="1000000", period=key(periods.containing("year", TODAY))))
    calls = goals.post_goal(goals.manager, metric="pipeline.calls", target="100", period=key(MONTH), parent=parent)
    assert calls.status_code == 400 and "The parent goal measures something else" in calls.text
    outside = goals.post_goal(goals.manager, target="100", period=key(periods.shifted(year, 1)), parent=parent)
    assert outside.status_code == 400 and "not inside the parent goal" in outside.text
    inside = made(goals.post_goal(goals.manager, target="100", period=key(MONTH), parent=parent))
    again = goals.post_goal(goals.manager, target="200", period=key(MONTH))
    assert again.status_code == 400 and "already has a goal for Won revenue in this period" in again.text
    assert goals.goal(inside).parent_id == parent and goals.count() == 2
    # A goal someone may not see cannot be a parent.
    west = goals.post_goal(goals.admin, owner=f"team:{people.west.id}", target="5", period=key(year))
    hidden = made(west)
    sneaky = goals.post_goal(goals.manager, target="100", period=key(periods.shifted(MONTH, 1)), parent=hidden)
    assert sneaky.status_code == 400 and "Not a valid choice" in sneaky.text


def test_who_may_set_goals_for_whom(goals, people):
    assert goals.rep.get("/goals/new").status_code == 403
    assert goals.post_goal(goals.rep, owner=f"user:{people.rep.id}", target="5", period=key(MONTH)).status_code == 403
    form = goals.manager.get("/goals/new").text
    assert f'value="user:{people.rep.id}"' in form and f'value="team:{people.team.id}"' in form
    assert f'value="user:{people.outsider.id}"' not in form and 'value="company"' not in form  # another team; the company
    assert goals.post_goal(goals.manager, owner="company", target="5", period=key(MONTH)).status_code == 400
    assert 'value="company"' in goals.admin.get("/goals/new").text
    assert made(goals.post_goal(goals.admin, owner="company", target="5", period=key(MONTH)))


def test_hostile_text_in_a_goal_is_shown_as_text(goals):
    goal = made(goals.post_goal(goals.manager, target="5", period=key(MONTH), reason="<script>alert(1)</script>",
                                description="<img src=x onerror=alert(1)>"))
    page = goals.manager.get(f"/goals/{goal}").text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page and "<img src=x" not in page
    assert isinstance(goals.goal(goal), Goal)
