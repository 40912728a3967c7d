"""Follow-ups: what is overdue, due today, due this week and later (a page at a time), for a rep or
a manager's team, optionally within a range of days."""
from __future__ import annotations

import datetime
from dataclasses import dataclass

import peewee
from flask import request
from flask_login import current_user

from core.api import User, paginate, render_page, scope, team_today, utc_time

from .forms import KIND_LABELS
from .models import Activity, Customer, Deal
from .views import bp


def day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The team's day as naive UTC times, as timestamps are stored."""
    midnight = datetime.datetime.combine(day, datetime.time.min)
    return utc_time(midnight), utc_time(midnight + datetime.timedelta(days=1))


def planned(user, team: bool):
    """Planned activities of the user, or of everyone the user may see when `team`."""
    query = Activity.select(Activity, Customer, Deal, User).join(Customer, peewee.JOIN.LEFT_OUTER, on=(Activity.customer == Customer.id)) \
        .switch(Activity).join(Deal, peewee.JOIN.LEFT_OUTER, on=(Activity.deal == Deal.id)) \
        .switch(Activity).join(User, on=(Activity.owner == User.id)) \
        .where(Activity.done_at.is_null(), Activity.due_at.is_null(False), Activity.deleted_at.is_null())
    return scope(query, Activity.owner, user) if team else query.where(Activity.owner == user.id)


LATER_PAGE_SIZE = 25


@dataclass
class DueRange:
    """The days a user narrowed the follow-ups to (`from`, `to`, both inclusive, either optional)."""

    start: datetime.date | None = None
    end: datetime.date | None = None

    @classmethod
    def read(cls, args) -> DueRange:
        def day(name):
            try:
                chosen = datetime.date.fromisoformat(args.get(name, "").strip()[:10])
            except ValueError:
                return None
            return chosen if 1970 <= chosen.year <= 2999 else None

        start, end = day("from"), day("to")
        if start and end and end < start:
            start, end = end, start
        return cls(start, end)

    def apply(self, query):
        if self.start:
            query = query.where(Activity.due_at >= day_bounds(self.start)[0])
        if self.end:
            query = query.where(Activity.due_at < day_bounds(self.end)[1])
        return query


def week_end(today: datetime.date) -> datetime.datetime:
    """The first moment after this week (weeks end on Sunday), as stored."""
    return day_bounds(today + datetime.timedelta(days=6 - today.weekday()))[1]


def later(user, team: bool, today: datetime.date, due: DueRange):
    """Follow-ups due after this week, soonest first, a page at a time."""
    query = due.apply(planned(user, team).where(Activity.due_at >= week_end(today)))
    return paginate(query.order_by(Activity.due_at, Activity.id), LATER_PAGE_SIZE)


def buckets(user, team: bool, today: datetime.date, due: DueRange | None = None) -> dict:
    start, tomorrow = day_bounds(today)
    rows = list((due or DueRange()).apply(planned(user, team).where(Activity.due_at < week_end(today)))
                .order_by(Activity.due_at).limit(500))
    return {
        "overdue": [a for a in rows if a.due_at < start],
        "today": [a for a in rows if start <= a.due_at < tomorrow],
        "week": [a for a in rows if tomorrow <= a.due_at],
    }


def counts_per_rep(user, today: datetime.date) -> list[tuple]:
    """For a manager: each rep's overdue, today and this-week counts, in one grouped query."""
    start, tomorrow = day_bounds(today)
    week_over = week_end(today)
    overdue = peewee.fn.SUM(peewee.Case(None, [(Activity.due_at < start, 1)], 0))
    due_today = peewee.fn.SUM(peewee.Case(None, [((Activity.due_at >= start) & (Activity.due_at < tomorrow), 1)], 0))
    this_week = peewee.fn.SUM(peewee.Case(None, [((Activity.due_at >= tomorrow) & (Activity.due_at < week_over), 1)], 0))
    rows = (scope(Activity.select(Activity.owner, overdue.alias("overdue"), due_today.alias("today"), this_week.alias("week"))
                  .where(Activity.done_at.is_null(), Activity.due_at.is_null(False), Activity.due_at < week_over,
                         Activity.deleted_at.is_null()), Activity.owner, user)
            .group_by(Activity.owner))
    names = {u.id: u.name for u in User.select(User.id, User.name)}
    return sorted(((names.get(r.owner_id, "?"), int(r.overdue or 0), int(r.today or 0), int(r.week or 0)) for r in rows),
                  key=lambda row: (-row[1], row[0]))


@bp.route("/followups")
def followups():
    today = team_today()
    team = request.args.get("who") == "team" and current_user.may("lead_teams")
    due = DueRange.read(request.args)
    return render_page("pipeline/followups.html", team=team, groups=buckets(current_user, team, today, due), today=today,
                       later=later(current_user, team, today, due), due=due,
                       per_rep=counts_per_rep(current_user, today) if team else [], kinds=KIND_LABELS)
