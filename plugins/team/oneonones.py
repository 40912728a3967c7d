"""One-to-ones: a rep's log kept by their manager, a shared agenda both sides add to, the rep's
pulse, the rep's numbers since the previous one (from the enabled plugins' metrics, kept as they
stood), last time's open actions, and the one-to-ones that are due."""
from __future__ import annotations

import datetime
from decimal import Decimal

import peewee
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.api import Team, User, db, goal_targets, managed_user_ids, metrics, scope, team_today

from .models import ActionItem, OneToOne, SharedTopic
from .services import TEXT_MAX, TeamError, setting

PULSES = {1: _l("A hard week"), 2: _l("A tough week"), 3: _l("An ordinary week"), 4: _l("A good week"), 5: _l("A great week")}


def visible(user):
    """The one-to-ones `user` may read: their own, and (managers) those of the people they lead."""
    return scope(OneToOne.select(), OneToOne.rep, user)


def led_people(user) -> list[User]:
    """The reps whose one-to-ones `user` keeps: the members of the teams they run (an admin: everyone's)."""
    query = User.select().where(User.active == True, User.id != user.id)  # noqa: E712 - SQL
    if not user.may("see_everything"):
        query = query.where(User.id.in_(managed_user_ids(user)))
    else:
        query = query.where(User.team.is_null(False))
    return list(query.order_by(User.name))


def keeps(user, one_to_one) -> bool:
    """Whether `user` keeps this one-to-one as the manager (not the rep it is about)."""
    return user.id != one_to_one.rep_id and user.may("lead_teams")


def private_hidden(one_to_one, reader) -> bool:
    """The manager's private notes are hidden from the rep when the rep's team says so."""
    if reader.id != one_to_one.rep_id:
        return False
    rep = User.get_by_id(one_to_one.rep_id)
    return rep.team_id is None or setting(Team(id=rep.team_id)).hide_private_notes


# -- the numbers a one-to-one opens with ----------------------------------------------------------


def funnel_metrics() -> list:
    """The metrics of the funnel (calls lead to visits, quotes to deals won, revenue is the amount
    of deals won), in the order they lead to each other."""
    found = metrics()
    chained = {key for key, metric in found.items() if metric.leads_to or metric.amount_of}
    chained |= {metric.leads_to for metric in found.values() if metric.leads_to} | {m.amount_of for m in found.values() if m.amount_of}
    return [found[key] for key in found if key in chained]


def _number(value) -> Decimal:
    try:
        return Decimal(str(value or 0))
    except ArithmeticError:
        return Decimal(0)


