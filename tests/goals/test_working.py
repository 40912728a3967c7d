"""Working with goals: breakdown, shares, live progress, the reverse funnel, target changes,
the tree, reviews, holidays, and who sees what."""
import datetime
import decimal
import math
import re

from playhouse.test_utils import count_queries

from core.models import REP, User
from plugins.goals import periods
from plugins.goals.models import Goal, Holiday, Review, TargetChange
from plugins.goals.progress import measure
from plugins.goals.services import holidays

from .conftest import made
from .test_setting import MONTH, QUARTER, TODAY, key

D = decimal.Decimal


def goal_for(goals, **fields) -> int:
    return made(goals.post_goal(goals.manager, **fields))


def children(goals, goal_id):
    with goals.app.app_context():
        return list(Goal.select().where(Goal.parent == goal_id, Goal.archived_at.is_null()).order_by(Goal.start))


def test_a_month_of_thirty_new_customers_breaks_into_weeks_that_add_up_to_thirty(goals, people):
    november = periods.Period("month", datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))
    goal = goal_for(goals, metric="pipeline.new_customers", target="30", period="custom",
                    start=november.start.isoformat(), end=november.end.isoformat())
    assert goals.manager.post(f"/goals/{goal}/split", data={"kind": "week", "method": "working_days"}).status_code == 302
    weeks = children(goals, goal)
    assert [w.target for w in weeks] == [7, 7, 7, 7, 2] and [w.start.day for w in weeks] == [2, 9, 16, 23, 30]
    # Splitting again replaces the split; days: 21 working days, 30 in all.
    goals.manager.post(f"/goals/{goal}/split", data={"kind": "day", "method": "working_days"})
    days = children(goals, goal)
    assert {g.period_kind for g in days} == {"day"} and len(days) == 21 and sum(g.target for g in days) == 30
    page = goals.manager.get(f"/goals/{goal}").text
    assert "Together: 30 of 30." in page
    assert goals.manager.post(f"/goals/{goal}/split", data={"kind": "year", "method": "even"}).status_code == 400
    assert goals.rep.post(f"/goals/{goal}/split", data={"kind": "week", "method": "even"}).status_code == 403


def test_holidays_set_by_an_admin_shape_the_split(goals):
    page = goals.admin.post("/goals/holidays", data={"days": "2026-11-02 A day off\nnot a date\n"})
    assert page.status_code == 400 and "Line 2: not a date does not start with a date" in page.text
    with goals.app.app_context():
        assert Holiday.select().count() == 0  # nothing saved half
    goals.admin.post("/goals/holidays", data={"days": "2026-11-02 A day off\n2026-11-03"})
    with goals.app.app_context():
        assert holidays() == {datetime.date(2026, 11, 2), datetime.date(2026, 11, 3)}
    goal = goal_for(goals, metric="pipeline.new_customers", target="19", period="custom", start="2026-11-01", end="2026-11-30")
    goals.manager.post(f"/goals/{goal}/split", data={"kind": "week", "method": "working_days"})
    assert [w.target for w in children(goals, goal)] == [3, 5, 5, 5, 1]  # 3, 5, 5, 5, 1 working days
    assert goals.manager.get("/goals/holidays").status_code == 403


def test_a_seasonal_split_follows_last_year_or_says_it_cannot(goals, people):
    year = periods.containing("year", TODAY)
    goals.won(people.rep, 100, periods.a_year_before(periods.children(year, "quarter")[0]).start)
    goals.won(people.rep, 300, periods.a_year_before(periods.children(year, "quarter")[3]).start)
    goal = goal_for(goals, owner=f"user:{people.rep.id}", target="1000", period=key(year))
    goals.manager.post(f"/goals/{goal}/split", data={"kind": "quarter", "method": "seasonal"})
    assert [g.target for g in children(goals, goal)] == [250, 0, 0, 750]
    calls = goal_for(goals, owner=f"user:{people.rep.id}", metric="pipeline.calls", target="100", period=key(year))
    fallback = goals.manager.post(f"/goals/{calls}/split", data={"kind": "quarter", "method": "seasonal"}, follow_redirects=True)
    assert "There is no history from last year to follow" in fallback.text and sum(g.target for g in children(goals, calls)) == 100


