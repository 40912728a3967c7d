"""Follow-up: the timeline, logging an activity with the next one, my follow-ups, the daily plan."""
import datetime
import re

from core.db import utcnow
from core.plugins import host_of
from plugins.pipeline.models import Activity, Customer, Deal


def test_logging_a_call_schedules_the_next_step_in_the_same_go(pipe, people):
    acme = pipe.customer(people.rep)
    deal = pipe.deal(people.rep, acme)
    response = pipe.rep.post(f"/pipeline/deals/{deal}", data={
        "log-kind": "call", "log-subject": "Talked budget", "log-outcome": "They have 50k.",
        "log-next_kind": "quote", "log-next_subject": "Send the quote", "log-next_due": "2030-01-15T10:00"})
    assert response.status_code == 302
    page = pipe.rep.get(response.headers["Location"]).text
    assert "Logged. Next: Send the quote." in page and "They have 50k." in page
    with pipe.app.app_context():
        done = Activity.get(Activity.subject == "Talked budget")
        planned = Activity.get(Activity.subject == "Send the quote")
        assert done.done_at is not None and (done.deal_id, done.customer_id, done.owner_id) == (deal, acme, people.rep.id)
        assert planned.done_at is None and planned.due_at == datetime.datetime(2030, 1, 15, 10, 0) and planned.kind == "quote"
        assert planned.deal_id == deal
        assert Deal.get_by_id(deal).last_activity_at == done.done_at
        assert Customer.get_by_id(acme).last_activity_at == done.done_at


def test_a_next_step_without_a_date_is_refused_and_nothing_is_logged(pipe, people):
    deal = pipe.deal(people.rep, pipe.customer(people.rep))
    response = pipe.rep.post(f"/pipeline/deals/{deal}", data={
        "log-kind": "call", "log-subject": "Talked", "log-next_kind": "visit", "log-next_subject": "Visit them"})
    assert response.status_code == 400 and "Say when the next step is due." in response.text
    for data in ({"log-kind": "call", "log-subject": ""}, {"log-kind": "fax", "log-subject": "x"},
                 {"log-kind": "call", "log-subject": "x" * 201}, {"log-kind": "call", "log-subject": "x", "log-next_due": "tomorrow"}):
        assert pipe.rep.post(f"/pipeline/deals/{deal}", data=data).status_code == 400, data
    with pipe.app.app_context():
        assert Activity.select().count() == 0


def test_a_planned_activity_is_marked_done_or_rescheduled(pipe, people):
    acme = pipe.customer(people.rep)
    planned = pipe.activity(people.rep, "Visit", customer=acme, due_at=utcnow() - datetime.timedelta(days=2))
    page = pipe.rep.get(f"/pipeline/customers/{acme}").text
    assert "Overdue" in page and f'action="/pipeline/activities/{planned}/reschedule"' in page
    pipe.rep.post(f"/pipeline/activities/{planned}/reschedule", data={"due_at": "2031-05-01T09:30"})
    assert pipe.get(Activity, planned).due_at == datetime.datetime(2031, 5, 1, 9, 30)
    bad = pipe.rep.post(f"/pipeline/activities/{planned}/reschedule", data={"due_at": "someday"}, follow_redirects=True)
    assert "Choose a date and time." in bad.text and pipe.get(Activity, planned).due_at.year == 2031
    pipe.rep.post(f"/pipeline/activities/{planned}/done", data={"outcome": "Met the boss"})
    visit = pipe.get(Activity, planned)
    assert visit.done_at is not None and visit.outcome == "Met the boss"
    assert pipe.get(Customer, acme).last_activity_at == visit.done_at
    # Nobody else marks it done; an open redirect is not offered.
    assert pipe.colleague.post(f"/pipeline/activities/{planned}/done").status_code == 404
    back = pipe.rep.post(f"/pipeline/activities/{planned}/done", data={"back": "https://evil.example/"})
    assert back.headers["Location"] == f"/pipeline/customers/{acme}"


