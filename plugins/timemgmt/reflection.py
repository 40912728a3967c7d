"""The weekly reflection: the week's numbers (planned against done, time per category from the
blocks and the focus sessions, interruptions, overdue and carried-over tasks, late delegations),
what went well and what to change; last week's "what to change" opens the next one."""
from __future__ import annotations

import datetime

import peewee
from flask_babel import gettext as _

from core.api import User, db, team_today, utc_time, utcnow

from .models import FocusSession, Reflection, Task, TimeBlock
from .services import NOTES_LIMIT, clean_text


def monday_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def week_numbers(user: User, monday: datetime.date) -> dict:
    """The numbers of the week that starts on `monday`, in a fixed number of grouped queries."""
    sunday = monday + datetime.timedelta(days=6)
    start = utc_time(datetime.datetime.combine(monday, datetime.time.min))
    end = utc_time(datetime.datetime.combine(sunday + datetime.timedelta(days=1), datetime.time.min))
    today = team_today()
    mine = Task.owner == user.id
    planned = Task.select().where(mine, Task.dropped_at.is_null(), Task.due_day >= monday, Task.due_day <= sunday).count()
    done = Task.select().where(mine, Task.done_at >= start, Task.done_at < end).count()
    cutoff = min(sunday, today)
    carried = Task.select().where(mine, Task.dropped_at.is_null(), Task.due_day < cutoff, Task.due_day >= monday,
                                  Task.done_at.is_null() | (Task.done_at >= end)).count()
    overdue = Task.select().where(mine, Task.dropped_at.is_null(), Task.due_day < cutoff,
                                  Task.done_at.is_null() | (Task.done_at >= end)).count()
    late = Task.select().where(Task.delegated_by == user.id, Task.dropped_at.is_null(), Task.check_back <= cutoff,
                               Task.check_back >= monday, Task.done_at.is_null() | (Task.done_at >= end)).count()
    categories = {}
    for block in TimeBlock.select(TimeBlock.category, TimeBlock.starts_at, TimeBlock.ends_at).where(
            TimeBlock.owner == user.id, TimeBlock.starts_at >= start, TimeBlock.starts_at < end):
        minutes = int((block.ends_at - block.starts_at).total_seconds() // 60)
        categories[block.category] = categories.get(block.category, 0) + minutes
    sessions = list(FocusSession.select(FocusSession.minutes, FocusSession.interruptions, FocusSession.completed)
                    .where(FocusSession.owner == user.id, FocusSession.kind == "focus", FocusSession.finished_at >= start,
                           FocusSession.finished_at < end))
    return {"planned": planned, "done": done, "carried": carried, "overdue": overdue, "late_delegations": late,
            "blocks": categories, "focus_minutes": sum(session.minutes for session in sessions if session.completed),
            "focus_sessions": len(sessions), "interruptions": sum(len(session.interruptions or []) for session in sessions)}


def of_week(user: User, monday: datetime.date) -> Reflection | None:
    return Reflection.get_or_none(Reflection.owner == user.id, Reflection.week == monday)


def save(user: User, monday: datetime.date, went_well, to_change) -> Reflection:
    went_well = clean_text(went_well, NOTES_LIMIT, _("What went well"))
    to_change = clean_text(to_change, NOTES_LIMIT, _("What to change"))
    summary = week_numbers(user, monday)
    with db.atomic():
        written = of_week(user, monday)
        if written is None:
            return Reflection.create(owner=user.id, week=monday, summary=summary, went_well=went_well, to_change=to_change)
        Reflection.update(summary=summary, went_well=went_well, to_change=to_change, written_at=utcnow()).where(
            Reflection.id == written.id).execute()
    return of_week(user, monday)


def history(user: User, limit: int = 26) -> list[Reflection]:
    return list(Reflection.select().where(Reflection.owner == user.id).order_by(Reflection.week.desc()).limit(limit))


def focus_hours(user_ids, start: datetime.date, end: datetime.date) -> dict:
    """The metric: hours of completed focus sessions per person, one grouped query."""
    first = utc_time(datetime.datetime.combine(start, datetime.time.min))
    last = utc_time(datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min))
    rows = (FocusSession.select(FocusSession.owner, peewee.fn.SUM(FocusSession.minutes).alias("minutes"))
            .where(FocusSession.owner.in_(list(user_ids)), FocusSession.kind == "focus", FocusSession.completed == True,  # noqa: E712
                   FocusSession.finished_at >= first, FocusSession.finished_at < last)
            .group_by(FocusSession.owner))
    return {row.owner_id: round((row.minutes or 0) / 60, 2) for row in rows}


def tasks_done(user_ids, start: datetime.date, end: datetime.date) -> dict:
    first = utc_time(datetime.datetime.combine(start, datetime.time.min))
    last = utc_time(datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min))
    rows = (Task.select(Task.owner, peewee.fn.COUNT(Task.id).alias("count"))
            .where(Task.owner.in_(list(user_ids)), Task.done_at >= first, Task.done_at < last).group_by(Task.owner))
    return {row.owner_id: row.count for row in rows}


def delegations_on_time(user_ids, start: datetime.date, end: datetime.date) -> dict:
    """Delegations a person made that were done by their check-back day, counted on the day they were done."""
    first = utc_time(datetime.datetime.combine(start, datetime.time.min))
    last = utc_time(datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min))
    rows = (Task.select(Task.delegated_by, Task.done_at, Task.check_back)
            .where(Task.delegated_by.in_(list(user_ids)), Task.done_at >= first, Task.done_at < last).tuples())
    found: dict = {}
    from core.api import local_time

    for delegator, done_at, check_back in rows:
        if check_back is None or local_time(done_at).date() <= check_back:
            found[delegator] = found.get(delegator, 0) + 1
    return found
