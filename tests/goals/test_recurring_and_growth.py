"""Growth targets that say what they grow (a period still running, or the last complete one),
a basis that follows the target, recurring goals set in one click, and the duplicate that links
to the goal already there."""
import decimal
import re

import pytest

from core.lowcode.models import AuditEntry
from plugins.goals import periods
from plugins.goals import services as goal_services
from plugins.goals.models import Goal, TargetChange

from .conftest import LAST_QUARTER, MONTH, NEXT_QUARTER, QUARTER, key, made


def months(count: int) -> list[periods.Period]:
    return [periods.shifted(MONTH, n) for n in range(1, count + 1)]


def basis_text(page: str) -> str:
    """What a goal page says about how its target was set."""
    return re.search(r'<p class="muted basis">(.*?)</p>', page, re.S).group(1)


def grown(goals, growth="20", over="previous", period=NEXT_QUARTER) -> int:
    return made(goals.post_goal(goals.manager, mode="growth", growth=growth, basis=over, period=key(period)))


# -- the demo and growth ----------------------------------------------------------------------------


def test_the_demos_article_goal_grows_this_quarter_into_next_quarter(app):
    """"Raise sales 20% next quarter": next quarter's target is this quarter's revenue and 20%,
    and the basis says this quarter was still running (not last quarter's 10,000)."""
    from core import registry
    from core.demo import create_demo
    from core.models import Team
    from core.plugins import host_of

    with app.test_request_context():
        create_demo(host_of(app), "demo-password-1")
        goal = Goal.get(Goal.reason == "Raise sales by 20% by the end of next quarter.")
        east = goal_services.Owner(team=Team.get_by_id(goal.owner_team_id))
        this_quarter = goal_services.actual(registry.metrics()["pipeline.won_revenue"], east, QUARTER)
        assert (goal.start, goal.end) == (NEXT_QUARTER.start, NEXT_QUARTER.end)
        assert (goal.basis["from"], goal.basis["to"]) == (QUARTER.start.isoformat(), QUARTER.end.isoformat())
        assert goal.basis["running"] is True
        assert goal.target == (this_quarter * decimal.Decimal("1.2")).quantize(decimal.Decimal("0.01"), rounding=decimal.ROUND_CEILING)


def test_growth_over_a_running_quarter_says_so_and_the_last_complete_one_is_offered(goals, people):
    goals.won(people.rep, 100000, LAST_QUARTER.start)
    goals.won(people.rep, 30000, QUARTER.start)
    form = goals.manager.get("/goals/new").text
    assert 'name="basis"' in form and 'value="previous"' in form and 'value="complete"' in form
    # The live check says the quarter before is still running.
    goals.manager.environ_base["HTTP_HX_REQUEST"] = "true"
    live = goals.manager.post("/goals/check", data={"owner": f"team:{people.team.id}", "metric": "pipeline.won_revenue",
                                                    "mode": "growth", "growth": "20", "basis": "previous",
                                                    "period": key(NEXT_QUARTER)}).text
    assert "20% over 30,000" in live and "still running" in live
    del goals.manager.environ_base["HTTP_HX_REQUEST"]
    running = grown(goals)
    assert goals.goal(running).target == 36000 and goals.goal(running).basis["running"] is True
    basis = basis_text(goals.manager.get(f"/goals/{running}").text)
    assert "Set as 20% over 30,000" in basis and "still running" in basis
    # The last complete quarter instead: last quarter, whole.
    goals.manager.post(f"/goals/{running}/archive")
    complete = grown(goals, over="complete")
    goal = goals.goal(complete)
    assert goal.target == 120000 and goal.basis["from"] == LAST_QUARTER.start.isoformat() and not goal.basis.get("running")
    basis = basis_text(goals.manager.get(f"/goals/{complete}").text)
    assert "Set as 20% over 100,000" in basis and "still running" not in basis
    # A basis that is not offered is refused beside the field.
    bad = goals.post_goal(goals.manager, mode="growth", growth="20", basis="someday", period=key(periods.shifted(NEXT_QUARTER, 1)))
    assert bad.status_code == 400 and "Not a valid choice" in bad.text


def test_a_target_changed_by_a_number_no_longer_shows_the_old_basis(goals, people):
    goals.won(people.rep, 10000, QUARTER.start)
    goal = grown(goals)
    assert "Set as 20% over 10,000" in goals.manager.get(f"/goals/{goal}").text
    goals.manager.post(f"/goals/{goal}/target", data={"target": "15000", "reason": "A bigger market."})
    page = goals.manager.get(f"/goals/{goal}").text
    assert goals.goal(goal).target == 15000
    assert "20% over 10,000" not in page and "50% over 10,000" in page
    assert goals.goal(goal).basis["growth"] == "50"


