"""Awards: nominees from the numbers (the best, the most improved), a nominated award with the
manager's reasons, the prize paid once on the next statement, the wall of fame, and who decides."""
import re

from plugins.incentives.models import Award, Statement, Winner

from .conftest import KEY, LAST_KEY, LAST_MONTH, MONTH

AWARD = {"name-en": "Best seller", "name-zh_Hans_CN": "销售之星", "kind": "top", "metric": "pipeline.won_revenue",
         "period": "month", "top": "1", "team": "", "prize": "500", "currency": "CNY"}


def award(pay, **changes) -> int:
    response = pay.admin.post("/incentives/awards/new", data={**AWARD, **changes})
    assert response.status_code == 302, re.findall(r'class="error">([^<]+)', response.text)
    with pay.app.app_context():
        return Award.select().order_by(Award.id.desc()).first().id


def test_a_bad_award_is_refused_beside_its_field(app, pay):
    for changes, message in (({"metric": ""}, "Choose the number the award is decided by."), ({"top": "0"}, "from 1 to 10"),
                             ({"prize": "-5"}, "It cannot be negative."),
                             ({"name-en": "", "name-zh_Hans_CN": ""}, "Give the award a name")):
        response = pay.admin.post("/incentives/awards/new", data={**AWARD, **changes})
        assert response.status_code == 400 and message in response.text, changes
    with app.app_context():
        assert Award.select().count() == 0
    assert pay.manager.post("/incentives/awards/new", data=AWARD).status_code == 403


def test_the_best_is_nominated_confirmed_and_paid_its_prize_once(app, pay, people):
    plan = pay.plan(on_goal="", **{"tier-1-start": "1000000", "tier-2-start": "2000000", "bonus-0-at": "", "bonus-0-amount": ""})
    best = award(pay)
    pay.won(people.rep, 9000, LAST_MONTH[0])
    pay.won(people.colleague, 4000, LAST_MONTH[0])
    page = pay.manager.get("/incentives/awards").text
    assert "#1 <strong>Rita Rep</strong>" in page and "<strong>Carl Colleague</strong>" not in page  # top 1 only
    assert pay.rep.post(f"/incentives/awards/{best}/{LAST_KEY}/give", data={"user": people.rep.id}).status_code == 403
    given = pay.manager.post(f"/incentives/awards/{best}/{LAST_KEY}/give",
                             data={"user": people.rep.id, "note": "Closed the year's biggest deal"})
    assert given.status_code == 302
    pay.manager.post(f"/incentives/awards/{best}/{LAST_KEY}/give", data={"user": people.rep.id})  # twice: still one
    with app.app_context():
        assert Winner.select().count() == 1 and Winner.get().value == 9000
    wall = pay.outsider.get("/incentives/awards/wall").text
    assert "Rita Rep" in wall and "Closed the year&#39;s biggest deal" in wall
    statement = pay.rep.get(f"/incentives/plans/{plan}/{KEY}/{people.rep.id}").text
    assert f"Prize: Best seller ({LAST_KEY})" in statement and "500.00 CNY" in statement
    assert pay.manager.post(f"/incentives/plans/{plan}/{KEY}/{people.rep.id}/approve", data={"early": "y"}).status_code == 302
    with app.app_context():
        assert Winner.get().statement_id == Statement.get(Statement.start == MONTH[0]).id
        from core.models import User
        from plugins.incentives import services
        from plugins.incentives.models import Plan
        later = services.sheet(Plan.get_by_id(plan), MONTH[1], MONTH[1], User.get_by_id(people.rep.id))
        assert not [line for line in later.lines if line["kind"] == "prize"]  # paid once
        assert not [line for line in later.lines if line["kind"] == "adjustment"]  # and not taken back as a "correction"


def test_the_most_improved_and_a_nominated_award(app, pay, people):
    improved = award(pay, **{"name-en": "Most improved", "kind": "improved", "prize": ""})
    before = LAST_MONTH[0].replace(day=1)
    import datetime
    earlier = (before - datetime.timedelta(days=1)).replace(day=1)
    pay.won(people.rep, 9000, earlier)
    pay.won(people.rep, 9500, before)  # +500
    pay.won(people.colleague, 3000, before)  # +3,000
    page = pay.manager.get("/incentives/awards").text
    assert "#1 <strong>Carl Colleague</strong>" in page
    teamwork = award(pay, **{"name-en": "Best teamwork", "kind": "nominated", "metric": "", "prize": ""})
    refused = pay.manager.post(f"/incentives/awards/{teamwork}/{LAST_KEY}/give", data={"user": people.colleague.id, "note": ""})
    assert refused.status_code == 302
    with app.app_context():
        assert Winner.select().where(Winner.award == teamwork).count() == 0  # a nominated award needs the reasons
    pay.manager.post(f"/incentives/awards/{teamwork}/{LAST_KEY}/give", data={"user": people.colleague.id, "note": "Helped Rita close"})
    assert "Helped Rita close" in pay.rep.get("/incentives/awards/wall").text
    assert improved


def test_nobody_decides_for_another_team_or_for_themselves(app, pay, people):
    best = award(pay)
    assert pay.manager.post(f"/incentives/awards/{best}/{LAST_KEY}/give", data={"user": people.outsider.id}).status_code == 404
    assert pay.manager.post(f"/incentives/awards/{best}/2099-01/give", data={"user": people.rep.id}).status_code == 404
    assert pay.manager.post(f"/incentives/awards/{best}/nonsense/give", data={"user": people.rep.id}).status_code == 404
    assert pay.admin.post(f"/incentives/awards/{best}/{LAST_KEY}/give", data={"user": people.admin.id}).status_code == 404
    with app.app_context():
        assert Winner.select().count() == 0


def test_an_award_can_also_give_a_course_from_the_training_catalogue(app, pay, people):
    from plugins.team import training
    from plugins.team.models import Assignment

    with app.test_request_context():
        course = training.save_course(None, {"name": "Negotiation", "labels": {}, "kind": "course", "hours": "4", "cost": "0",
                                             "skills": []}, people.admin)
    form = pay.admin.get("/incentives/awards/new").text
    assert f'<option value="team.course:{course.id}">Course: Negotiation</option>' in form
    refused = pay.admin.post("/incentives/awards/new", data={**AWARD, "prize": "", "gift": "team.course:99999"})
    assert refused.status_code == 400 and "Choose a prize from the list." in refused.text
    best = award(pay, prize="", gift=f"team.course:{course.id}", kind="nominated", metric="")
    given = pay.manager.post(f"/incentives/awards/{best}/{LAST_KEY}/give", data={"user": people.rep.id, "note": "Closed the big one"})
    assert given.status_code == 302
    with app.app_context():
        winner = Winner.get()
        assert winner.gift == "Negotiation, assigned to Rita Rep"
        assert Assignment.select().where(Assignment.user == people.rep.id, Assignment.course == course.id).count() == 1
    assert "Negotiation, assigned to Rita Rep" in pay.manager.get("/incentives/awards").text
