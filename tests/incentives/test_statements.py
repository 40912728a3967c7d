"""Plans set up in the browser, statements that explain themselves, approval that locks, corrections
carried as adjustments, what-if, the payroll export, and who may see and do what."""
import re

import pytest
from playhouse.test_utils import count_queries

from core.lowcode.models import AuditEntry
from plugins.incentives.models import Plan, Statement
from plugins.pipeline.models import Deal

from .conftest import KEY, LAST_KEY, LAST_MONTH, MONTH, PLAN_FORM


def errors(response) -> list[str]:
    return re.findall(r'class="error">([^<]+)', response.text)


@pytest.mark.parametrize("changes, field_message", [
    ({"metric": ""}, "Choose the number the plan pays on."),
    ({"tier-1-rate": "-3"}, "It cannot be negative."),
    ({"tier-2-start": "70"}, "Tiers go upwards"),  # overlapping: 100 % after 80 % is fine, 70 % is not
    ({"tier-0-start": "10"}, "The first tier starts at 0"),  # a gap below the first tier
    ({"tier-1-rate": "300"}, "A rate is a percentage from 0 to 100."),
    ({"cap": "100", "floor": "500"}, "The cap is below the floor"),
    ({"mode": "flat", "tier-2-rate": "1"}, "a higher tier cannot pay less"),
    ({"roles": ""}, "Say who the plan applies to"),
    ({"currency": "人民币"}, "three-letter currency code"),
    ({"tier-1-start": "1e400"}, "too large"),
    ({"starts": "2021-01-01", "ends": "2020-01-01"}, "ends before it starts"),
])
def test_a_bad_plan_is_refused_beside_its_field_and_nothing_is_saved(app, pay, changes, field_message):
    response = pay.admin.post("/incentives/plans/new", data={**PLAN_FORM, **changes})
    assert response.status_code == 400
    assert any(field_message in message for message in errors(response)), errors(response)
    with app.app_context():
        assert Plan.select().count() == 0


def test_two_plans_for_one_rep_at_one_time_need_a_priority(app, pay):
    pay.plan()
    clash = pay.admin.post("/incentives/plans/new", data={**PLAN_FORM, "name-en": "Second", "roles": "", "users": str(pay.people.rep.id)})
    assert clash.status_code == 400 and any("also be paid by" in message for message in errors(clash))
    pay.plan(**{"name-en": "Second", "roles": "", "users": str(pay.people.rep.id), "priority": "5"})
    with app.app_context():
        from plugins.incentives import services
        first = Plan.get(Plan.priority == 0)
        assert pay.people.rep.id not in [person.id for person in services.people_paid(first)]  # the higher one pays Rita


def test_a_statement_explains_every_line_against_the_goal(app, pay):
    plan = pay.plan()
    pay.goal(pay.people.rep, 100_000)
    for amount in (70_000, 50_000):
        pay.won(pay.people.rep, amount, MONTH[0])
    page = pay.rep.get(f"/incentives/plans/{plan}/{KEY}/{pay.people.rep.id}")
    assert page.status_code == 200
    text = page.text
    assert "120,000.00" in text and "100,000.00" in text and "120.0%" in text  # achieved, goal, attainment
    assert "3% on the part from 80,000.00 to 100,000.00" in text and "600.00" in text
    assert "5% on the part from 100,000.00" in text and "1,000.00" in text
    assert "Bonus for reaching 120,000.00" in text and "2,000.00" in text
    assert "3,600.00 CNY" in text
    assert text.count("/pipeline/deals/") >= 2  # the deals it came from, linked


def test_approval_locks_and_a_later_correction_lands_as_an_adjustment_next_month(app, pay):
    plan = pay.plan(on_goal="", **{"tier-1-start": "80000", "tier-2-start": "100000", "bonus-0-at": "", "bonus-0-amount": ""})
    deal = pay.won(pay.people.rep, 90_000, LAST_MONTH[0])
    assert pay.rep.post(f"/incentives/plans/{plan}/{LAST_KEY}/{pay.people.rep.id}/approve").status_code == 403
    approved = pay.manager.post(f"/incentives/plans/{plan}/{LAST_KEY}/{pay.people.rep.id}/approve")
    assert approved.status_code == 302
    with app.app_context():
        locked = Statement.get()
        assert locked.total == 300  # 10,000 × 3 %
        assert AuditEntry.select().where(AuditEntry.action == "statement_approve").count() == 1
        Deal.update(amount=70_000).where(Deal.id == deal).execute()  # entered too high, corrected after approval
    last = pay.manager.get(f"/incentives/plans/{plan}/{LAST_KEY}/{pay.people.rep.id}").text
    assert "300.00 CNY" in last and "Approved" in last  # the locked statement does not move
    now = pay.manager.get(f"/incentives/plans/{plan}/{KEY}/{pay.people.rep.id}").text
    assert f"Correction for {LAST_KEY}" in now and "70,000.00" in now and "-300.00" in now
    assert pay.manager.post(f"/incentives/plans/{plan}/{KEY}/{pay.people.rep.id}/approve", data={"early": "y"}).status_code == 302
    with app.app_context():
        this_month = Statement.get(Statement.start == MONTH[0])
        assert this_month.total == -300 and this_month.lines[-1]["kind"] == "adjustment"
        # carried once: the month after would find nothing left to correct
        from plugins.incentives import services
        assert services._adjustments(Plan.get_by_id(plan), [pay.people.rep.id], MONTH[1]) == {}


