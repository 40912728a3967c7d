"""Customers, contacts, products and deals as records: the generic pages, the deal page, lines."""
import decimal
import re

from core.lowcode.models import AuditEntry
from plugins.pipeline.models import Contact, Customer, Deal, DealLine


def test_every_pipeline_entity_has_a_list_and_a_form(pipe):
    for entity in ("pipeline.customer", "pipeline.contact", "pipeline.deal", "pipeline.activity", "pipeline.product"):
        assert pipe.admin.get(f"/records/{entity}/").status_code == 200
        assert pipe.admin.get(f"/records/{entity}/new").status_code == 200
    assert pipe.admin.get("/admin/entities/pipeline.deal/fields").status_code == 200  # the form designer


def test_a_new_deal_from_a_customer_page_starts_with_that_customer(pipe, people):
    acme = pipe.customer(people.rep, "Acme Trading")
    form = pipe.rep.get(f"/records/pipeline.deal/new?customer={acme}&expected_close=2027-01-31&amount=lots").text
    assert re.search(rf'<option selected value="{acme}">Acme Trading</option>|<option value="{acme}" selected>Acme Trading', form)
    assert 'value="2027-01-31"' in form
    saved = pipe.rep.post("/records/pipeline.deal/new", data={"name": "Rollout", "customer": acme, "currency": "CNY", "amount": "1200"})
    assert saved.status_code == 302
    deal_id = int(saved.headers["Location"].rsplit("/", 1)[1])
    assert saved.headers["Location"] == f"/pipeline/deals/{deal_id}"  # the deal's own page
    deal = pipe.get(Deal, deal_id)
    assert (deal.owner_id, deal.amount, deal.stage_id) == (people.rep.id, decimal.Decimal("1200.00"), pipe.stage("development"))


def test_a_rep_cannot_attach_a_deal_to_a_colleagues_customer(pipe, people):
    theirs = pipe.customer(people.colleague, "Beta Logistics")
    form = pipe.rep.get("/records/pipeline.deal/new").text
    assert "Beta Logistics" not in form
    refused = pipe.rep.post("/records/pipeline.deal/new", data={"name": "Sneaky", "customer": theirs, "currency": "CNY"})
    assert refused.status_code == 400 and "Not a valid choice" in refused.text
    with pipe.app.app_context():
        assert not Deal.select().where(Deal.name == "Sneaky").exists()


def test_contacts_belong_to_whoever_owns_their_customer(pipe, people):
    acme = pipe.customer(people.rep)
    contact = pipe.contact(people.rep, acme, "李芳")
    assert pipe.get(Contact, contact).owner_id == people.rep.id
    assert "李芳" in pipe.rep.get("/records/pipeline.contact/").text
    assert "李芳" not in pipe.colleague.get("/records/pipeline.contact/").text
    assert pipe.colleague.get(f"/records/pipeline.contact/{contact}").status_code == 404
    # Handing the customer to the colleague (the list's bulk edit) hands over its contacts.
    pipe.manager.post("/records/pipeline.customer/bulk", data={"ids": [acme], "field": "owner", "bulk-value": people.colleague.id})
    assert pipe.get(Customer, acme).owner_id == people.colleague.id
    assert pipe.get(Contact, contact).owner_id == people.colleague.id


def test_only_managers_and_admins_edit_the_product_catalogue(pipe, people):
    product = pipe.product("CRM Pro", 36000)
    assert "CRM Pro" in pipe.rep.get("/records/pipeline.product/").text  # everyone sees it
    assert pipe.rep.get("/records/pipeline.product/new").status_code == 403
    assert pipe.rep.post(f"/records/pipeline.product/{product}/edit", data={"name": "Free", "list_price": "0"}).status_code == 403
    created = pipe.manager.post("/records/pipeline.product/new", data={"name": "Training day", "list_price": "5000", "active": "y"})
    assert created.status_code == 302


def test_product_lines_set_the_amount_of_a_deal(pipe, people):
    deal = pipe.deal(people.rep, pipe.customer(people.rep), amount=1)
    pro, day = pipe.product("CRM Pro", 36000), pipe.product("Training day", 5000)
    added = pipe.rep.post(f"/pipeline/deals/{deal}/lines", data={"line-product": pro, "line-quantity": "2"})
    assert added.status_code == 302
    pipe.rep.post(f"/pipeline/deals/{deal}/lines", data={"line-product": day, "line-quantity": "1.5", "line-unit_price": "4000"})
    assert pipe.get(Deal, deal).amount == decimal.Decimal("78000.00")  # 2 × 36,000 + 1.5 × 4,000
    page = pipe.rep.get(f"/pipeline/deals/{deal}").text
    assert "¥78,000.00" in page and "Training day" in page
    with pipe.app.app_context():
        line = DealLine.get(DealLine.product == day)
        assert AuditEntry.select().where(AuditEntry.action == "line_add", AuditEntry.record_id == deal).count() == 2
    pipe.rep.post(f"/pipeline/deals/{deal}/lines/{line.id}/delete")
    assert pipe.get(Deal, deal).amount == decimal.Decimal("72000.00")


