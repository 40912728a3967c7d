"""Data health: each check counts the records to fix per owner within the reader's row scope and
links to exactly them; fixing a record raises its owner's score, kept per day for the trend."""
import datetime
import re

from core.lowcode import records
from core.lowcode.entities import get_entity
from core.lowcode.models import Process, Stage
from core.lowcode.processes import ensure_defaults
from plugins.analytics.models import HealthScore
from plugins.pipeline.models import Deal

PHONES = iter(range(13800000001, 13900000000))


def deal(app, owner, name, close, won=False, amount=100):
    with app.test_request_context():
        ensure_defaults()
        customer, _ = records.save(get_entity("pipeline.customer"), owner, {"name": f"Buyer of {name}", "phone": str(next(PHONES))})
        made, _ = records.save(get_entity("pipeline.deal"), owner, {"name": name, "customer": customer.id, "amount": amount,
                                                                      "expected_close": close})
        if won:
            stage = Stage.select().join(Process).where(Process.key == "pipeline.sales", Stage.kind == "won").get()
            Deal.update(stage=stage.id, amount=0).where(Deal.id == made.id).execute()
        return made.id


def row(page: str, label: str) -> str:
    found = re.search(rf"<tr[^>]*><td>{re.escape(label)}</td>(.*?)</tr>", page, re.S)
    assert found, label
    return found.group(1)


def test_hook_data_checks_counts_per_owner_links_to_the_records_and_fixing_raises_the_score(app, people, login):
    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    late = deal(app, people.rep, "Late deal", yesterday)
    deal(app, people.rep, "Fine deal", yesterday + datetime.timedelta(days=30))
    deal(app, people.rep, "Won, no amount", None, won=True)
    deal(app, people.outsider, "Outsider's late deal", yesterday)
    manager = login(people.manager)
    page = manager.get("/analytics/health").text
    overdue = row(page, "Open deals whose expected close has passed")
    assert '<td class="amount">1</td>' in overdue  # the outsider's is not the manager's to see
    link = re.search(r'href="([^"]+)"', overdue).group(1).replace("&amp;", "&")
    listed = manager.get(link).text
    assert "Late deal" in listed and "Fine deal" not in listed and "Outsider" not in listed
    assert '<td class="amount">1</td>' in row(page, "Won deals without an amount")
    rita = row(page, "Rita Rep")
    before = int(re.search(r"<strong>(\d+)</strong>", rita).group(1))
    assert before < 100
    with app.test_request_context():
        schema = get_entity("pipeline.deal")
        records.save(schema, people.rep, {"expected_close": yesterday + datetime.timedelta(days=10)}, record=schema.model.get_by_id(late))
    after = int(re.search(r"<strong>(\d+)</strong>", row(manager.get("/analytics/health").text, "Rita Rep")).group(1))
    assert after > before
    with app.app_context():
        assert HealthScore.select().where(HealthScore.user == people.rep.id).count() == 1  # one a day, the latest kept
        assert HealthScore.get(HealthScore.user == people.rep.id).score == after


def test_a_rep_sees_their_own_and_duplicates_are_counted(app, people, login):
    deal(app, people.rep, "Mine", None)
    deal(app, people.colleague, "Colleague's", datetime.date.today() - datetime.timedelta(days=3))
    with app.test_request_context():
        for name in ("Acme Trading", "ACME Trading Ltd"):
            records.save(get_entity("pipeline.customer"), people.rep, {"name": name, "email": "a@example.com"})
    page = login(people.rep).get("/analytics/health").text
    assert '<td class="amount">0</td>' in row(page, "Open deals whose expected close has passed")  # the colleague's is not hers
    assert '<td class="amount">2</td>' in row(page, "Customers that look like duplicates (same name or phone)")
    assert "Carl Colleague" not in page


def test_values_outside_a_fields_options_after_an_option_is_archived(app, people, login):
    from core.lowcode import definitions

    with app.test_request_context():
        schema = get_entity("pipeline.deal")
        definitions.add_field(schema, {"type": "select", "key": "tier", "label": "Tier", "options": {"choices": [
            {"label": "Gold", "position": 0}, {"label": "Tin", "position": 1}]}}, people.admin)
    gold, tin = deal(app, people.rep, "Gold deal", None), deal(app, people.rep, "Tin deal", None)
    with app.test_request_context():
        schema = get_entity("pipeline.deal")
        for record_id, value in ((gold, "gold"), (tin, "tin")):
            records.save(schema, people.rep, {"tier": value}, record=schema.model.get_by_id(record_id))
    manager = login(people.manager)
    assert "Deals whose Tier is none of its options" not in manager.get("/analytics/health").text  # nothing archived: no check
    with app.test_request_context():
        schema = get_entity("pipeline.deal")
        spec = schema.field("tier")
        definitions.change_field(schema, spec.definition, {**definitions._attributes(spec.definition), "options": {"choices": [
            {"value": "gold", "label": "Gold"}, {"value": "tin", "label": "Tin", "archived": True}]}}, people.admin)
    page = manager.get("/analytics/health").text
    assert '<td class="amount">1</td>' in row(page, "Deals whose Tier is none of its options")
    link = re.search(r'Deals whose Tier is none of its options</td>.*?href="([^"]+)"', page, re.S).group(1).replace("&amp;", "&")
    listed = manager.get(link).text
    assert "Tin deal" in listed and "Gold deal" not in listed
