"""Tasks and My day: who sees which task, the matrix, the suggested order of a day, the inbox and
delegation. Views parse requests; the changes happen here, each in one transaction."""
from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field

import peewee
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.api import Team, User, agenda_items, date_from, db, entities, get_entity, local_time, managed_user_ids, utc_time, utcnow

from .models import DayPlan, Task, TimeBlock

TITLE_LIMIT, NOTES_LIMIT, CHECKLIST_LIMIT = 200, 5000, 30
QUADRANTS = ("do", "schedule", "delegate", "drop")
QUADRANT_LABELS = {"do": _l("Do now"), "schedule": _l("Schedule"), "delegate": _l("Delegate"), "drop": _l("Drop")}
QUADRANT_HINTS = {"do": _l("Urgent and important"), "schedule": _l("Important, not urgent"),
                  "delegate": _l("Urgent, not important"), "drop": _l("Neither urgent nor important")}
FLAGS = {"do": (True, True), "schedule": (True, False), "delegate": (False, True), "drop": (False, False)}


class Refused(ValueError):
    """A change that cannot be made, with the message the person reads."""


def quadrant(important: bool, urgent: bool) -> str:
    return {(True, True): "do", (True, False): "schedule", (False, True): "delegate"}.get((bool(important), bool(urgent)), "drop")


# -- who sees which task ------------------------------------------------------------------------------


def team_ids(user: User) -> list[int]:
    """The teams whose board the user works on: their own team and the teams they run."""
    found = {user.team_id} if user.team_id else set()
    if user.may("see_everything"):
        return [team.id for team in Team.select(Team.id)]
    found |= {team.id for team in Team.select(Team.id).where(Team.manager == user.id)}
    return sorted(found)


def visible_tasks(user: User):
    """Their own tasks, those they handed to someone, the cards of their teams' boards, and (a
    manager) the delegations within the teams they run. Nobody sees a colleague's private tasks."""
    seen = (Task.owner == user.id) | (Task.delegated_by == user.id) | (Task.created_by == user.id)
    teams = team_ids(user)
    if teams:
        seen |= Task.team.in_(teams)
    if user.may("see_everything"):
        seen |= Task.delegated_by.is_null(False)
    elif user.may("lead_teams"):
        seen |= Task.delegated_by.is_null(False) & Task.owner.in_(managed_user_ids(user))
    return Task.select().where(seen, Task.dropped_at.is_null())


def may_change(user: User, task: Task) -> bool:
    return (task.owner_id == user.id or task.delegated_by_id == user.id or (task.created_by_id == user.id and task.in_inbox)
            or (task.team_id is not None and task.team_id in team_ids(user)))


def task_or_404(user: User, task_id, change: bool = False) -> Task:
    from flask import abort

    task = visible_tasks(user).where(Task.id == task_id).first() if task_id else None
    if task is None:
        abort(404)
    if change and not may_change(user, task):
        abort(403)
    return task


# -- checking what people type --------------------------------------------------------------------


def clean_text(value, limit: int, what, required: bool = False) -> str:
    text = str(value or "").replace("\x00", "").strip()
    if required and not text:
        raise Refused(_("%(what)s is required.", what=what))
    if len(text) > limit:
        raise Refused(_("%(what)s is longer than %(limit)d characters.", what=what, limit=limit))
    return text


def clean_minutes(value, low: int = 1, high: int = 24 * 60) -> int | None:
    text = str(value or "").strip()
    if not text:
        return None
    if not text.isdigit() or not low <= int(text) <= high:
        raise Refused(_("Minutes must be a whole number from %(low)d to %(high)d.", low=low, high=high))
    return int(text)


def clean_time(value) -> datetime.time | None:
    text = str(value or "").strip()
    if not text:
        return None
    try:
        return datetime.time.fromisoformat(text[:5])
    except ValueError:
        raise Refused(_("Not a time of day: use 09:30.")) from None


def clean_link(user: User, entity_key, record_id) -> tuple[str, int | None]:
    """A record the task is about, which the user may see; ("", None) for none."""
    entity_key, record_id = str(entity_key or "").strip(), record_id
    if not entity_key and not record_id:
        return "", None
    if entity_key not in entities() or not record_id:
        raise Refused(_("Choose a record you can open."))
    schema = get_entity(entity_key)
    if not schema.visible(user).where(schema.model.id == record_id).exists():
        raise Refused(_("Choose a record you can open."))
    return entity_key, record_id


