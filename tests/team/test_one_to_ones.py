"""One-to-ones: opened by the manager with the rep's numbers since the last one and last time's
open actions; a shared agenda; the rep's pulse; private notes hidden from the rep when the team
says so; nobody else reads them; a one-to-one that is due shows on the manager's day."""
import datetime

from plugins.team.models import ActionItem, OneToOne, SharedTopic

from .conftest import TODAY


def open_one(team, day=TODAY) -> int:
    response = team.manager.post(f"/team/people/{team.people.rep.id}/one-to-ones", data={"day": day.isoformat()})
    assert response.status_code == 302, response.status_code
    return int(response.headers["Location"].rsplit("/", 1)[1])


def test_a_one_to_one_opens_with_the_numbers_and_last_times_open_actions(app, team):
    people = team.people
    assert "One-to-one with Rita Rep is due" in team.manager.get("/timemgmt/").text  # never held: due
    earlier = open_one(team, TODAY - datetime.timedelta(days=10))
    assert team.manager.post(f"/team/one-to-ones/{earlier}/actions",
                             data={"title": "Shadow two calls", "owner": str(people.rep.id), "due": TODAY.isoformat()}).status_code == 302
    assert team.manager.post(f"/team/one-to-ones/{earlier}", data={"went_well": "Good calls", "held": "y"}).status_code == 302
    team.deal(people.rep, "Won Since", amount=9000, won_on=TODAY - datetime.timedelta(days=3))
    now = open_one(team)
    with app.app_context():
        numbers = {(kind, key): value for kind, key, value in OneToOne.get_by_id(now).numbers}
    assert numbers[("count", "pipeline.won_revenue")] == "9,000" and numbers[("count", "pipeline.deals_won")] == "1"
    page = team.manager.get(f"/team/one-to-ones/{now}")
    assert "<dt>Won revenue</dt><dd>9,000</dd>" in page.text
    assert "open actions" in page.text and "Shadow two calls" in page.text
    assert "One-to-one with Rita Rep is due" not in team.manager.get("/timemgmt/").text  # held ten days ago: not due for four more


def test_both_sides_prepare_and_private_notes_stay_private(app, team):
    people = team.people
    one = open_one(team)
    assert team.rep.post(f"/team/one-to-ones/{one}/topics", data={"text": "Pricing for the harbour deal"}).status_code == 302
    assert team.manager.post(f"/team/one-to-ones/{one}/topics", data={"text": "Visit plan"}).status_code == 302
    assert team.rep.post(f"/team/one-to-ones/{one}/mine", data={"pulse": "2", "rep_concerns": "Too many reports"}).status_code == 302
    assert team.manager.post(f"/team/one-to-ones/{one}", data={"went_well": "Two wins", "private_notes": "Watch for burnout",
                                                              "next_day": "2030-01-01"}).status_code == 302
    mine = team.rep.get(f"/team/one-to-ones/{one}")
    assert mine.status_code == 200 and "Two wins" in mine.text and "Visit plan" in mine.text and "Watch for burnout" not in mine.text
    managers = team.manager.get(f"/team/one-to-ones/{one}").text
    assert "A tough week" in managers and "Too many reports" in managers and "Watch for burnout" in managers
    team.manager.post(f"/team/teams/{people.team.id}/settings", data={"rhythm_days": "7", "one_to_one_weeks": "2"})
    assert "Watch for burnout" in team.rep.get(f"/team/one-to-ones/{one}").text  # the team chose to show them
    # The rep changes nothing of the manager's; nobody else reads or writes it.
    assert team.rep.post(f"/team/one-to-ones/{one}", data={"went_well": "Mine"}).status_code == 403
    assert team.rep.post(f"/team/one-to-ones/{one}/actions", data={"title": "x", "owner": str(people.rep.id)}).status_code == 403
    assert team.manager.post(f"/team/one-to-ones/{one}/mine", data={"pulse": "5"}).status_code == 403
    for client in (team.colleague, team.outsider):
        assert client.get(f"/team/one-to-ones/{one}").status_code == 404
        assert client.post(f"/team/one-to-ones/{one}/topics", data={"text": "Mine"}).status_code == 404
    assert team.colleague.post(f"/team/people/{people.rep.id}/one-to-ones").status_code == 403
    with app.app_context():
        record = OneToOne.get_by_id(one)
        assert (record.went_well, record.pulse, record.next_day) == ("Two wins", 2, datetime.date(2030, 1, 1))
        assert SharedTopic.select().count() == 2


def test_bad_input_to_a_one_to_one_is_refused_and_writes_nothing(app, team):
    one = open_one(team)
    for url, client, data in ((f"/team/one-to-ones/{one}/mine", team.rep, {"pulse": "9"}),
                              (f"/team/one-to-ones/{one}/mine", team.rep, {"rep_concerns": "x" * 6000}),
                              (f"/team/one-to-ones/{one}", team.manager, {"next_day": "2026-13-01"}),
                              (f"/team/one-to-ones/{one}/topics", team.rep, {"text": ""}),
                              (f"/team/one-to-ones/{one}/actions", team.manager,
                               {"title": "x", "owner": str(team.people.outsider.id), "due": TODAY.isoformat()})):
        assert client.post(url, data=data).status_code == 400, url
    with app.app_context():
        record = OneToOne.get_by_id(one)
        assert (record.pulse, record.rep_concerns, record.next_day) == (None, "", None)
        assert ActionItem.select().count() == 0
