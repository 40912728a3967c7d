"""A plan narrowed to part of its metric, accelerators on a product, and short-term bonuses paid
once as their own statement line; what bad input gets; who sees and sets them."""
import re

from plugins.incentives.models import Plan, Spiff, SpiffPaid, Statement
from plugins.pipeline.models import DealLine, Product

from .conftest import KEY, LAST_MONTH, MONTH, TODAY

FIXED = {"on_goal": "", "tier-0-start": "0", "tier-0-rate": "3", "tier-1-start": "", "tier-1-rate": "", "tier-2-start": "",
         "tier-2-rate": "", "bonus-0-at": "", "bonus-0-amount": ""}
SPIFF = {"name-en": "New customers push", "name-zh_Hans_CN": "新客户冲刺", "metric": "pipeline.deals_won", "starts": MONTH[0].isoformat(),
         "ends": MONTH[1].isoformat(), "pays": "per_unit", "amount": "500", "currency": "CNY"}


def product(app, name: str) -> int:
    with app.app_context():
        return Product.create(name=name, category="", search_text=name.lower()).id


def sold(pay, owner, amount, item: int, on=TODAY) -> int:
    deal = pay.won(owner, amount, on)
    with pay.app.app_context():
        DealLine.create(deal=deal, product=item, quantity=1, unit_price=amount)
    return deal


def statement(pay, client, plan, person) -> str:
    page = client.get(f"/incentives/plans/{plan}/{KEY}/{person.id}")
    assert page.status_code == 200
    return page.text


def test_an_accelerator_pays_more_on_one_product_and_a_plan_can_count_only_one(app, pay, people):
    widget, gadget = product(app, "Widget"), product(app, "Gadget")
    sold(pay, people.rep, 1000, widget)
    sold(pay, people.rep, 500, gadget)
    plan = pay.plan(**FIXED, **{"acc-0-choice": f"product={widget}", "acc-0-rate": "2"})
    with app.app_context():
        assert Plan.get_by_id(plan).accelerators == [{"dimension": "product", "value": str(widget), "rate": "2"}]
    page = statement(pay, pay.rep, plan, people.rep)
    assert "Accelerator: 2% more on Product: Widget" in page
    assert "45.00" in page and "20.00" in page and "65.00 CNY" in page  # 3% of 1,500 and 2% more of 1,000
    only = pay.plan(**FIXED, **{"name-en": "Widgets only", "filter-product": str(widget), "priority": "5"})
    page = statement(pay, pay.rep, only, people.rep)
    assert "30.00 CNY" in page  # 3% of the widgets' 1,000 only
    form = pay.admin.get(f"/incentives/plans/{only}").text
    assert f'<option value="{widget}" selected>Widget</option>' in form
    swapped = pay.admin.get("/incentives/narrowing?metric=pipeline.won_revenue&form=plan", headers={"HX-Request": "true"})
    assert swapped.status_code == 200 and 'name="filter-product"' in swapped.text and 'name="acc-0-choice"' in swapped.text
    assert pay.rep.get("/incentives/narrowing?metric=pipeline.won_revenue").status_code == 403


def test_bad_narrowing_is_refused_beside_its_field(app, pay, people):
    with app.app_context():
        before = Plan.select().count()
    for changes, message in (({"acc-0-choice": "product=99999", "acc-0-rate": "2"}, "Choose what the accelerator pays more on."),
                             ({"acc-0-choice": "nope=1", "acc-0-rate": "2"}, "Choose what the accelerator pays more on."),
                             ({"acc-0-choice": f"product={product(app, 'W')}", "acc-0-rate": "120"}, "from 0 to 100"),
                             ({"filter-product": "<script>"}, "Not a valid choice.")):
        response = pay.admin.post("/incentives/plans/new", data={**FIXED, **{
            "name-en": "Bad", "metric": "pipeline.won_revenue", "period": "month", "currency": "CNY", "starts": "2020-01-01",
            "roles": "rep", "mode": "marginal", "priority": "0"}, **changes})
        assert response.status_code == 400 and message in response.text, changes
        assert "<script>" not in response.text
    with app.app_context():
        assert Plan.select().count() == before


def test_a_short_term_bonus_is_its_own_line_paid_once(app, pay, people):
    plan = pay.plan(**FIXED)
    made = pay.admin.post("/incentives/bonuses/new", data={**SPIFF, "teams": str(people.team.id)})
    assert made.status_code == 302, re.findall(r'class="error">([^<]+)', made.text)
    pay.won(people.rep, 100, TODAY)
    pay.won(people.rep, 100, TODAY)
    pay.won(people.rep, 100, LAST_MONTH[1])  # before the bonus: not counted
    pay.won(people.outsider, 100, TODAY)  # the bonus is for the East team only
    page = statement(pay, pay.rep, plan, people.rep)
    assert "Short-term bonus: New customers push" in page and "1,000.00" in page  # 2 deals × 500
    assert "Short-term bonus" not in statement(pay, pay.admin, plan, people.outsider)
    assert "1,000.00 CNY" in pay.rep.get("/incentives/bonuses").text  # mine so far
    assert "New customers push" not in pay.outsider.get("/incentives/bonuses").text
    assert pay.manager.post(f"/incentives/plans/{plan}/{KEY}/{people.rep.id}/approve", data={"early": "y"}).status_code == 302
    with app.app_context():
        paid = SpiffPaid.get()
        assert paid.user_id == people.rep.id and paid.statement_id == Statement.get(Statement.user == people.rep.id).id
        from core.models import User
        from plugins.incentives import services
        later = services.sheet(Plan.get_by_id(plan), MONTH[1], MONTH[1], User.get_by_id(people.rep.id))
        assert not [line for line in later.lines if line["kind"] in ("spiff", "adjustment")]  # paid once, not taken back


def test_bad_bonuses_are_refused_and_only_admins_set_them(app, pay, people):
    for changes, message in (({"ends": LAST_MONTH[0].isoformat()}, "ends before it starts"), ({"pays": ""}, "Choose how the bonus pays"),
                             ({"pays": "rate", "amount": "150"}, "from 0 to 100"), ({"amount": "-1"}, "It cannot be negative."),
                             ({"amount": "9" * 40}, "too large"), ({"metric": "nope"}, "Choose the number the bonus pays on."),
                             ({"metric": "pipeline.won_revenue", "filter-product": "1 OR 1=1"}, "Not a valid choice."),
                             ({"teams": "99999"}, "Choose teams from the list."),
                             ({"name-en": "", "name-zh_Hans_CN": ""}, "Give the bonus")):
        response = pay.admin.post("/incentives/bonuses/new", data={**SPIFF, **changes})
        assert response.status_code == 400 and message in response.text, changes
    with app.app_context():
        assert Spiff.select().count() == 0
    assert pay.manager.post("/incentives/bonuses/new", data=SPIFF).status_code == 403
    assert pay.manager.get("/incentives/bonuses/new").status_code == 403
    pay.admin.post("/incentives/bonuses/new", data=SPIFF)
    with app.app_context():
        spiff = Spiff.get().id
    assert pay.rep.post(f"/incentives/bonuses/{spiff}/archive").status_code == 403
    assert pay.admin.post(f"/incentives/bonuses/{spiff}/archive").status_code == 302
    assert pay.admin.get(f"/incentives/bonuses/{spiff}").status_code == 404