LAST_DAY_SHOWN = datetime.date(9999, 11, 30)  # a week or a month after it is still a date


def day_of(text) -> datetime.date | None:
    """A day from a query string that a page may show with the weeks around it; None otherwise."""
    day = date_from(text)
    return day if day is not None and day <= LAST_DAY_SHOWN else None


def clean_labels(text) -> list[str]:
    """Labels typed with commas between them (either comma): at most 8, 30 characters each."""
    labels = []
    for part in str(text or "").replace("\x00", "").replace("，", ",").split(","):
        label = part.strip()[:30]
        if label and label not in labels:
            labels.append(label)
    if len(labels) > 8:
        raise Refused(_("A task carries at most %(count)d labels.", count=8))
    return labels


def clean_checklist(lines) -> list[dict]:
    items = []
    for line in lines:
        text = str(line or "").replace("\x00", "").strip()[:TITLE_LIMIT]
        if text:
            items.append({"text": text, "done": False})
    if len(items) > CHECKLIST_LIMIT:
        raise Refused(_("A checklist holds at most %(count)d items.", count=CHECKLIST_LIMIT))
    return items


# -- changing tasks -------------------------------------------------------------------------------


def save_task(user: User, values: dict, task: Task | None = None) -> Task:
    """Create or change a task from cleaned values (see views.task_values)."""
    with db.atomic():
        if task is None:
            task = Task(owner=user.id, created_by=user.id)
        for name, value in values.items():
            setattr(task, name, value)
        task.save()
    return task


def capture(user: User, text) -> Task:
    title = clean_text(text, TITLE_LIMIT, _("A note"), required=True)
    with db.atomic():
        return Task.create(title=title, owner=user.id, created_by=user.id, in_inbox=True)


def inbox(user: User) -> list[Task]:
    return list(Task.select().where(Task.owner == user.id, Task.in_inbox == True, Task.dropped_at.is_null())  # noqa: E712
                .order_by(Task.created_at.desc(), Task.id.desc()).limit(200))


def move_to_quadrant(task: Task, where: str) -> None:
    if where not in FLAGS:
        raise Refused(_("Drop it on one of the four quadrants."))
    important, urgent = FLAGS[where]
    with db.atomic():
        Task.update(important=important, urgent=urgent, in_inbox=False).where(Task.id == task.id).execute()


def set_done(task: Task, done: bool) -> None:
    stage = "done" if done else ("todo" if task.stage == "done" else task.stage)
    with db.atomic():
        Task.update(done_at=utcnow() if done else None, stage=stage).where(Task.id == task.id).execute()


def drop(task: Task) -> None:
    with db.atomic():
        Task.update(dropped_at=utcnow()).where(Task.id == task.id).execute()


def toggle_check(task: Task, index: int) -> None:
    items = list(task.checklist or [])
    if not 0 <= index < len(items):
        raise Refused(_("That checklist item is gone."))
    items[index] = {**items[index], "done": not items[index].get("done")}
    with db.atomic():
        Task.update(checklist=items).where(Task.id == task.id).execute()


# -- delegation -----------------------------------------------------------------------------------


def delegates(user: User) -> list[User]:
    """Whom the user may hand work to: the active members of the teams they run."""
    return list(User.select().where(User.id.in_(managed_user_ids(user)), User.active == True, User.id != user.id)  # noqa: E712
                .order_by(User.name))


def delegate(user: User, task: Task, to_id, outcome, check_back: datetime.date | None) -> Task:
    person = User.get_or_none(User.id == to_id) if to_id else None
    if person is None or person.id not in {member.id for member in delegates(user)}:
        raise Refused(_("You can hand work only to the members of a team you run."))
    if check_back is None:
        raise Refused(_("Say when you will check back."))
    outcome = clean_text(outcome, NOTES_LIMIT, _("The expected outcome"), required=True)
    with db.atomic():
        Task.update(owner=person.id, delegated_by=user.id, outcome=outcome, check_back=check_back, in_inbox=False,
                    block=None).where(Task.id == task.id).execute()
    return Task.get_by_id(task.id)


def delegation_state(task: Task, today: datetime.date) -> str:
    if task.done_at is not None:
        return "on_time" if task.check_back is None or local_time(task.done_at).date() <= task.check_back else "done_late"
    return "late" if task.check_back and task.check_back < today else "open"


