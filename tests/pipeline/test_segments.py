"""The pipeline's numbers on won deals: product sales from the won deals' lines, customers in ABC
and RFM within the reader's row scope (the segment written back to a customer field), and the home
forecast card's "won so far" as the rep is credited."""
import datetime
import decimal

from core.lowcode import records
from core.lowcode.entities import get_entity
from core.lowcode.models import AuditEntry, Process, Stage
from core.lowcode.processes import ensure_defaults
from plugins.pipeline import segments
from plugins.pipeline.models import Customer, Deal, DealLine, Product
from plugins.pipeline.numbers import Period

TODAY = datetime.datetime.now(datetime.UTC).date()


def customer(app, owner, name) -> int:
    with app.test_request_context():
        made, _ = records.save(get_entity("pipeline.customer"), owner, {"name": name})
        return made.id


def won(app, owner, customer_id, amount, days_ago=1, lines=(), kind="won") -> int:
    with app.test_request_context():
        ensure_defaults()
        stage = Stage.select().join(Process).where(Process.key == "pipeline.sales", Stage.kind == kind).get()
        deal, _ = records.save(get_entity("pipeline.deal"), owner, {"name": f"Deal {amount}", "customer": customer_id, "amount": amount})
        closed = datetime.datetime.combine(TODAY - datetime.timedelta(days=days_ago), datetime.time(12))
        Deal.update(stage=stage.id, closed_at=closed).where(Deal.id == deal.id).execute()
        for product, quantity, price in lines:
            DealLine.create(deal=deal.id, product=product, quantity=quantity, unit_price=price)
        return deal.id


def period():
    return Period(TODAY - datetime.timedelta(days=364), TODAY, None)


def test_product_sales_by_product_and_group_with_shares_and_the_deals_without_lines(app, people, login):
    with app.app_context():
        crm = Product.create(name="CRM", category="Software", list_price=100).id
        setup = Product.create(name="Setup", category="Service", list_price=50).id
        addon = Product.create(name="Add-on", category="Software", list_price=10).id
    buyer = customer(app, people.rep, "Buyer")
    won(app, people.rep, buyer, 650, lines=[(crm, 5, 100), (setup, 2, 50), (addon, 5, 10)])
    won(app, people.colleague, buyer, 200, lines=[(setup, 4, 50)])
    won(app, people.rep, buyer, 999, lines=[(crm, 9, 111)], kind="lost")  # not won: not counted
    won(app, people.rep, buyer, 75)  # won without lines
    won(app, people.outsider, customer(app, people.outsider, "Far"), 5000, lines=[(crm, 50, 100)])  # another team's
    with app.test_request_context():
        from flask_login import login_user
        login_user(people.manager)
        found = segments.products(period())
    assert [(share.label, share.quantity, share.revenue, share.percent) for share in found.products] == [
        ("CRM", 5, 500, 59), ("Setup", 6, 300, 35), ("Add-on", 5, 50, 6)]
    assert [(share.label, share.revenue, share.percent) for share in found.groups] == [("Software", 550, 65), ("Service", 300, 35)]
    assert found.unlined == (1, decimal.Decimal(75)) and found.total == 850
    page = login(people.manager).get("/pipeline/numbers/products").text
    assert "Product sales" in page and "<img" in page and "5,000" not in page
    assert "1 deal won without product lines (75) is not counted here." in page


def abc_people(app, people):
    """Four customers of the team (won revenue 690, 200, 60, 40) and one of another team."""
    ids = {}
    for name, amount, deals, days_ago in (("Big", 690, 3, 5), ("Mid", 200, 1, 100), ("Small", 60, 2, 200), ("Tiny", 40, 1, 300)):
        ids[name] = customer(app, people.rep, name)
        for number in range(deals):
            won(app, people.rep, ids[name], decimal.Decimal(amount) / deals, days_ago=days_ago + number)
    ids["Far"] = customer(app, people.outsider, "Far")
    won(app, people.outsider, ids["Far"], 10000)
    return ids