def test_a_teams_goal_is_shared_equally_by_history_or_by_hand(goals, people):
    goals.won(people.rep, 3000, periods.shifted(QUARTER, -1).start)
    goals.won(people.colleague, 1000, periods.shifted(QUARTER, -1).start)
    team_goal = goal_for(goals, target="10000", period=key(QUARTER))
    takers = {f"user:{people.rep.id}", f"user:{people.colleague.id}"}
    equal = goals.manager.get(f"/goals/{team_goal}/share?how=equal").text
    assert f'name="share-user:{people.rep.id}"' in equal and 'value="5000"' in equal
    history = goals.manager.get(f"/goals/{team_goal}/share?how=history").text
    assert 'value="7500"' in history and 'value="2500"' in history
    # The manager raises Rita's share: the gap shows, or Carl's share takes up the difference.
    goals.manager.environ_base["HTTP_HX_REQUEST"] = "true"
    data = {f"share-user:{people.rep.id}": "8000", f"share-user:{people.colleague.id}": "2500", "changed": f"user:{people.rep.id}"}
    gap = goals.manager.post(f"/goals/{team_goal}/share", data={**data, "mode": "gap"}).text
    assert "gap -500" in gap and "<html" not in gap
    balanced = goals.manager.post(f"/goals/{team_goal}/share", data={**data, "mode": "rebalance"}).text
    assert 'value="2000"' in balanced and "gap" not in balanced
    del goals.manager.environ_base["HTTP_HX_REQUEST"]
    refused = goals.manager.post(f"/goals/{team_goal}/share", data={**data, f"share-user:{people.rep.id}": "-1", "action": "save"})
    assert refused.status_code == 400 and "Write an amount of 0 or more." in refused.text and not children(goals, team_goal)
    saved = goals.manager.post(f"/goals/{team_goal}/share", data={**data, "action": "save"}, follow_redirects=True)
    assert "the gap is -500" in saved.text
    assert {(f"user:{g.owner_user_id}", g.target) for g in children(goals, team_goal)} == {
        (f"user:{people.rep.id}", 8000), (f"user:{people.colleague.id}", 2500)}
    assert {f"user:{g.owner_user_id}" for g in children(goals, team_goal)} == takers


def test_progress_pace_forecast_and_status_from_the_metric(goals, people):
    """A month goal of 22,000 on 22 working days; by the 11th working day 11,000 is the pace."""
    june = periods.Period("month", datetime.date(2026, 6, 1), datetime.date(2026, 6, 30))  # 22 working days
    goals.won(people.rep, 5000, datetime.date(2026, 6, 2))
    goals.won(people.rep, 6000, datetime.date(2026, 6, 10))
    goals.won(people.colleague, 1000, datetime.date(2026, 6, 3))
    goals.won(people.rep, 99999, datetime.date(2026, 7, 1))  # the next month: not counted
    goal = goal_for(goals, owner=f"user:{people.rep.id}", target="22000", period="custom", start=june.start.isoformat(),
                    end=june.end.isoformat())
    team = goal_for(goals, target="30000", period="custom", start=june.start.isoformat(), end=june.end.isoformat())
    with goals.app.test_request_context():
        found = measure([goals.goal(goal), goals.goal(team)], today=datetime.date(2026, 6, 15))  # 11 working days done
    mine, ours = found[goal], found[team]
    assert (mine.actual, mine.percent, mine.expected_by_now) == (11000, 50, D("11000.00"))
    assert mine.forecast == 22000 and mine.status == "on_track"  # 1,000 a working day, 11 days to go
    assert ours.actual == 12000 and ours.forecast == 24000 and ours.status == "at_risk"  # 80% of 30,000 or more
    with goals.app.test_request_context():
        later = measure([goals.goal(goal)], today=datetime.date(2026, 7, 5))[goal]
        early = measure([goals.goal(goal)], today=datetime.date(2026, 5, 5))[goal]
    assert later.status == "missed" and early.status == "not_started"


def test_the_reverse_funnel_works_back_from_revenue_with_the_owners_history(goals, people):
    """Look-back: 12 deals worth 1,200,000 (100,000 each), 36 quotes, 72 visits, 288 calls. A
    600,000 target needs 6 deals, 18 quotes, 36 visits and 144 calls."""
    before = periods.shifted(MONTH, -2).start
    for _deal in range(12):
        goals.won(people.rep, 100000, before)
    goals.did(people.rep, "quote", before, 36)
    goals.did(people.rep, "visit", before, 72)
    goals.did(people.rep, "call", before, 288)
    next_quarter = periods.shifted(QUARTER, 1)
    goal = goal_for(goals, owner=f"user:{people.rep.id}", target="600000", period=key(next_quarter))
    page = goals.manager.get(f"/goals/{goal}?months=6").text
    section = page[page.index('id="funnel"'):]
    rows = re.findall(r"<tr><th>([^<]+)</th><td>(\d+)</td><td>(\d+)</td>", section)
    weeks = decimal.Decimal(len(periods.working_days(next_quarter.start, next_quarter.end))) / 5
    expected = [("Deals won", 6), ("Quotes", 18), ("Visits", 36), ("Calls", 144)]
    assert [(name, int(needed)) for name, needed, _per_week in rows] == expected
    assert [int(per_week) for _n, _needed, per_week in rows] == [math.ceil(decimal.Decimal(n) / weeks) for _name, n in expected]
    assert "an average deal of 100,000" in section
    made_goals = goals.manager.post(f"/goals/{goal}/funnel", data={"months": "6"}, follow_redirects=True)
    assert "3 activity goal(s) set, broken down into weeks." in made_goals.text
    with goals.app.app_context():
        calls = Goal.get(Goal.metric == "pipeline.calls", Goal.owner_user == people.rep.id, Goal.period_kind == "quarter")
        assert calls.target == 144 and calls.start == next_quarter.start
        assert sum(g.target for g in Goal.select().where(Goal.parent == calls.id)) == 144
    # Again: the same goals get the new numbers instead of duplicates.
    goals.manager.post(f"/goals/{goal}/funnel", data={"months": "6"})
    with goals.app.app_context():
        assert Goal.select().where(Goal.metric == "pipeline.calls", Goal.period_kind == "quarter").count() == 1


