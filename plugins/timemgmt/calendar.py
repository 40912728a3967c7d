"""Time blocks on the calendar (stored in UTC, shown in the team's time), the tasks dropped into
them, and the calendar feed a phone subscribes to."""
from __future__ import annotations

import datetime
import functools
import secrets

import icalendar
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.api import User, agenda_items, db, local_time, team_today, utc_time, utcnow

from .models import CATEGORIES, Preference, Task, TimeBlock
from .services import Refused, clean_text

CATEGORY_LABELS = {"customers": _l("Customer follow-up"), "team": _l("Team"), "strategy": _l("Strategy"),
                   "admin": _l("Admin"), "focus": _l("Deep work"), "other": _l("Other")}
CATEGORY_TAGS = {"customers": "blue", "team": "green", "strategy": "purple", "admin": "slate", "focus": "amber", "other": "teal"}
FEED_YEARS = 1


def day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = utc_time(datetime.datetime.combine(day, datetime.time.min))
    return start, utc_time(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))


def clean_block(day, start, end, category, title) -> dict:
    if day is None:
        raise Refused(_("Not a date: use 2026-03-31."))
    try:
        starts, ends = datetime.time.fromisoformat(str(start or "")[:5]), datetime.time.fromisoformat(str(end or "")[:5])
    except ValueError:
        raise Refused(_("Not a time of day: use 09:30.")) from None
    if ends <= starts:
        raise Refused(_("A block ends after it starts."))
    if category not in CATEGORIES:
        raise Refused(_("Choose a category."))
    return {"starts_at": utc_time(datetime.datetime.combine(day, starts)), "ends_at": utc_time(datetime.datetime.combine(day, ends)),
            "category": category, "title": clean_text(title, 120, _("Title"))}


def save_block(user: User, values: dict, block: TimeBlock | None = None) -> TimeBlock:
    with db.atomic():
        if block is None:
            return TimeBlock.create(owner=user.id, **values)
        TimeBlock.update(**values).where(TimeBlock.id == block.id).execute()
    return TimeBlock.get_by_id(block.id)


def move_block(block: TimeBlock, day: datetime.date, hour: int | None = None) -> None:
    """To another day (and hour, keeping its minutes), as long as it was; the same wall time without an hour."""
    starts, ends = local_time(block.starts_at), local_time(block.ends_at)
    length = ends - starts
    at = starts.time() if hour is None else datetime.time(hour, starts.minute)
    new_start = utc_time(datetime.datetime.combine(day, at))
    with db.atomic():
        TimeBlock.update(starts_at=new_start, ends_at=new_start + length).where(TimeBlock.id == block.id).execute()


HOURS = range(7, 23)  # the week's rows; a block outside them adds its hour


def week_grid(blocks: list[TimeBlock], days: list[datetime.date]) -> tuple[list[int], dict, dict]:
    """The hours to show, {(day, hour): [blocks starting then]} and {(day, hour): [blocks going on
    through that hour]} (a block from 09:00 to 12:00 goes on at 10:00 and 11:00) for the week's calendar."""
    cells: dict = {}
    continues: dict = {}
    for block in blocks:
        starts, ends = local_time(block.starts_at), local_time(block.ends_at)
        cells.setdefault((starts.date(), starts.hour), []).append(block)
        hour = starts.replace(minute=0, second=0, microsecond=0) + datetime.timedelta(hours=1)
        while hour < ends and hour.date() == starts.date():
            continues.setdefault((hour.date(), hour.hour), []).append(block)
            hour += datetime.timedelta(hours=1)
    hours = sorted(set(HOURS) | {hour for _day, hour in cells} | {hour for _day, hour in continues})
    return hours, cells, continues


def delete_block(block: TimeBlock) -> None:
    with db.atomic():
        Task.update(block=None).where(Task.block == block.id).execute()
        TimeBlock.delete().where(TimeBlock.id == block.id).execute()


def put_in_block(task: Task, block: TimeBlock | None) -> None:
    with db.atomic():
        values = {"block": block.id if block else None}
        if block is not None:
            values["due_day"] = local_time(block.starts_at).date()
        Task.update(**values).where(Task.id == task.id).execute()


def blocks_between(user: User, first: datetime.date, last: datetime.date) -> list[TimeBlock]:
    start, _end = day_bounds(first)
    _start, end = day_bounds(last)
    return list(TimeBlock.select().where(TimeBlock.owner == user.id, TimeBlock.starts_at >= start, TimeBlock.starts_at < end)
                .order_by(TimeBlock.starts_at))


