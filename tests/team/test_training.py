"""Training: the catalogue (admins), a course suggested to a rep whose quotes rarely turn into wins
(with the numbers), assigned and completed with feedback; hours and cost; skills assessed over time."""
import datetime

from plugins.team.models import Assignment, Course, Skill, SkillRating

from .conftest import TODAY

COURSE = {"name-en": "Closing the deal", "name-zh_Hans_CN": "促成成交", "kind": "course", "external": "y", "hours": "6",
          "cost": "1200", "currency": "cny"}


def catalogue(team) -> tuple[int, int]:
    made = team.admin.post("/team/training/skills", data={"name-en": "Closing", "name-zh_Hans_CN": "促成", "metric": "pipeline.quotes"})
    assert made.status_code == 302
    with team.app.app_context():
        skill = Skill.get(Skill.name == "Closing").id
    assert team.admin.post("/team/training/courses/new", data={**COURSE, "skills": str(skill)}).status_code == 302
    with team.app.app_context():
        return skill, Course.get(Course.name == "Closing the deal").id


def test_a_course_suggested_from_the_funnel_is_assigned_and_completed(app, team):
    people = team.people
    skill, course = catalogue(team)
    team.quotes(people.rep, 10)
    team.deal(people.rep, "One win", won_on=TODAY - datetime.timedelta(days=2))
    team.quotes(people.colleague, 5)
    for number in range(5):
        team.deal(people.colleague, f"Win {number}", won_on=TODAY - datetime.timedelta(days=2))
    page = team.manager.get("/team/training")
    assert "Suggested from the numbers" in page.text
    assert "Quotes → Deals won: 10% of 10, the team&#39;s 40% (last 90 days)" in page.text
    assert page.text.count('name="reason"') == 1  # the colleague converts well: nothing for her
    reason = "Quotes → Deals won: 10% of 10, the team's 40% (last 90 days)"
    assigned = team.manager.post("/team/training/assign", data={"user": str(people.rep.id), "course": str(course),
                                                                "due": (TODAY + datetime.timedelta(days=30)).isoformat(), "reason": reason})
    assert assigned.status_code == 302
    assert 'name="reason"' not in team.manager.get("/team/training").text  # assigned: no longer suggested
    with app.app_context():
        item = Assignment.get(Assignment.user == people.rep.id).id
    mine = team.rep.get(f"/team/training/assignments/{item}")
    assert mine.status_code == 200 and "10% of 10" in mine.text
    assert team.colleague.get(f"/team/training/assignments/{item}").status_code == 404
    assert team.colleague.post(f"/team/training/assignments/{item}/complete", data={"feedback": "Mine"}).status_code == 404
    done = team.rep.post(f"/team/training/assignments/{item}/complete", data={"feedback": "Useful role plays."})
    assert done.status_code == 302
    person = team.manager.get(f"/team/people/{people.rep.id}")
    assert person.status_code == 200 and "Closing the deal" in person.text and "<dd>6.0</dd>" in person.text
    assert "<tfoot><tr><th>Team</th><th>6.0</th><th>1,200</th>" in team.manager.get("/team/training").text  # the team's hours and cost


def test_skills_are_assessed_over_time_by_the_manager_only(app, team):
    people = team.people
    skill, _course = catalogue(team)
    for level in ("2", "3"):
        assert team.manager.post(f"/team/people/{people.rep.id}/skills", data={"skill": str(skill), "level": level}).status_code == 302
    page = team.rep.get(f"/team/people/{people.rep.id}")
    assert page.status_code == 200 and "3 · Capable" in page.text and "2 · " in page.text  # now, and before
    assert team.rep.post(f"/team/people/{people.rep.id}/skills", data={"skill": str(skill), "level": "5"}).status_code == 403
    assert team.colleague.get(f"/team/people/{people.rep.id}").status_code == 404
    for data in ({"skill": str(skill), "level": "6"}, {"skill": "999", "level": "3"},
                 {"skill": str(skill), "level": "3", "note": "n" * 600}):
        assert team.manager.post(f"/team/people/{people.rep.id}/skills", data=data).status_code == 400
    with app.app_context():
        assert [rating.level for rating in SkillRating.select().order_by(SkillRating.id)] == [2, 3]


def test_the_catalogue_is_the_admins_and_refuses_bad_input(app, team):
    skill, course = catalogue(team)
    assert team.manager.post("/team/training/courses/new", data=COURSE).status_code == 403
    for changes, message in (({"hours": "1e999"}, "Hours is from 0 to"), ({"cost": "-1"}, "Cost is from 0 to"),
                             ({"kind": "party"}, "Pick the kind"), ({"currency": "元元元"}, "three letters"),
                             ({"skills": "99999999999999999999"}, ""), ({"name-en": "", "name-zh_Hans_CN": ""}, "Give the course a name")):
        response = team.admin.post(f"/team/training/courses/{course}", data={**COURSE, **changes})
        assert response.status_code in (302, 400) and message in response.text, changes
    assert team.manager.post("/team/training/assign", data={"user": str(team.people.outsider.id), "course": str(course)}).status_code == 400
    with app.app_context():
        saved = Course.get_by_id(course)
        assert (saved.hours, saved.cost, saved.currency, saved.kind) == (6, 1200, "CNY", "course")
        assert Assignment.select().count() == 0


def test_hook_award_prizes_offers_each_course_and_gives_it_as_an_assignment(app, team):
    from core.api import prizes

    _skill, course = catalogue(team)
    with app.test_request_context():
        offered = prizes()
        prize = offered[f"team.course:{course}"]
        assert prize.label == "Course: Closing the deal"
        assert prize.give(team.people.rep, team.people.manager, "Best seller of November") == "Closing the deal, assigned to Rita Rep"
        try:
            prize.give(team.people.rep, team.people.manager, "Twice")
        except ValueError as problem:
            assert "already has this course" in str(problem)
        else:
            raise AssertionError("a second assignment of an open course was given")
    with app.app_context():
        assert [(item.user_id, item.reason) for item in Assignment.select()] == [(team.people.rep.id, "Best seller of November")]
