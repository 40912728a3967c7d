"""Issue 9: a formula over an empty value is empty, not 0, unless it asks for a default; a deal's
formulas read its effective probability (its own, else its stage's), worked out again when the
deal moves stage or the stage's probability changes."""
from __future__ import annotations

import decimal
import importlib.util
from pathlib import Path

import pytest
from flask import Flask
from flask_babel import Babel

from core.lowcode.formula import FormulaError, evaluate, parse
from core.lowcode.models import Process, Stage
from core.lowcode.processes import ensure_defaults
from plugins.pipeline.models import Customer, Deal

DEAL = "pipeline.deal"
ROOT = Path(__file__).resolve().parents[2]


# -- the arithmetic -------------------------------------------------------------------------------


@pytest.fixture
def babel_context():
    app = Flask(__name__)
    Babel(app)
    with app.test_request_context():
        yield


@pytest.mark.parametrize(
    "formula, values, expected",
    [
        ("amount * probability / 100", {"amount": 20000, "probability": None}, None),
        ("amount * probability / 100", {"amount": 20000}, None),
        ("a + b", {"a": 1, "b": ""}, None),
        ("-a", {}, None),
        ("round(a, 2)", {}, None),
        ("abs(a)", {"a": None}, None),
        ("max(a, b)", {"a": 3}, None),
        ("default(a, 0) * 2", {}, decimal.Decimal("0")),
        ("default(a, 0) * 2", {"a": 4}, decimal.Decimal("8")),
        ("amount * default(probability, 10) / 100", {"amount": 1000}, decimal.Decimal("100")),
        ("default(a + b, 7)", {"a": 1}, decimal.Decimal("7")),
        ("default(a, b)", {}, None),  # the default itself empty
        ("DEFAULT(a, 1) + ROUND(2.345, 2)", {}, decimal.Decimal("3.35")),  # functions in any case
        ("default(a / b, 0)", {"a": 1, "b": 0}, None),  # dividing by 0 is no value, not an empty field
        ("a / b", {"a": 1, "b": 0}, None),
        ("a * a * a", {"a": "1e400000"}, None),  # past Decimal's range: no value, no exception
        ("a * 2", {"a": "NaN"}, None),
        ("a * 2", {"a": "Infinity"}, None),
        ("a * 2", {"a": True}, None),
        ("a * 2", {"a": 0}, decimal.Decimal("0")),  # a 0 typed in is a value
    ],
)
def test_empty_stays_empty_unless_the_formula_gives_a_default(babel_context, formula, values, expected):
    assert evaluate(parse(formula), values) == expected


def test_default_takes_exactly_two_values(babel_context):
    with pytest.raises(FormulaError, match="default takes 2 to 2 values"):
        parse("default(a)")


# -- deals ----------------------------------------------------------------------------------------


def stage_id(app, key: str) -> int:
    with app.test_request_context():
        ensure_defaults()
        return Stage.select().join(Process).where(Process.key == "pipeline.sales", Stage.key == key).get().id


def add_formula(admin, label: str, formula: str, key: str):
    response = admin.post(f"/admin/entities/{DEAL}/fields/new",
                          data={"type": "computed", "label": label, "key": key, "formula": formula, "decimals": "2"})
    assert response.status_code == 302, response.text[:800]


def new_deal(client, app, owner, **fields) -> int:
    with app.app_context():
        customer = Customer.create(name="Acme Trading", owner=owner.id)
    data = {"name": "Rollout", "customer": customer.id, "currency": "CNY", "amount": "10000", **fields}
    response = client.post(f"/records/{DEAL}/new", data=data)
    assert response.status_code == 302, response.text[:800]
    return int(response.headers["Location"].rsplit("/", 1)[1])


def custom_of(app, deal_id: int) -> dict:
    with app.app_context():
        return dict(Deal.get_by_id(deal_id).custom or {})


@pytest.fixture
def weighted(app, login, people):
    """The designer's own example formula on the deal form, as an admin adds it in the browser."""
    add_formula(login(people.admin), "Weighted", "amount * probability / 100", "weighted")
    return login(people.rep)


def test_the_designers_example_weighs_a_deal_by_its_stage_when_it_has_no_probability(app, people, weighted):
    rep = weighted
    deal_id = new_deal(rep, app, people.rep)  # enters Customer development: 5%
    assert custom_of(app, deal_id)["weighted"] == 500
    page = rep.get(f"/records/{DEAL}/{deal_id}").text
    assert "500" in page


def test_a_deals_own_probability_wins_and_clearing_it_goes_back_to_the_stage(app, people, weighted):
    rep = weighted
    deal_id = new_deal(rep, app, people.rep, probability="50")
    assert custom_of(app, deal_id)["weighted"] == 5000
    with app.app_context():
        customer_id = Deal.get_by_id(deal_id).customer_id
    edit = {"name": "Rollout", "customer": customer_id, "currency": "CNY", "amount": "10000", "probability": ""}
    assert rep.post(f"/records/{DEAL}/{deal_id}/edit", data=edit).status_code == 302
    assert custom_of(app, deal_id)["weighted"] == 500
    assert rep.post(f"/records/{DEAL}/{deal_id}/edit", data={**edit, "probability": "0"}).status_code == 302
    assert custom_of(app, deal_id)["weighted"] == 0  # 0% is a probability, not an empty one


