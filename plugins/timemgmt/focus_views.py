"""The focus timer's page and its buttons."""
from __future__ import annotations

from flask import redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.api import id_from, render_page, team_today

from . import focus, services
from .views import bp


@bp.context_processor
def focus_helpers():
    return {"remaining": focus.remaining, "clock": focus.clock}


@bp.route("/focus")
def focus_page():
    session = focus.running(current_user)
    task = session.task if session and session.task_id else None
    tasks = list(services.open_tasks(current_user, team_today())
                 .order_by(services.Task.important.desc(), services.Task.urgent.desc(), services.Task.id).limit(50))
    return render_page("timemgmt/focus.html", "timer", session=session, task=task, tasks=tasks,
                       prefs=focus.preference(current_user), log=focus.log(current_user))


@bp.route("/focus/start", methods=["POST"])
def focus_start():
    task_id = id_from(request.form.get("task"))
    task = services.task_or_404(current_user, task_id) if task_id else None
    focus.start(current_user, task, request.form.get("kind", "focus"))
    return redirect(url_for("timemgmt.focus_page"))


@bp.route("/focus/<action>", methods=["POST"])
def focus_action(action):
    if action == "pause":
        focus.pause(current_user)
    elif action == "resume":
        focus.resume(current_user)
    elif action == "finish":
        focus.finish(current_user)
    elif action == "interrupt":
        focus.interrupt(current_user, request.form.get("note"))
    else:
        raise services.Refused(_("Unknown action."))
    return redirect(url_for("timemgmt.focus_page"))


@bp.route("/settings", methods=["POST"])
def settings():
    focus.save_preference(current_user, request.form.get("focus_minutes"), request.form.get("break_minutes"))
    return redirect(url_for("timemgmt.focus_page"))
