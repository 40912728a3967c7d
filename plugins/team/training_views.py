"""Training pages: the catalogue, assignments (with the suggestions from the funnel), a rep's
development page (skills over time, courses, hours and cost), and the catalogue's editor."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.api import (
    User,
    date_from,
    get_changeable_or_404,
    get_visible_or_404,
    id_from,
    labels_from_form,
    metrics,
    render_page,
    requires,
    scope,
    team_today,
    typed_labels,
)

from . import training
from .models import Assignment, Course
from .oneonones import led_people
from .services import TeamError
from .views import bp


@bp.context_processor
def training_helpers():
    return {"course_name": training.course_name, "skill_name": training.skill_name, "kinds": training.KINDS, "levels": training.LEVELS}


def _training_page(status: int = 200, error: str | None = None):
    people = led_people(current_user) if current_user.may("lead_teams") else []
    today = team_today()
    mine = list(training.visible_assignments(current_user).where(Assignment.user == current_user.id)
                .order_by(Assignment.completed_at.is_null(False), Assignment.due))
    return render_page("team/training.html", status=status, error=error, courses=training.catalogue(), skills=training.skills(),
                       people=people, totals=training.totals([person.id for person in people]), mine=mine, today=today,
                       suggestions=training.suggestions(people, today) if people else [],
                       funnel={key: metric for key, metric in metrics().items() if metric.leads_to})


@bp.route("/training")
def training_index():
    return _training_page()


@bp.route("/training/assign", methods=["POST"])
@requires("lead_teams")
def assign():
    person_id = id_from(request.form.get("user"))
    person = next((person for person in led_people(current_user) if person.id == person_id), None)
    if person is None:
        return _training_page(400, _("Pick a person you lead."))
    due = date_from(request.form.get("due")) if request.form.get("due") else None
    if request.form.get("due") and due is None:
        return _training_page(400, _("Give a due date (YYYY-MM-DD)."))
    try:
        training.assign(id_from(request.form.get("course")), person, due, request.form.get("reason", ""), current_user)
    except TeamError as problem:
        return _training_page(400, problem.message)
    flash(_("Assigned to %(name)s.", name=person.name), "success")
    return redirect(url_for("team.training_index"))


@bp.route("/training/assignments/<int:assignment_id>")
def assignment(assignment_id: int):
    item = get_visible_or_404(Assignment, assignment_id, Assignment.user)
    return render_page("team/assignment.html", item=item, course=Course.get_by_id(item.course_id), person=User.get_by_id(item.user_id))


@bp.route("/training/assignments/<int:assignment_id>/complete", methods=["POST"])
def complete(assignment_id: int):
    """The rep (or their manager) marks a course done, with a short feedback."""
    item = get_changeable_or_404(Assignment, assignment_id, Assignment.user)
    try:
        training.complete(item, request.form.get("feedback", ""))
    except TeamError as problem:
        return render_page("team/assignment.html", status=400, error=problem.message, item=item, course=Course.get_by_id(item.course_id),
                           person=User.get_by_id(item.user_id))
    flash(_("Completed: %(course)s", course=training.course_name(Course.get_by_id(item.course_id))), "success")
    return redirect(url_for("team.assignment", assignment_id=item.id))


# -- a rep's development --------------------------------------------------------------------------


def person_or_404(user_id: int) -> User:
    """The signed-in user themself, or someone they lead (an admin: anyone); 404 for anyone else."""
    person = scope(User.select().where(User.id == user_id), User.id, current_user).first()
    if person is None:
        abort(404)
    return person


def _person_page(person: User, status: int = 200, error: str | None = None):
    assignments = list(training.visible_assignments(current_user).where(Assignment.user == person.id)
                       .order_by(Assignment.assigned_at.desc()))
    return render_page("team/person.html", status=status, error=error, person=person, skills=training.skills(),
                       ratings=training.ratings(person.id), assignments=assignments,
                       totals=training.totals([person.id]).get(person.id),
                       rates=person.id != current_user.id and current_user.may("lead_teams"))


@bp.route("/people/<int:user_id>")
def person(user_id: int):
    return _person_page(person_or_404(user_id))


@bp.route("/people/<int:user_id>/skills", methods=["POST"])
@requires("lead_teams")
def rate(user_id: int):
    person = person_or_404(user_id)
    if person.id == current_user.id:
        abort(403)
    try:
        training.rate(person, id_from(request.form.get("skill")), request.form.get("level", ""), request.form.get("note", ""), current_user)
    except TeamError as problem:
        return _person_page(person, 400, problem.message)
    return redirect(url_for("team.person", user_id=person.id))


# -- the catalogue (admins) -----------------------------------------------------------------------


def _course_values(form) -> dict:
    name, labels = typed_labels(form.get("name", ""), labels_from_form(form, "name"))
    return {"name": name, "labels": labels, "kind": form.get("kind", ""), "external": form.get("external") == "y",
            "hours": form.get("hours", ""), "cost": form.get("cost", ""), "currency": form.get("currency", ""),
            "skills": [id_from(value) for value in form.getlist("skills")]}


def _course_form(course, values, status=200, error=None):
    return render_page("team/course_form.html", status=status, error=error, course=course, values=values, skills=training.skills())


@bp.route("/training/courses/new", methods=["GET", "POST"])
@requires("administer")
def new_course():
    if request.method == "GET":
        return _course_form(None, {"kind": "course", "currency": "CNY", "hours": "", "cost": "", "skills": [], "labels": {}})
    values = _course_values(request.form)
    try:
        course = training.save_course(None, values, current_user)
    except TeamError as problem:
        return _course_form(None, values, 400, problem.message)
    flash(_("%(name)s is saved.", name=training.course_name(course)), "success")
    return redirect(url_for("team.training_index"))


@bp.route("/training/courses/<int:course_id>", methods=["GET", "POST"])
@requires("administer")
def edit_course(course_id: int):
    course = Course.get_or_none(Course.id == course_id)
    if course is None:
        abort(404)
    if request.method == "GET":
        return _course_form(course, {"name": course.name, "labels": course.labels or {}, "kind": course.kind, "external": course.external,
                                     "hours": course.hours, "cost": course.cost, "currency": course.currency, "skills": course.skills})
    if request.form.get("archive") == "y":
        training.archive_course(course, current_user)
        flash(_("%(name)s is archived; its assignments are kept.", name=training.course_name(course)), "success")
        return redirect(url_for("team.training_index"))
    values = _course_values(request.form)
    try:
        training.save_course(course, values, current_user)
    except TeamError as problem:
        return _course_form(course, values, 400, problem.message)
    flash(_("%(name)s is saved.", name=training.course_name(course)), "success")
    return redirect(url_for("team.training_index"))


@bp.route("/training/skills", methods=["POST"])
@requires("administer")
def add_skill():
    name, labels = typed_labels(request.form.get("name", ""), labels_from_form(request.form, "name"))
    try:
        training.save_skill({"name": name, "labels": labels, "metric": request.form.get("metric", "")}, current_user)
    except TeamError as problem:
        return _training_page(400, problem.message)
    return redirect(url_for("team.training_index"))

