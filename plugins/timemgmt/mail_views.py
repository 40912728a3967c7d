"""The admin's settings of the morning digest."""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.api import records, render_page, requires

from . import digest
from .views import bp


@bp.route("/mail", methods=["GET", "POST"])
@requires("administer")
def mail_settings():
    if request.method == "POST":
        _saved, changes = digest.save_settings(request.form)
        if changes:
            records.audit("mail_settings", "timemgmt", None, str(_("Morning digest")), changes, current_user)
        flash(_("The morning digest's settings are saved."), "success")
        return redirect(url_for("timemgmt.mail_settings"))
    return render_page("timemgmt/mail.html", config=digest.settings(), security=digest.SECURITY)
