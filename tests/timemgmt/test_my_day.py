"""My day: tasks and every plugin's agenda items, as a prioritised list and as the urgent x
important matrix; the suggested order accepted or changed; items carried over; the inbox."""
import datetime

from plugins.timemgmt.models import DayPlan, Task

TODAY = datetime.datetime.now(datetime.UTC).date()  # the tests' team works in UTC


def test_my_day_lists_my_tasks_in_the_suggested_order_with_agenda_items(app, time, people):
    later = time.task("manager", "Write the quarterly plan", "schedule")
    now = time.task("manager", "Call back the angry customer", "do")
    old = time.task("manager", "Send the overdue quote", "delegate", due_day=(TODAY - datetime.timedelta(days=1)).isoformat())
    page = time.manager.get("/timemgmt/").text
    assert page.index("Call back the angry customer") < page.index("Write the quarterly plan") < page.index("Send the overdue quote")
    assert "Carried over" in page and "Suggested plan" in page
    assert "Write the quarterly plan" not in time.rep.get("/timemgmt/").text  # my tasks are mine
    fragment = time.manager.get("/timemgmt/", headers={"HX-Request": "true"}).text
    assert "<html" not in fragment and 'id="timemgmt-plan"' in fragment
    # Accepting a changed order keeps it.
    assert time.manager.post("/timemgmt/plan", data={"key": [f"task:{later}", f"task:{old}", f"task:{now}"]}).status_code == 302
    page = time.manager.get("/timemgmt/").text
    assert page.index("Write the quarterly plan") < page.index("Send the overdue quote") < page.index("Call back the angry customer")
    assert "Today&#39;s plan" in page or "Today's plan" in page
    with app.app_context():
        assert DayPlan.get().order[0] == f"task:{later}"


def test_an_overdue_follow_up_of_the_pipeline_is_urgent_on_my_day(app, time, people):
    from core.lowcode import records
    from core.lowcode.entities import get_entity

    with app.test_request_context():
        customer, _ = records.save(get_entity("pipeline.customer"), people.rep, {"name": "Acme"})
        records.save(get_entity("pipeline.activity"), people.rep, {"subject": "Call about the renewal", "kind": "call",
                                                                   "customer": customer.id, "due_at": datetime.datetime(2020, 1, 1, 9)})
    with app.test_request_context():
        from core.api import agenda_items

        (item,) = agenda_items(people.rep, TODAY)
    assert (item.urgent, item.important, item.overdue) == (True, False, True)  # no deal: urgent, not important
    matrix = time.rep.get("/timemgmt/matrix").text
    urgent_only = matrix[matrix.index('data-stage="delegate"'):matrix.index('data-stage="drop"')]
    assert "Call about the renewal" in urgent_only and "Overdue" in urgent_only and "Carried over" in urgent_only


