"""Processes and stages: defaults from plugins, moves under the stage rules, approvals, editing."""
import re

import pytest

from core.hookspecs import hookimpl
from core.lowcode.models import Approval, AuditEntry, Process, Stage, StageMove
from core.lowcode.processes import ensure_defaults


def stage_id(app, key, process="hello.welcome"):
    with app.test_request_context():
        ensure_defaults()  # as the first page that needs the process does
        return Stage.select().join(Process).where(Process.key == process, Stage.key == key).get().id


def new_greeting(hello, client, text="Hi there"):
    response = client.post("/records/hello.greeting/new", data={"text": text})
    assert response.status_code == 302
    return int(response.headers["Location"].rsplit("/", 1)[1])


def current(app, record_id):
    from salesdeck_hello.models import Greeting

    with app.app_context():
        greeting = Greeting.get_by_id(record_id)
        return greeting.stage.key if greeting.stage_id else None


def test_hook_register_processes_defaults_are_copied_once_then_edited_in_the_database(hello):
    with hello.app.test_request_context():
        ensure_defaults()
        ensure_defaults()
        process = Process.get(Process.key == "hello.welcome")
        assert [s.key for s in Stage.select().where(Stage.process == process).order_by(Stage.position)] == [
            "sent", "read", "approved", "answered", "ignored"]
    page = hello.admin.get("/admin/processes/").text
    assert "Welcome" in page


def test_a_new_record_enters_the_first_stage(hello):
    record = new_greeting(hello, hello.rep)
    assert current(hello.app, record) == "sent"
    with hello.app.app_context():
        move = StageMove.get(StageMove.record_id == record)
        assert move.from_stage is None and move.to_stage.key == "sent"


def test_a_stage_asks_for_the_fields_it_requires(hello, people):
    hello.admin.post("/admin/entities/hello.greeting/fields/new", data={"type": "text", "label": "Reply"})
    read = stage_id(hello.app, "read")
    hello.admin.post(f"/admin/processes/{Stage_process(hello)}/stages/{read}",
                     data={"label": "Read", "kind": "open", "probability": "40", "color": "teal", "required_fields": ["reply"]})
    record = new_greeting(hello, hello.rep)
    asked = hello.rep.post(f"/records/hello.greeting/{record}/move", data={"stage": str(read)}, headers={"HX-Request": "true"})
    assert asked.status_code == 200 and "Read needs these fields first:" in asked.text and 'name="reply"' in asked.text
    assert current(hello.app, record) == "sent"
    empty = hello.rep.post(f"/records/hello.greeting/{record}/move", data={"stage": str(read), "reply": ""}, headers={"HX-Request": "true"})
    assert "Read needs this field." in empty.text and current(hello.app, record) == "sent"
    moved = hello.rep.post(f"/records/hello.greeting/{record}/move", data={"stage": str(read), "reply": "Thanks!"},
                           headers={"HX-Request": "true"})
    assert moved.headers["HX-Redirect"] == f"/records/hello.greeting/{record}"
    assert current(hello.app, record) == "read"
    detail = hello.rep.get(f"/records/hello.greeting/{record}").text
    assert "Thanks!" in detail and "moved it" in detail and re.search(r"Stage: <del>Sent</del> → Read", detail)


def Stage_process(hello):
    with hello.app.test_request_context():
        ensure_defaults()
        return Process.get(Process.key == "hello.welcome").id


class Watcher:
    def __init__(self):
        self.moves = []

    @hookimpl
    def on_stage_changed(self, entity, record, from_stage, to_stage, user):
        # the stages themselves, so a plugin reads kind and probability without a query of its own
        self.moves.append((entity, from_stage and (from_stage.key, from_stage.kind), (to_stage.key, to_stage.kind, to_stage.probability),
                           user.name if user else None))


