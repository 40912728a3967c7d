"""The team plugin's pages: the teams a manager runs with their meetings, a meeting with its
agenda, notes, decisions and actions (and its print page), and an action ticked off by its owner."""
from __future__ import annotations

from urllib.parse import urlparse

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.api import (
    Team,
    User,
    date_from,
    get_changeable_or_404,
    get_visible_or_404,
    id_from,
    managed_teams,
    render_page,
    requires,
    team_today,
)

from . import services
from .models import ActionItem, Meeting

bp = Blueprint("team", __name__, url_prefix="/team", template_folder="templates")


@bp.context_processor
def helpers():
    return {"topic_title": services.topic_title, "topic_lines": services.topic_lines}


def meeting_or_404(meeting_id: int, change: bool = False) -> Meeting:
    """A meeting `current_user` may read (404 otherwise); with `change`, one they may change (403 for
    one of their own team they may only read)."""
    meeting = services.visible_meetings(current_user).where(Meeting.id == meeting_id).first()
    if meeting is None:
        abort(404)
    if change and not services.changeable_meetings(current_user).where(Meeting.id == meeting_id).exists():
        abort(403)
    return meeting


def team_or_404(team_id: int):
    team = services.led_team(current_user, team_id)
    if team is None:
        abort(404)
    return team


def back_to(default: str) -> str:
    """The page a form came from (a same-site path), else `default`."""
    target = request.form.get("next") or ""
    parsed = urlparse(target)
    if target.startswith("/") and not target.startswith("//") and not parsed.netloc and "\\" not in target and target.isprintable():
        return target
    return default


@bp.route("/")
def index():
    teams = []
    for team in managed_teams(current_user):
        past = services.history(team)
        teams.append({"team": team, "meetings": past, "next": services.next_day(team, past[0] if past else None),
                      "setting": services.setting(team)})
    from . import together

    team_ids = sorted({shown["team"].id for shown in teams} | ({current_user.team_id} if current_user.team_id else set()))
    own = None if current_user.may("lead_teams") or not current_user.team_id else Team.get_or_none(Team.id == current_user.team_id)
    return render_page("team/index.html", teams=teams, actions=services.my_open_actions(current_user), today=team_today(),
                       own=own, own_meetings=services.history(own, limit=10) if own else [],
                       thanks=together.recent_thanks(team_ids), colleagues=together.colleagues(current_user))


@bp.route("/teams/<int:team_id>/meetings", methods=["POST"])
@requires("lead_teams")
def open_meeting(team_id: int):
    """Open the team's meeting of a day (today unless another is given): its agenda comes from the data."""
    team = team_or_404(team_id)
    day = date_from(request.form.get("day")) if request.form.get("day") else team_today()
    if day is None:
        abort(400, _("Give the meeting's day as YYYY-MM-DD."))
    meeting = services.open_meeting(team, day, current_user)
    return redirect(url_for("team.meeting", meeting_id=meeting.id))


@bp.route("/teams/<int:team_id>/settings", methods=["POST"])
@requires("lead_teams")
def settings(team_id: int):
    team = team_or_404(team_id)
    try:
        services.save_setting(team, request.form.get("rhythm_days", ""), request.form.get("one_to_one_weeks", ""),
                              request.form.get("hide_private_notes") == "y", current_user)
    except services.TeamError as problem:
        return render_page("team/message.html", status=400, message=problem.message, back=url_for("team.index"))
    flash(_("%(team)s: saved.", team=team.name), "success")
    return redirect(url_for("team.index"))


# -- a meeting ----------------------------------------------------------------------------------------


def _meeting_page(meeting: Meeting, status: int = 200, error: str | None = None, block: str | None = None):
    team = Team.get_by_id(meeting.team_id)
    may_change = services.changeable_meetings(current_user).where(Meeting.id == meeting.id).exists()
    return render_page("team/meeting.html", block=block, status=status, meeting=meeting, team=team, error=error, may_change=may_change,
                       topics=services.topics_of(meeting), decisions=services.decisions_of(meeting),
                       actions=services.actions_of(meeting), earlier=services.earlier_open_actions(meeting),
                       people=services.members(team), today=team_today())


@bp.route("/meetings/<int:meeting_id>")
def meeting(meeting_id: int):
    return _meeting_page(meeting_or_404(meeting_id))