DELEGATION_LABELS = {"open": _l("Open"), "late": _l("Late"), "on_time": _l("Done on time"), "done_late": _l("Done late")}


def delegation_log(user: User):
    """The delegations the user made, and (a manager) those within the teams they run."""
    query = visible_tasks(user).where(Task.delegated_by.is_null(False))
    return list(query.order_by(Task.done_at.is_null(False), Task.check_back, Task.id).limit(300))


def workload(members: list[User], today: datetime.date) -> dict[int, dict]:
    """{user_id: {"open": n, "minutes": m}}: each member's open tasks, and the estimated minutes of
    those due this week (or without a day), in one grouped query."""
    monday = today - datetime.timedelta(days=today.weekday())
    sunday = monday + datetime.timedelta(days=6)
    this_week = Task.due_day.is_null() | (Task.due_day <= sunday)
    minutes = peewee.fn.SUM(peewee.Case(None, [(this_week, peewee.fn.COALESCE(Task.minutes, 0))], 0))
    rows = (Task.select(Task.owner, peewee.fn.COUNT(Task.id).alias("open"), minutes.alias("minutes"))
            .where(Task.owner.in_([member.id for member in members] or [0]), Task.done_at.is_null(), Task.dropped_at.is_null(),
                   Task.in_inbox == False)  # noqa: E712
            .group_by(Task.owner))
    found = {member.id: {"open": 0, "minutes": 0} for member in members}
    for row in rows:
        found[row.owner_id] = {"open": row.open, "minutes": int(row.minutes or 0)}
    return found


# -- My day ---------------------------------------------------------------------------------------


@dataclass
class PlanItem:
    """One line of My day: a task of mine, a check-back of a delegation, or another plugin's item."""

    key: str
    title: str
    kind: str = ""
    url: str | None = None
    due: datetime.datetime | None = None  # the team's wall time
    overdue: bool = False
    important: bool = False
    urgent: bool = False
    done: bool = False
    carried: bool = False
    task: Task | None = None
    minutes: int | None = None
    link: tuple | None = None  # (title, url) of the record a task is about
    block: TimeBlock | None = None
    delegated_by: User | None = None
    extra: dict = field(default_factory=dict)

    @property
    def quadrant(self) -> str:
        return quadrant(self.important, self.urgent)


def agenda_key(item) -> str:
    return "agenda:" + hashlib.sha1(f"{item.kind}|{item.title}|{item.url}".encode()).hexdigest()[:16]


# What a line of My day reads of a task (not its notes, checklist or labels).
PLAN_COLUMNS = (Task.id, Task.title, Task.owner, Task.delegated_by, Task.due_day, Task.due_time, Task.important, Task.urgent,
                Task.minutes, Task.entity, Task.record_id, Task.block, Task.done_at, Task.stage)


def open_tasks(user: User, day: datetime.date, *columns):
    """The user's tasks for the day: open, due by then or undated, out of the inbox."""
    return (Task.select(*columns).where(Task.owner == user.id, Task.done_at.is_null(), Task.dropped_at.is_null(),
                                Task.in_inbox == False,  # noqa: E712
                                Task.due_day.is_null() | (Task.due_day <= day)))


