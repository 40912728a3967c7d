"""A form's link fields (a deal's customer and contact) read their 500 choices only to be shown:
saving checks the chosen id against what the user may see, in one query."""
from core.db import db
from core.lowcode import records
from core.lowcode.entities import get_entity
from plugins.pipeline.models import Deal


def customer(app, owner, name) -> int:
    with app.test_request_context():
        record, _ = records.save(get_entity("pipeline.customer"), owner, {"name": name})
        return record.id


def test_saving_a_deal_checks_its_customer_without_loading_the_choices(app, login, people):
    mine = customer(app, people.rep, "Mine")
    theirs = customer(app, people.outsider, "Theirs")
    rep = login(people.rep)
    statements = []
    original = db.obj.execute_sql

    def logged(sql, params=None, *args, **kwargs):
        statements.append(sql)
        return original(sql, params, *args, **kwargs)

    db.obj.execute_sql = logged
    try:
        saved = rep.post("/records/pipeline.deal/new", data={"name": "Rollout", "customer": mine, "amount": "10", "currency": "CNY"})
    finally:
        db.obj.execute_sql = original
    assert saved.status_code == 302
    assert not [sql for sql in statements if '"pipeline_customer"' in sql and "LIMIT" in sql and "ORDER BY" in sql]
    refused = rep.post("/records/pipeline.deal/new", data={"name": "Sneaky", "customer": theirs, "amount": "10", "currency": "CNY"})
    assert refused.status_code == 400 and "Not a valid choice." in refused.text
    assert ">Mine<" in refused.text  # shown again, the form offers the choices
    with app.app_context():
        assert [deal.name for deal in Deal.select()] == ["Rollout"]
