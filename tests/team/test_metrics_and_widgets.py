"""The team plugin's numbers (training hours, one-to-ones held, actions closed on time) and its
cards on the home page."""
import datetime

from core.api import metrics
from plugins.team import oneonones, services, training
from plugins.team.models import ActionItem

from .conftest import TODAY


def test_hook_register_metrics_counts_training_one_to_ones_and_actions_on_time(app, team):
    people = team.people
    with app.test_request_context():
        meeting = services.open_meeting(people.team, TODAY - datetime.timedelta(days=7), people.manager)
        on_time = services.add_action(meeting, "On time", people.rep.id, TODAY, None, people.manager)
        late = services.add_action(meeting, "Late", people.rep.id, TODAY - datetime.timedelta(days=3), None, people.manager)
        services.add_action(meeting, "Open", people.rep.id, TODAY, None, people.manager)
        services.tick(on_time, True, people.rep)
        services.tick(late, True, people.rep)
        one = oneonones.open_one(people.rep, TODAY, people.manager)
        oneonones.save_by_manager(one, {"held": "y"}, None)
        course = training.save_course(None, {"name": "Negotiation", "labels": {}, "kind": "talk", "hours": "2.5", "cost": "0"},
                                      people.admin)
        training.complete(training.assign(course.id, people.rep, None, "", people.manager), "Good")
        found = metrics()
        span = {"user_ids": [people.rep.id, people.colleague.id], "start": TODAY - datetime.timedelta(days=30), "end": TODAY}
        assert found["team.actions_on_time"].compute(**span) == {people.rep.id: 1}
        assert found["team.one_to_ones_held"].compute(**span) == {people.rep.id: 1}
        assert float(found["team.training_hours"].compute(**span)[people.rep.id]) == 2.5
        with app.app_context():
            assert ActionItem.select().where(ActionItem.done_at.is_null()).count() == 1


def test_the_home_page_shows_the_next_meeting_one_to_ones_due_my_actions_and_my_training(app, team):
    people = team.people
    meeting = team.open_meeting()
    team.manager.post(f"/team/meetings/{meeting}/actions", data={"title": "Call the harbour", "owner": str(people.rep.id),
                                                                 "due": TODAY.isoformat()})
    home = team.manager.get("/").text
    assert "Next team meeting" in home and "Call the harbour" in home and "One-to-ones due" in home and "Rita Rep" in home
    mine = team.rep.get("/").text
    assert "My actions" in mine and "Call the harbour" in mine and "Next team meeting" not in mine