def test_abc_by_revenue_share_and_rfm_cells(app, people, login):
    ids = abc_people(app, people)
    with app.test_request_context():
        from flask_login import login_user
        login_user(people.manager)
        found = segments.segments(period())
    classes = {bought.name: bought.abc for bought in found.customers}
    assert classes == {"Big": "A", "Mid": "A", "Small": "B", "Tiny": "C"}  # Mid crosses 80 %: still A
    assert found.abc["A"] == (2, 890, 90) and found.abc["B"] == (1, 60, 6) and found.abc["C"] == (1, 40, 4)
    rfm = {bought.name: bought.rfm for bought in found.customers}
    assert rfm["Big"] == (3, 3, 3)  # the latest, the most deals, the most money
    assert rfm["Tiny"] == (1, 1, 1)
    assert rfm["Small"][1] == 3 - 0 or rfm["Small"][1] == 2  # two deals: beats the ones with one
    assert [bought.name for bought in found.cells[(3, 3)]] == ["Big"]
    page = login(people.manager).get("/pipeline/numbers/customers").text
    assert "Champions" in page and f'/pipeline/customers/{ids["Big"]}' in page and "Far" not in page


def test_the_segment_is_written_to_a_customer_field_only_by_those_who_may(app, people, login):
    ids = abc_people(app, people)
    manager, admin = login(people.manager), login(people.admin)
    assert login(people.rep).post("/pipeline/numbers/customers", data={"kind": "abc"}).status_code == 403
    page = manager.get("/pipeline/numbers/customers").text
    assert "Write the class to each customer" not in page and "An admin writes the classes to the customers the first time" in page
    refused = manager.post("/pipeline/numbers/customers", data={"kind": "abc"})
    assert refused.status_code == 400 and "an admin writes the segments the first time" in refused.text
    assert manager.post("/pipeline/numbers/customers", data={"kind": "<script>"}).status_code == 400
    answer = admin.post("/pipeline/numbers/customers", data={"kind": "abc"})
    assert answer.status_code == 302
    with app.app_context():
        stored = {row.name: (row.custom or {}).get("abc_class") for row in Customer.select()}
        assert AuditEntry.select().where(AuditEntry.action == "field_add", AuditEntry.title == "ABC class").exists()
    # The admin sees every team: the other team's big customer makes A alone.
    assert stored == {"Far": "a", "Big": "b", "Mid": "c", "Small": "c", "Tiny": "c"}
    assert "Write the class to each customer" in manager.get("/pipeline/numbers/customers").text  # the field is there now
    # The manager can now write the RFM segment (an admin makes that field first) and the field shows on the list.
    assert admin.post("/pipeline/numbers/customers", data={"kind": "rfm"}).status_code == 302
    with app.app_context():
        Deal.delete().where(Deal.customer == ids["Tiny"]).execute()  # Tiny leaves every segment
    assert manager.post("/pipeline/numbers/customers", data={"kind": "abc"}).status_code == 302
    with app.app_context():
        rows = {row.name: row.custom or {} for row in Customer.select()}
    assert {name: row.get("abc_class") for name, row in rows.items()} == {"Far": "a", "Big": "a", "Mid": "a", "Small": "b", "Tiny": None}
    assert rows["Big"]["rfm_segment"]  # the manager's customers in his team's classes; Far, out of his scope, untouched
    listed = manager.get("/records/pipeline.customer/?fk=abc_class&fo=is&fv=a").text
    assert "Big" in listed and "Small" not in listed


def test_the_forecast_cards_won_so_far_counts_a_reps_share_of_the_credit(app, people, login):
    """A rep's "won so far" is what the won revenue metric credits them: their share of a split deal
    they own, and their share of a colleague's deal they helped win."""
    from plugins.pipeline.models import DealCredit

    buyer = customer(app, people.rep, "Split buyer")
    mine = won(app, people.rep, buyer, 1000, days_ago=0)
    theirs = won(app, people.colleague, customer(app, people.colleague, "Helped buyer"), 500, days_ago=0)
    with app.app_context():
        DealCredit.create(deal=mine, user=people.colleague.id, share=25)
        DealCredit.create(deal=theirs, user=people.rep.id, share=40)
    home = login(people.rep).get("/").text
    card = home[home.index("This month's forecast"):][:600]
    assert "<dd>950</dd>" in card  # 750 of her own deal and 200 of the colleague's
    manager_card = login(people.manager).get("/").text
    assert "<dd>1,500</dd>" in manager_card[manager_card.index("This month's forecast"):][:600]  # the team's deals, whoever is credited
