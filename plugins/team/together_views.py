"""Team-building pages: activities and joint projects with their photos, and peer thanks."""
from __future__ import annotations

from flask import abort, flash, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.api import User, date_from, id_from, render_page

from . import together
from .models import Photo, TeamEvent
from .services import TeamError
from .views import bp


def event_or_404(event_id: int) -> TeamEvent:
    event = together.visible_events(current_user).where(TeamEvent.id == event_id).first()
    if event is None:
        abort(404)
    return event


def _list_page(status: int = 200, error: str | None = None):
    events = list(together.visible_events(current_user).order_by(TeamEvent.day.desc(), TeamEvent.id.desc()).limit(50))
    return render_page("team/together.html", status=status, error=error, events=events, kinds=together.KINDS,
                       teams=together.teams_of(current_user), people=together.colleagues(current_user))


@bp.route("/together")
def together_index():
    return _list_page()


@bp.route("/together/new", methods=["POST"])
def new_event():
    form = request.form
    try:
        event = together.create({"name": form.get("name"), "kind": form.get("kind"), "day": date_from(form.get("day")),
                                 "notes": form.get("notes"), "team": id_from(form.get("team")),
                                 "members": [id_from(value) for value in form.getlist("members")]}, current_user)
    except TeamError as problem:
        return _list_page(400, problem.message)
    return redirect(url_for("team.event", event_id=event.id))


def _event_page(event, status: int = 200, error: str | None = None):
    return render_page("team/event.html", status=status, error=error, event=event, kinds=together.KINDS,
                       members=together.members_of(event), photos=together.photos_of(event),
                       may_change=together.may_change(current_user, event))


@bp.route("/together/<int:event_id>")
def event(event_id: int):
    return _event_page(event_or_404(event_id))


@bp.route("/together/<int:event_id>/photos", methods=["POST"])
def add_photo(event_id: int):
    record = event_or_404(event_id)
    if not together.may_change(current_user, record):
        abort(403)
    try:
        together.add_photo(record, request.files.get("photo"), current_user)
    except TeamError as problem:
        return _event_page(record, 400, problem.message)
    flash(_("The photo is added."), "success")
    return redirect(url_for("team.event", event_id=record.id))


@bp.route("/photos/<int:photo_id>")
def photo(photo_id: int):
    found = Photo.get_or_none(Photo.id == photo_id)
    if found is None:
        abort(404)
    event_or_404(found.event_id)
    path = together.path_of(found)
    if not path.exists():
        abort(404)
    response = send_file(path, mimetype=found.content_type, download_name=found.filename, max_age=3600)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.route("/thanks", methods=["POST"])
def thank():
    try:
        sent = together.thank(id_from(request.form.get("to")), request.form.get("note"), current_user)
    except TeamError as problem:
        return render_page("team/message.html", status=400, message=problem.message, back=url_for("team.index"))
    flash(_("Your thanks to %(name)s is on the team page.", name=User.get_by_id(sent.receiver_id).name), "success")
    return redirect(url_for("team.index"))
