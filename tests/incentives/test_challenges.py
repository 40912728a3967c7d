"""Team challenges: a shared target counted over everyone taking part, who may set one, what bad
input gets, and the running challenge on the home page; the awards-won metric."""
import datetime
import re

from core.models import MANAGER, Team, User
from plugins.incentives.models import Challenge

from .conftest import LAST_MONTH, MONTH, TODAY

CHALLENGE = {"name-en": "Spring push", "name-zh_Hans_CN": "春季冲刺", "metric": "pipeline.won_revenue", "team": "",
             "starts": MONTH[0].isoformat(), "ends": MONTH[1].isoformat(), "target": "20000", "currency": "CNY",
             "reward": "A team dinner"}


def challenge(client, **changes) -> int:
    response = client.post("/incentives/challenges/new", data={**CHALLENGE, **changes})
    assert response.status_code == 302, re.findall(r'class="error">([^<]+)', response.text)
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def test_progress_counts_everyone_taking_part_and_only_them(app, pay, people):
    east = challenge(pay.manager, team=str(people.team.id))
    pay.won(people.rep, 6000, TODAY)
    pay.won(people.colleague, 4000, TODAY)
    pay.won(people.outsider, 9000, TODAY)  # another team: not counted
    pay.won(people.rep, 5000, LAST_MONTH[1])  # before the challenge: not counted
    page = pay.rep.get(f"/incentives/challenges/{east}").text
    assert "<strong>10,000.00</strong> / 20,000.00 CNY" in page
    assert page.index("Rita Rep") < page.index("Carl Colleague") and "Olga Outsider" not in page
    assert 'value="50"' in page and "A team dinner" in page
    home = pay.colleague.get("/").text
    assert "Team challenge" in home and "Spring push" in home
    assert "Spring push" not in pay.outsider.get("/").text


def test_the_target_reached_is_said(app, pay, people):
    company = challenge(pay.admin, target="3")
    pay.won(people.outsider, 3, TODAY)
    assert "Target reached" in pay.rep.get(f"/incentives/challenges/{company}").text


def test_who_may_set_see_and_change_a_challenge(app, pay, people):
    assert pay.rep.get("/incentives/challenges/new").status_code == 403
    assert pay.rep.post("/incentives/challenges/new", data=CHALLENGE).status_code == 403
    refused = pay.manager.post("/incentives/challenges/new", data=CHALLENGE)  # the whole company: admins only
    assert refused.status_code == 400 and "only for the teams you lead" in refused.text
    west = challenge(pay.admin, team=str(people.west.id))
    with app.app_context():
        other = User.create(email="west-lead@example.com", name="Wes Lead", role=MANAGER, password_hash=people.rep.password_hash)
        Team.update(manager=other).where(Team.id == people.west.id).execute()
    for client in (pay.rep, pay.manager):  # not their team: not even told it exists
        assert client.get(f"/incentives/challenges/{west}").status_code == 404
        assert client.post(f"/incentives/challenges/{west}/edit", data=CHALLENGE).status_code in (403, 404)
        assert client.post(f"/incentives/challenges/{west}/archive").status_code in (403, 404)
    assert pay.outsider.get(f"/incentives/challenges/{west}").status_code == 200
    assert pay.outsider.post(f"/incentives/challenges/{west}/archive").status_code == 403
    west_lead = pay.login(other)
    assert west_lead.post(f"/incentives/challenges/{west}/archive").status_code == 302
    with app.app_context():
        assert Challenge.get_by_id(west).archived_at is not None
    assert pay.outsider.get(f"/incentives/challenges/{west}").status_code == 404


def test_bad_input_is_refused_beside_its_field_and_nothing_is_saved(app, pay, people):
    cases = (({"target": "1e400"}, "This number is too large."), ({"target": "0"}, "The target is above zero."),
             ({"target": "abc"}, "Not a number."), ({"reward": "a\x00b"}, ""),
             ({"ends": LAST_MONTH[0].isoformat()}, "ends before it starts"),
             ({"ends": (MONTH[0] + datetime.timedelta(days=400)).isoformat()}, "at most a year"),
             ({"starts": "0001-01-01"}, "Give the first day"), ({"metric": "nope"}, "Choose the number the challenge counts"),
             ({"team": "99999"}, "Choose teams from the list."), ({"reward": "x" * 301}, "longer than 300"),
             ({"name-en": "", "name-zh_Hans_CN": ""}, "Give the challenge a name"), ({"currency": "€€€"}, "three-letter"))
    for changes, message in cases:
        response = pay.admin.post("/incentives/challenges/new", data={**CHALLENGE, **changes})
        assert response.status_code == 400 and message in response.text, changes
    with app.app_context():
        assert Challenge.select().count() == 0


def test_awards_won_is_a_metric(app, pay, people):
    from core.api import metrics
    from plugins.incentives.models import Award, Winner

    with app.app_context():
        award = Award.create(name="Best", kind="nominated", period="month")
        Winner.create(award=award, start=LAST_MONTH[0], user=people.rep.id, note="Why")
        Winner.create(award=award, start=MONTH[0], user=people.rep.id, note="Again")
    with app.test_request_context():
        won = metrics()["incentives.awards_won"]
        assert won.compute(user_ids=[people.rep.id, people.colleague.id], start=LAST_MONTH[0], end=MONTH[1]) == {people.rep.id: 2}
        assert won.daily(user_ids=[people.rep.id], start=MONTH[0], end=MONTH[1]) == {people.rep.id: {MONTH[0]: 1}}


def test_a_running_challenge_is_a_point_of_the_team_meeting(app, pay, people):
    from core.api import meeting_topics

    challenge(pay.manager, team=str(people.team.id))
    pay.won(people.rep, 5000, TODAY)
    with app.test_request_context():
        from core.models import Team

        east = Team.get_by_id(people.team.id)
        topics = [topic for topic in meeting_topics(east, MONTH[0], TODAY) if topic.kind == "incentives.challenge"]
        assert len(topics) == 1 and topics[0].lines[0][0].startswith("Spring push: 5,000.00 of 20,000.00 (25%)")
        west = [topic for topic in meeting_topics(Team.get_by_id(people.west.id), MONTH[0], TODAY) if topic.kind == "incentives.challenge"]
        assert west == []
