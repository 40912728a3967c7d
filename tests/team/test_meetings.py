"""Team meetings: an agenda built from the data when the meeting opens and kept as it stood, the
manager's changes to it, decisions, and actions that land on their owners' day and are ticked off."""
import datetime
import re

from plugins.team.models import ActionItem, Decision, Meeting, MeetingTopic

from .conftest import TODAY


def topics(app, meeting_id):
    with app.app_context():
        return list(MeetingTopic.select().where(MeetingTopic.meeting == meeting_id).order_by(MeetingTopic.position, MeetingTopic.id))


def test_hook_meeting_topics_builds_the_agenda_from_wins_stalled_deals_overdue_follow_ups_and_goals_at_risk(app, team):
    people = team.people
    team.deal(people.rep, "Won Big", amount=50000, won_on=TODAY - datetime.timedelta(days=2))
    team.deal(people.colleague, "Won Long Ago", amount=70000, won_on=TODAY - datetime.timedelta(days=40))
    team.deal(people.colleague, "Sleepy Deal", quiet_days=30)
    team.deal(people.outsider, "Other Team Sleepy", quiet_days=30)
    team.overdue_call(people.rep)
    team.goal(people.colleague, 10**7)
    with app.app_context():
        from core.lowcode.models import Approval, Stage
        stage = Stage.select().where(Stage.key == "approval").get()
        Approval.create(entity="pipeline.deal", record_id=1, to_stage=stage.id, requested_by=people.rep.id)
    meeting = team.open_meeting()
    shown = {topic.kind: topic for topic in topics(app, meeting)}
    assert set(shown) == {"pipeline.won", "pipeline.stalled", "pipeline.overdue", "goals.at_risk", "core.approvals"}
    assert shown["core.approvals"].lines == [["Rita Rep: 1 waiting", "/approvals/"]]
    assert [line[0] for line in shown["pipeline.won"].lines] == ["Rita Rep: Won Big · 50,000 CNY"]  # not the one before the period
    assert [line[0] for line in shown["pipeline.stalled"].lines] == ["Carl Colleague: Sleepy Deal · 1,000 CNY"]  # not the West's
    assert shown["pipeline.overdue"].lines[0][0] == "Rita Rep: 1 overdue"
    assert "Carl Colleague" in shown["goals.at_risk"].lines[0][0] and "/goals/" in shown["goals.at_risk"].lines[0][1]
    # Kept in both languages: a reader of the other one reads it in theirs.
    assert shown["pipeline.won"].labels == {"en": "Wins to celebrate", "zh_Hans_CN": "值得庆祝的成交"}
    assert shown["pipeline.overdue"].texts["zh_Hans_CN"][0][0] == "Rita Rep：1 项逾期"
    assert "落后" in shown["goals.at_risk"].texts["zh_Hans_CN"][0][0] and "Behind" in shown["goals.at_risk"].lines[0][0]
    page = team.manager.get(f"/team/meetings/{meeting}")
    assert page.status_code == 200 and "Won Big" in page.text and "Sleepy Deal" in page.text
    # Kept as it stood: a win after the meeting opened does not change its agenda; opening again finds the same meeting.
    team.deal(people.rep, "Won Later", won_on=TODAY)
    assert team.open_meeting() == meeting
    assert "Won Later" not in team.manager.get(f"/team/meetings/{meeting}").text


def test_the_manager_reorders_adds_and_removes_topics_and_takes_notes(app, team, htmx_client):
    meeting = team.open_meeting()
    for title in ("Trade fair", "Holidays", "Training"):
        assert team.manager.post(f"/team/meetings/{meeting}/topics", data={"title": title}).status_code == 302
    first, second, third = (topic.id for topic in topics(app, meeting))
    team.manager.environ_base["HTTP_HX_REQUEST"] = "true"
    fragment = team.manager.post(f"/team/meetings/{meeting}/order", data={"order": [str(third), str(first), str(second)]})
    del team.manager.environ_base["HTTP_HX_REQUEST"]
    assert fragment.status_code == 200 and fragment.text.lstrip().startswith(f'<form id="team-topics-{meeting}"')
    assert [topic.title for topic in topics(app, meeting)] == ["Training", "Trade fair", "Holidays"]
    assert team.manager.post(f"/team/meetings/{meeting}/topics/{first}/notes", data={"notes": "Booth 12, two people."}).status_code == 302
    assert team.manager.post(f"/team/meetings/{meeting}/topics/{second}/delete").status_code == 302
    assert [(topic.title, topic.notes) for topic in topics(app, meeting)] == [("Training", ""), ("Trade fair", "Booth 12, two people.")]
    printed = team.manager.get(f"/team/meetings/{meeting}/print")
    assert printed.status_code == 200 and "Booth 12, two people." in printed.text


