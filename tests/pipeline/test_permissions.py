"""A rep sees and changes their own customers, deals and activities (and the pool); a manager
their team's; an admin all. Guessing a colleague's ids in any pipeline URL finds nothing."""
import re

from core.db import utcnow
from plugins.pipeline.models import Activity, Customer, Deal, DealCredit, DealLine


def colleagues_records(pipe, people):
    customer = pipe.customer(people.colleague, "Colleague's customer")
    deal = pipe.deal(people.colleague, customer, name="Colleague's deal", amount=777)
    activity = pipe.activity(people.colleague, "Colleague's call", deal=deal, customer=customer, due_at=utcnow())
    with pipe.app.app_context():
        line = DealLine.create(deal=deal, product=pipe.product(), quantity=1, unit_price=777).id
        credit = DealCredit.create(deal=deal, user=people.manager.id, share=10).id
    return {"deal_id": deal, "customer_id": customer, "activity_id": activity, "line_id": line, "credit_id": credit, "name": "funnel"}


# Each pipeline URL with a record in it, and what a rep sends to it.
ATTEMPTS = [
    ("GET", "/pipeline/deals/<int:deal_id>", {}),
    ("POST", "/pipeline/deals/<int:deal_id>", {"log-kind": "call", "log-subject": "Mine now"}),
    ("POST", "/pipeline/deals/<int:deal_id>/lines", {"line-product": "1", "line-quantity": "1"}),
    ("POST", "/pipeline/deals/<int:deal_id>/lines/<int:line_id>/delete", {}),
    ("POST", "/pipeline/deals/<int:deal_id>/credits", {"user": "1", "share": "50"}),
    ("POST", "/pipeline/deals/<int:deal_id>/credits/<int:credit_id>/delete", {}),
    ("POST", "/pipeline/activities/<int:activity_id>/done", {}),
    ("POST", "/pipeline/activities/<int:activity_id>/reschedule", {"due_at": "2030-01-01T10:00"}),
    ("GET", "/pipeline/customers/<int:customer_id>", {}),
    ("POST", "/pipeline/customers/<int:customer_id>", {"log-kind": "call", "log-subject": "Mine now"}),
    ("POST", "/pipeline/customers/<int:customer_id>/claim", {}),
    ("POST", "/pipeline/customers/<int:customer_id>/release", {}),
]


def test_a_rep_guessing_a_colleagues_ids_finds_nothing_anywhere(pipe, people):
    ids = colleagues_records(pipe, people)
    pipe.customer(people.rep, "Mine")
    for method, rule, data in ATTEMPTS:
        url = re.sub(r"<(?:int:)?(\w+)>", lambda match: str(ids[match.group(1)]), rule)
        response = pipe.rep.get(url) if method == "GET" else pipe.rep.post(url, data=data)
        assert response.status_code == 404, f"{method} {url}: {response.status_code}"
    # The routes without an id in the path take ids in the form.
    assert pipe.rep.post("/pipeline/board/move", data={"deal": ids["deal_id"], "stage": pipe.stage("lost")}).status_code == 404
    assert pipe.rep.post("/pipeline/duplicates/merge", data={"keep": ids["customer_id"],
                                                             "other": ids["customer_id"] + 1}).status_code in (400, 404)
    # Generic record pages and exports are scoped the same way.
    assert pipe.rep.get(f"/records/pipeline.deal/{ids['deal_id']}").status_code == 404
    assert pipe.rep.post(f"/records/pipeline.deal/{ids['deal_id']}/move", data={"stage": pipe.stage("lost")}).status_code == 404
    assert pipe.rep.post(f"/records/pipeline.deal/{ids['deal_id']}/edit", data={"name": "x"}).status_code == 404
    assert pipe.rep.get(f"/records/pipeline.activity/{ids['activity_id']}").status_code == 404
    export = pipe.rep.get("/records/pipeline.deal/export.csv").get_data(as_text=True)
    assert "Colleague's" not in export
    # Pages that list or count show none of it.
    for url in ("/pipeline/", "/pipeline/followups?who=team", "/pipeline/numbers", "/", "/timemgmt/", "/pipeline/duplicates",
                "/records/pipeline.deal/", "/records/pipeline.customer/"):
        page = pipe.rep.get(url).text
        assert "Colleague&#39;s" not in page and "777" not in page, url
    # Nothing changed.
    with pipe.app.app_context():
        deal = Deal.get_by_id(ids["deal_id"])
        assert (deal.owner_id, deal.stage_id, deal.amount) == (people.colleague.id, pipe.stage("development"), 777)
        assert Activity.get_by_id(ids["activity_id"]).done_at is None
        assert Customer.get_by_id(ids["customer_id"]).owner_id == people.colleague.id
        assert DealLine.select().count() == 1 and Activity.select().count() == 1
        assert [(credit.user_id, credit.share) for credit in DealCredit.select()] == [(people.manager.id, 10)]


