"""Training and development: a catalogue of courses, expert talks and trade fairs (with the skills
they build), assignments with a due date, completion and feedback, hours and cost per rep, skills
assessed over time, and courses suggested to a rep whose funnel is weak at one step."""
from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

import peewee
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.api import Prize, User, db, label_text, metrics, records, scope, too_long, utcnow

from .models import Assignment, Course, Skill, SkillRating
from .services import TeamError

KINDS = {"course": _l("Course"), "talk": _l("Expert talk"), "fair": _l("Trade fair")}
LEVELS = {1: _l("1 · Beginner"), 2: _l("2 · Developing"), 3: _l("3 · Capable"), 4: _l("4 · Strong"), 5: _l("5 · Expert")}
HOURS_MAX, COST_MAX = Decimal(10_000), Decimal(10**10)
WEAK = Decimal("0.7")  # a rep converting below 70% of the team's rate at a step is weak there
ENOUGH = 5  # ... when they had at least this many at that step
LOOK_BACK_DAYS = 90
ACTION_LABELS = {"course_add": _l("added a course"), "course_change": _l("changed a course"), "course_archive": _l("archived a course"),
                 "skill_add": _l("added a skill")}


def course_name(course) -> str:
    return label_text(course.labels, course.name)


def skill_name(skill) -> str:
    return label_text(skill.labels, skill.name)


def skills() -> list[Skill]:
    return list(Skill.select().where(Skill.archived_at.is_null()).order_by(Skill.name))


def catalogue(include_archived: bool = False) -> list[Course]:
    query = Course.select().order_by(Course.kind, Course.name)
    return list(query if include_archived else query.where(Course.archived_at.is_null()))


# -- the catalogue (admins) -----------------------------------------------------------------------


def _decimal(text, what, most) -> Decimal:
    try:
        value = Decimal(str(text or "0").strip().replace(",", ""))
    except InvalidOperation:
        raise TeamError(_("%(what)s is not a number.", what=what)) from None
    if not value.is_finite() or not 0 <= value <= most:
        raise TeamError(_("%(what)s is from 0 to %(most)s.", what=what, most=f"{most:,.0f}"))
    return value


def save_skill(values: dict, user) -> Skill:
    name, labels = values["name"], values["labels"]
    if not name or too_long(name, labels, 120):
        raise TeamError(_("Give the skill a name of up to 120 characters."))
    metric = values.get("metric") or None
    if metric is not None and metric not in metrics():
        raise TeamError(_("Pick the funnel step from the list."))
    with db.atomic():
        skill = Skill.create(name=name, labels=labels, metric=metric)
        records.audit("skill_add", "team", skill.id, name, {}, user)
    return skill


def save_course(course: Course | None, values: dict, user) -> Course:
    name, labels = values["name"], values["labels"]
    if not name or too_long(name, labels, 200):
        raise TeamError(_("Give the course a name of up to 200 characters."))
    if values.get("kind") not in KINDS:
        raise TeamError(_("Pick the kind from the list."))
    hours = _decimal(values.get("hours"), _("Hours"), HOURS_MAX).quantize(Decimal("0.1"))
    cost = _decimal(values.get("cost"), _("Cost"), COST_MAX).quantize(Decimal("0.01"))
    currency = (values.get("currency") or "CNY").strip().upper()
    if len(currency) != 3 or not currency.isalpha() or not currency.isascii():
        raise TeamError(_("A currency is three letters (CNY)."))
    known = {skill.id for skill in skills()}
    chosen = sorted({skill_id for skill_id in values.get("skills", []) if skill_id is not None})
    if set(chosen) - known:
        raise TeamError(_("Pick the skills from the list."))
    fields = {"name": name, "labels": labels, "kind": values["kind"], "external": bool(values.get("external")), "hours": hours,
              "cost": cost, "currency": currency, "skills": chosen}
    with db.atomic():
        if course is None:
            course = Course.create(created_by=user.id, **fields)
            records.audit("course_add", "team", course.id, name, {}, user)
        else:
            changes = {key: [str(getattr(course, key)), str(value)] for key, value in fields.items() if getattr(course, key) != value}
            Course.update(**fields).where(Course.id == course.id).execute()
            records.audit("course_change", "team", course.id, name, changes, user)
    return Course.get_by_id(course.id)


def archive_course(course: Course, user) -> None:
    with db.atomic():
        Course.update(archived_at=utcnow()).where(Course.id == course.id).execute()
        records.audit("course_archive", "team", course.id, course.name, {}, user)


# -- assignments ----------------------------------------------------------------------------------


def visible_assignments(user):
    return scope(Assignment.select(Assignment, Course, User).join(Course).switch(Assignment).join(User, on=(Assignment.user == User.id)),
                 Assignment.user, user)


def assign(course_id, person: User, due, reason: str, manager) -> Assignment:
    course = Course.get_or_none(Course.id == course_id, Course.archived_at.is_null()) if course_id else None
    if course is None:
        raise TeamError(_("Pick a course from the catalogue."))
    if Assignment.select().where(Assignment.course == course.id, Assignment.user == person.id, Assignment.completed_at.is_null()).exists():
        raise TeamError(_("%(name)s already has this course to do.", name=person.name))
    if len(reason or "") > 1000:
        raise TeamError(_("%(what)s is longer than %(limit)d characters.", what=_("The reason"), limit=1000))
    return Assignment.create(course=course.id, user=person.id, due=due, reason=(reason or "").strip(), assigned_by=manager.id)


