"""Time blocks on a day and a week, tasks dropped into them, overlaps and over-full blocks, and
the calendar feed behind a secret address, parsed back with icalendar."""
import datetime

import icalendar

from plugins.timemgmt.models import TimeBlock

TODAY = datetime.datetime.now(datetime.UTC).date()


def block(time, who="manager", day=TODAY, start="14:00", end="16:00", category="team", title="Team"):
    response = getattr(time, who).post("/timemgmt/blocks/new", data={"day": day.isoformat(), "start": start, "end": end,
                                                                     "category": category, "title": title})
    assert response.status_code == 302, response.text[:500]
    with time.app.app_context():
        return TimeBlock.select().order_by(TimeBlock.id.desc()).first().id


def test_blocks_tasks_dropped_in_them_overlaps_and_over_full(app, time, people):
    team = block(time)
    block(time, start="15:00", end="17:00", category="strategy", title="Strategy")
    task = time.task("manager", "One-to-one notes", "schedule", minutes="150")
    moved = time.manager.post("/timemgmt/blocks/assign", data={"deal": task, "stage": team}, headers={"HX-Request": "true"})
    assert moved.status_code == 200 and time.get(task).block_id == team and time.get(task).due_day == TODAY
    page = time.manager.get(f"/timemgmt/calendar?day={TODAY.isoformat()}").text
    assert "Over-full" in page and "Overlaps" in page and "150 of 120 min planned" in page
    assert time.manager.get("/timemgmt/calendar/week").status_code == 200
    # Dragged to tomorrow in the week: the same hours, another day.
    tomorrow = TODAY + datetime.timedelta(days=1)
    assert time.manager.post("/timemgmt/blocks/move", data={"deal": team, "stage": tomorrow.isoformat()}).status_code == 200
    with app.app_context():
        moved = TimeBlock.get_by_id(team)
        assert moved.starts_at == datetime.datetime.combine(tomorrow, datetime.time(14))
    # Dropped on 09:00 of that day in the week's grid: an earlier hour, as long as before.
    assert time.manager.post("/timemgmt/blocks/move", data={"deal": team, "stage": f"{tomorrow.isoformat()}T09"}).status_code == 200
    with app.app_context():
        moved = TimeBlock.get_by_id(team)
        assert (moved.starts_at.hour, moved.ends_at.hour) == (9, 11)
    week = time.manager.get(f"/timemgmt/calendar/week?day={tomorrow.isoformat()}").text
    assert f'data-stage="{tomorrow.isoformat()}T09"' in week and f"/timemgmt/calendar?day={tomorrow.isoformat()}&amp;start=9" in week
    assert time.manager.post("/timemgmt/blocks/move", data={"deal": team, "stage": f"{tomorrow.isoformat()}T99"}).status_code == 400
    assert time.rep.post("/timemgmt/blocks/move", data={"deal": team, "stage": TODAY.isoformat()}).status_code == 404
    assert time.rep.post("/timemgmt/blocks/assign", data={"deal": task, "stage": team}).status_code == 404
    assert time.rep.get(f"/timemgmt/blocks/{team}").status_code == 404


def test_a_bad_block_is_refused(app, time):
    for start, end, category in (("16:00", "14:00", "team"), ("9", "x", "team"), ("09:00", "10:00", "party")):
        response = time.manager.post("/timemgmt/blocks/new", data={"day": TODAY.isoformat(), "start": start, "end": end,
                                                                   "category": category})
        assert response.status_code == 400
    assert time.manager.post("/timemgmt/blocks/new", data={"day": "9999-99-99", "start": "09:00", "end": "10:00",
                                                           "category": "team"}).status_code == 400
    with app.app_context():
        assert TimeBlock.select().count() == 0


def test_the_calendar_feed_parses_back_and_its_address_can_be_renewed(app, time, people):
    block(time, start="09:00", end="11:00", category="customers", title="Customer follow-up")
    time.task("manager", "Call the bank", "do", due_day=TODAY.isoformat(), due_time="16:30", minutes="20")
    page = time.manager.get("/timemgmt/feed").text
    address = page[page.index("http://localhost/timemgmt/feed/"):page.index(".ics") + 4]
    anonymous = app.test_client().get(address.removeprefix("http://localhost"))
    assert anonymous.status_code == 200 and anonymous.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(anonymous.data)
    events = {str(event["summary"]): event for event in calendar.walk("VEVENT")}
    assert set(events) == {"Customer follow-up", "Call the bank"}
    assert events["Customer follow-up"].decoded("dtstart") == datetime.datetime.combine(TODAY, datetime.time(9), datetime.UTC)
    assert events["Call the bank"].decoded("dtend") - events["Call the bank"].decoded("dtstart") == datetime.timedelta(minutes=20)
    assert time.manager.post("/timemgmt/feed").status_code == 302
    assert app.test_client().get(address.removeprefix("http://localhost")).status_code == 404
    assert app.test_client().get("/timemgmt/feed/guess.ics").status_code == 404


def test_a_long_block_fills_every_hour_it_takes_in_the_week(app, time):
    """A block from 09:00 to 12:00 is drawn at 09:00 and goes on through the 10:00 and 11:00 rows."""
    long = block(time, start="09:00", end="12:00", title="Deep work")
    week = time.manager.get(f"/timemgmt/calendar/week?day={TODAY.isoformat()}").text
    cells = {hour: week.split(f'data-stage="{TODAY.isoformat()}T{hour:02d}"')[1].split('class="week-cell"')[0] for hour in (9, 10, 11, 12)}
    assert f'id="timemgmt-weekblock-{long}"' in cells[9]
    for hour in (10, 11):
        assert "block-continues" in cells[hour] and "Deep work" in cells[hour]
    assert "block-continues" not in cells[12]
