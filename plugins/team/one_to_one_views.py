"""One-to-one pages: the people a manager leads with their one-to-ones due, a rep's own list, and
one one-to-one (the manager's log, the rep's part, the shared agenda, actions)."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.api import User, date_from, get_visible_or_404, id_from, managed_user_ids, render_page, requires, team_today

from . import oneonones
from .models import OneToOne
from .services import TeamError
from .views import bp


@bp.route("/one-to-ones")
def one_to_ones():
    return render_page("team/one_to_ones.html", rows=oneonones.overview(current_user), mine=oneonones.history(current_user.id),
                       today=team_today(), pulses=oneonones.PULSES)


@bp.route("/people/<int:user_id>/one-to-ones", methods=["POST"])
@requires("lead_teams")
def open_one_to_one(user_id: int):
    """Open a rep's one-to-one of a day (today unless another is given)."""
    query = User.select().where(User.id == user_id, User.id != current_user.id)
    if not current_user.may("see_everything"):
        query = query.where(User.id.in_(managed_user_ids(current_user)))
    rep = query.first()
    if rep is None:
        abort(404)
    day = date_from(request.form.get("day")) if request.form.get("day") else team_today()
    if day is None:
        abort(400, _("Give the day as YYYY-MM-DD."))
    made = oneonones.open_one(rep, day, current_user)
    return redirect(url_for("team.one_to_one", one_to_one_id=made.id))


def _page(one_to_one: OneToOne, status: int = 200, error: str | None = None):
    return render_page("team/one_to_one.html", status=status, error=error, one=one_to_one, rep=User.get_by_id(one_to_one.rep_id),
                       keeps=oneonones.keeps(current_user, one_to_one), hidden=oneonones.private_hidden(one_to_one, current_user),
                       topics=oneonones.shared_topics(one_to_one), actions=oneonones.actions_of(one_to_one),
                       earlier=oneonones.earlier_open_actions(one_to_one), pulses=oneonones.PULSES, today=team_today(),
                       history=oneonones.history(one_to_one.rep_id), numbers=oneonones.number_rows(one_to_one))


@bp.route("/one-to-ones/<int:one_to_one_id>", methods=["GET", "POST"])
def one_to_one(one_to_one_id: int):
    """Read a one-to-one (the rep and their manager); the manager saves the log (POST)."""
    record = get_visible_or_404(OneToOne, one_to_one_id, OneToOne.rep)
    if request.method == "GET":
        return _page(record)
    if not oneonones.keeps(current_user, record):
        abort(403)
    return _saved(record, lambda: oneonones.save_by_manager(record, request.form, date_from(request.form.get("next_day"))))


def _saved(record, change):
    try:
        change()
    except TeamError as problem:
        return _page(record, status=400, error=problem.message)
    flash(_("Saved."), "success")
    return redirect(url_for("team.one_to_one", one_to_one_id=record.id))


@bp.route("/one-to-ones/<int:one_to_one_id>/mine", methods=["POST"])
def one_to_one_mine(one_to_one_id: int):
    """The rep's own part: how the week felt and their concerns."""
    record = get_visible_or_404(OneToOne, one_to_one_id, OneToOne.rep)
    if record.rep_id != current_user.id:
        abort(403)
    return _saved(record, lambda: oneonones.save_by_rep(record, request.form))


@bp.route("/one-to-ones/<int:one_to_one_id>/topics", methods=["POST"])
def one_to_one_topic(one_to_one_id: int):
    """Either side puts a point on the shared agenda."""
    record = get_visible_or_404(OneToOne, one_to_one_id, OneToOne.rep)
    return _saved(record, lambda: oneonones.add_shared_topic(record, request.form.get("text"), current_user))


@bp.route("/one-to-ones/<int:one_to_one_id>/actions", methods=["POST"])
def one_to_one_action(one_to_one_id: int):
    record = get_visible_or_404(OneToOne, one_to_one_id, OneToOne.rep)
    if not oneonones.keeps(current_user, record):
        abort(403)
    form = request.form
    return _saved(record, lambda: oneonones.add_action(record, form.get("title"), id_from(form.get("owner")), date_from(form.get("due")),
                                                       current_user))