def test_change_the_target_by_a_growth_percentage(goals, people):
    goals.won(people.rep, 10000, QUARTER.start)
    goals.won(people.rep, 40000, LAST_QUARTER.start)
    goal = grown(goals)
    page = goals.manager.get(f"/goals/{goal}").text
    assert 'name="growth"' in page and 'value="set"' in page and 'value="complete"' in page
    # Over the basis the goal was set with: 10,000.
    goals.manager.post(f"/goals/{goal}/target", data={"mode": "growth", "growth": "30", "over": "set", "reason": "Bolder."})
    assert goals.goal(goal).target == 13000 and goals.goal(goal).basis["growth"] == "30"
    assert "Set as 30% over 10,000" in goals.manager.get(f"/goals/{goal}").text
    # Over the period before, as it stands now (more was won since).
    goals.won(people.colleague, 10000, QUARTER.start)
    goals.manager.post(f"/goals/{goal}/target", data={"mode": "growth", "growth": "10", "over": "previous", "reason": "Re-based."})
    assert goals.goal(goal).target == 22000 and goals.goal(goal).basis["base"] == "20000.00"
    # Over the last complete quarter.
    goals.manager.post(f"/goals/{goal}/target", data={"mode": "growth", "growth": "50", "over": "complete", "reason": "Whole."})
    assert goals.goal(goal).target == 60000 and goals.goal(goal).basis["from"] == LAST_QUARTER.start.isoformat()
    with goals.app.app_context():
        assert [c.after for c in TargetChange.select().where(TargetChange.goal == goal).order_by(TargetChange.id)] == [13000, 22000, 60000]
        assert AuditEntry.select().where(AuditEntry.action == "goal_target", AuditEntry.record_id == goal).count() == 3
    # Bad growth: refused with a message, nothing changes.
    for data in ({"growth": "lots", "over": "set"}, {"growth": "20", "over": "nowhere"}, {"growth": "-100", "over": "set"}):
        refused = goals.manager.post(f"/goals/{goal}/target", data={"mode": "growth", "reason": "x", **data}, follow_redirects=True)
        assert refused.status_code == 200 and "flash-error" in refused.text
    assert goals.goal(goal).target == 60000
    # A goal set by a number has no basis of its own to grow: the choice is not offered, and refused.
    plain = made(goals.post_goal(goals.manager, target="500", period=key(MONTH)))
    assert 'value="set"' not in goals.manager.get(f"/goals/{plain}").text
    refused = goals.manager.post(f"/goals/{plain}/target", data={"mode": "growth", "growth": "10", "over": "set", "reason": "x"},
                                 follow_redirects=True)
    assert "flash-error" in refused.text and goals.goal(plain).target == 500
    assert goals.rep.post(f"/goals/{goal}/target", data={"mode": "growth", "growth": "10", "over": "set", "reason": "x"}).status_code == 403


# -- recurring goals ------------------------------------------------------------------------------


def test_a_goal_repeats_for_each_month_of_a_span_in_one_click(goals, people):
    """"100 new customers every month", January to June in one go: six goals, each audited."""
    span = months(6)
    response = goals.post_goal(goals.manager, metric="pipeline.new_customers", target="100", period=key(span[0]),
                               until=key(span[-1]), reason="Win at least 100 new customers a month.")
    assert response.status_code == 302
    with goals.app.app_context():
        made_goals = list(Goal.select().order_by(Goal.start))
        assert [(g.start, g.end, g.period_kind, g.target) for g in made_goals] == [(p.start, p.end, "month", 100) for p in span]
        assert {g.owner_team_id for g in made_goals} == {people.team.id}
        assert AuditEntry.select().where(AuditEntry.action == "goal_add").count() == 6
    listing = goals.manager.get(response.headers["Location"]).text
    assert "6 goals set" in listing and all(f'href="/goals/{g.id}"' in listing for g in made_goals)


