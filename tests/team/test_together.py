"""Team-building: activities and projects across teams with their photos (checked by their bytes
and size), seen by who takes part and their managers; peer thanks shown on the team page."""
import io

from plugins.team.models import Photo, TeamEvent, Thanks

from .conftest import TODAY

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def event(fixture, client, **changes) -> int:
    data = {"name": "Hiking day", "kind": "activity", "day": TODAY.isoformat(), "team": str(fixture.people.team.id),
            "members": [str(fixture.people.colleague.id)], "notes": "Bring water", **changes}
    made = client.post("/team/together/new", data=data)
    assert made.status_code == 302, made.status_code
    return int(made.headers["Location"].rsplit("/", 1)[1])


def upload(client, event_id, raw, name):
    return client.post(f"/team/together/{event_id}/photos", content_type="multipart/form-data",
                       data={"photo": (io.BytesIO(raw), name)})


def test_a_team_activity_keeps_checked_photos_for_the_team(app, team):
    hike = event(team, team.rep)
    assert upload(team.rep, hike, PNG, "summit.png").status_code == 302
    for raw, name, message in ((b"<svg onload=alert(1)>", "x.png", "JPEG, PNG or WebP"),
                               (PNG, "summit.exe", "JPEG, PNG or WebP"),
                               (b"\xff\xd8\xff" + b"\x00" * (5 * 1024 * 1024), "big.jpg", "at most 5 MB")):
        refused = upload(team.rep, hike, raw, name)
        assert refused.status_code == 400 and message in refused.text, name
    with app.app_context():
        photo = Photo.get().id
        assert Photo.select().count() == 1
    shown = team.colleague.get(f"/team/photos/{photo}")  # a teammate sees the team's photos
    assert shown.status_code == 200 and shown.data == PNG and shown.mimetype == "image/png"
    assert "Hiking day" in team.manager.get("/team/together").text
    assert team.outsider.get(f"/team/photos/{photo}").status_code == 404
    assert team.outsider.get(f"/team/together/{hike}").status_code == 404
    assert upload(team.colleague, hike, PNG, "mine.png").status_code == 403  # sees it; its maker and the manager change it


def test_a_project_across_teams_is_seen_by_its_members_and_their_managers(app, team, login):
    from core.models import Team
    with app.app_context():
        Team.update(manager=team.people.admin).where(Team.id == team.people.west.id).execute()
    project = event(team, team.manager, name="Trade fair booth", kind="project", team="", members=[str(team.people.outsider.id)])
    assert team.outsider.get(f"/team/together/{project}").status_code == 200
    assert team.colleague.get(f"/team/together/{project}").status_code == 404
    assert upload(team.outsider, project, PNG, "booth.png").status_code == 302  # a member of a cross-team project adds photos
    refused = team.rep.post("/team/together/new", data={"name": "Mine", "kind": "activity", "day": TODAY.isoformat(),
                                                         "team": str(team.people.west.id)})
    assert refused.status_code == 400 and "Pick one of your teams" in refused.text
    with app.app_context():
        assert TeamEvent.select().count() == 1


def test_peer_thanks_show_on_the_team_page(app, team):
    people = team.people
    thanked = team.colleague.post("/team/thanks", data={"to": str(people.rep.id), "note": "Thanks for covering my calls"})
    assert thanked.status_code == 302
    for client in (team.rep, team.manager):
        assert "Thanks for covering my calls" in client.get("/team/").text
    assert "Thanks for covering my calls" not in team.outsider.get("/team/").text
    for data in ({"to": str(people.rep.id), "note": ""}, {"to": str(people.colleague.id), "note": "Me"},
                 {"to": "999999", "note": "Nobody"}, {"to": str(people.rep.id), "note": "x" * 301}):
        assert team.colleague.post("/team/thanks", data=data).status_code == 400, data
    with app.app_context():
        assert Thanks.select().count() == 1