def test_every_pipeline_url_with_a_record_is_checked(pipe):
    """A new route with an id in its path must join ATTEMPTS above."""
    with_ids = {rule.rule for rule in pipe.app.url_map.iter_rules() if rule.rule.startswith("/pipeline/") and "<int:" in rule.rule}
    assert with_ids == {rule for _method, rule, _data in ATTEMPTS}


def test_a_manager_works_the_teams_deals_but_not_another_teams(pipe, people):
    ids = colleagues_records(pipe, people)
    assert "Colleague&#39;s deal" in pipe.manager.get(f"/pipeline/deals/{ids['deal_id']}").text
    assert pipe.manager.post("/pipeline/board/move", data={"deal": ids["deal_id"], "stage": pipe.stage("first_contact"),
                                                           "then": "event"}).status_code == 200
    assert pipe.get(Deal, ids["deal_id"]).stage_id == pipe.stage("first_contact")
    west = pipe.deal(people.outsider, pipe.customer(people.outsider, "West Co"), name="Western deal")
    assert pipe.manager.get(f"/pipeline/deals/{west}").status_code == 404
    assert "Western deal" in pipe.admin.get(f"/pipeline/deals/{west}").text
    assert "Western deal" in pipe.admin.get("/pipeline/").text and "Western deal" not in pipe.manager.get("/pipeline/").text


def test_ids_too_large_for_the_database_are_not_found_not_a_crash(pipe, people):
    big = "9" * 30
    deal = pipe.deal(people.rep, pipe.customer(people.rep))
    development = pipe.stage("development")
    expected = [
        (pipe.rep.post("/pipeline/board/move", data={"deal": big, "stage": big}), 400),
        (pipe.rep.post("/pipeline/board/move", data={"deal": deal, "stage": development, "before": big}), 204),
        (pipe.rep.post("/pipeline/duplicates/merge", data={"keep": big, "other": "1"}), 400),
        (pipe.admin.post("/pipeline/settings/lost-reasons", data={"action": "rename", "reason": big, "label": "x"}), 404),
        (pipe.admin.post("/pipeline/settings", data={"pool_return_days": big, "pool_claim_limit": "5"}), 400),
        (pipe.rep.get(f"/pipeline/?owner={big}&product={big}&team={big}"), 200),
        (pipe.rep.get(f"/pipeline/numbers?team={big}&process={big}"), 200),
        (pipe.rep.get(f"/pipeline/deals/{big}"), 404),
        (pipe.rep.get(f"/records/pipeline.deal/new?customer={big}"), 200),
        (pipe.rep.get(f"/records/pipeline.deal/?page={big}"), 200),
        (pipe.rep.get(f"/pipeline/pool?page={big}"), 200),
        (pipe.rep.post("/records/pipeline.deal/bulk", data={"ids": [big], "field": "next_step", "bulk-value": "x"}), 400),
        (pipe.rep.post(f"/records/pipeline.deal/{deal}/move", data={"stage": big}), 404),
    ]
    for number, (response, status) in enumerate(expected):
        assert response.status_code == status, (number, response.status_code)
