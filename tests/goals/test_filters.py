"""A goal on a metric narrowed by a dimension: won revenue of one product, new customers of one
level or region, deals of a custom choice. Counted in one grouped query per metric and filter."""
import decimal
import re

from playhouse.test_utils import count_queries

from core.lowcode import definitions, records
from core.lowcode.entities import get_entity
from core.models import REP, User
from plugins.goals import periods
from plugins.goals.models import Goal
from plugins.pipeline.models import Customer, Deal, DealLine, Product

from .conftest import MONTH, QUARTER, TODAY, key, made

D = decimal.Decimal


def product(goals, name: str, category: str = "") -> int:
    with goals.app.app_context():
        return Product.create(name=name, category=category, search_text=name.lower()).id


def sold(goals, owner, amount, item: int, **customer) -> int:
    """A deal won today for `amount`, with a line of `item`; the customer's fields as given."""
    deal_id = goals.won(owner, amount, TODAY)
    with goals.app.app_context():
        DealLine.create(deal=deal_id, product=item, quantity=1, unit_price=amount)
        if customer:
            Customer.update(**customer).where(Customer.id == Deal.get_by_id(deal_id).customer_id).execute()
    return deal_id


def progress_of(goals, goal_id) -> str:
    page = goals.manager.get(f"/goals/{goal_id}")
    assert page.status_code == 200
    return page.text


def test_won_revenue_of_one_product_counts_only_that_products_deals(goals, people):
    widget, gadget = product(goals, "Widget"), product(goals, "Gadget")
    sold(goals, people.rep, 700, widget)
    sold(goals, people.rep, 300, gadget)
    goal_id = made(goals.post_goal(goals.manager, owner=f"user:{people.rep.id}", target="1000", period=key(QUARTER),
                                   **{"filter-product": str(widget)}))
    stored = goals.goal(goal_id)
    assert stored.filters == {"product": str(widget)}
    page = progress_of(goals, goal_id)
    assert "Won revenue (Product: Widget)" in page
    assert "70%" in page and "100%" not in page
    whole = made(goals.post_goal(goals.manager, owner=f"user:{people.rep.id}", target="1000", period=key(QUARTER)))
    assert "100%" in progress_of(goals, whole)


def test_a_product_group_and_the_customers_level_and_region_narrow_together(goals, people):
    tools = product(goals, "Drill", "Tools")
    food = product(goals, "Bread", "Food")
    sold(goals, people.rep, 100, tools, level="A", region="East")
    sold(goals, people.rep, 200, tools, level="B", region="East")
    sold(goals, people.rep, 400, tools, level="A", region="West")
    sold(goals, people.rep, 800, food, level="A", region="East")
    with goals.app.test_request_context():
        from core.api import metrics

        metric = metrics()["pipeline.won_revenue"]
        keys = {dimension.key for dimension in metric.dimensions()}
        assert {"product", "product_group", "customer.level", "customer.region", "customer.source"} <= keys
        narrowed = metric.filtered({"product_group": "Tools", "customer.level": "A", "customer.region": "East"})
        assert narrowed.compute(user_ids=[people.rep.id], start=QUARTER.start, end=QUARTER.end) == {people.rep.id: D(100)}
        days = narrowed.daily(user_ids=[people.rep.id], start=QUARTER.start, end=QUARTER.end)
        assert sum(days[people.rep.id].values()) == 100
        region = {value for value, _label in next(d for d in metric.dimensions() if d.key == "customer.region").choices()}
        assert region == {"East", "West"}