def test_changing_a_target_needs_a_reason_and_keeps_the_history(goals):
    goal = goal_for(goals, target="1000", period=key(MONTH))
    refused = goals.manager.post(f"/goals/{goal}/target", data={"target": "1500", "reason": ""}, follow_redirects=True)
    assert "Say why the target changes" in refused.text and goals.goal(goal).target == 1000
    bad = goals.manager.post(f"/goals/{goal}/target", data={"target": "-3", "reason": "x"}, follow_redirects=True)
    assert "A target is more than zero." in bad.text
    goals.manager.post(f"/goals/{goal}/target", data={"target": "1,500", "reason": "A big customer came back."})
    assert goals.goal(goal).target == 1500
    page = goals.manager.get(f"/goals/{goal}").text
    assert "1,000 → 1,500" in page and "A big customer came back." in page
    with goals.app.app_context():
        assert TargetChange.select().count() == 1
    assert goals.rep.post(f"/goals/{goal}/target", data={"target": "1", "reason": "mine"}).status_code == 403


def test_reps_see_the_company_their_team_and_their_own_goals_only(goals, people):
    company = made(goals.post_goal(goals.admin, owner="company", target="100", period=key(MONTH)))
    team = goal_for(goals, target="50", period=key(MONTH))
    mine = goal_for(goals, owner=f"user:{people.rep.id}", target="20", period=key(MONTH))
    colleague = goal_for(goals, owner=f"user:{people.colleague.id}", target="30", period=key(MONTH))
    west = made(goals.post_goal(goals.admin, owner=f"team:{people.west.id}", target="70", period=key(MONTH)))
    for goal in (company, team, mine):
        assert goals.rep.get(f"/goals/{goal}").status_code == 200
    for goal in (colleague, west):
        assert goals.rep.get(f"/goals/{goal}").status_code == 404
    assert goals.manager.get(f"/goals/{west}").status_code == 404
    assert goals.manager.post(f"/goals/{company}/archive").status_code == 403  # the company's goals are the admin's
    tree = goals.rep.get(f"/goals/?period={key(MONTH)}").text
    assert "Rita Rep" in tree and "Carl Colleague" not in tree and "West" not in tree
    assert goals.rep.get("/goals/999999").status_code == 404 and goals.rep.get("/goals/" + "9" * 30).status_code == 404


def test_the_goal_tree_costs_the_same_queries_for_few_or_many_reps(goals, people):
    year = periods.containing("year", TODAY)
    with goals.app.app_context():
        company_id = Goal.create(metric="pipeline.won_revenue", target=10**6, period_kind="year", start=year.start, end=year.end).id

    def add_rep(number):
        with goals.app.app_context():
            person = User.create(email=f"r{number}@example.com", name=f"Rep {number}", role=REP, team=people.team, password_hash="x")
            parent = Goal.create(owner_user=person.id, metric="pipeline.won_revenue", target=1000, period_kind="year",
                                 start=year.start, end=year.end, parent=company_id)
            for month in periods.children(year, "month"):
                Goal.create(owner_user=person.id, metric="pipeline.won_revenue", target=100, period_kind="month",
                            start=month.start, end=month.end, parent=parent.id)
                Goal.create(owner_user=person.id, metric="pipeline.calls", target=10, period_kind="month",
                            start=month.start, end=month.end)
        goals.won(person, 50, TODAY)

    def queries():
        with count_queries() as counter:
            page = goals.admin.get(f"/goals/?period={key(year)}")
        assert page.status_code == 200
        return counter.count

    add_rep(1)
    queries()
    few = queries()
    for number in range(2, 12):
        add_rep(number)
    assert queries() == few