def test_my_follow_ups_are_overdue_today_or_this_week(pipe, people):
    acme = pipe.customer(people.rep)
    now = utcnow()
    pipe.activity(people.rep, "Late call", customer=acme, due_at=now - datetime.timedelta(days=3))
    pipe.activity(people.rep, "Today's visit", customer=acme, due_at=now.replace(hour=23, minute=0))
    pipe.activity(people.rep, "Next year", customer=acme, due_at=now + datetime.timedelta(days=400))
    pipe.activity(people.rep, "Already done", customer=acme, due_at=now - datetime.timedelta(days=1), done_at=now)
    pipe.activity(people.colleague, "Colleague's call", customer=pipe.customer(people.colleague, "Beta"), due_at=now)
    page = pipe.rep.get("/pipeline/followups").text
    overdue = page[page.index("followups-overdue"):page.index("followups-today")]
    today = page[page.index("followups-today"):page.index("followups-week")]
    assert "Late call" in overdue and "Today&#39;s visit" in today
    assert "Next year" not in page[:page.index("followups-later")]  # after this week: listed below (test_followups_later)
    assert "Already done" not in page and "Colleague" not in page


def test_the_manager_sees_the_team_with_counts_per_rep(pipe, people):
    now = utcnow()
    for owner, count in ((people.rep, 2), (people.colleague, 1), (people.outsider, 4)):
        customer = pipe.customer(owner, f"Customer of {owner.name}")
        for n in range(count):
            pipe.activity(owner, f"Late {n}", customer=customer, due_at=now - datetime.timedelta(days=n + 1))
    page = pipe.manager.get("/pipeline/followups?who=team").text
    rows = re.findall(r"<tr><td>([^<]+)</td><td>(?:<span[^>]*>)?(\d+)", page)
    assert rows == [("Rita Rep", "2"), ("Carl Colleague", "1")]  # most overdue first; not another team's rep
    assert "Olga" not in page
    # A rep asking for the team gets their own.
    assert "Carl" not in pipe.rep.get("/pipeline/followups?who=team").text


def test_todays_follow_ups_reach_the_daily_plan(pipe, people):
    acme = pipe.customer(people.rep, "Acme")
    deal = pipe.deal(people.rep, acme)
    now = utcnow()
    pipe.activity(people.rep, "Call back", deal=deal, customer=acme, due_at=now.replace(hour=23, minute=0), kind="call")
    pipe.activity(people.rep, "Forgotten", customer=acme, due_at=now - datetime.timedelta(days=2))
    pipe.activity(people.rep, "Later", customer=acme, due_at=now + datetime.timedelta(days=3))
    with pipe.app.test_request_context():
        items = host_of(pipe.app).collect("agenda_items", user=people.rep, day=now.date())
    by_title = {item.title: item for item in items}
    assert set(by_title) == {"Call back · Acme", "Forgotten · Acme"}
    assert by_title["Call back · Acme"].url == f"/pipeline/deals/{deal}" and not by_title["Call back · Acme"].overdue
    assert by_title["Forgotten · Acme"].overdue
    plan = pipe.rep.get("/timemgmt/").text
    assert "Call back · Acme" in plan and "Forgotten · Acme" in plan


def test_times_are_typed_and_shown_in_the_teams_timezone(make_app, login, people):
    """Shanghai is UTC+8: a call planned for 09:00 there is 01:00 UTC in the database."""
    app = make_app(TIMEZONE="Asia/Shanghai")
    rep = login(people.rep, to=app)
    customer = rep.post("/records/pipeline.customer/new", data={"name": "Acme"}).headers["Location"].rsplit("/", 1)[1]
    rep.post(f"/pipeline/customers/{customer}", data={"log-kind": "call", "log-subject": "Hello", "log-next_kind": "call",
                                                      "log-next_subject": "Morning call", "log-next_due": "2030-03-04T09:00"})
    with app.app_context():
        planned = Activity.get(Activity.subject == "Morning call")
        assert planned.due_at == datetime.datetime(2030, 3, 4, 1, 0)
    assert "3/4/30, 9:00\u202fAM" in rep.get(f"/pipeline/customers/{customer}").text
    form = rep.get(f"/records/pipeline.activity/{planned.id}/edit").text
    assert 'value="2030-03-04T09:00"' in form
    # Saving the generic form unchanged keeps the time where it was.
    rep.post(f"/records/pipeline.activity/{planned.id}/edit", data={"kind": "call", "subject": "Morning call",
                                                                    "due_at": "2030-03-04T09:00", "customer": customer})
    with app.app_context():
        assert Activity.get_by_id(planned.id).due_at == datetime.datetime(2030, 3, 4, 1, 0)
