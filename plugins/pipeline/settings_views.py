"""The pipeline's settings, for admins: what board cards show, lost reasons, the pool's rules."""
from __future__ import annotations

import peewee
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.auth import role_required
from core.db import db, utcnow
from core.lowcode import records as R
from core.lowcode.entities import get_entity
from core.models import ADMIN
from core.shell import id_from, render_page

from . import services
from .entities import DEAL
from .models import LostReason, ensure_lost_reasons
from .views import bp


def _page(errors=None, status=200):
    view = get_entity(DEAL)
    ensure_lost_reasons()
    return render_page("pipeline/settings.html", status=status, values=services.settings(), errors=errors or {},
                       candidates=[spec for spec in view.active_fields if spec.key not in ("name",)],
                       reasons=list(LostReason.select().order_by(LostReason.archived_at.is_null(False), LostReason.position, LostReason.id)))


@bp.route("/settings", methods=["GET", "POST"])
@role_required(ADMIN)
def settings():
    if request.method == "GET":
        return _page()
    errors = {}
    numbers = {}
    for key, low, high in (("pool_return_days", 1, 3650), ("pool_claim_limit", 1, 100000)):
        text = request.form.get(key, "").strip()
        numbers[key] = int(text) if text.isdigit() and len(text) < 10 else 0
        if not low <= numbers[key] <= high:
            errors[key] = _("Write a whole number from %(low)d to %(high)d.", low=low, high=high)
    view = get_entity(DEAL)
    cards = [key for key in request.form.getlist("card_fields") if view.field(key) is not None][:6]
    if errors:
        return _page(errors, status=400)
    for key, value in numbers.items():
        services.set_setting(key, value, current_user)
    services.set_setting("card_fields", cards, current_user)
    flash(_("The pipeline's settings are saved."), "success")
    return redirect(url_for("pipeline.settings"))


@bp.route("/settings/lost-reasons", methods=["POST"])
@role_required(ADMIN)
def lost_reasons():
    """Add a reason, rename one, or archive and restore it (deals keep the reason they were lost for)."""
    action = request.form.get("action")
    label = request.form.get("label", "").strip()
    if action == "add":
        if not label or len(label) > 120:
            flash(_("A reason has 1 to 120 characters."), "error")
            return redirect(url_for("pipeline.settings"))
        try:
            with db.atomic():
                position = (LostReason.select(peewee.fn.MAX(LostReason.position)).scalar() or 0) + 1
                LostReason.create(label=label, position=position)
                R.audit("setting_change", "pipeline:settings", None, "lost reasons", {"lost_reasons": [None, label]}, current_user)
        except peewee.IntegrityError:
            flash(_("%(label)s is already in the list.", label=label), "error")
        return redirect(url_for("pipeline.settings"))
    reason = LostReason.get_or_none(LostReason.id == id_from(request.form.get("reason")))
    if reason is None:
        abort(404)
    with db.atomic():
        if action == "rename":
            if not label or len(label) > 120:
                flash(_("A reason has 1 to 120 characters."), "error")
                return redirect(url_for("pipeline.settings"))
            if label == reason.label:
                return redirect(url_for("pipeline.settings"))  # unchanged (as read in this language)
            if LostReason.select().where(LostReason.label == label, LostReason.id != reason.id).exists():
                flash(_("%(label)s is already in the list.", label=label), "error")
                return redirect(url_for("pipeline.settings"))
            before = reason.label
            reason.label = label
            reason.save()
            R.audit("setting_change", "pipeline:settings", None, "lost reasons", {"lost_reasons": [before, label]}, current_user)
        elif action in ("archive", "restore"):
            reason.archived_at = utcnow() if action == "archive" else None
            reason.save()
        else:
            abort(400)
    return redirect(url_for("pipeline.settings"))
