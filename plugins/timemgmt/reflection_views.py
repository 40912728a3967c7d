"""The weekly reflection's page."""
from __future__ import annotations

import datetime

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.api import render_page, team_today

from . import reflection, services
from .views import bp


@bp.route("/reflection", methods=["GET", "POST"])
def weekly():
    monday = reflection.monday_of(services.day_of(request.values.get("week")) or team_today())
    if request.method == "POST":
        reflection.save(current_user, monday, request.form.get("went_well"), request.form.get("to_change"))
        flash(_("Your reflection is saved."), "success")
        return redirect(url_for("timemgmt.weekly", week=monday.isoformat()))
    written = reflection.of_week(current_user, monday)
    before = reflection.of_week(current_user, monday - datetime.timedelta(days=7))
    return render_page("timemgmt/reflection.html", monday=monday, sunday=monday + datetime.timedelta(days=6),
                       numbers=reflection.week_numbers(current_user, monday), written=written, before=before,
                       history=reflection.history(current_user), one_week=datetime.timedelta(days=7))
