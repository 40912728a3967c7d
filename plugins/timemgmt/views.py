"""My day: the prioritised list and the matrix, tasks, the inbox and delegation."""
from __future__ import annotations

import datetime

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.api import date_from, entities, id_from, render_fragment, render_page, team_today

from . import focus, services
from .models import Task
from .services import Refused

bp = Blueprint("timemgmt", __name__, url_prefix="/timemgmt", template_folder="templates", static_folder="static")


@bp.errorhandler(Refused)
def refused(error):
    if request.headers.get("HX-Request"):
        return str(error), 400
    return render_page("timemgmt/refused.html", status=400, message=str(error))


@bp.context_processor
def helpers():
    return {"quadrant_labels": services.QUADRANT_LABELS, "quadrant_hints": services.QUADRANT_HINTS,
            "quadrants": services.QUADRANTS, "delegation_labels": services.DELEGATION_LABELS}


def _back(default: str):
    target = request.form.get("next", "")
    return redirect(target if target.startswith("/timemgmt/") and "//" not in target else default)


# -- My day -----------------------------------------------------------------------------------------


@bp.route("/")
def today():
    day = team_today()
    items, plan = services.in_plan_order(current_user, day, services.my_day(current_user, day))
    inbox = len(services.inbox(current_user))
    return render_page("timemgmt/today.html", "plan", day=day, items=items, plan=plan, inbox=inbox,
                       session=focus.running(current_user), minute_pattern=_("%(minutes)d min"))


@bp.route("/matrix")
def matrix():
    day = team_today()
    items = services.my_day(current_user, day)
    cells = {name: [item for item in items if item.quadrant == name and not item.done] for name in services.QUADRANTS}
    return render_page("timemgmt/matrix.html", "matrix", day=day, cells=cells)


@bp.route("/matrix/move", methods=["POST"])
def matrix_move():
    """A card dropped on a quadrant (the board's script posts `deal` for the card and `stage` for
    the column): the task becomes as urgent and important as the quadrant says."""
    task = services.task_or_404(current_user, id_from(request.form.get("deal")), change=True)
    services.move_to_quadrant(task, request.form.get("stage", ""))
    response = render_fragment("timemgmt/matrix.html", "moved", task=Task.get_by_id(task.id))
    response.headers["HX-Trigger"] = "board-refresh"
    return response


@bp.route("/plan", methods=["POST"])
def accept_plan():
    services.accept_plan(current_user, team_today(), request.form.getlist("key"))
    flash(_("Your plan for today is set."), "success")
    return redirect(url_for("timemgmt.today"))


# -- tasks ------------------------------------------------------------------------------------------


def task_values(form) -> dict:
    """Cleaned values of the task form; Refused with the first problem."""
    day = form.get("due_day", "").strip()
    due_day = date_from(day) if day else None
    if day and due_day is None:
        raise Refused(_("Not a date: use 2026-03-31."))
    important, urgent = services.FLAGS.get(form.get("quadrant", ""), (form.get("important") == "y", form.get("urgent") == "y"))
    entity, record = services.clean_link(current_user, form.get("entity"), id_from(form.get("record_id")))
    return {"title": services.clean_text(form.get("title"), services.TITLE_LIMIT, _("Title"), required=True),
            "notes": services.clean_text(form.get("notes"), services.NOTES_LIMIT, _("Notes")),
            "due_day": due_day, "due_time": services.clean_time(form.get("due_time")),
            "important": important, "urgent": urgent, "minutes": services.clean_minutes(form.get("minutes")),
            "entity": entity, "record_id": record, "in_inbox": False, "labels": services.clean_labels(form.get("labels"))}


def _form_context(values=None):
    return {"values": values or {}, "linkable": {key: entity.label for key, entity in entities().items()}}


@bp.route("/tasks/new", methods=["GET", "POST"])
def new_task():
    if request.method == "POST":
        try:
            values = task_values(request.form)
            values["checklist"] = services.clean_checklist(request.form.get("checklist", "").splitlines())
        except Refused as refusal:  # the form comes back as typed, with what is wrong
            typed = {**request.form.to_dict(), "checklist": [{"text": line} for line in request.form.get("checklist", "").splitlines()],
                     "labels": [request.form.get("labels", "")], "record_id": id_from(request.form.get("record_id")),
                     "note": id_from(request.form.get("note"))}
            return render_page("timemgmt/task_form.html", status=400, error=str(refusal), **_form_context(values=typed))
        note_id = id_from(request.form.get("note"))
        note = services.task_or_404(current_user, note_id, change=True) if note_id else None
        task = services.save_task(current_user, values, note if note is not None and note.in_inbox else None)
        flash(_("Task added."), "success")
        return _back(url_for("timemgmt.task", task_id=task.id))
    values = {"entity": request.args.get("entity", ""), "record_id": id_from(request.args.get("record_id")),
              "title": request.args.get("title", "")[:services.TITLE_LIMIT], "note": id_from(request.args.get("note"))}
    return render_page("timemgmt/task_form.html", **_form_context(values=values))