def test_what_if_uses_the_statements_arithmetic(app, pay):
    plan = pay.plan()
    pay.goal(pay.people.rep, 100_000)
    pay.won(pay.people.rep, 80_000, MONTH[0])
    pay.open_deal(pay.people.rep, 30_000, MONTH[1])
    page = pay.rep.get(f"/incentives/plans/{plan}/{KEY}/{pay.people.rep.id}").text
    assert "Open 30000" in page
    answer = pay.rep.get(f"/incentives/plans/{plan}/{KEY}/{pay.people.rep.id}/what-if", query_string={"item": "1"},
                         headers={"HX-Request": "true"})
    # 110,000: 600 + 500 = 1,100 instead of 0; 10,000 more reaches the 120 % bonus
    assert "1,100.00" in answer.text and "0.00" in answer.text and "10,000.00 more reaches" in answer.text
    typed = pay.rep.get(f"/incentives/plans/{plan}/{KEY}/{pay.people.rep.id}/what-if", query_string={"amount": "abc"})
    assert typed.status_code == 200 and "is not an amount" in typed.text
    huge = pay.rep.get(f"/incentives/plans/{plan}/{KEY}/{pay.people.rep.id}/what-if", query_string={"amount": "9" * 40})
    assert huge.status_code == 200 and "is not an amount" in huge.text


def test_amounts_in_another_currency_are_not_added(app, pay):
    plan = pay.plan(on_goal="", **{"tier-1-start": "1", "tier-2-start": "2"})
    pay.won(pay.people.rep, 1000, MONTH[0])
    pay.won(pay.people.rep, 5000, MONTH[0], currency="USD")
    page = pay.rep.get(f"/incentives/plans/{plan}/{KEY}/{pay.people.rep.id}").text
    assert "1,000.00" in page and "6,000.00" not in page


def test_who_sees_and_approves_what(app, pay):
    plan = pay.plan()
    rep, colleague, outsider = pay.people.rep, pay.people.colleague, pay.people.outsider
    assert pay.rep.get(f"/incentives/plans/{plan}/{KEY}/{rep.id}").status_code == 200
    for client, whose in ((pay.rep, colleague), (pay.outsider, rep), (pay.colleague, rep)):
        assert client.get(f"/incentives/plans/{plan}/{KEY}/{whose.id}").status_code == 404
        assert client.get(f"/incentives/plans/{plan}/{KEY}/{whose.id}/what-if").status_code == 404
    assert pay.rep.get(f"/incentives/plans/{plan}/{KEY}").status_code == 403
    assert pay.rep.get(f"/incentives/plans/{plan}/{KEY}/export.csv").status_code == 403
    assert pay.rep.get("/incentives/plans/new").status_code == 403
    assert pay.manager.get(f"/incentives/plans/{plan}").status_code == 403
    assert pay.manager.get(f"/incentives/plans/{plan}/{KEY}/{outsider.id}").status_code == 404  # another team
    assert pay.manager.post(f"/incentives/plans/{plan}/{LAST_KEY}/{outsider.id}/approve").status_code == 404
    listed = pay.manager.get(f"/incentives/plans/{plan}/{KEY}").text
    assert rep.name in listed and colleague.name in listed and outsider.name not in listed
    for bad in (f"/incentives/plans/{plan}/2026-13", f"/incentives/plans/{plan}/abc", f"/incentives/plans/{plan}/1999-01",
                f"/incentives/plans/999/{KEY}", f"/incentives/plans/{plan}/{KEY}/99999"):
        assert pay.admin.get(bad).status_code == 404, bad


def test_the_payroll_export_has_every_line_and_cannot_run_formulas(app, pay):
    plan = pay.plan(on_goal="")
    with app.app_context():
        from core.models import User
        User.update(name="=HYPERLINK(1)").where(User.id == pay.people.rep.id).execute()
    pay.won(pay.people.rep, 150, MONTH[0])
    exported = pay.manager.get(f"/incentives/plans/{plan}/{KEY}/export.csv")
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    text = exported.data.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text and "Total" in text and "Carl Colleague" in text
    workbook = pay.manager.get(f"/incentives/plans/{plan}/{KEY}/export.xlsx")
    assert workbook.status_code == 200 and workbook.mimetype.endswith("spreadsheetml.sheet")
    from io import BytesIO

    from openpyxl import load_workbook
    rows = list(load_workbook(BytesIO(workbook.data)).active.iter_rows(values_only=True))
    rita = [row for row in rows if row[0] == "=HYPERLINK(1)"]
    assert rita and rita[-1][4] == "Total" and rita[-1][7] == 2003.1  # the name as text, the amount a number: 0.60 + 2.50 + 2,000
    assert pay.rep.get(f"/incentives/plans/{plan}/{KEY}/export.xlsx").status_code == 403


def test_a_periods_statements_cost_the_same_queries_for_few_or_many_people(app, pay, people):
    from core.auth import hash_password
    from core.models import REP, User

    plan = pay.plan()

    def measure():
        with count_queries() as counted:
            assert pay.manager.get(f"/incentives/plans/{plan}/{LAST_KEY}").status_code == 200
        return counted.count

    pay.won(people.rep, 1000, LAST_MONTH[0])
    few = measure()
    with app.app_context():
        for number in range(6):
            User.create(email=f"more{number}@example.com", name=f"More {number}", role=REP, team=people.team,
                        password_hash=hash_password("x" * 12))
    assert measure() == few
    pay.manager.post(f"/incentives/plans/{plan}/{LAST_KEY}/{people.rep.id}/approve")
    assert measure() == few  # an approved statement is read with the open ones
