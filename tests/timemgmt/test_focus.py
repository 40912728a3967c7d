"""The focus timer: kept on the server (a reload or a second tab sees the same session), paused and
resumed, interruptions noted, a finished session logged, lengths per person, shown in the top bar."""
import datetime

from plugins.timemgmt.models import FocusSession


def test_a_focus_session_survives_another_tab_and_is_logged(app, time, people, login):
    task = time.task("rep", "Write the proposal", "do")
    assert time.rep.post("/timemgmt/focus/start", data={"task": task, "kind": "focus"}).status_code == 302
    other_tab = login(people.rep)
    page = other_tab.get("/timemgmt/focus").text
    assert "Write the proposal" in page and "Running" in page and ("25:00" in page or "24:5" in page)
    assert "focus-clock" in other_tab.get("/timemgmt/topbar").text  # the shell shows the time left
    assert "focus-clock" not in time.colleague.get("/timemgmt/topbar").text
    polled = other_tab.get("/timemgmt/focus", headers={"HX-Request": "true"}).text  # the timer refreshes itself
    assert "<html" not in polled and 'id="timemgmt-focus"' in polled and "Write the proposal" in polled
    assert other_tab.post("/timemgmt/focus/pause").status_code == 302
    assert "Paused" in time.rep.get("/timemgmt/focus").text
    time.rep.post("/timemgmt/focus/resume")
    time.rep.post("/timemgmt/focus/interrupt", data={"note": "Phone call from the boss"})
    with app.app_context():  # as if 25 minutes had passed
        started = FocusSession.get().started_at
        FocusSession.update(started_at=started - datetime.timedelta(minutes=26)).execute()
    assert "Time is up" in time.rep.get("/timemgmt/focus").text
    time.rep.post("/timemgmt/focus/finish")
    with app.app_context():
        session = FocusSession.get()
        assert session.completed and session.finished_at and session.interruptions[0]["note"] == "Phone call from the boss"
    page = time.rep.get("/timemgmt/focus").text
    assert "Phone call from the boss" in page and "Start focusing" in page
    assert time.rep.post("/timemgmt/focus/finish").status_code == 400  # nothing runs


def test_lengths_are_set_per_person_and_checked(app, time, people):
    assert time.rep.post("/timemgmt/settings", data={"focus_minutes": "50", "break_minutes": "10"}).status_code == 302
    time.rep.post("/timemgmt/focus/start", data={"kind": "break"})
    with app.app_context():
        assert FocusSession.get().minutes == 10
    assert "25" in time.colleague.get("/timemgmt/focus").text
    for focus, rest in (("0", "5"), ("abc", "5"), ("25", "999999999999")):
        assert time.rep.post("/timemgmt/settings", data={"focus_minutes": focus, "break_minutes": rest}).status_code == 400
    other = time.task("colleague", "Not yours", "do")
    assert time.rep.post("/timemgmt/focus/start", data={"task": other}).status_code == 404