def test_actions_land_on_their_owners_day_are_ticked_off_there_and_open_the_next_meeting(app, team):
    people = team.people
    last_week = team.open_meeting(TODAY - datetime.timedelta(days=7))
    assert team.manager.post(f"/team/meetings/{last_week}/decisions", data={"text": "Visits twice a week."}).status_code == 302
    for title, owner in (("Send the references", people.rep), ("Book the booth", people.colleague)):
        made = team.manager.post(f"/team/meetings/{last_week}/actions",
                                 data={"title": title, "owner": str(owner.id), "due": TODAY.isoformat()})
        assert made.status_code == 302
    day = team.rep.get("/timemgmt/")
    assert "Send the references" in day.text and "Book the booth" not in day.text
    with app.app_context():
        mine = ActionItem.get(ActionItem.title == "Send the references").id
        booth = ActionItem.get(ActionItem.title == "Book the booth").id
    assert team.rep.get(f"/team/actions/{mine}").status_code == 200
    assert team.colleague.get(f"/team/actions/{mine}").status_code == 404
    assert team.colleague.post(f"/team/actions/{mine}/done").status_code == 404
    ticked = team.rep.post(f"/team/actions/{mine}/done", data={"next": "/timemgmt/"})
    assert ticked.status_code == 302 and ticked.headers["Location"] == "/timemgmt/"
    after = team.rep.get("/timemgmt/").text
    assert "Done: Send the references" in after and f'href="/team/actions/{mine}"' not in after
    # This week's meeting opens with what is still open from last week's, and the manager may tick it off.
    meeting = team.open_meeting()
    carried = [topic for topic in topics(app, meeting) if topic.kind == "team.actions"]
    assert len(carried) == 1 and [line[0] for line in carried[0].lines] == [f"Carl Colleague: Book the booth · {TODAY.isoformat()}"]
    assert topics(app, meeting)[0].kind == "team.actions"
    assert team.manager.post(f"/team/actions/{booth}/done", data={"next": f"/team/meetings/{meeting}"}).status_code == 302
    with app.app_context():
        assert ActionItem.get_by_id(booth).done_by_id == people.manager.id
        assert Decision.select().where(Decision.meeting == last_week).count() == 1


def test_the_teams_reps_read_a_meeting_others_do_not_reach_it_and_only_its_manager_changes_it(app, team, login):
    meeting = team.open_meeting()
    for client in (team.rep, team.colleague):  # the team's reps read it, and change nothing
        assert client.get(f"/team/meetings/{meeting}").status_code == 200
        assert client.post(f"/team/meetings/{meeting}/topics", data={"title": "Mine"}).status_code == 403
        assert client.post(f"/team/teams/{team.people.team.id}/meetings").status_code in (403, 404)
    assert team.outsider.get(f"/team/meetings/{meeting}").status_code == 404
    assert team.outsider.post(f"/team/meetings/{meeting}/topics", data={"title": "Mine"}).status_code == 404
    with app.app_context():
        assert not MeetingTopic.select().where(MeetingTopic.title == "Mine").exists()
    assert team.admin.get(f"/team/meetings/{meeting}").status_code == 200