def test_bad_product_lines_are_refused_and_change_nothing(pipe, people):
    deal = pipe.deal(people.rep, pipe.customer(people.rep), amount=10)
    pro = pipe.product("CRM Pro", 36000)
    for data in ({"line-product": pro, "line-quantity": "-1"}, {"line-product": pro, "line-quantity": "1e30"},
                 {"line-product": "999999", "line-quantity": "1"}, {"line-product": pro, "line-quantity": "lots"},
                 {"line-product": pro, "line-quantity": "1", "line-unit_price": "<script>"}):
        response = pipe.rep.post(f"/pipeline/deals/{deal}/lines", data=data)
        assert response.status_code == 400, data
    with pipe.app.app_context():
        assert DealLine.select().count() == 0 and Deal.get_by_id(deal).amount == 10
    other = pipe.deal(people.rep, pipe.customer(people.rep, "Other"))
    pipe.rep.post(f"/pipeline/deals/{other}/lines", data={"line-product": pro, "line-quantity": "1"})
    with pipe.app.app_context():
        line = DealLine.get()
    assert pipe.rep.post(f"/pipeline/deals/{deal}/lines/{line.id}/delete").status_code == 404  # not this deal's line


def test_the_deal_page_shows_probability_from_the_stage_unless_overridden(pipe, people):
    deal = pipe.deal(people.rep, pipe.customer(people.rep), amount=10000)
    page = pipe.rep.get(f"/pipeline/deals/{deal}").text
    assert "5%" in page and "¥500.00" in page  # Customer development: 5%
    pipe.rep.post(f"/records/pipeline.deal/{deal}/edit", data={"name": "Rollout", "customer": pipe.get(Deal, deal).customer_id,
                                                             "currency": "CNY", "amount": "10000", "probability": "50"})
    page = pipe.rep.get(f"/pipeline/deals/{deal}").text
    assert "50%" in page and "¥5,000.00" in page


def test_user_text_is_escaped_on_pipeline_pages(pipe, people):
    hostile = "<script>alert(1)</script>"
    acme = pipe.customer(people.rep, hostile + " Ltd", industry=hostile)
    deal = pipe.deal(people.rep, acme, name=hostile, next_step=hostile)
    pipe.activity(people.rep, subject=hostile, deal=deal, customer=acme, outcome=hostile)
    for url in ("/pipeline/", f"/pipeline/deals/{deal}", f"/pipeline/customers/{acme}", "/pipeline/followups", "/",
                "/records/pipeline.deal/", "/pipeline/duplicates"):
        page = pipe.manager.get(url).text if url == "/pipeline/duplicates" else pipe.rep.get(url).text
        assert "<script>alert" not in page, url


def test_an_unknown_or_deleted_customer_is_not_found(pipe, people):
    acme = pipe.customer(people.rep)
    assert pipe.rep.get("/pipeline/customers/999999").status_code == 404
    pipe.rep.post(f"/records/pipeline.customer/{acme}/delete")
    assert pipe.rep.get(f"/pipeline/customers/{acme}").status_code == 404
    with pipe.app.app_context():
        assert Customer.get_by_id(acme).deleted_at is not None


def test_editing_a_lost_deal_in_chinese_keeps_its_reason_and_records_no_change(pipe, people):
    deal = pipe.deal(people.rep, pipe.customer(people.rep), amount=100)
    pipe.rep.post(f"/records/pipeline.deal/{deal}/move", data={"stage": pipe.stage("lost"), "lost_reason": "No budget"})
    pipe.rep.post("/language", data={"locale": "zh_Hans_CN"})
    form = pipe.rep.get(f"/records/pipeline.deal/{deal}/edit").text
    assert re.search(r'<option selected value="No budget">没有预算</option>|<option value="No budget" selected>没有预算', form)
    record = pipe.get(Deal, deal)
    pipe.rep.post(f"/records/pipeline.deal/{deal}/edit", data={
        "name": "Rollout", "customer": record.customer_id, "currency": "CNY", "amount": "250", "lost_reason": "No budget"})
    assert pipe.get(Deal, deal).lost_reason.source == "No budget"
    with pipe.app.app_context():
        change = (AuditEntry.select().where(AuditEntry.record_id == deal, AuditEntry.entity == "pipeline.deal")
                  .order_by(AuditEntry.id.desc()).get())
        assert change.action == "update"
        assert set(change.changes) == {"amount"}
    assert "没有预算" in pipe.rep.get(f"/pipeline/deals/{deal}").text