def test_new_customers_of_one_level_and_calls_to_customers_of_a_region(goals, people):
    for level in ("A", "A", "B"):
        with goals.app.test_request_context():
            records.save(get_entity("pipeline.customer"), people.rep, {"name": f"C {level} {Customer.select().count()}", "level": level,
                                                                       "region": "North"})
    goal_id = made(goals.post_goal(goals.manager, owner=f"user:{people.rep.id}", metric="pipeline.new_customers", target="4",
                                   period=key(QUARTER), **{"filter-customer.level": "A"}))
    assert "50%" in progress_of(goals, goal_id)  # 2 of 4
    with goals.app.test_request_context():
        from core.api import metrics

        calls = metrics()["pipeline.calls"]
        assert "customer.region" in {dimension.key for dimension in calls.dimensions()}
        assert "activity.kind" not in {dimension.key for dimension in calls.dimensions()}  # calls are one kind already


def test_a_custom_choice_of_the_deal_is_a_dimension_in_both_languages(goals, people):
    with goals.app.test_request_context():
        channel = definitions.add_field(get_entity("pipeline.deal"), {
            "type": "select", "label": "Channel", "labels": {"en": "Channel", "zh_Hans_CN": "渠道"}, "required": False, "unique": False,
            "hidden": False, "options": {"choices": [{"label-en": "Direct", "label-zh_Hans_CN": "直销"},
                                                     {"label": "Partner"}]}}, people.admin)
        direct = channel.options["choices"][0]["value"]
    first, second = product(goals, "A"), product(goals, "B")
    direct_deal = sold(goals, people.rep, 250, first)
    sold(goals, people.rep, 750, second)
    with goals.app.app_context():
        Deal.update(custom={channel.key: direct}).where(Deal.id == direct_deal).execute()
    form = goals.manager.get("/goals/new/filters?metric=pipeline.won_revenue").text
    assert f'name="filter-deal.{channel.key}"' in form and "Deals: Channel" in form and ">Direct<" in form
    goal_id = made(goals.post_goal(goals.manager, owner=f"user:{people.rep.id}", target="1000", period=key(QUARTER),
                                   **{f"filter-deal.{channel.key}": direct}))
    assert "25%" in progress_of(goals, goal_id)
    goals.manager.post("/language", data={"locale": "zh_Hans_CN"})
    page = progress_of(goals, goal_id)
    assert "渠道" in page and "直销" in page and "Channel" not in page


def test_a_value_the_dimension_does_not_offer_is_refused_and_nothing_is_saved(goals, people):
    widget = product(goals, "Widget")
    for hostile in ("999999", "<script>alert(1)</script>", str(widget) + "0" * 40, "1\x00"):
        answer = goals.post_goal(goals.manager, target="1000", period=key(QUARTER), **{"filter-product": hostile})
        assert answer.status_code == 400 and "<script>alert" not in answer.text
        assert "Not a valid choice." in answer.text or "\x00" in hostile  # NUL bytes: refused before any form reads them
    assert goals.count() == 0
    # a filter the metric does not offer is not read at all
    goal_id = made(goals.post_goal(goals.manager, metric="pipeline.calls", target="10", period=key(QUARTER),
                                   **{"filter-product": str(widget)}))
    assert goals.goal(goal_id).filters is None


def test_the_smart_check_says_what_the_goal_counts(goals, people):
    widget = product(goals, "Widget")
    data = {"owner": f"user:{people.rep.id}", "metric": "pipeline.won_revenue", "mode": "number", "target": "5", "period": key(QUARTER),
            "filter-product": str(widget), "reason": "x"}
    letters = goals.manager.post("/goals/check", data=data).text
    assert "counting only Product: Widget" in letters
    plain = goals.manager.post("/goals/check", data={**data, "filter-product": ""}).text
    assert "counting only" not in plain and "One owner" in plain


def test_the_same_goal_narrowed_differently_is_not_a_duplicate(goals, people):
    widget, gadget = product(goals, "Widget"), product(goals, "Gadget")
    common = {"owner": f"user:{people.rep.id}", "target": "100", "period": key(QUARTER)}
    made(goals.post_goal(goals.manager, **common, **{"filter-product": str(widget)}))
    made(goals.post_goal(goals.manager, **common, **{"filter-product": str(gadget)}))
    made(goals.post_goal(goals.manager, **common))
    again = goals.post_goal(goals.manager, **common, **{"filter-product": str(widget)})
    assert again.status_code == 400 and "already has a goal" in again.text
    assert goals.count() == 3