@bp.route("/tasks/<int:task_id>", methods=["GET", "POST"])
def task(task_id):
    task = services.task_or_404(current_user, task_id, change=request.method == "POST")
    if request.method == "POST":
        values = task_values(request.form)
        kept = {item["text"]: item.get("done", False) for item in task.checklist or []}
        values["checklist"] = [{**item, "done": kept.get(item["text"], False)}
                               for item in services.clean_checklist(request.form.get("checklist", "").splitlines())]
        services.save_task(current_user, values, task)
        flash(_("Task saved."), "success")
        return redirect(url_for("timemgmt.task", task_id=task.id))
    link = services.record_links(current_user, [task]).get((task.entity, task.record_id))
    return render_page("timemgmt/task.html", task=task, link=link, may_change=services.may_change(current_user, task),
                       delegates=services.delegates(current_user), **_form_context())


@bp.route("/tasks/<int:task_id>/done", methods=["POST"])
def task_done(task_id):
    task = services.task_or_404(current_user, task_id, change=True)
    services.set_done(task, request.form.get("done", "y") == "y")
    return _back(url_for("timemgmt.today"))


@bp.route("/tasks/<int:task_id>/drop", methods=["POST"])
def task_drop(task_id):
    services.drop(services.task_or_404(current_user, task_id, change=True))
    flash(_("Dropped."), "success")
    return _back(url_for("timemgmt.today"))


@bp.route("/tasks/<int:task_id>/check/<int:index>", methods=["POST"])
def task_check(task_id, index):
    services.toggle_check(services.task_or_404(current_user, task_id, change=True), index)
    return redirect(url_for("timemgmt.task", task_id=task_id))


@bp.route("/tasks/<int:task_id>/delegate", methods=["POST"])
def task_delegate(task_id):
    task = services.task_or_404(current_user, task_id, change=True)
    if task.owner_id != current_user.id:
        raise Refused(_("Only the person who has the task can hand it on."))
    check_back = date_from(request.form.get("check_back"))
    person = services.delegate(current_user, task, id_from(request.form.get("to")), request.form.get("outcome"), check_back)
    flash(_("Handed to %(name)s.", name=person.owner.name), "success")
    return redirect(url_for("timemgmt.delegations"))


# -- the inbox --------------------------------------------------------------------------------------


@bp.route("/capture", methods=["POST"])
def capture():
    services.capture(current_user, request.form.get("text"))
    if request.headers.get("HX-Request"):
        return render_fragment("timemgmt/topbar.html", "topbar", session=focus.running(current_user), captured=True)
    flash(_("In your inbox."), "success")
    return redirect(request.referrer if (request.referrer or "").startswith(request.host_url) else url_for("timemgmt.inbox"))


@bp.route("/inbox")
def inbox():
    return render_page("timemgmt/inbox.html", tasks=services.inbox(current_user), delegates=services.delegates(current_user),
                       today=team_today())


@bp.route("/inbox/<int:task_id>", methods=["POST"])
def process(task_id):
    """Turn a captured note into a task (in a quadrant), a delegation, a follow-up on a record, or drop it."""
    task = services.task_or_404(current_user, task_id, change=True)
    action = request.form.get("action", "")
    if action == "drop":
        services.drop(task)
    elif action == "delegate":
        services.delegate(current_user, task, id_from(request.form.get("to")), request.form.get("outcome") or task.title,
                          date_from(request.form.get("check_back")) or team_today() + datetime.timedelta(days=2))
    elif action == "task":
        services.move_to_quadrant(task, request.form.get("quadrant", ""))
    elif action in services.FLAGS:
        services.move_to_quadrant(task, action)
    else:
        raise Refused(_("Choose what to do with it."))
    return redirect(url_for("timemgmt.inbox"))


# -- delegation -------------------------------------------------------------------------------------


@bp.route("/delegations")
def delegations():
    today = team_today()
    log = services.delegation_log(current_user)
    members = services.delegates(current_user)
    names = {member.id: member.name for member in members}
    from core.api import User

    missing = {task.owner_id for task in log} | {task.delegated_by_id for task in log}
    names.update({person.id: person.name for person in User.select().where(User.id.in_(list(missing - set(names)) or [0]))})
    return render_page("timemgmt/delegations.html", log=log, names=names, today=today, state=services.delegation_state,
                       members=members, load=services.workload(members, today))


# -- the shell's top bar ----------------------------------------------------------------------------


@bp.route("/topbar")
def topbar():
    return render_fragment("timemgmt/topbar.html", "topbar", session=focus.running(current_user), captured=False)


from . import (  # noqa: E402,F401 - their routes join the blueprint
    board_views,  # noqa: E402,F401
    calendar_views,
    focus_views,
    mail_views,  # noqa: E402,F401
    reflection_views,  # noqa: E402,F401
)
