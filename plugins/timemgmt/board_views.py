"""The task boards' pages."""
from __future__ import annotations

from flask import abort, redirect, request, url_for
from flask_login import current_user

from core.api import Team, User, id_from, render_fragment, render_page

from . import board, services
from .views import bp


def _board_page(team):
    teams = list(Team.select().where(Team.id.in_(services.team_ids(current_user) or [0])).order_by(Team.name))
    cards = board.cards(current_user, team)
    owners = {card.owner_id for card in cards}
    names = {person.id: person.name for person in User.select(User.id, User.name).where(User.id.in_(list(owners)))} if owners else {}
    return render_page("timemgmt/board.html", "board", team=team, teams=teams, columns=board.columns(current_user, team),
                       cards=cards, names=names, members=board.members(team) if team else [])


@bp.route("/board")
def board_page():
    return _board_page(None)


@bp.route("/board/team/<int:team_id>")
def team_board(team_id):
    team = board.team_or_none(current_user, team_id)
    if team is None:
        abort(404)
    return _board_page(team)


def _team_from_form():
    team_id = id_from(request.form.get("team"))
    if not team_id:
        return None
    team = board.team_or_none(current_user, team_id)
    if team is None:
        abort(404)
    return team


def _back_to(team):
    return redirect(url_for("timemgmt.team_board", team_id=team.id) if team else url_for("timemgmt.board_page"))


@bp.route("/board/cards", methods=["POST"])
def board_card():
    team = _team_from_form()
    board.add_card(current_user, team, request.form.get("title"), id_from(request.form.get("owner")))
    return _back_to(team)


@bp.route("/board/columns", methods=["POST"])
def board_column():
    team = _team_from_form()
    board.add_column(current_user, team, request.form.get("label"))
    return _back_to(team)


@bp.route("/board/move", methods=["POST"])
def board_move():
    """A card dropped on a column (the core's board script posts `deal`, `stage`, `before`)."""
    task = services.task_or_404(current_user, id_from(request.form.get("deal")), change=True)
    team = board.team_or_none(current_user, task.team_id) if task.team_id else None
    board.move(current_user, task, request.form.get("stage", ""), id_from(request.form.get("before")), board.columns(current_user, team))
    response = render_fragment("timemgmt/board.html", "moved")
    response.headers["HX-Trigger"] = "board-refresh"
    return response
