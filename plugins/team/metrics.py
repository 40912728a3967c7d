"""What the team plugin offers goals and reports: training hours, one-to-ones held, and meeting
actions closed on time. Each one grouped query for any number of people."""
from __future__ import annotations

import datetime

import peewee

from core.api import local_day_sql, utc_time

from .models import ActionItem, Assignment, Course, OneToOne


def _bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The team's days start..end as stored timestamps (naive UTC), end exclusive."""
    return (utc_time(datetime.datetime.combine(start, datetime.time.min)),
            utc_time(datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min)))


def training_hours(user_ids, start, end) -> dict:
    """{user: hours} of the courses they completed in the range."""
    first, last = _bounds(start, end)
    rows = (Assignment.select(Assignment.user, peewee.fn.SUM(Course.hours)).join(Course)
            .where(Assignment.user.in_(list(user_ids)), Assignment.completed_at >= first, Assignment.completed_at < last)
            .group_by(Assignment.user).tuples())
    return {user: hours for user, hours in rows}


def one_to_ones_held(user_ids, start, end) -> dict:
    """{rep: count} of their one-to-ones held on a day of the range."""
    rows = (OneToOne.select(OneToOne.rep, peewee.fn.COUNT(OneToOne.id))
            .where(OneToOne.rep.in_(list(user_ids)), OneToOne.held_at.is_null(False), OneToOne.day >= start, OneToOne.day <= end)
            .group_by(OneToOne.rep).tuples())
    return {user: count for user, count in rows}


def actions_on_time(user_ids, start, end) -> dict:
    """{owner: count} of the meeting and one-to-one actions due in the range that they closed by the due day."""
    rows = (ActionItem.select(ActionItem.owner, peewee.fn.COUNT(ActionItem.id))
            .where(ActionItem.owner.in_(list(user_ids)), ActionItem.due >= start, ActionItem.due <= end,
                   ActionItem.done_at.is_null(False), local_day_sql(ActionItem.done_at) <= ActionItem.due)
            .group_by(ActionItem.owner).tuples())
    return {user: count for user, count in rows}
