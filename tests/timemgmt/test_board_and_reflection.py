"""The task boards (personal and per team: cards are My day's tasks, columns added, drag between
and within columns) and the weekly reflection (numbers of the week, history, last week's "what
to change" opening the next); metrics and widgets."""
import datetime

from plugins.timemgmt.models import BoardColumn, FocusSession, Reflection, Task

TODAY = datetime.datetime.now(datetime.UTC).date()
MONDAY = TODAY - datetime.timedelta(days=TODAY.weekday())


def test_a_team_board_with_an_added_column_and_cards_moved(app, time, people):
    made = time.manager.post("/timemgmt/board/cards", data={"team": people.team.id, "title": "Trade show booth", "owner": people.rep.id})
    assert made.status_code == 302
    refused = time.manager.post("/timemgmt/board/cards", data={"team": people.team.id, "title": "x", "owner": people.outsider.id})
    assert refused.status_code == 400
    assert time.rep.post("/timemgmt/board/columns", data={"team": people.team.id, "label": "Waiting"}).status_code == 302
    with app.app_context():
        card = Task.get(Task.title == "Trade show booth").id
        assert Task.get_by_id(card).owner_id == people.rep.id
        waiting = f"col-{BoardColumn.get().id}"
    page = time.colleague.get(f"/timemgmt/board/team/{people.team.id}").text
    assert "Trade show booth" in page and "Waiting" in page
    assert time.rep.post("/timemgmt/board/move", data={"deal": card, "stage": waiting}).status_code == 200
    assert time.get(card).stage == waiting
    assert time.rep.post("/timemgmt/board/move", data={"deal": card, "stage": "done"}).status_code == 200
    assert time.get(card).done_at is not None
    assert time.rep.post("/timemgmt/board/move", data={"deal": card, "stage": "col-999"}).status_code == 400
    # Another team sees nothing of it.
    assert time.outsider.get(f"/timemgmt/board/team/{people.team.id}").status_code == 404
    assert time.outsider.post("/timemgmt/board/move", data={"deal": card, "stage": "todo"}).status_code == 404
    assert time.outsider.post("/timemgmt/board/cards", data={"team": people.team.id, "title": "x"}).status_code == 404
    assert time.get(card).stage == "done"


def test_cards_keep_their_order_within_a_column(app, time):
    first, second, third = (time.task("rep", title, labels="展会，urgent, urgent") for title in ("First", "Second", "Third"))
    assert time.get(first).labels == ["展会", "urgent"]
    assert time.rep.post("/timemgmt/tasks/new", data={"title": "Many", "labels": ",".join("abcdefghij")}).status_code == 400
    time.rep.post("/timemgmt/board/move", data={"deal": third, "stage": "todo", "before": ""})
    time.rep.post("/timemgmt/board/move", data={"deal": first, "stage": "todo", "before": second})
    page = time.rep.get("/timemgmt/board").text
    assert page.index("Third") < page.index("Second") < page.index("First")


def test_the_weekly_reflection_opens_with_last_weeks_change(app, time, people):
    with app.app_context():
        Reflection.create(owner=people.manager.id, week=MONDAY - datetime.timedelta(days=7), went_well="Calls",
                          to_change="Guard the afternoon block")
        started = datetime.datetime.combine(MONDAY, datetime.time(9))
        FocusSession.create(owner=people.manager.id, minutes=25, started_at=started, finished_at=started + datetime.timedelta(minutes=25),
                            completed=True, interruptions=[{"at": "", "note": "phone"}])
    time.task("manager", "Done thing", "do", due_day=MONDAY.isoformat())
    page = time.manager.get("/timemgmt/reflection").text
    assert "Guard the afternoon block" in page and "Last week you wanted to change" in page
    response = time.manager.post(f"/timemgmt/reflection?week={MONDAY.isoformat()}", data={"went_well": "Focus", "to_change": "Less email"})
    assert response.status_code == 302
    with app.app_context():
        written = Reflection.get(Reflection.week == MONDAY)
        assert written.to_change == "Less email" and written.summary["planned"] == 1 and written.summary["interruptions"] == 1
    assert "Less email" in time.manager.get("/timemgmt/reflection").text
    assert "Guard the afternoon block" not in time.rep.get("/timemgmt/reflection").text
    assert time.manager.post("/timemgmt/reflection", data={"went_well": "x" * 6000}).status_code == 400


def test_metrics_and_widgets(app, time, people):
    task = time.task("rep", "Close the month", "do")
    time.rep.post(f"/timemgmt/tasks/{task}/done")
    with app.test_request_context():
        from core.api import metrics

        done = metrics()["timemgmt.tasks_done"].compute(user_ids=[people.rep.id], start=TODAY, end=TODAY)
        assert done == {people.rep.id: 1}
        assert metrics()["timemgmt.focus_hours"].compute(user_ids=[people.rep.id], start=TODAY, end=TODAY) == {}
    time.task("rep", "Top one", "do")
    home = time.rep.get("/").text
    assert "Today&#39;s top three" in home or "Today's top three" in home
    assert "Top one" in home and "Plan my day" in home
    time.rep.post("/timemgmt/plan", data={"key": ["task:1"]})
    assert "Plan my day" not in time.rep.get("/").text