def my_day(user: User, day: datetime.date) -> list[PlanItem]:
    """Everything on the user's day, in the suggested order (see `suggested`)."""
    start = utc_time(datetime.datetime.combine(day, datetime.time.min))
    end = start + datetime.timedelta(days=1)
    tasks = list(open_tasks(user, day, *PLAN_COLUMNS).order_by(Task.due_day, Task.due_time, Task.id).limit(500))
    done_today = list(Task.select().where(Task.owner == user.id, Task.done_at >= start, Task.done_at < end, Task.dropped_at.is_null())
                      .order_by(Task.done_at).limit(100))
    blocks = {block.id: block for block in TimeBlock.select().where(TimeBlock.owner == user.id, TimeBlock.starts_at >= start,
                                                                     TimeBlock.starts_at < end)}
    people = {}
    delegators = {task.delegated_by_id for task in tasks if task.delegated_by_id}
    checks = list(Task.select().where(Task.delegated_by == user.id, Task.done_at.is_null(), Task.dropped_at.is_null(),
                                      Task.check_back <= day).order_by(Task.check_back).limit(200))
    wanted = delegators | {task.owner_id for task in checks}
    if wanted:
        people = {person.id: person for person in User.select().where(User.id.in_(list(wanted)))}
    links = record_links(user, tasks + done_today)
    yesterday = DayPlan.get_or_none(DayPlan.owner == user.id, DayPlan.day == day - datetime.timedelta(days=1))
    carried_keys = set(yesterday.order) if yesterday else set()
    items = []
    task_kind, delegated_kind, check_kind = str(_l("Task")), str(_l("Delegated")), str(_l("Check-back"))
    for task in tasks + done_today:
        due = datetime.datetime.combine(task.due_day, task.due_time) if task.due_day and task.due_time else None
        key = f"task:{task.id}"
        items.append(PlanItem(
            key=key, title=task.title, kind=delegated_kind if task.delegated_by_id else task_kind, due=due,
            overdue=bool(task.due_day and task.due_day < day and not task.done_at), important=task.important, urgent=task.urgent,
            done=task.done_at is not None,
            carried=bool(not task.done_at and ((task.due_day and task.due_day < day) or key in carried_keys)),
            task=task, minutes=task.minutes, link=links.get((task.entity, task.record_id)), block=blocks.get(task.block_id),
            delegated_by=people.get(task.delegated_by_id)))
    for task in checks:
        person = people.get(task.owner_id)
        items.append(PlanItem(key=f"check:{task.id}", title=_("Check back with %(name)s: %(title)s", name=person.name if person else "?",
                                                                  title=task.title),
                              kind=check_kind, important=True, urgent=task.check_back < day, overdue=task.check_back < day,
                              task=task, extra={"outcome": task.outcome}))
    for item in agenda_items(user, day):
        key = agenda_key(item)
        urgent = item.urgent if item.urgent is not None else bool(item.overdue)
        important = bool(item.important)
        items.append(PlanItem(key=key, title=item.title, kind=item.kind, url=item.url,
                              due=local_time(item.due) if item.due else None, overdue=item.overdue, important=important, urgent=urgent,
                              done=item.done, carried=bool(item.overdue) or key in carried_keys))
    return suggested(items)


def record_links(user: User, tasks: list[Task]) -> dict:
    """{(entity, id): (title, url)} of the records the tasks are about that the user may see: one
    query per kind of record."""
    wanted: dict[str, set] = {}
    for task in tasks:
        if task.entity and task.record_id:
            wanted.setdefault(task.entity, set()).add(task.record_id)
    found = {}
    known = entities()
    for key, ids in wanted.items():
        if key not in known:
            continue
        schema = get_entity(key)
        for record in schema.visible(user).where(schema.model.id.in_(list(ids))):
            found[(key, record.id)] = (schema.title_of(record), schema.url_of(record.id))
    return found


def suggested(items: list[PlanItem]) -> list[PlanItem]:
    """Urgent and important first (overdue before the rest), then what sits in a time block or has
    a time (in time order), then important, then urgent, then the rest; done items last."""
    def rank(item: PlanItem):
        timed = item.block.starts_at if item.block else item.due
        order = QUADRANTS.index(item.quadrant)
        if order > 0 and timed is not None:
            order = 0.5
        return (item.done, order, not item.overdue, timed or datetime.datetime.max, item.key)

    return sorted(items, key=rank)


def in_plan_order(user: User, day: datetime.date, items: list[PlanItem]) -> tuple[list[PlanItem], DayPlan | None]:
    """The items in the order the user accepted for the day (new ones after, in the suggested
    order), and that plan; the suggested order when none was accepted."""
    plan = DayPlan.get_or_none(DayPlan.owner == user.id, DayPlan.day == day)
    if plan is None:
        return items, None
    position = {key: index for index, key in enumerate(plan.order or [])}
    return sorted(items, key=lambda item: (item.done, position.get(item.key, len(position)))), plan


def accept_plan(user: User, day: datetime.date, keys: list[str]) -> DayPlan:
    keys = [str(key)[:40] for key in keys][:1000]
    with db.atomic():
        plan = DayPlan.get_or_none(DayPlan.owner == user.id, DayPlan.day == day)
        if plan is None:
            return DayPlan.create(owner=user.id, day=day, order=keys)
        DayPlan.update(order=keys, accepted_at=utcnow()).where(DayPlan.id == plan.id).execute()
        return DayPlan.get_by_id(plan.id)