def test_a_monthly_review_is_written_saved_and_printable(goals, people):
    goals.won(people.rep, 800, MONTH.start)
    team = goal_for(goals, target="1000", period=key(MONTH))
    mine = goal_for(goals, owner=f"user:{people.rep.id}", target="600", period=key(MONTH), parent=team)
    url = f"/goals/reviews/write?owner=team:{people.team.id}&period={key(MONTH)}"
    page = goals.manager.get(url).text
    assert f'name="cause-{team}"' in page and f'name="cause-{mine}"' not in page  # the top of each branch
    saved = goals.manager.post("/goals/reviews/write", data={
        "owner": f"team:{people.team.id}", "period": key(MONTH), f"cause-{team}": "Two deals slipped.",
        f"action-{team}": "Call them <b>now</b>.", "summary": "A fair month."})
    assert saved.status_code == 302
    review = saved.headers["Location"]
    shown = goals.manager.get(review).text
    assert "Two deals slipped." in shown and "Call them &lt;b&gt;now&lt;/b&gt;." in shown and "A fair month." in shown
    assert "-200" in shown and "data-print" in shown
    with goals.app.app_context():
        stored = Review.get()
        assert stored.rows[0]["actual"] in ("800", "800.00") and stored.rows[0]["target"] in ("1000", "1000.00")
    # Saving again updates the same review; reps read their team's but do not write it.
    goals.manager.post("/goals/reviews/write", data={"owner": f"team:{people.team.id}", "period": key(MONTH), "summary": "Better."})
    with goals.app.app_context():
        assert Review.select().count() == 1 and Review.get().summary == "Better."
    assert goals.rep.get(review).status_code == 200
    assert goals.rep.get(url).status_code == 404
    assert goals.outsider.get(review).status_code == 404


def test_my_goals_and_my_teams_goals_are_on_the_home_page(goals, people):
    goals.won(people.rep, 250, TODAY)
    goal_for(goals, owner=f"user:{people.rep.id}", target="1000", period=key(MONTH))
    goal_for(goals, target="5000", period=key(MONTH))
    home = goals.rep.get("/").text
    assert "My goals" in home and "Won revenue · " in home and "250 / 1,000" in home
    assert "My team&#39;s goals" in home or "My team's goals" in home
    manager_home = goals.manager.get("/").text
    assert "0 / 5,000" in manager_home or "250 / 5,000" in manager_home


def test_every_goal_url_with_an_id_refuses_who_may_not_see_or_change_it(goals, people):
    west = made(goals.post_goal(goals.admin, owner=f"team:{people.west.id}", target="70", period=key(MONTH)))
    attempts = [("GET", "/goals/{id}", {}), ("GET", "/goals/{id}/children", {}), ("POST", "/goals/{id}/target", {"target": "1",
                                                                                                                 "reason": "x"}),
                ("POST", "/goals/{id}/split", {"kind": "week", "method": "even"}), ("POST", "/goals/{id}/archive", {}),
                ("GET", "/goals/{id}/share", {}), ("POST", "/goals/{id}/share", {"action": "save"}), ("POST", "/goals/{id}/funnel",
                                                                                                      {"months": "6"})]
    rules = {rule.rule.replace("<int:goal_id>", "{id}") for rule in goals.app.url_map.iter_rules() if "<int:goal_id>" in rule.rule}
    assert rules == {url for _method, url, _data in attempts}  # a new route must join the list
    for client in (goals.manager, goals.rep, goals.outsider):
        for method, url, data in attempts:
            address = url.format(id=west)
            response = client.get(address) if method == "GET" else client.post(address, data=data)
            # Another team's goal is not there; one's own team's goal is there to read, not to change.
            reads = method == "GET" and not url.endswith("/share")
            expected = 404 if client is not goals.outsider else 200 if reads else 403
            assert response.status_code == expected, (address, method, response.status_code)
    assert goals.goal(west).target == 70 and goals.goal(west).archived_at is None


def test_the_demo_team_has_the_articles_goals_with_progress(app):
    from core.demo import create_demo
    from core.plugins import host_of

    with app.app_context():
        create_demo(host_of(app), "demo-password-1")
        kinds = {goal.period_kind for goal in Goal.select()}
        assert {"quarter", "month", "week"} <= kinds
        assert Goal.select().where(Goal.reason == "Raise sales by 20% by the end of next quarter.").exists()
        customers = Goal.get(Goal.metric == "pipeline.new_customers", Goal.period_kind == "month")
        assert customers.target == 100 and sum(g.target for g in Goal.select().where(Goal.parent == customers.id)) == 100
        manager = User.get(User.email == "manager@example.com")
    client = app.test_client().login(manager.email, "demo-password-1")
    tree = client.get("/goals/").text
    assert tree.count('class="goal-node"') > 10 and re.search(r'class="badge goal-status goal-(on_track|at_risk|behind)"', tree)