def annotate(blocks: list[TimeBlock]) -> dict[int, dict]:
    """{block id: {"tasks": [...], "minutes": planned, "length": minutes, "overfull": bool, "overlaps": bool}}
    in one query for the tasks."""
    tasks = list(Task.select().where(Task.block.in_([block.id for block in blocks] or [0]), Task.dropped_at.is_null())
                 .order_by(Task.id)) if blocks else []
    found = {}
    ordered = sorted(blocks, key=lambda block: block.starts_at)
    for block in ordered:
        inside = [task for task in tasks if task.block_id == block.id]
        length = int((block.ends_at - block.starts_at).total_seconds() // 60)
        planned = sum(task.minutes or 0 for task in inside)
        overlaps = any(other is not block and other.starts_at < block.ends_at and block.starts_at < other.ends_at for other in ordered)
        found[block.id] = {"tasks": inside, "minutes": planned, "length": length, "overfull": planned > length, "overlaps": overlaps}
    return found


# -- the calendar feed ------------------------------------------------------------------------------


def feed_token(user: User, renew: bool = False) -> str:
    prefs = Preference.get_or_none(Preference.user == user.id)
    if prefs is not None and prefs.feed_token and not renew:
        return prefs.feed_token
    token = secrets.token_urlsafe(32)
    with db.atomic():
        if prefs is None:
            Preference.create(user=user.id, feed_token=token)
        else:
            Preference.update(feed_token=token).where(Preference.user == user.id).execute()
    return token


def owner_of_feed(token: str) -> User | None:
    if not token or len(token) > 64:
        return None
    prefs = Preference.get_or_none(Preference.feed_token == token)
    if prefs is None:
        return None
    user = User.get_or_none(User.id == prefs.user_id)
    return user if user is not None and user.active else None


def feed(user: User, today: datetime.date | None = None) -> bytes:
    """The user's blocks (a year back and a year ahead), tasks with a time, and today's planned
    follow-ups, as iCalendar."""
    today = today or team_today()
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//salesdeck//timemgmt//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "salesdeck")
    # Events are stamped with the day the feed is read, so each one's text can be reused all day.
    stamp = datetime.datetime.combine(utcnow().date(), datetime.time(), datetime.UTC)
    events: list[bytes] = []
    first, last = today - datetime.timedelta(days=366 * FEED_YEARS), today + datetime.timedelta(days=366 * FEED_YEARS)
    rows = (TimeBlock.select(TimeBlock.id, TimeBlock.title, TimeBlock.category, TimeBlock.starts_at, TimeBlock.ends_at)
            .where(TimeBlock.owner == user.id, TimeBlock.starts_at >= day_bounds(first)[0], TimeBlock.starts_at < day_bounds(last)[1])
            .tuples())
    labels = {key: str(label) for key, label in CATEGORY_LABELS.items()}  # translated once, not once a block
    for block_id, title, category, starts, ends in rows:
        label = labels.get(category, category)
        events.append(_event(f"block-{block_id}@salesdeck", title or label, starts, ends, stamp, label))
    tasks = (Task.select(Task.id, Task.title, Task.due_day, Task.due_time, Task.minutes)
             .where(Task.owner == user.id, Task.done_at.is_null(), Task.dropped_at.is_null(), Task.due_day.is_null(False),
                    Task.due_time.is_null(False), Task.due_day >= first, Task.due_day <= last).tuples())
    for task_id, title, day, time, minutes in tasks:
        starts = utc_time(datetime.datetime.combine(day, _time(time)))
        events.append(_event(f"task-{task_id}@salesdeck", title, starts, starts + datetime.timedelta(minutes=minutes or 30),
                             stamp, str(_l("Task"))))
    for index, item in enumerate(agenda_items(user, today)):
        if item.due is not None and not item.done:
            events.append(_event(f"agenda-{today.isoformat()}-{index}@salesdeck", item.title, item.due,
                                 item.due + datetime.timedelta(minutes=30), stamp, item.kind or ""))
    head = calendar.to_ical()
    end = b"END:VCALENDAR\r\n"
    return head[:-len(end)] + b"".join(events) + end


def _time(value) -> datetime.time:
    return value if isinstance(value, datetime.time) else datetime.time.fromisoformat(str(value))


@functools.lru_cache(maxsize=50_000)
def _event(uid, summary, starts, ends, stamp, category="") -> bytes:
    """One VEVENT as iCalendar text, made by the icalendar library; kept while nothing in it changes
    (a phone reads the same feed again and again)."""
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("summary", summary)
    event.add("dtstart", starts.replace(tzinfo=datetime.UTC))
    event.add("dtend", ends.replace(tzinfo=datetime.UTC))
    if category:
        event.add("categories", [category])
    return event.to_ical()
