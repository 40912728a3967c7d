"""The calendar of time blocks (a day, a week) and the calendar feed behind a secret URL."""
from __future__ import annotations

import datetime

from flask import Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.api import date_from, id_from, local_time, public, render_fragment, render_page, team_today

from . import calendar, services
from .models import CATEGORIES, Task, TimeBlock
from .views import bp


@bp.context_processor
def calendar_helpers():
    return {"category_labels": calendar.CATEGORY_LABELS, "category_tags": calendar.CATEGORY_TAGS, "categories": CATEGORIES,
            "local_time": local_time}


def block_or_404(block_id) -> TimeBlock:
    """One of the signed-in user's own blocks: nobody else sees or moves them."""
    block = TimeBlock.get_or_none(TimeBlock.id == block_id, TimeBlock.owner == current_user.id) if block_id else None
    if block is None:
        abort(404)
    return block


@bp.route("/calendar")
def day_view():
    day = services.day_of(request.args.get("day")) or team_today()
    blocks = calendar.blocks_between(current_user, day, day)
    loose = list(services.open_tasks(current_user, day).where(Task.block.is_null()).order_by(Task.important.desc(), Task.urgent.desc(),
                                                                                               Task.id).limit(100))
    start = request.args.get("start", "")
    start = int(start) if start.isdigit() and int(start) <= 22 else 14
    return render_page("timemgmt/calendar_day.html", "day", day=day, blocks=blocks, facts=calendar.annotate(blocks), loose=loose,
                       one_day=datetime.timedelta(days=1), start=start)


@bp.route("/calendar/week")
def week_view():
    day = services.day_of(request.args.get("day")) or team_today()
    monday = day - datetime.timedelta(days=day.weekday())
    days = [monday + datetime.timedelta(days=offset) for offset in range(7)]
    blocks = calendar.blocks_between(current_user, days[0], days[-1])
    hours, cells, continues = calendar.week_grid(blocks, days)
    return render_page("timemgmt/calendar_week.html", "week", day=monday, days=days, hours=hours, cells=cells, continues=continues,
                       facts=calendar.annotate(blocks), one_week=datetime.timedelta(days=7), today=team_today())


@bp.route("/blocks/new", methods=["POST"])
def new_block():
    form = request.form
    values = calendar.clean_block(date_from(form.get("day")), form.get("start"), form.get("end"), form.get("category"), form.get("title"))
    block = calendar.save_block(current_user, values)
    flash(_("Block added."), "success")
    return redirect(url_for("timemgmt.day_view", day=local_time(block.starts_at).date().isoformat()))


@bp.route("/blocks/<int:block_id>", methods=["GET", "POST"])
def block(block_id):
    block = block_or_404(block_id)
    if request.method == "POST":
        form = request.form
        values = calendar.clean_block(date_from(form.get("day")), form.get("start"), form.get("end"), form.get("category"),
                                      form.get("title"))
        block = calendar.save_block(current_user, values, block)
        flash(_("Block saved."), "success")
        return redirect(url_for("timemgmt.day_view", day=local_time(block.starts_at).date().isoformat()))
    return render_page("timemgmt/block_form.html", time_block=block)


@bp.route("/blocks/<int:block_id>/delete", methods=["POST"])
def delete_block(block_id):
    block = block_or_404(block_id)
    day = local_time(block.starts_at).date()
    calendar.delete_block(block)
    return redirect(url_for("timemgmt.day_view", day=day.isoformat()))


@bp.route("/blocks/move", methods=["POST"])
def move_block():
    """A block dropped on an hour of a day of the week (the board's script: `deal` is the card,
    `stage` the cell: "2026-03-31T09", or a day alone)."""
    block = block_or_404(id_from(request.form.get("deal")))
    stage = str(request.form.get("stage", ""))
    day, _sep, hour = stage.partition("T")
    day = services.day_of(day)
    if day is None or (hour and not (hour.isdigit() and 0 <= int(hour) <= 23)):
        raise services.Refused(_("Drop it on a day."))
    calendar.move_block(block, day, int(hour) if hour else None)
    return render_fragment("timemgmt/calendar_week.html", "moved")


@bp.route("/blocks/assign", methods=["POST"])
def assign():
    """A task dropped into a block (or back onto the loose tasks, `stage` "none")."""
    task = services.task_or_404(current_user, id_from(request.form.get("deal")), change=True)
    stage = request.form.get("stage", "")
    target = None if stage == "none" else block_or_404(id_from(stage))
    calendar.put_in_block(task, target)
    if request.headers.get("HX-Request"):
        response = render_fragment("timemgmt/calendar_week.html", "moved")
        response.headers["HX-Trigger"] = "board-refresh"
        return response
    return redirect(url_for("timemgmt.day_view", day=local_time(target.starts_at).date().isoformat() if target else None))


# -- the calendar feed ------------------------------------------------------------------------------


@bp.route("/feed", methods=["GET", "POST"])
def feed_settings():
    token = calendar.feed_token(current_user, renew=request.method == "POST")
    if request.method == "POST":
        flash(_("A new address: the old one no longer works."), "success")
        return redirect(url_for("timemgmt.feed_settings"))
    return render_page("timemgmt/feed.html", url=url_for("timemgmt.feed", token=token, _external=True))


@bp.route("/feed/<token>.ics")
@public
def feed(token):
    user = calendar.owner_of_feed(token)
    if user is None:
        abort(404)
    return Response(calendar.feed(user), mimetype="text/calendar", headers={"Cache-Control": "private, max-age=300"})
