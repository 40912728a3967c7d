"""Credit splits: a deal worked by two reps is credited to both by shares set on the deal; won
revenue, deals won, the statements and the leaderboard count the shares; bad shares are refused."""
from decimal import Decimal

from core.api import metrics
from core.models import User
from plugins.incentives import services
from plugins.incentives.models import Plan
from plugins.pipeline.models import DealCredit

from .conftest import KEY, MONTH, TODAY

FIXED = {"on_goal": "", "tier-0-start": "0", "tier-0-rate": "10", "tier-1-start": "", "tier-1-rate": "", "tier-2-start": "",
         "tier-2-rate": "", "bonus-0-at": "", "bonus-0-amount": ""}


def test_shares_are_counted_everywhere_the_number_is(app, pay, people):
    deal = pay.won(people.rep, 1000, TODAY)
    pay.won(people.rep, 500, TODAY)
    shared = pay.rep.post(f"/pipeline/deals/{deal}/credits", data={"user": people.colleague.id, "share": "40"})
    assert shared.status_code == 302
    ids = [people.rep.id, people.colleague.id]
    with app.test_request_context():
        revenue, won = metrics()["pipeline.won_revenue"], metrics()["pipeline.deals_won"]
        values = revenue.compute(user_ids=ids, start=MONTH[0], end=MONTH[1])
        assert values == {people.rep.id: 1100, people.colleague.id: 400}  # 600 of the split deal + 500; 40 % of 1,000
        shares = {people.rep.id: Decimal("1.6"), people.colleague.id: Decimal("0.4")}
        assert won.compute(user_ids=ids, start=MONTH[0], end=MONTH[1]) == shares
        days = revenue.daily(user_ids=ids, start=MONTH[0], end=MONTH[1])
        assert days[people.colleague.id] == {TODAY: 400} and sum(days[people.rep.id].values()) == 1100
        sources = revenue.sources(user_ids=ids, start=MONTH[0], end=MONTH[1])
        assert [(item.record_id, item.value) for item in sources[people.colleague.id]] == [(deal, 400)]
        assert sorted(item.value for item in sources[people.rep.id]) == [500, 600]
    plan = pay.plan(**FIXED)
    statement = pay.colleague.get(f"/incentives/plans/{plan}/{KEY}/{people.colleague.id}").text
    assert "40.00 CNY" in statement and "Deal 1000" in statement  # 10 % of 400, and the deal it comes from
    board = pay.rep.get("/incentives/leaderboard?metric=pipeline.won_revenue").text
    assert "1,100.00" in board and "400.00" in board
    page = pay.rep.get(f"/pipeline/deals/{deal}").text
    assert "Carl Colleague" in page and "40%" in page and "60%" in page
    assert "shared the deal&#39;s credit" in page and "Credit share: Carl Colleague: 40%" in page  # the deal's history says who did it
    with app.app_context():
        credit = DealCredit.get().id
    assert pay.rep.post(f"/pipeline/deals/{deal}/credits/{credit}/delete").status_code == 302
    with app.test_request_context():
        assert metrics()["pipeline.won_revenue"].compute(user_ids=ids, start=MONTH[0], end=MONTH[1]) == {people.rep.id: 1500}


def test_a_changed_split_after_approval_lands_as_a_correction(app, pay, people):
    deal = pay.won(people.rep, 1000, MONTH[0])
    plan = pay.plan(**FIXED)
    assert pay.manager.post(f"/incentives/plans/{plan}/{KEY}/{people.rep.id}/approve", data={"early": "y"}).status_code == 302
    pay.manager.post(f"/pipeline/deals/{deal}/credits", data={"user": people.colleague.id, "share": "50"})
    with app.app_context():
        later = services.sheet(Plan.get_by_id(plan), MONTH[1], MONTH[1], User.get_by_id(people.rep.id))
        corrections = [line for line in later.lines if line["kind"] == "adjustment"]
        assert [Decimal(line["amount"]) for line in corrections] == [Decimal("-50.00")]  # 10 % of the 500 given away


def test_bad_shares_are_refused_and_nothing_changes(app, pay, people):
    deal = pay.won(people.rep, 1000, TODAY)
    for data, message in (({"user": people.colleague.id, "share": "100"}, "from 1 to 99"),
                          ({"user": people.colleague.id, "share": "0"}, "from 1 to 99"),
                          ({"user": people.colleague.id, "share": "abc"}, "from 1 to 99"),
                          ({"user": people.colleague.id, "share": "1e9999"}, "from 1 to 99"),
                          ({"user": people.colleague.id, "share": "33.333"}, "from 1 to 99"),
                          ({"user": people.rep.id, "share": "10"}, "choose someone else"),
                          ({"user": "99999", "share": "10"}, "Choose a person from the list.")):
        response = pay.rep.post(f"/pipeline/deals/{deal}/credits", data=data)
        assert response.status_code == 400 and message in response.text, data
    pay.rep.post(f"/pipeline/deals/{deal}/credits", data={"user": people.colleague.id, "share": "60"})
    crowded = pay.rep.post(f"/pipeline/deals/{deal}/credits", data={"user": people.outsider.id, "share": "40"})
    assert crowded.status_code == 400 and "leave the owner nothing" in crowded.text
    assert pay.outsider.post(f"/pipeline/deals/{deal}/credits", data={"user": people.outsider.id, "share": "10"}).status_code == 404
    assert pay.colleague.post(f"/pipeline/deals/{deal}/credits", data={"user": people.colleague.id, "share": "90"}).status_code == 404
    with app.app_context():
        assert [(credit.user_id, credit.share) for credit in DealCredit.select()] == [(people.colleague.id, 60)]