@bp.route("/meetings/<int:meeting_id>/print")
def print_meeting(meeting_id: int):
    meeting = meeting_or_404(meeting_id)
    return render_page("team/meeting_print.html", meeting=meeting, team=Team.get_by_id(meeting.team_id),
                       topics=services.topics_of(meeting), decisions=services.decisions_of(meeting),
                       actions=services.actions_of(meeting))


def _change(meeting_id: int, change):
    """Run a change of a meeting (a service call that may refuse), then show the meeting again."""
    meeting = meeting_or_404(meeting_id, change=True)
    try:
        change(meeting)
    except services.TeamError as problem:
        return _meeting_page(meeting, status=400, error=problem.message)
    return redirect(url_for("team.meeting", meeting_id=meeting.id))


@bp.route("/meetings/<int:meeting_id>/topics", methods=["POST"])
def add_topic(meeting_id: int):
    return _change(meeting_id, lambda meeting: services.add_topic(meeting, request.form.get("title", "")))


@bp.route("/meetings/<int:meeting_id>/order", methods=["POST"])
def order(meeting_id: int):
    """The topics in the order the manager dragged them to (htmx: the list comes back)."""
    meeting = meeting_or_404(meeting_id, change=True)
    ids = [id_from(value) for value in request.form.getlist("order")]
    try:
        services.reorder(meeting, ids)
    except services.TeamError as problem:
        return render_page("team/message.html", status=400, message=problem.message, back=url_for("team.meeting", meeting_id=meeting.id))
    if request.htmx:
        return _meeting_page(meeting, block="topic_list")
    return redirect(url_for("team.meeting", meeting_id=meeting.id))


def _topic_or_404(meeting, topic_id):
    topic = services.topic_of(meeting, topic_id)
    if topic is None:
        abort(404)
    return topic


@bp.route("/meetings/<int:meeting_id>/topics/<int:topic_id>/notes", methods=["POST"])
def topic_notes(meeting_id: int, topic_id: int):
    return _change(meeting_id, lambda meeting: services.save_notes(_topic_or_404(meeting, topic_id), request.form.get("notes", "")))


@bp.route("/meetings/<int:meeting_id>/topics/<int:topic_id>/delete", methods=["POST"])
def remove_topic(meeting_id: int, topic_id: int):
    return _change(meeting_id, lambda meeting: services.remove_topic(meeting, _topic_or_404(meeting, topic_id)))


@bp.route("/meetings/<int:meeting_id>/decisions", methods=["POST"])
def add_decision(meeting_id: int):
    return _change(meeting_id, lambda meeting: services.add_decision(meeting, request.form.get("text", "")))


@bp.route("/meetings/<int:meeting_id>/actions", methods=["POST"])
def add_action(meeting_id: int):
    form = request.form
    return _change(meeting_id, lambda meeting: services.add_action(meeting, form.get("title", ""), id_from(form.get("owner")),
                                                                   date_from(form.get("due")), id_from(form.get("topic")),
                                                                   current_user))


@bp.route("/meetings/<int:meeting_id>/close", methods=["POST"])
def close(meeting_id: int):
    return _change(meeting_id, lambda meeting: services.close(meeting, request.form.get("notes", "")))


# -- an action on its owner's day ---------------------------------------------------------------------


@bp.route("/actions/<int:action_id>")
def action(action_id: int):
    item = get_visible_or_404(ActionItem, action_id, ActionItem.owner)
    meeting = Meeting.get_or_none(Meeting.id == item.meeting_id) if item.meeting_id else None
    came_from = urlparse(request.referrer or "")
    back = came_from.path + (f"?{came_from.query}" if came_from.query else "") \
        if came_from.netloc == request.host and came_from.path != request.path else ""
    return render_page("team/action.html", action=item, owner=User.get_by_id(item.owner_id), meeting=meeting, back=back)


@bp.route("/actions/<int:action_id>/done", methods=["POST"])
def action_done(action_id: int):
    """Tick an action off (or open it again): its owner, or the manager of the owner's team."""
    item = get_changeable_or_404(ActionItem, action_id, ActionItem.owner)
    done = request.form.get("done", "y") == "y"
    services.tick(item, done, current_user)
    flash(_("Done: %(title)s", title=item.title) if done else _("Open again: %(title)s", title=item.title), "success")
    return redirect(back_to(url_for("team.action", action_id=item.id)))