def test_an_approval_stage_waits_for_the_manager(make_app, people, login):
    watcher = Watcher()
    app = make_app(LOAD_ENTRYPOINTS=True, EXTRA_PLUGINS={"watcher": watcher})
    rep, manager = login(people.rep, to=app), login(people.manager, to=app)
    record = int(rep.post("/records/hello.greeting/new", data={"text": "Please approve"}).headers["Location"].rsplit("/", 1)[1])
    approved = stage_id(app, "approved")
    response = rep.post(f"/records/hello.greeting/{record}/move", data={"stage": str(approved)}, follow_redirects=True)
    assert "waits for a manager&#39;s approval" in response.text
    assert current(app, record) == "sent"
    assert "Waiting for approval to move to Approved." in rep.get(f"/records/hello.greeting/{record}").text
    queue = manager.get("/approvals/").text
    assert "Please approve" in queue and "Rita Rep asks to move it from Sent to Approved." in queue
    assert rep.get("/approvals/").status_code == 403
    with app.app_context():
        approval = Approval.get(Approval.record_id == record)
    refused = manager.post(f"/approvals/{approval.id}", data={"verdict": "reject", "reason": ""}, follow_redirects=True)
    assert "Say why you reject the move" in refused.text and current(app, record) == "sent"
    manager.post(f"/approvals/{approval.id}", data={"verdict": "approve"})
    assert current(app, record) == "approved"
    assert watcher.moves[-1] == ("hello.greeting", ("sent", "open"), ("approved", "open", 80), "Max Manager")
    assert "approved the move" in rep.get(f"/records/hello.greeting/{record}").text


def test_a_rejected_move_keeps_the_record_and_says_why(hello, people):
    record = new_greeting(hello, hello.rep)
    hello.rep.post(f"/records/hello.greeting/{record}/move", data={"stage": str(stage_id(hello.app, "approved"))})
    with hello.app.app_context():
        approval = Approval.get(Approval.record_id == record)
    hello.manager.post(f"/approvals/{approval.id}", data={"verdict": "reject", "reason": "Too early <b>now</b>"})
    assert current(hello.app, record) == "sent"
    detail = hello.rep.get(f"/records/hello.greeting/{record}").text
    assert "rejected the move" in detail and "Too early &lt;b&gt;now&lt;/b&gt;" in detail


def test_the_approval_queue_is_scoped_to_the_managers_team(hello, people, login):
    record = new_greeting(hello, login(people.outsider, to=hello.app), "From the west")
    login(people.outsider, to=hello.app).post(f"/records/hello.greeting/{record}/move", data={"stage": str(stage_id(hello.app,
                                                                                                                    "approved"))})
    with hello.app.app_context():
        approval = Approval.get(Approval.record_id == record)
    assert "From the west" not in hello.manager.get("/approvals/").text
    assert hello.manager.post(f"/approvals/{approval.id}", data={"verdict": "approve"}).status_code == 404
    assert "From the west" in hello.admin.get("/approvals/").text


def test_managers_move_into_approval_stages_directly(hello):
    record = new_greeting(hello, hello.rep)
    hello.manager.post(f"/records/hello.greeting/{record}/move", data={"stage": str(stage_id(hello.app, "approved"))})
    assert current(hello.app, record) == "approved"


def test_moves_to_other_processes_or_unknown_stages_are_refused(hello, people):
    record = new_greeting(hello, hello.rep)
    for value in ("999999", "abc", ""):
        assert hello.rep.post(f"/records/hello.greeting/{record}/move", data={"stage": value}).status_code == 404
    assert hello.colleague.post(f"/records/hello.greeting/{record}/move", data={"stage": str(stage_id(hello.app,
                                                                                                      "read"))}).status_code == 404


def test_an_admin_edits_stages_in_the_browser(hello):
    process = Stage_process(hello)
    added = hello.admin.post(f"/admin/processes/{process}/stages", data={"label": "Called back", "kind": "open", "probability": "60",
                                                                       "color": "amber", "followup_days": "3", "needs_approval": "y"})
    assert added.status_code == 302
    page = hello.admin.get(f"/admin/processes/{process}").text
    assert "Called back" in page and "60%" in page
    with hello.app.app_context():
        stages = list(Stage.select().where(Stage.process == process).order_by(Stage.position))
        called = next(s for s in stages if s.label == "Called back")
        assert (called.followup_days, called.needs_approval, called.color) == (3, True, "amber")
    order = [str(called.id)] + [str(s.id) for s in stages if s.id != called.id]
    hello.admin.post(f"/admin/processes/{process}/order", data={"order": order})
    with hello.app.app_context():
        assert Stage.select().where(Stage.process == process).order_by(Stage.position).first().label == "Called back"
        assert AuditEntry.select().where(AuditEntry.action == "stage_order").exists()


