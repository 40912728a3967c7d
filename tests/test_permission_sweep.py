"""The permission sweep: every route with an id in its path is tried for "see" (GET) and "change"
(POST) by every role of another team, by a teammate rep, and by a rep on a pool (公海) record.

A route with an id is either under /admin/ (tried generically: only the admin gets in) or has a
row in CASES saying which record fills its ids; a new route with an id that is in neither makes
`test_every_route_with_an_id_is_in_the_sweep` fail. Nothing anyone is refused may change a row of
any table.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

import pytest

from core.auth import hash_password
from core.db import db, utcnow
from core.lowcode import records as record_service
from core.lowcode.entities import get_entity
from core.lowcode.models import Approval, Process, Stage
from core.lowcode.processes import ensure_defaults
from core.models import MANAGER, REP, Team, User
from plugins.pipeline.models import Contact, Customer, DealLine, Product

from .conftest import PASSWORD

REFUSED = {403, 404, 405}


@dataclass
class Case:
    """How to fill a route's ids with the victim's records (names of `Victim` fields or plain
    values), what a POST sends, and what a rep gets on a pool customer (None: not a customer route)."""

    targets: list[dict]
    data: dict = field(default_factory=dict)
    pool: dict | None = None
    pool_get: int | set = frozenset(REFUSED)  # reading pages show a pool record: 200
    pool_post: set = frozenset(REFUSED)


RECORD_ENTITIES = [("pipeline.customer", "customer"), ("pipeline.contact", "contact"), ("pipeline.deal", "deal"),
                   ("pipeline.activity", "activity")]


def records(extra=None):
    return [{"entity": entity, "record_id": name, **(extra or {})} for entity, name in RECORD_ENTITIES]


POOL_RECORD = {"entity": "pipeline.customer", "record_id": "pool"}

CASES = {
    "/records/<entity>/<int:record_id>": Case(records(), pool=POOL_RECORD, pool_get=200),
    "/records/<entity>/<int:record_id>/edit": Case(records(), {"name": "Taken", "subject": "Taken"}, pool=POOL_RECORD),
    "/records/<entity>/<int:record_id>/delete": Case(records(), pool=POOL_RECORD),
    "/records/<entity>/<int:record_id>/restore": Case(records(), pool=POOL_RECORD),
    "/records/<entity>/<int:record_id>/move": Case(records(), {"stage": "first_stage"}, pool=POOL_RECORD),
    "/records/<entity>/import/<uid>": Case([{"entity": "pipeline.customer", "uid": "upload"}], {"map-0": "name"}),
    "/records/<entity>/import/<uid>/run": Case([{"entity": "pipeline.customer", "uid": "upload"}]),
    "/records/<entity>/import/<uid>/progress": Case([{"entity": "pipeline.customer", "uid": "upload"}]),
    "/records/<entity>/import/<uid>/errors.csv": Case([{"entity": "pipeline.customer", "uid": "upload"}]),
    "/records/<entity>/import/<uid>/cancel": Case([{"entity": "pipeline.customer", "uid": "upload"}]),
    "/records/<entity>/import/<uid>/retry": Case([{"entity": "pipeline.customer", "uid": "upload"}]),
    "/approvals/<int:approval_id>": Case([{"approval_id": "approval"}], {"verdict": "approve"}),
    "/pipeline/customers/<int:customer_id>": Case([{"customer_id": "customer"}], {"log-kind": "call", "log-subject": "Mine"},
                                                  pool={"customer_id": "pool"}, pool_get=200),
    # Claiming is what the pool is for: tried in tests/pipeline/test_pool_scope.py.
    "/pipeline/customers/<int:customer_id>/claim": Case([{"customer_id": "customer"}]),
    "/pipeline/customers/<int:customer_id>/release": Case([{"customer_id": "customer"}], pool={"customer_id": "pool"},
                                                          pool_post=REFUSED | {400}),  # 400: it is in the pool already
    "/pipeline/deals/<int:deal_id>": Case([{"deal_id": "deal"}], {"log-kind": "call", "log-subject": "Mine"}),
    "/pipeline/deals/<int:deal_id>/lines": Case([{"deal_id": "deal"}], {"line-product": "product", "line-quantity": "1"}),
    "/pipeline/deals/<int:deal_id>/lines/<int:line_id>/delete": Case([{"deal_id": "deal", "line_id": "line"}]),
    "/pipeline/deals/<int:deal_id>/credits": Case([{"deal_id": "deal"}], {"user": "rep_id", "share": "10"}),
    "/pipeline/deals/<int:deal_id>/credits/<int:credit_id>/delete": Case([{"deal_id": "deal", "credit_id": "credit"}]),
    "/pipeline/activities/<int:activity_id>/done": Case([{"activity_id": "activity"}]),
    "/pipeline/activities/<int:activity_id>/reschedule": Case([{"activity_id": "activity"}], {"due_at": "2030-01-01T10:00"}),
    "/goals/<int:goal_id>": Case([{"goal_id": "goal"}]),
    "/goals/<int:goal_id>/children": Case([{"goal_id": "goal"}]),
    "/goals/<int:goal_id>/target": Case([{"goal_id": "goal"}], {"target": "1", "reason": "x"}),
    "/goals/<int:goal_id>/split": Case([{"goal_id": "goal"}], {"kind": "week", "method": "even"}),
    "/goals/<int:goal_id>/archive": Case([{"goal_id": "goal"}]),
    "/goals/<int:goal_id>/share": Case([{"goal_id": "goal"}], {"action": "save"}),
    "/goals/<int:goal_id>/funnel": Case([{"goal_id": "goal"}], {"months": "6"}),
    "/goals/reviews/<int:review_id>": Case([{"review_id": "review"}]),
    # A commission plan paying only the victim, and the victim's statement under it.
    "/incentives/plans/<int:plan_id>": Case([{"plan_id": "plan"}], {"name-en": "Taken"}),
    "/incentives/plans/<int:plan_id>/archive": Case([{"plan_id": "plan"}]),
    "/incentives/plans/<int:plan_id>/<period>": Case([{"plan_id": "plan", "period": "last_month"}]),
    "/incentives/plans/<int:plan_id>/<period>/export.csv": Case([{"plan_id": "plan", "period": "last_month"}]),
    "/incentives/plans/<int:plan_id>/<period>/export.xlsx": Case([{"plan_id": "plan", "period": "last_month"}]),
    "/incentives/plans/<int:plan_id>/<period>/<int:user_id>": Case([{"plan_id": "plan", "period": "last_month", "user_id": "rep_id"}]),
    "/incentives/plans/<int:plan_id>/<period>/<int:user_id>/what-if": Case(
        [{"plan_id": "plan", "period": "last_month", "user_id": "rep_id"}]),
    "/incentives/plans/<int:plan_id>/<period>/<int:user_id>/approve": Case(
        [{"plan_id": "plan", "period": "last_month", "user_id": "rep_id"}], {"early": "y"}),
    "/incentives/awards/<int:award_id>": Case([{"award_id": "award"}], {"name-en": "Taken", "kind": "nominated"}),
    "/incentives/awards/<int:award_id>/<period>/give": Case([{"award_id": "award", "period": "last_month"}],
                                                           {"user": "rep_id", "note": "Mine"}),
    "/incentives/challenges/<int:challenge_id>": Case([{"challenge_id": "challenge"}]),
    "/incentives/challenges/<int:challenge_id>/edit": Case([{"challenge_id": "challenge"}], {"name-en": "Taken", "target": "1"}),
    "/incentives/challenges/<int:challenge_id>/archive": Case([{"challenge_id": "challenge"}]),
    "/incentives/bonuses/<int:spiff_id>": Case([{"spiff_id": "spiff"}], {"name-en": "Taken", "pays": "per_unit", "amount": "1"}),
    "/incentives/bonuses/<int:spiff_id>/archive": Case([{"spiff_id": "spiff"}]),
    # The victim's private report.
    "/analytics/reports/<int:report_id>": Case([{"report_id": "report"}]),
    "/analytics/reports/<int:report_id>/edit": Case([{"report_id": "report"}], {"entity": "pipeline.deal", "g1": "owner",
                                                                                "name-en": "Taken", "shared": "everyone"}),
    "/analytics/reports/<int:report_id>/pin": Case([{"report_id": "report"}]),
    "/analytics/reports/<int:report_id>/delete": Case([{"report_id": "report"}]),
    "/analytics/reports/<int:report_id>/export.csv": Case([{"report_id": "report"}]),
    "/analytics/reports/<int:report_id>/export.xlsx": Case([{"report_id": "report"}]),
    # The victim's alert on their private report, and its firing.
    "/analytics/reports/<int:report_id>/alerts": Case([{"report_id": "report"}], {"name": "Taken", "number": "value", "over": "total",
                                                                                  "comparison": "gt", "threshold": "1"}),
    "/analytics/alerts/<int:alert_id>/edit": Case([{"alert_id": "alert"}], {"name": "Taken", "number": "value", "over": "total",
                                                                            "comparison": "gt", "threshold": "1", "version": "1"}),
    "/analytics/alerts/<int:alert_id>/delete": Case([{"alert_id": "alert"}]),
    "/analytics/alerts/fired/<int:event_id>/read": Case([{"event_id": "alert_event"}]),
    "/analytics/process/reviews/<int:process_review_id>": Case([{"process_review_id": "process_review"}],
                                                               {"decisions": "Taken", "version": "1"}),
    # The Polar team's meeting, a topic of it, and an action of its member's from it.
    "/team/teams/<int:team_id>/meetings": Case([{"team_id": "team"}], {"day": "2030-01-01"}),
    "/team/teams/<int:team_id>/settings": Case([{"team_id": "team"}], {"rhythm_days": "3", "one_to_one_weeks": "1"}),
    "/team/meetings/<int:meeting_id>": Case([{"meeting_id": "meeting"}]),
    "/team/meetings/<int:meeting_id>/print": Case([{"meeting_id": "meeting"}]),
    "/team/meetings/<int:meeting_id>/topics": Case([{"meeting_id": "meeting"}], {"title": "Taken"}),
    "/team/meetings/<int:meeting_id>/order": Case([{"meeting_id": "meeting"}], {"order": "topic"}),
    "/team/meetings/<int:meeting_id>/topics/<int:topic_id>/notes": Case([{"meeting_id": "meeting", "topic_id": "topic"}],
                                                                         {"notes": "Taken"}),
    "/team/meetings/<int:meeting_id>/topics/<int:topic_id>/delete": Case([{"meeting_id": "meeting", "topic_id": "topic"}]),
    "/team/meetings/<int:meeting_id>/decisions": Case([{"meeting_id": "meeting"}], {"text": "Taken"}),
    "/team/meetings/<int:meeting_id>/actions": Case([{"meeting_id": "meeting"}],
                                                    {"title": "Taken", "owner": "rep_id", "due": "2030-01-01"}),
    "/team/meetings/<int:meeting_id>/close": Case([{"meeting_id": "meeting"}], {"notes": "Taken"}),
    "/team/actions/<int:action_id>": Case([{"action_id": "action"}]),
    "/team/actions/<int:action_id>/done": Case([{"action_id": "action"}]),
    # The victim's one-to-one with the East manager.
    "/team/people/<int:user_id>/one-to-ones": Case([{"user_id": "rep_id"}], {"day": "2030-01-01"}),
    "/team/one-to-ones/<int:one_to_one_id>": Case([{"one_to_one_id": "one_to_one"}], {"went_well": "Taken"}),
    "/team/one-to-ones/<int:one_to_one_id>/mine": Case([{"one_to_one_id": "one_to_one"}], {"pulse": "5"}),
    "/team/one-to-ones/<int:one_to_one_id>/topics": Case([{"one_to_one_id": "one_to_one"}], {"text": "Taken"}),
    "/team/one-to-ones/<int:one_to_one_id>/actions": Case([{"one_to_one_id": "one_to_one"}],
                                                          {"title": "Taken", "owner": "rep_id", "due": "2030-01-01"}),
    # The victim's development page, a course of the catalogue (admins') and the victim's assignment of it.
    "/team/people/<int:user_id>": Case([{"user_id": "rep_id"}]),
    "/team/people/<int:user_id>/skills": Case([{"user_id": "rep_id"}], {"skill": "skill", "level": "5"}),
    "/team/training/courses/<int:course_id>": Case([{"course_id": "course"}], {"name-en": "Taken", "kind": "course"}),
    "/team/training/assignments/<int:assignment_id>": Case([{"assignment_id": "assignment"}]),
    "/team/training/assignments/<int:assignment_id>/complete": Case([{"assignment_id": "assignment"}], {"feedback": "Taken"}),
    # A project the victim runs alone (across teams, so no teammate sees it), and its photo.
    "/team/together/<int:event_id>": Case([{"event_id": "event"}]),
    "/team/together/<int:event_id>/photos": Case([{"event_id": "event"}]),
    "/team/photos/<int:photo_id>": Case([{"photo_id": "photo"}]),
    "/timemgmt/tasks/<int:task_id>": Case([{"task_id": "time_task"}, {"task_id": "time_delegated"}], {"title": "Taken", "quadrant": "do"}),
    "/timemgmt/tasks/<int:task_id>/done": Case([{"task_id": "time_task"}, {"task_id": "time_delegated"}]),
    "/timemgmt/tasks/<int:task_id>/drop": Case([{"task_id": "time_task"}, {"task_id": "time_delegated"}]),
    "/timemgmt/tasks/<int:task_id>/check/<int:index>": Case([{"task_id": "time_task", "index": 0}]),
    "/timemgmt/tasks/<int:task_id>/delegate": Case([{"task_id": "time_task"}], {"to": "rep_id", "outcome": "Mine",
                                                                                 "check_back": "2030-01-01"}),
    "/timemgmt/inbox/<int:task_id>": Case([{"task_id": "time_inbox"}], {"action": "do"}),
    "/timemgmt/blocks/<int:block_id>": Case([{"block_id": "time_block"}], {"day": "2030-01-01", "start": "09:00", "end": "10:00",
                                                                          "category": "team"}),
    "/timemgmt/blocks/<int:block_id>/delete": Case([{"block_id": "time_block"}]),
    "/timemgmt/board/team/<int:team_id>": Case([{"team_id": "time_team"}]),  # a team none of the tried people is in
}

# Values for the ids of admin pages (each a real row, so a refusal is the role check's doing).
ADMIN_VALUES = {"process_id": "process", "stage_id": "lost_stage", "team_id": "team", "user_id": "rep_id",
                "key": "name", "name": "pipeline", "entity": "pipeline.customer"}


def has_id(rule) -> bool:
    """A rule with a record's id in its path: an int argument, an import's uid, or `*_id`."""
    return any(rule._converters.get(name).__class__.__name__ == "IntegerConverter" or name == "uid" or name.endswith("_id")
               for name in rule.arguments)


def id_rules(app):
    return [rule for rule in app.url_map.iter_rules() if has_id(rule) and rule.endpoint != "static"]


def test_every_route_with_an_id_is_in_the_sweep(app):
    missing = sorted(rule.rule for rule in id_rules(app) if not rule.rule.startswith("/admin/") and rule.rule not in CASES)
    assert not missing, f"routes with an id that the permission sweep does not try (add them to CASES): {missing}"
    stale = sorted(set(CASES) - {rule.rule for rule in app.url_map.iter_rules()})
    assert not stale, f"CASES for routes that no longer exist: {stale}"


# -- the records of a victim (a rep of the East team) ---------------------------------------------


def make_victim(app, people, login) -> dict:
    with app.test_request_context():
        ensure_defaults()
        deals = get_entity("pipeline.deal")
        save = lambda entity, owner, **values: record_service.save(get_entity(entity), owner, values)[0].id  # noqa: E731
        customer = save("pipeline.customer", people.rep, name="Victim Co")
        pool = save("pipeline.customer", people.admin, name="Pool Co")
        Customer.update(owner=None).where(Customer.id == pool).execute()
        contact = save("pipeline.contact", people.rep, name="Victim contact", customer=customer)
        deal = save("pipeline.deal", people.rep, name="Victim deal", customer=customer, amount=777)
        activity = save("pipeline.activity", people.rep, subject="Victim call", deal=deal, customer=customer, due_at=utcnow())
        product = save("pipeline.product", people.admin, name="CRM Pro", list_price=100)
        line = DealLine.create(deal=deal, product=product, quantity=1, unit_price=777).id
        from plugins.pipeline.models import DealCredit

        credit = DealCredit.create(deal=deal, user=people.manager.id, share=30).id
        process = Process.get(Process.key == "pipeline.sales")
        stages = {stage.key: stage for stage in Stage.select().where(Stage.process == process)}
        deal_record = deals.model.get_by_id(deal)
        approval = Approval.create(entity="pipeline.deal", record_id=deal, from_stage=deal_record.stage_id,
                                   to_stage=stages["approval"].id, requested_by=people.rep.id).id
    manager = login(people.manager)
    from tests.goals.test_setting import MONTH, key

    made = manager.post("/goals/new", data={"owner": f"user:{people.rep.id}", "metric": "pipeline.won_revenue", "mode": "number",
                                            "target": "100", "growth": "", "period": key(MONTH), "start": "", "end": "",
                                            "parent": "", "description": "", "reason": "A reason."})
    assert made.status_code == 302, made.status_code
    goal = int(made.headers["Location"].rsplit("/", 1)[1])
    written = manager.post("/goals/reviews/write", data={"owner": f"user:{people.rep.id}", "period": key(MONTH),
                                                         f"cause-{goal}": "Victim's notes", "summary": "Victim's review"})
    assert written.status_code == 302
    review = int(written.headers["Location"].rsplit("/", 1)[1])
    uploaded = login(people.rep).post("/records/pipeline.customer/import", content_type="multipart/form-data",
                                      data={"file": (io.BytesIO(b"Name\nImported Co\n"), "customers.csv")})
    assert uploaded.status_code == 302, uploaded.status_code
    upload = re.search(r"/import/([0-9a-f]+)$", uploaded.headers["Location"]).group(1)
    with app.test_request_context():
        from plugins.incentives import services as incentives

        plan = incentives.save_plan(None, {"name": "Victim's plan", "metric": "pipeline.won_revenue", "period": "month",
                                           "starts": MONTH.start, "mode": "marginal", "currency": "CNY", "users": [people.rep.id],
                                           "on_goal": False, "tiers": [("0", "5")]}, people.admin).id
        last_month = incentives.period_key("month", incentives.recent_periods("month", 2)[1][0])
        from plugins.incentives import awards

        award = awards.save_award(None, {"name": "Victim's award", "kind": "nominated", "period": "month", "team": people.team.id},
                                  people.admin).id
        from plugins.incentives import challenges

        north = Team.create(name="Polar")  # a team challenge is the whole team's: none of the intruders is in this one
        challenge = challenges.save(None, {"name": "Victim's push", "metric": "pipeline.won_revenue", "team": north.id,
                                           "starts": MONTH.start, "ends": MONTH.start, "target": "10"}, people.admin).id
        from plugins.analytics.models import Report

        report = Report.create(name="Victim's report", entity="pipeline.deal", groups=[{"key": "owner", "bucket": ""}],
                               owner=people.rep.id, shared="private").id
        from plugins.analytics.models import Alert, AlertEvent

        alert = Alert.create(report=report, owner=people.rep.id, name="Victim's alert", threshold=1, is_true=True, fired=1).id
        alert_event = AlertEvent.create(alert=alert, owner=people.rep.id, number=1, value=2, compared_with=1).id
        from plugins.analytics.models import ProcessReview

        process_review = ProcessReview.create(process=process, quarter="2026-Q1", numbers=[], decisions="Victim's decisions",
                                              author=people.rep.id).id
        from plugins.incentives import spiffs

        spiff = spiffs.save(None, {"name": "Victim's bonus", "metric": "pipeline.deals_won", "starts": MONTH.start, "ends": MONTH.start,
                                   "pays": "per_unit", "amount": "5", "teams": [north.id]}, people.admin).id
        from plugins.team import services as team_services

        # A team meeting is read by the team's members: the victim's is the Polar team's, with none of the intruders in it.
        polar_rep = User.create(email="polar@example.com", name="Pat Polar", role=REP, team=north, password_hash="x")
        meeting = team_services.open_meeting(north, MONTH.start, people.admin)
        topic = team_services.add_topic(meeting, "Victim's topic").id
        action = team_services.add_action(meeting, "Victim's action", polar_rep.id, MONTH.start, None, people.admin).id
        from plugins.team import oneonones

        one_to_one = oneonones.open_one(people.rep, MONTH.start, people.manager).id
        from plugins.team import training

        skill = training.save_skill({"name": "Closing", "labels": {}, "metric": "pipeline.quotes"}, people.admin).id
        course = training.save_course(None, {"name": "Closing the deal", "labels": {}, "kind": "course", "hours": "6", "cost": "100",
                                             "skills": [skill]}, people.admin)
        assignment = training.assign(course.id, people.rep, None, "", people.manager).id
        from plugins.team import together
        from plugins.team.models import Photo

        event = together.create({"name": "Victim's project", "kind": "project", "day": MONTH.start, "team": None}, people.rep).id
        photo = Photo.create(event=event, filename="victim.png", stored="victim.png", content_type="image/png", size=1).id
    with app.app_context():
        import datetime

        from plugins.timemgmt.models import Task, TimeBlock

        time_task = Task.create(title="Victim's task", owner=people.rep.id, created_by=people.rep.id, checklist=[{"text": "a"}]).id
        time_delegated = Task.create(title="Victim's errand", owner=people.rep.id, created_by=people.manager.id,
                                     delegated_by=people.manager.id, outcome="Done").id
        time_inbox = Task.create(title="Victim's note", owner=people.rep.id, created_by=people.rep.id, in_inbox=True).id
        time_block = TimeBlock.create(owner=people.rep.id, starts_at=utcnow(), ends_at=utcnow() + datetime.timedelta(hours=1)).id
        time_team = Team.create(name="North", manager=people.manager).id
    return {"event": event, "photo": photo, "one_to_one": one_to_one, "skill": skill, "course": course.id, "assignment": assignment,
            "meeting": meeting.id, "topic": topic, "action": action,
            "time_team": time_team, "time_task": time_task, "time_delegated": time_delegated, "time_inbox": time_inbox,
            "time_block": time_block,
            "plan": plan, "last_month": last_month, "award": award, "challenge": challenge, "spiff": spiff, "report": report,
            "alert": alert, "alert_event": alert_event,
            "process_review": process_review,
            "customer": customer, "pool": pool, "contact": contact, "deal": deal, "activity": activity, "product": product,
            "credit": credit,
            "line": line, "approval": approval, "goal": goal, "review": review, "upload": upload, "process": process.id,
            "lost_stage": stages["lost"].id, "first_stage": stages["first_contact"].id, "team": people.team.id, "rep_id": people.rep.id}


def fill(values: dict, victim: dict) -> dict:
    return {key: victim.get(value, value) if isinstance(value, str) else value for key, value in values.items()}


def url_of(rule: str, values: dict) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda match: str(values[match.group(1)]), rule)


def fingerprint() -> dict:
    """Every row of every table, as text: what a refused request must leave as it was."""
    found = {}
    for table in sorted(db.get_tables()):
        if table.startswith(("huey", "sqlite_stat")) or table.endswith("_migrations"):
            continue  # the job queue, the migrations done, SQLite's planner statistics (PRAGMA optimize)
        cursor = db.execute_sql(f'SELECT * FROM "{table}"')
        found[table] = sorted(repr(row) for row in cursor.fetchall())
    return found


def changed_tables(before: dict, after: dict) -> list:
    return [table for table in sorted(set(before) | set(after)) if before.get(table) != after.get(table)]


@pytest.fixture
def sweep(app, people, login):
    with app.app_context():
        west_manager = User.create(email="west@example.com", name="Wes Westmanager", role=MANAGER,
                                   password_hash=hash_password(PASSWORD))
        Team.update(manager=west_manager).where(Team.id == people.west.id).execute()
    victim = make_victim(app, people, login)
    clients = {}
    for name, user in (("outsider", people.outsider), ("west_manager", west_manager), ("colleague", people.colleague),
                       ("manager", people.manager), ("rep", people.rep)):
        client = login(user)
        client.environ_base["HTTP_X_CSRFTOKEN"] = client.csrf_token()  # one token for the whole sweep
        clients[name] = client
    return app, victim, clients


def attempt(client, method: str, url: str, data: dict):
    return client.get(url) if method == "GET" else client.post(url, data=data, csrf=False)


def test_no_role_of_another_team_sees_or_changes_anything_by_id(sweep):
    app, victim, clients = sweep
    with app.app_context():
        before = fingerprint()
    wrong = []
    for rule in id_rules(app):
        if rule.rule.startswith("/admin/"):
            continue
        case = CASES.get(rule.rule)
        if case is None:
            wrong.append(("not in CASES", rule.rule))
            continue
        for values in case.targets:
            url = url_of(rule.rule, fill(values, victim))
            data = fill(case.data, victim)
            for who in ("outsider", "west_manager", "colleague"):
                for method in ("GET", "POST"):
                    status = attempt(clients[who], method, url, data).status_code
                    if status not in REFUSED:
                        wrong.append((who, method, url, status))
    assert not wrong, wrong
    with app.app_context():
        assert changed_tables(before, fingerprint()) == []


def test_only_the_admin_opens_admin_pages_with_an_id(sweep):
    app, victim, clients = sweep
    with app.app_context():
        before = fingerprint()
    wrong = []
    rules = [rule for rule in id_rules(app) if rule.rule.startswith("/admin/")]
    assert rules, "no admin page with an id found: the sweep would prove nothing"
    for rule in rules:
        url = url_of(rule.rule, {name: victim.get(value, value) for name, value in ADMIN_VALUES.items()})
        for who in ("outsider", "west_manager", "manager", "rep"):
            for method in ("GET", "POST"):
                status = attempt(clients[who], method, url, {"label": "Taken", "name": "Taken"}).status_code
                if status not in (403, 405):
                    wrong.append((who, method, url, status))
    assert not wrong, wrong
    with app.app_context():
        assert changed_tables(before, fingerprint()) == []


def test_a_rep_sees_a_pool_record_and_changes_it_nowhere(sweep):
    app, victim, clients = sweep
    with app.app_context():
        before = fingerprint()
    wrong, tried = [], 0
    for rule in id_rules(app):
        case = CASES.get(rule.rule)
        if case is None or case.pool is None:
            continue
        url = url_of(rule.rule, fill(case.pool, victim))
        data = fill(case.data, victim)
        for who in ("rep", "outsider"):
            tried += 1
            got = attempt(clients[who], "GET", url, data).status_code
            expected = {case.pool_get} if isinstance(case.pool_get, int) else case.pool_get
            if got not in expected:
                wrong.append((who, "GET", url, got))
            got = attempt(clients[who], "POST", url, data).status_code
            if got not in case.pool_post:
                wrong.append((who, "POST", url, got))
    assert tried and not wrong, wrong
    with app.app_context():
        assert changed_tables(before, fingerprint()) == []
        assert Customer.get_by_id(victim["pool"]).owner_id is None
        assert not Contact.select().where(Contact.customer == victim["pool"]).exists()
        assert Product.select().count() == 1


# Routes that take the ids in the form, not the path: tried the same way, judged by what changed.
FORM_ID_ROUTES = [
    ("/pipeline/board/move", {"deal": "deal", "stage": "first_stage"}),
    ("/pipeline/duplicates/merge", {"keep": "customer", "other": "pool"}),
    ("/pipeline/duplicates/merge", {"keep": "pool", "other": "customer"}),
    ("/records/pipeline.deal/bulk", {"ids": "deal", "field": "next_step", "bulk-value": "Taken"}),
    ("/records/pipeline.customer/bulk", {"ids": "pool", "field": "industry", "bulk-value": "Taken"}),
    ("/records/pipeline.customer/bulk", {"ids": "customer", "field": "industry", "bulk-value": "Taken"}),
]


def test_routes_with_ids_in_the_form_change_nothing_out_of_reach(sweep):
    app, victim, clients = sweep
    with app.app_context():
        before = fingerprint()
    for url, data in FORM_ID_ROUTES:
        for who in ("outsider", "west_manager", "colleague"):
            assert attempt(clients[who], "POST", url, fill(data, victim)).status_code < 500, (who, url)
    # The rep may merge or bulk-edit their own customer, but not with the pool's.
    for url, data in FORM_ID_ROUTES[1:3] + FORM_ID_ROUTES[4:5]:
        assert attempt(clients["rep"], "POST", url, fill(data, victim)).status_code < 500, url
    with app.app_context():
        assert changed_tables(before, fingerprint()) == []