def numbers(rep_id: int, start: datetime.date, end: datetime.date) -> list[list[str]]:
    """The rep's funnel since `start`, each step's conversion and this month's goals, as rows
    [what, metric key, value text] ("count", "rate" or "goal"): the words are the reader's, found
    when shown (`number_rows`), the values are kept as they stood."""
    shown = funnel_metrics()
    values = {metric.key: _number(metric.compute(user_ids=[rep_id], start=start, end=end).get(rep_id)) for metric in shown}
    rows = [["count", metric.key, f"{values[metric.key]:,.0f}"] for metric in shown]
    for metric in shown:
        if metric.leads_to in values and values[metric.key]:
            rows.append(["rate", metric.key, f"{values[metric.leads_to] * 100 / values[metric.key]:.0f}%"])
    month_start = end.replace(day=1)
    month_end = (month_start + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    for metric in shown:
        target = goal_targets(metric.key, {}, [rep_id], month_start, month_end).get(rep_id)
        if target:
            done = _number(metric.compute(user_ids=[rep_id], start=month_start, end=end).get(rep_id))
            rows.append(["goal", metric.key, f"{done:,.0f} / {_number(target):,.0f}"])
    return rows


def number_rows(one_to_one) -> list[tuple[str, str]]:
    """(label, value) of a one-to-one's numbers in the reader's language; a metric no longer
    offered shows its key."""
    found = metrics()

    def name(key):
        return str(found[key].label) if key in found else key

    rows = []
    for kind, key, value in one_to_one.numbers or []:
        if kind == "rate":
            after = found[key].leads_to if key in found else None
            rows.append((_("%(from)s → %(to)s", **{"from": name(key), "to": name(after) if after else "?"}), value))
        elif kind == "goal":
            rows.append((_("Goal this month: %(metric)s", metric=name(key)), value))
        else:
            rows.append((name(key), value))
    return rows


# -- keeping a one-to-one -------------------------------------------------------------------------


def last_of(rep_id: int, before: datetime.date | None = None) -> OneToOne | None:
    query = OneToOne.select().where(OneToOne.rep == rep_id)
    if before is not None:
        query = query.where(OneToOne.day < before)
    return query.order_by(OneToOne.day.desc(), OneToOne.id.desc()).first()


def open_one(rep: User, day: datetime.date, manager: User) -> OneToOne:
    """The rep's one-to-one of `day` (made now if there is none), opening with their numbers since
    the previous one."""
    found = OneToOne.get_or_none(OneToOne.rep == rep.id, OneToOne.day == day)
    if found is not None:
        return found
    previous = last_of(rep.id, day)
    weeks = setting(Team(id=rep.team_id)).one_to_one_weeks if rep.team_id else 2
    start = previous.day + datetime.timedelta(days=1) if previous else day - datetime.timedelta(weeks=weeks)
    with db.atomic():
        return OneToOne.create(rep=rep.id, manager=manager.id, day=day, numbers=numbers(rep.id, start, day))


def _text(value, what) -> str:
    text = (value or "").strip()
    if len(text) > TEXT_MAX:
        raise TeamError(_("%(what)s is longer than %(limit)d characters.", what=what, limit=TEXT_MAX))
    return text


def save_by_manager(one_to_one, form, next_day) -> None:
    one_to_one.went_well = _text(form.get("went_well"), _("What went well"))
    one_to_one.manager_concerns = _text(form.get("manager_concerns"), _("My concerns"))
    one_to_one.private_notes = _text(form.get("private_notes"), _("Private notes"))
    if form.get("next_day") and next_day is None:
        raise TeamError(_("Give the next date as YYYY-MM-DD."))
    one_to_one.next_day = next_day
    if form.get("held") == "y" and one_to_one.held_at is None:
        one_to_one.held_at = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    one_to_one.save()


def save_by_rep(one_to_one, form) -> None:
    pulse = form.get("pulse") or ""
    if pulse and (not pulse.isdigit() or int(pulse) not in PULSES):
        raise TeamError(_("Pick how the week felt from the list."))
    one_to_one.rep_concerns = _text(form.get("rep_concerns"), _("My concerns"))
    one_to_one.pulse = int(pulse) if pulse else None
    one_to_one.save(only=[OneToOne.rep_concerns, OneToOne.pulse])


def add_shared_topic(one_to_one, text, user) -> SharedTopic:
    text = (text or "").strip()
    if not text or len(text) > 500:
        raise TeamError(_("A topic takes 1 to 500 characters."))
    return SharedTopic.create(one_to_one=one_to_one.id, author=user.id, text=text)


def shared_topics(one_to_one) -> list[SharedTopic]:
    return list(SharedTopic.select(SharedTopic, User).join(User, peewee.JOIN.LEFT_OUTER, on=(SharedTopic.author == User.id))
                .where(SharedTopic.one_to_one == one_to_one.id).order_by(SharedTopic.id))


def add_action(one_to_one, title, owner_id, due, user) -> ActionItem:
    title = (title or "").strip()
    if not title or len(title) > 300:
        raise TeamError(_("An action takes 1 to 300 characters."))
    if owner_id not in (one_to_one.rep_id, one_to_one.manager_id, user.id):
        raise TeamError(_("An action of a one-to-one is the rep's or the manager's."))
    if due is None:
        raise TeamError(_("Give a due date (YYYY-MM-DD)."))
    return ActionItem.create(one_to_one=one_to_one.id, title=title, owner=owner_id, due=due, created_by=user.id)


def actions_of(one_to_one) -> list[ActionItem]:
    return list(ActionItem.select(ActionItem, User).join(User, on=(ActionItem.owner == User.id))
                .where(ActionItem.one_to_one == one_to_one.id).order_by(ActionItem.due, ActionItem.id))


def earlier_open_actions(one_to_one) -> list[ActionItem]:
    """Last times' actions still open: the one-to-one starts with them."""
    return list(ActionItem.select(ActionItem, User).join(User, on=(ActionItem.owner == User.id)).switch(ActionItem)
                .join(OneToOne, on=(ActionItem.one_to_one == OneToOne.id))
                .where(OneToOne.rep == one_to_one.rep_id, OneToOne.day < one_to_one.day, ActionItem.done_at.is_null())
                .order_by(ActionItem.due, ActionItem.id))


def history(rep_id: int) -> list[OneToOne]:
    return list(OneToOne.select().where(OneToOne.rep == rep_id).order_by(OneToOne.day.desc()).limit(50))


def _day(value) -> datetime.date | None:
    """A day from an aggregate (SQLite answers MAX() of a date column as text)."""
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


# -- what is due ----------------------------------------------------------------------------------


def overview(user) -> list[dict]:
    """For each rep `user` leads: the last one-to-one held, the next one planned, and whether one is due."""
    people = led_people(user)
    if not people:
        return []
    ids = [person.id for person in people]
    last_held = dict(OneToOne.select(OneToOne.rep, peewee.fn.MAX(OneToOne.day))
                     .where(OneToOne.rep.in_(ids), OneToOne.held_at.is_null(False)).group_by(OneToOne.rep).tuples())
    planned = dict(OneToOne.select(OneToOne.rep, peewee.fn.MAX(OneToOne.next_day)).where(OneToOne.rep.in_(ids))
                   .group_by(OneToOne.rep).tuples())
    team_ids = {person.team_id for person in people if person.team_id}
    weeks = {team_id: setting(Team(id=team_id)).one_to_one_weeks for team_id in team_ids}  # one query per team the user runs
    today = team_today()
    rows = []
    for person in people:
        last, planned_day = _day(last_held.get(person.id)), _day(planned.get(person.id))
        due_by = (last + datetime.timedelta(weeks=weeks.get(person.team_id, 2))) if last else today
        booked = planned_day is not None and planned_day >= today  # the next one is already in the calendar
        rows.append({"person": person, "last": last, "next": planned_day, "due": due_by <= today and not booked, "due_by": due_by})
    return rows