def test_dragging_a_card_to_another_quadrant_changes_the_task(app, time, people):
    task = time.task("manager", "Review the forecast", "drop")
    response = time.manager.post("/timemgmt/matrix/move", data={"deal": task, "stage": "do"}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "Do now" in response.text and response.headers["HX-Trigger"] == "board-refresh"
    assert (time.get(task).important, time.get(task).urgent) == (True, True)
    assert time.manager.post("/timemgmt/matrix/move", data={"deal": task, "stage": "nowhere"}).status_code == 400
    assert time.rep.post("/timemgmt/matrix/move", data={"deal": task, "stage": "drop"}).status_code == 404
    assert time.get(task).urgent is True


def test_quick_capture_goes_to_the_inbox_and_is_processed_later(app, time, people):
    response = time.rep.post("/timemgmt/capture", data={"text": "Ask Li about the trade show"}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "In your inbox." in response.text and "<html" not in response.text
    with app.app_context():
        note = Task.get(Task.title == "Ask Li about the trade show")
    assert note.in_inbox and "Ask Li about the trade show" not in time.rep.get("/timemgmt/").text
    assert "Ask Li about the trade show" in time.rep.get("/timemgmt/inbox").text
    assert time.rep.post(f"/timemgmt/inbox/{note.id}", data={"action": "task", "quadrant": "schedule"}).status_code == 302
    assert not time.get(note.id).in_inbox and time.get(note.id).important
    assert "Ask Li about the trade show" in time.rep.get("/timemgmt/").text
    # A note that becomes a follow-up on a record leaves the inbox: it is the task now.
    time.rep.post("/timemgmt/capture", data={"text": "Send Acme the price list"})
    with app.app_context():
        other = Task.get(Task.title == "Send Acme the price list").id
    assert f"note={other}" in time.rep.get("/timemgmt/inbox").text
    made = time.rep.post("/timemgmt/tasks/new", data={"title": "Send Acme the price list", "note": other, "quadrant": "do"})
    assert made.status_code == 302
    assert not time.get(other).in_inbox and time.get(other).urgent
    assert time.colleague.post("/timemgmt/tasks/new", data={"title": "x", "note": other}).status_code == 404
    assert time.rep.post("/timemgmt/capture", data={"text": "\x00 "}).status_code == 400
    assert time.rep.post("/timemgmt/capture", data={"text": "x" * 5000}).status_code == 400
    # The top bar of every page carries the capture box.
    assert 'hx-get="/timemgmt/topbar"' in time.rep.get("/").text
    assert 'name="text"' in time.rep.get("/timemgmt/topbar").text


def test_a_task_links_to_a_record_only_its_owner_may_see(app, time, people):
    from core.lowcode import records
    from core.lowcode.entities import get_entity

    with app.test_request_context():
        mine, _ = records.save(get_entity("pipeline.customer"), people.rep, {"name": "Rep's customer"})
        theirs, _ = records.save(get_entity("pipeline.customer"), people.outsider, {"name": "Outsider's customer"})
    task = time.task("rep", "Visit", entity="pipeline.customer", record_id=str(mine.id),
                     checklist="Bring the brochure\nAsk for the budget")
    page = time.rep.get(f"/timemgmt/tasks/{task}").text
    assert "Rep&#39;s customer" in page or "Rep's customer" in page
    assert "Bring the brochure" in page
    refused = time.rep.post("/timemgmt/tasks/new", data={"title": "Snoop", "entity": "pipeline.customer", "record_id": str(theirs.id)})
    assert refused.status_code == 400 and "Choose a record you can open." in refused.text
    assert time.rep.post(f"/timemgmt/tasks/{task}/check/0").status_code == 302
    assert time.get(task).checklist[0]["done"] is True
    assert time.rep.post(f"/timemgmt/tasks/{task}/check/9").status_code == 400


def test_hostile_task_input_is_refused_without_a_write(app, time):
    for form in ({"title": ""}, {"title": "x" * 201}, {"title": "ok", "due_day": "2026-02-31"},
                 {"title": "ok", "minutes": "99999999999999"},
                 {"title": "ok", "due_time": "25:99"}, {"title": "ok", "entity": "nope", "record_id": "1"}):
        assert time.rep.post("/timemgmt/tasks/new", data=form).status_code == 400, form
    typed = {"title": "Keep me", "quadrant": "delegate", "due_time": "09:15", "minutes": "-3"}
    kept = time.rep.post("/timemgmt/tasks/new", data=typed).text
    assert "Minutes must be a whole number" in kept and 'value="Keep me"' in kept and 'value="09:15"' in kept
    assert '<option value="delegate" selected>' in kept
    with app.app_context():
        assert Task.select().count() == 0


def test_a_records_page_lists_its_tasks_and_offers_a_new_one(app, time, people):
    from core.lowcode import records
    from core.lowcode.entities import get_entity

    with app.test_request_context():
        customer, _ = records.save(get_entity("pipeline.customer"), people.rep, {"name": "Panel Co"})
    time.task("rep", "Send the catalogue", entity="pipeline.customer", record_id=str(customer.id))
    page = time.rep.get(f"/pipeline/customers/{customer.id}").text
    assert "Send the catalogue" in page and f"/timemgmt/tasks/new?entity=pipeline.customer&amp;record_id={customer.id}" in page
    assert "Send the catalogue" not in time.manager.get(f"/pipeline/customers/{customer.id}").text  # the rep's own task


def test_a_goal_behind_is_important_on_the_day_of_its_owner_and_their_manager(app, time, people):
    from plugins.goals.models import Goal

    with app.app_context():
        goal = Goal.create(owner_user=people.rep.id, metric="pipeline.won_revenue", target=10**9, period_kind="custom",
                           start=TODAY - datetime.timedelta(days=20), end=TODAY + datetime.timedelta(days=20)).id
        team_goal = Goal.create(owner_team=people.team.id, metric="pipeline.won_revenue", target=10**9, period_kind="custom",
                                start=TODAY - datetime.timedelta(days=20), end=TODAY + datetime.timedelta(days=3)).id
    matrix = time.rep.get("/timemgmt/matrix").text
    schedule = matrix[matrix.index('data-stage="schedule"'):matrix.index('data-stage="delegate"')]
    assert f"/goals/{goal}" in schedule and "Behind" in schedule  # important, not urgent yet
    manager = time.manager.get("/timemgmt/matrix").text
    do_now = manager[manager.index('data-stage="do"'):manager.index('data-stage="schedule"')]
    assert f"/goals/{team_goal}" in do_now  # the team's goal ends within the week: urgent too
    assert f"/goals/{team_goal}" not in time.outsider.get("/timemgmt/matrix").text