def test_moving_the_deal_to_another_stage_works_its_formula_out_again(app, people, weighted):
    rep = weighted
    deal_id = new_deal(rep, app, people.rep)
    follow_up = stage_id(app, "follow_up")  # 40%
    moved = rep.post("/pipeline/board/move", data={"deal": deal_id, "stage": follow_up})
    assert moved.status_code == 200, moved.text[:500]
    assert custom_of(app, deal_id)["weighted"] == 4000
    with app.app_context():
        assert Deal.get_by_id(deal_id).stage_id == follow_up


def test_a_deal_with_its_own_probability_keeps_it_when_it_moves(app, people, weighted):
    rep = weighted
    deal_id = new_deal(rep, app, people.rep, probability="70")
    rep.post("/pipeline/board/move", data={"deal": deal_id, "stage": stage_id(app, "follow_up")})
    assert custom_of(app, deal_id)["weighted"] == 7000


def test_changing_a_stages_probability_works_its_deals_out_again(app, login, people, weighted):
    rep = weighted
    deal_id = new_deal(rep, app, people.rep)
    own = new_deal(rep, app, people.rep, probability="30")
    development = stage_id(app, "development")
    with app.app_context():
        stage = Stage.get_by_id(development)
        form = {"label": "Customer development", "kind": "open", "probability": "25", "color": stage.color}
    admin = login(people.admin)
    response = admin.post(f"/admin/processes/{stage.process_id}/stages/{development}", data=form)
    assert response.status_code in (200, 302), response.text[:500]
    with app.app_context():
        assert Stage.get_by_id(development).probability == 25
    assert custom_of(app, deal_id)["weighted"] == 2500
    assert custom_of(app, own)["weighted"] == 3000


def test_an_empty_field_leaves_the_result_empty_and_a_default_fills_it(app, login, people):
    admin = login(people.admin)
    response = admin.post(f"/admin/entities/{DEAL}/fields/new",
                          data={"type": "decimal", "label": "Discount", "key": "discount"})
    assert response.status_code == 302, response.text[:500]
    add_formula(admin, "Net", "amount - discount", "net")
    add_formula(admin, "Net or gross", "amount - default(discount, 0)", "net_or_gross")
    rep = login(people.rep)
    deal_id = new_deal(rep, app, people.rep)
    stored = custom_of(app, deal_id)
    assert "net" not in stored  # empty, not 10000 - 0
    assert stored["net_or_gross"] == 10000
    with app.app_context():
        customer_id = Deal.get_by_id(deal_id).customer_id
    edit = {"name": "Rollout", "customer": customer_id, "currency": "CNY", "amount": "10000", "discount": "1500"}
    assert rep.post(f"/records/{DEAL}/{deal_id}/edit", data=edit).status_code == 302
    stored = custom_of(app, deal_id)
    assert (stored["net"], stored["net_or_gross"]) == (8500, 8500)


def test_a_result_too_large_to_store_is_empty_with_a_message_never_a_500(app, login, people):
    admin = login(people.admin)
    add_formula(admin, "Huge", "amount * amount * amount * amount * amount", "huge")
    rep = login(people.rep)
    with app.app_context():
        customer = Customer.create(name="Big Co", owner=people.rep.id)
    response = rep.post(f"/records/{DEAL}/new", data={"name": "Big", "customer": customer.id, "currency": "CNY",
                                                     "amount": "99999999999"}, follow_redirects=True)
    assert response.status_code == 200
    assert "could not be calculated" in response.text
    with app.app_context():
        assert "huge" not in Deal.get(Deal.name == "Big").custom


def test_the_designer_explains_empty_values_and_default(app, login, people):
    admin = login(people.admin)
    page = admin.get(f"/admin/entities/{DEAL}/fields/editor?type=computed").text
    assert "default(discount, 0)" in page and "stays empty" in page


def test_the_upgrade_works_stored_values_out_again(app, people, weighted):
    """Values stored under the old rules (empty counted as 0) are worked out again by migration."""
    rep = weighted
    deal_id = new_deal(rep, app, people.rep)
    with app.app_context():
        Deal.update(custom={"weighted": 0}).where(Deal.id == deal_id).execute()  # as the old rules left it
    spec = importlib.util.spec_from_file_location("formulas_keep_empty", ROOT / "core/migrations/0007_formulas_keep_empty.py")
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    from core.db import db

    with app.test_request_context():
        assert migration.recompute_everything(db.obj) >= 1
    assert custom_of(app, deal_id)["weighted"] == 500


def test_merging_a_stage_works_its_deals_out_again(app, login, people, weighted):
    rep = weighted
    deal_id = new_deal(rep, app, people.rep)  # Customer development: 5%
    development, follow_up = stage_id(app, "development"), stage_id(app, "follow_up")
    with app.app_context():
        process_id = Stage.get_by_id(development).process_id
    merged = login(people.admin).post(f"/admin/processes/{process_id}/stages/{development}/merge", data={"into": str(follow_up)})
    assert merged.status_code in (200, 302), merged.text[:500]
    with app.app_context():
        assert Deal.get_by_id(deal_id).stage_id == follow_up
    assert custom_of(app, deal_id)["weighted"] == 4000