@pytest.mark.parametrize("data, message", [
    ({"label": "", "kind": "open", "probability": "1"}, "Give the stage a name"),
    ({"label": "X", "kind": "maybe", "probability": "1"}, "Choose open, won or lost."),
    ({"label": "X", "kind": "open", "probability": "150"}, "from 0 to 100"),
    ({"label": "X", "kind": "open", "probability": "1", "followup_days": "-2"}, "from 1 to 365"),
    ({"label": "<b>X</b>" * 30, "kind": "open", "probability": "1"}, "1 to 120 characters"),
])
def test_bad_stage_settings_are_refused(hello, data, message):
    response = hello.admin.post(f"/admin/processes/{Stage_process(hello)}/stages", data=data)
    assert response.status_code == 400 and message in response.text


def test_merging_a_stage_moves_its_records_and_keeps_their_history(hello):
    record = new_greeting(hello, hello.rep)
    read, ignored = stage_id(hello.app, "read"), stage_id(hello.app, "ignored")
    hello.rep.post(f"/records/hello.greeting/{record}/move", data={"stage": str(read)})
    refused = hello.admin.post(f"/admin/processes/{Stage_process(hello)}/stages/{read}/archive", follow_redirects=True)
    assert "1 record(s) are in Read" in refused.text
    merged = hello.admin.post(f"/admin/processes/{Stage_process(hello)}/stages/{read}/merge", data={"into": str(ignored)},
                              follow_redirects=True)
    assert "Read is merged into Ignored: 1 record(s) moved" in merged.text
    assert current(hello.app, record) == "ignored"
    with hello.app.app_context():
        moves = [(m.from_stage.key if m.from_stage else None,
                  m.to_stage.key) for m in StageMove.select().where(StageMove.record_id == record).order_by(StageMove.id)]
        assert moves == [(None, "sent"), ("sent", "read"), ("read", "ignored")]
        assert Stage.get_by_id(read).archived_at is not None


def test_an_admin_creates_a_process_for_a_form_made_in_the_browser(app, login, people, competitor):
    admin = login(people.admin)
    created = admin.post("/admin/processes/new", data={"label": "Competitive review", "entity": competitor})
    assert created.status_code == 302
    record = admin.post(f"/records/{competitor}/new", data={"name": "Watched"}).headers["Location"]
    detail = admin.get(record).text
    assert "Competitive review" in detail and "stage-current" in detail
    assert admin.post("/admin/processes/new", data={"label": "", "entity": "nope"}).status_code == 400


def test_only_admins_edit_processes(hello):
    assert hello.manager.get("/admin/processes/").status_code == 403
    assert hello.rep.post(f"/admin/processes/{Stage_process(hello)}/stages", data={"label": "X", "kind": "open"}).status_code == 403


def test_default_stage_names_are_stored_once_and_read_in_each_users_language(app, login, people, competitor):
    """Stage names a plugin or the core wrote are kept in English and shown translated; a name an
    admin types is shown as typed; saving a stage without renaming it keeps the translations."""
    admin = login(people.admin)
    process = int(admin.post("/admin/processes/new", data={"label": "Review", "entity": competitor}).headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        stored = dict(Stage.select(Stage.key, Stage.label).where(Stage.process == process).tuples().execute(Stage._meta.database))
        assert stored == {"new": "New", "won": "Won", "lost": "Lost"}
        won = Stage.get(Stage.process == process, Stage.key == "won").id
    admin.post("/language", data={"locale": "zh_Hans_CN"})
    chinese = admin.get(f"/admin/processes/{process}").text
    assert "赢单" in chinese and "输单" in chinese
    # Saving the stage with its translated name unchanged keeps the source...
    admin.post(f"/admin/processes/{process}/stages/{won}", data={"label": "赢单", "kind": "won", "probability": "100", "color": "green"})
    with app.app_context():
        assert Stage.get_by_id(won).label.source == "Won"
    manager = login(people.manager)
    english = manager.get(f"/records/{competitor}/{new_record(manager, competitor)}").text
    assert "Won" in english and "赢单" not in english
    # ...and a name typed by an admin is shown as typed to everyone, escaped.
    admin.post(f"/admin/processes/{process}/stages/{won}", data={"label": "<i>Signed</i>", "kind": "won", "probability": "100",
                                                                 "color": "green"})
    with app.app_context():
        assert Stage.get_by_id(won).label == "<i>Signed</i>"
    assert "&lt;i&gt;Signed&lt;/i&gt;" in admin.get(f"/admin/processes/{process}").text


def new_record(client, entity) -> str:
    return client.post(f"/records/{entity}/new", data={"name": "Watched"}).headers["Location"].rsplit("/", 1)[1]