def test_a_narrowed_goal_breaks_down_and_shares_out_narrowed_and_its_parts_stay_within_it(goals, people):
    widget, gadget = product(goals, "Widget"), product(goals, "Gadget")
    team_goal = made(goals.post_goal(goals.manager, target="900", period=key(QUARTER), **{"filter-product": str(widget)}))
    assert goals.manager.post(f"/goals/{team_goal}/split", data={"kind": "month", "method": "even"}).status_code in (200, 302)
    with goals.app.app_context():
        children = list(Goal.select().where(Goal.parent == team_goal))
    assert len(children) == 3 and all(child.filters == {"product": str(widget)} for child in children)
    outside = goals.post_goal(goals.manager, owner=f"user:{people.rep.id}", target="10", period=key(MONTH), parent=team_goal,
                              **{"filter-product": str(gadget)})
    assert outside.status_code == 400 and "counts only Product: Widget" in outside.text


def test_a_goal_whose_dimension_is_gone_is_unavailable_never_counted_unfiltered(goals, people):
    with goals.app.test_request_context():
        tier = definitions.add_field(get_entity("pipeline.customer"), {
            "type": "select", "label": "Tier", "required": False, "unique": False, "hidden": False,
            "options": {"choices": [{"label": "Gold"}]}}, people.admin)
        gold = tier.options["choices"][0]["value"]
    goals.won(people.rep, 500, TODAY)
    goal_id = made(goals.post_goal(goals.manager, owner=f"user:{people.rep.id}", target="1000", period=key(QUARTER),
                                   **{f"filter-customer.{tier.key}": gold}))
    assert "Metric unavailable" not in progress_of(goals, goal_id)
    with goals.app.test_request_context():
        definitions.set_archived(get_entity("pipeline.customer"), tier, True, people.admin)
    page = progress_of(goals, goal_id)
    assert "Metric unavailable" in page and "50%" not in page


def test_goals_narrowed_many_ways_cost_one_query_per_metric_and_filter_not_per_goal(goals, people):
    year = periods.containing("year", TODAY)
    widget = product(goals, "Widget")

    def add_rep(number):
        with goals.app.app_context():
            person = User.create(email=f"f{number}@example.com", name=f"Rep {number}", role=REP, team=people.team, password_hash="x")
            for month in periods.children(year, "month"):
                Goal.create(owner_user=person.id, metric="pipeline.won_revenue", filters={"product": str(widget)}, target=100,
                            period_kind="month", start=month.start, end=month.end)
                Goal.create(owner_user=person.id, metric="pipeline.won_revenue", filters={"customer.level": "A"}, target=100,
                            period_kind="month", start=month.start, end=month.end)
        sold(goals, person, 50, widget, level="A")

    def queries():
        with count_queries() as counter:
            page = goals.admin.get(f"/goals/?period={key(year)}")
        assert page.status_code == 200 and "Product: Widget" in page.text
        return counter.count

    add_rep(1)
    queries()
    few = queries()
    for number in range(2, 8):
        add_rep(number)
    assert queries() == few


def test_the_form_offers_the_chosen_metrics_dimensions(goals, people):
    widget = product(goals, "Widget")
    page = goals.manager.get(f"/goals/new?metric=pipeline.won_revenue&filter-product={widget}").text
    assert re.search(rf'<option value="{widget}" selected>Widget</option>', page)
    assert 'hx-get="/goals/new/filters"' in page
    calls = goals.manager.get("/goals/new/filters?metric=pipeline.calls").text
    assert 'name="filter-customer.level"' in calls and 'name="filter-product"' not in calls
    assert goals.manager.get("/goals/new/filters?metric=nope").status_code == 200