def complete(assignment: Assignment, feedback: str) -> None:
    feedback = (feedback or "").strip()
    if len(feedback) > 1000:
        raise TeamError(_("%(what)s is longer than %(limit)d characters.", what=_("The feedback"), limit=1000))
    assignment.feedback = feedback
    assignment.completed_at = assignment.completed_at or utcnow()
    assignment.save(only=[Assignment.feedback, Assignment.completed_at])


def totals(user_ids) -> dict[int, dict]:
    """{user id: {"hours", "cost", "done", "open"}} of their assignments, in one grouped query."""
    if not user_ids:
        return {}
    done = peewee.Case(None, [(Assignment.completed_at.is_null(False), 1)], 0)
    hours = peewee.Case(None, [(Assignment.completed_at.is_null(False), Course.hours)], 0)
    cost = peewee.Case(None, [(Assignment.completed_at.is_null(False), Course.cost)], 0)
    rows = (Assignment.select(Assignment.user, peewee.fn.SUM(hours).alias("hours"), peewee.fn.SUM(cost).alias("cost"),
                              peewee.fn.SUM(done).alias("done"), peewee.fn.COUNT(Assignment.id).alias("total"))
            .join(Course).where(Assignment.user.in_(list(user_ids))).group_by(Assignment.user).dicts())
    return {row["user"]: {"hours": Decimal(str(row["hours"] or 0)).quantize(Decimal("0.1")),
                          "cost": Decimal(str(row["cost"] or 0)), "done": int(row["done"] or 0),
                          "open": int(row["total"]) - int(row["done"] or 0)} for row in rows}


def prizes() -> list[Prize]:
    """Each course of the catalogue as a prize an award can give: the winner is assigned it."""

    def giver_of(course_id):
        def give(user, giver, reason=""):
            try:
                assigned = assign(course_id, user, None, str(reason or "")[:1000], giver)
            except TeamError as problem:
                raise ValueError(problem.message) from None
            return _("%(course)s, assigned to %(name)s", course=course_name(Course.get_by_id(assigned.course_id)), name=user.name)

        return give

    return [Prize(f"team.course:{course.id}", str(_l("Course: %(name)s", name=course_name(course))), giver_of(course.id))
            for course in catalogue()]


# -- skills ---------------------------------------------------------------------------------------


def rate(person: User, skill_id, level: str, note: str, manager) -> SkillRating:
    skill = Skill.get_or_none(Skill.id == skill_id, Skill.archived_at.is_null()) if skill_id else None
    if skill is None:
        raise TeamError(_("Pick a skill from the list."))
    if not (level or "").isdigit() or int(level) not in LEVELS:
        raise TeamError(_("Rate from 1 to 5."))
    if len(note or "") > 500:
        raise TeamError(_("%(what)s is longer than %(limit)d characters.", what=_("The note"), limit=500))
    return SkillRating.create(user=person.id, skill=skill.id, level=int(level), note=(note or "").strip(), assessed_by=manager.id)


def ratings(user_id: int) -> dict[int, list[SkillRating]]:
    """{skill id: the rep's ratings, newest first}: a history, not one number."""
    found: dict[int, list] = {}
    for rating in SkillRating.select().where(SkillRating.user == user_id).order_by(SkillRating.assessed_at.desc(), SkillRating.id.desc()):
        found.setdefault(rating.skill_id, []).append(rating)
    return found


# -- suggestions from the funnel ------------------------------------------------------------------


def suggestions(people: list[User], today: datetime.date) -> list[dict]:
    """Courses for reps whose conversion at a funnel step (a metric that `leads_to` another) is
    below 70% of their team's over the last 90 days, with the numbers that triggered it. One
    grouped query per metric of the funnel, whatever the number of people."""
    if not people:
        return []
    found = metrics()
    steps = {skill.metric: skill for skill in skills() if skill.metric in found and found[skill.metric].leads_to in found}
    if not steps:
        return []
    courses = [course for course in catalogue() if course.skills]
    start, ids = today - datetime.timedelta(days=LOOK_BACK_DAYS), [person.id for person in people]
    counts = {key: {user: Decimal(str(value or 0)) for user, value in found[key].compute(user_ids=ids, start=start, end=today).items()}
              for key in {key for key in steps} | {found[key].leads_to for key in steps}}
    open_courses = set(Assignment.select(Assignment.user, Assignment.course)
                       .where(Assignment.user.in_(ids), Assignment.completed_at.is_null()).tuples())
    teams: dict = {}
    for person in people:
        teams.setdefault(person.team_id, []).append(person.id)
    result = []
    for key, skill in steps.items():
        metric, after = found[key], found[found[key].leads_to]
        for team_members in teams.values():
            base = sum((counts[key].get(user, 0) for user in team_members), Decimal(0))
            if not base:
                continue
            team_rate = sum((counts[after.key].get(user, 0) for user in team_members), Decimal(0)) / base
            for person in people:
                mine = counts[key].get(person.id, Decimal(0))
                if person.id not in team_members or mine < ENOUGH:
                    continue
                rate = counts[after.key].get(person.id, Decimal(0)) / mine
                if rate >= team_rate * WEAK:
                    continue
                offered = [course for course in courses if skill.id in course.skills and (person.id, course.id) not in open_courses]
                if offered:
                    why = _("%(from)s → %(to)s: %(rate)d%% of %(count)d, the team's %(team)d%% (last %(days)d days)",
                            **{"from": metric.label, "to": after.label, "rate": int(rate * 100), "count": int(mine),
                               "team": int(team_rate * 100), "days": LOOK_BACK_DAYS})
                    result.append({"person": person, "skill": skill, "courses": offered, "why": why})
    return result