def test_hostile_input_is_refused_with_a_message_and_writes_nothing(app, team):
    people = team.people
    meeting = team.open_meeting()
    before = len(topics(app, meeting))
    for data, message in (({"title": "x" * 400, "owner": str(people.rep.id), "due": TODAY.isoformat()}, "longer than 300"),
                          ({"title": "Do it", "owner": str(people.outsider.id), "due": TODAY.isoformat()}, "among the team"),
                          ({"title": "Do it", "owner": "99999999999999999999999", "due": TODAY.isoformat()}, "among the team"),
                          ({"title": "Do it", "owner": str(people.rep.id), "due": "2026-02-31"}, "due date")):
        response = team.manager.post(f"/team/meetings/{meeting}/actions", data=data)
        assert response.status_code == 400 and message in response.text, data
    assert team.manager.post(f"/team/meetings/{meeting}/topics", data={"title": ""}).status_code == 400
    assert team.manager.post(f"/team/meetings/{meeting}/decisions", data={"text": "y" * 6000}).status_code == 400
    assert team.manager.post(f"/team/meetings/{meeting}/order", data={"order": ["1", "x"]}).status_code == 400
    assert team.manager.post(f"/team/teams/{people.team.id}/meetings", data={"day": "99999-01-01"}).status_code == 400
    settings = {"rhythm_days": "10**9", "one_to_one_weeks": "2"}
    assert team.manager.post(f"/team/teams/{people.team.id}/settings", data=settings).status_code == 400
    with app.app_context():
        assert ActionItem.select().count() == 0 and Meeting.select().count() == 1
    assert len(topics(app, meeting)) == before
    assert not re.search("Traceback", team.manager.get(f"/team/meetings/{meeting}").text)


def test_the_agenda_takes_as_many_queries_for_a_team_of_five_as_for_a_team_of_one(app, team):
    from playhouse.test_utils import count_queries

    from core.auth import hash_password
    from core.models import REP, User
    from plugins.team import services

    people = team.people
    with app.app_context():
        extra = [User.create(email=f"extra{n}@example.com", name=f"Extra {n}", role=REP, team=people.team,
                             password_hash=hash_password("x" * 12)) for n in range(3)]
    for number, person in enumerate([people.outsider, people.rep, people.colleague, *extra]):
        team.deal(person, f"Won {number}", won_on=TODAY - datetime.timedelta(days=1))
        team.deal(person, f"Quiet {number}", quiet_days=30)
        team.overdue_call(person, f"Call {number}")
        team.goal(person, 10**6)

    def opened(which) -> int:
        with app.test_request_context():
            services.open_meeting(which, TODAY - datetime.timedelta(days=7), people.manager)  # so both have a meeting before
            with count_queries() as counter:
                meeting = services.open_meeting(which, TODAY, people.manager)
        assert len(topics(app, meeting.id)) >= 4  # wins, stalled deals, overdue follow-ups, goals at risk
        return counter.count

    assert opened(people.west) == opened(people.team)


def test_the_teams_reps_read_its_meeting_and_change_nothing(app, people, login, team):
    """A rep of the team opens its meeting: the agenda, the decisions, the actions and the notes, with
    no form to change them (a change is refused, 403); a rep of another team does not find it (404)."""
    team.deal(people.colleague, "Colleague's big win", won_on=TODAY)
    manager, rep = login(people.manager), login(people.rep)
    opened = manager.post(f"/team/teams/{people.team.id}/meetings", data={"day": datetime.date.today().isoformat()})
    meeting = int(opened.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    assert manager.post(f"/team/meetings/{meeting}/decisions", data={"text": "Call every stalled deal this week"}).status_code == 302
    assert manager.post(f"/team/meetings/{meeting}/actions", data={"title": "Call Acme", "owner": str(people.colleague.id),
                                                                   "due": datetime.date.today().isoformat()}).status_code == 302
    assert "/pipeline/deals/" in manager.get(f"/team/meetings/{meeting}").text  # the win on the agenda links to its deal
    page = rep.get(f"/team/meetings/{meeting}").text
    assert "Call every stalled deal this week" in page and "Call Acme" in page and "Colleague&#39;s big win" in page
    assert "Record the decision" not in page and "Add the topic" not in page and "Save and close the meeting" not in page
    assert f'/team/meetings/{meeting}/order' not in page and "/team/actions/" not in page  # the colleague's action is not hers to open
    assert "/pipeline/deals/" not in page  # nor the records behind the agenda's lines
    assert rep.post(f"/team/meetings/{meeting}/decisions", data={"text": "Mine"}).status_code == 403
    assert rep.post(f"/team/meetings/{meeting}/order", data={"order": "1"}).status_code == 403
    assert f"/team/meetings/{meeting}" in rep.get("/team/").text  # listed on her team page
    assert rep.get(f"/team/meetings/{meeting}/print").status_code == 200
    assert login(people.outsider).get(f"/team/meetings/{meeting}").status_code == 404
    with app.app_context():
        assert Decision.select().count() == 1