def test_a_repeat_lists_the_duplicates_it_refused_with_links_to_them(goals, people):
    span = months(4)
    existing = made(goals.post_goal(goals.manager, metric="pipeline.new_customers", target="80", period=key(span[2])))
    response = goals.post_goal(goals.manager, metric="pipeline.new_customers", target="100", period=key(span[0]),
                               until=key(span[-1]))
    assert response.status_code == 302 and goals.count() == 4  # three new, the one already there kept
    assert goals.goal(existing).target == 80
    listing = goals.manager.get(response.headers["Location"]).text
    assert "3 goals set" in listing and "Already set, so not set again" in listing
    assert re.search(rf'<li class="refused">.*?href="/goals/{existing}"', listing, re.S)
    # Every period already has one: nothing is set, the form says so and links each of them.
    again = goals.post_goal(goals.manager, metric="pipeline.new_customers", target="100", period=key(span[0]),
                            until=key(span[-1]))
    assert again.status_code == 400 and goals.count() == 4
    assert again.text.count('class="duplicate-link"') == 4 and f'href="/goals/{existing}"' in again.text


@pytest.mark.parametrize("fields, message", [
    ({"until": key(periods.shifted(MONTH, -1))}, "The last period comes before the first."),
    ({"until": key(NEXT_QUARTER)}, "Repeat with periods of the same kind"),
    ({"until": "month:nonsense"}, "Not a valid choice"),
    ({"until": key(periods.shifted(MONTH, 3)), "mode": "growth", "growth": "20"}, "A repeated goal takes a number as its target"),
    ({"until": key(periods.shifted(MONTH, 3)), "period": "custom", "start": "2027-05-01", "end": "2027-05-20"},
     "Repeat with periods of the same kind"),
])
def test_a_repeat_with_bad_input_is_refused_whole(goals, fields, message):
    response = goals.post_goal(goals.manager, **{"target": "100", "period": key(MONTH), **fields})
    assert response.status_code == 400 and message in response.text
    assert goals.count() == 0


def test_a_repeat_beyond_its_parent_goal_sets_none_of_its_goals(goals):
    parent = made(goals.post_goal(goals.manager, target="1000", period=key(QUARTER)))
    response = goals.post_goal(goals.manager, target="100", period=key(MONTH), until=key(periods.shifted(MONTH, 6)), parent=parent)
    assert response.status_code == 400 and "is not inside the parent goal" in response.text
    assert goals.count() == 1


def test_setting_a_repeat_is_one_transaction(goals, people, monkeypatch):
    """A failure on the third goal leaves none of them."""
    import plugins.goals.services as services

    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    real = services.records.audit
    monkeypatch.setattr(services.records, "audit", failing)
    with goals.app.test_request_context():
        from core import registry

        span = months(4)
        draft = goal_services.Draft(owner=goal_services.Owner(team=people.team), metric=registry.metrics()["pipeline.calls"],
                                    target=decimal.Decimal(5),
                                    period=span[0], until=span[-1], reason="x")
        with pytest.raises(RuntimeError):
            goal_services.create_repeated(draft, people.manager)
    assert goals.count() == 0


# -- duplicates -----------------------------------------------------------------------------------


def test_the_duplicate_goal_message_links_the_goal_already_there(goals):
    first = made(goals.post_goal(goals.manager, target="100", period=key(MONTH)))
    again = goals.post_goal(goals.manager, target="200", period=key(MONTH))
    assert again.status_code == 400 and "already has a goal for Won revenue in this period" in again.text
    assert re.search(rf'class="duplicate-link" href="/goals/{first}"', again.text)


def test_a_target_below_the_average_is_not_called_ambitious(goals, people):
    for months_back, amount in ((1, 100000), (2, 80000), (3, 60000)):
        goals.won(people.rep, amount, periods.shifted(MONTH, -months_back).start)
    goals.manager.environ_base["HTTP_HX_REQUEST"] = "true"
    low = goals.manager.post("/goals/check", data={"owner": f"user:{people.rep.id}", "metric": "pipeline.won_revenue",
                                                   "mode": "number", "period": key(MONTH), "target": "100"}).text
    assert "ambitious and within reach" not in low and "below the average: is it ambitious enough?" in low
    assert 'class="smart-warn"' in low


def test_the_live_check_takes_only_a_span_it_offers(goals, people):
    goals.manager.environ_base["HTTP_HX_REQUEST"] = "true"
    base = {"owner": f"team:{people.team.id}", "metric": "pipeline.calls", "mode": "number", "target": "5", "period": key(MONTH)}
    offered = goals.manager.post("/goals/check", data={**base, "until": key(periods.shifted(MONTH, 2))}).text
    assert "3 goals." in offered
    far = goals.manager.post("/goals/check", data={**base, "until": "week:9999-12-27"})
    assert far.status_code == 200 and "goals." not in far.text
