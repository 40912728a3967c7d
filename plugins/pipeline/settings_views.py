"""The pipeline's settings, for admins: what board cards show, lost reasons, the pool's rules."""
from __future__ import annotations

import peewee
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.api import (
    db,
    get_entity,
    id_from,
    label_texts,
    labels_from_form,
    records,
    render_page,
    requires,
    same_as_catalogue,
    too_long,
    typed_labels,
    utcnow,
)

from . import services
from .entities import DEAL
from .models import LostReason, ensure_lost_reasons
from .views import bp


def _page(errors=None, status=200):
    schema = get_entity(DEAL)
    ensure_lost_reasons()
    reasons = list(LostReason.select().order_by(LostReason.archived_at.is_null(False), LostReason.position, LostReason.id))
    return render_page("pipeline/settings.html", status=status, values=services.settings(), errors=errors or {},
                       candidates=[spec for spec in schema.active_fields if spec.key not in ("name",)],
                       reasons=reasons, reason_texts={reason.id: label_texts(getattr(reason.label, "source", reason.label), reason.labels)
                                                      for reason in reasons})


@bp.route("/settings", methods=["GET", "POST"])
@requires("administer")
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
    schema = get_entity(DEAL)
    cards = [key for key in request.form.getlist("card_fields") if schema.field(key) is not None][:6]
    if errors:
        return _page(errors, status=400)
    for key, value in numbers.items():
        services.set_setting(key, value, current_user)
    services.set_setting("card_fields", cards, current_user)
    flash(_("The pipeline's settings are saved."), "success")
    return redirect(url_for("pipeline.settings"))


@bp.route("/settings/lost-reasons", methods=["POST"])
@requires("administer")
def lost_reasons():
    """Add a reason, rename one, or archive and restore it (deals keep the reason they were lost for)."""
    action = request.form.get("action")
    typed = labels_from_form(request.form)  # the reason in each language; None from a form with one name
    label, labels = typed_labels(request.form.get("label", ""), typed)
    if action == "add":
        if not label or too_long(label, labels, 120):
            flash(_("A reason has 1 to 120 characters."), "error")
            return redirect(url_for("pipeline.settings"))
        if _named_alike(labels, None):
            flash(_("%(label)s is already in the list.", label=label), "error")
            return redirect(url_for("pipeline.settings"))
        try:
            with db.atomic():
                position = (LostReason.select(peewee.fn.MAX(LostReason.position)).scalar() or 0) + 1
                LostReason.create(label=label, labels=labels, position=position)
                records.audit("setting_change", "pipeline:settings", None, "lost_reasons", {"lost_reasons": [None, label]}, current_user)
        except peewee.IntegrityError:
            flash(_("%(label)s is already in the list.", label=label), "error")
        return redirect(url_for("pipeline.settings"))
    reason = LostReason.get_or_none(LostReason.id == id_from(request.form.get("reason")))
    if reason is None:
        abort(404)
    with db.atomic():
        if action == "rename" and typed is not None:
            return _rename(reason, label, labels)
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
            records.audit("setting_change", "pipeline:settings", None, "lost_reasons", {"lost_reasons": [before, label]}, current_user)
        elif action in ("archive", "restore"):
            reason.archived_at = utcnow() if action == "archive" else None
            reason.save()
        else:
            abort(400)
    return redirect(url_for("pipeline.settings"))


def _named_alike(labels: dict, reason) -> bool:
    """Whether another reason already reads as one of `labels` in the same language."""
    others = LostReason.select().where(LostReason.id != (reason.id if reason is not None else 0))
    for other in others:
        texts = label_texts(getattr(other.label, "source", other.label), other.labels)
        if any(text and texts.get(code) == text for code, text in labels.items()):
            return True
    return False


def _rename(reason, label: str, labels: dict):
    """Name a reason in each language: deals lost for it read the new names (they keep the
    reason as stored, which does not change)."""
    if not label or too_long(label, labels, 120):
        flash(_("A reason has 1 to 120 characters."), "error")
        return redirect(url_for("pipeline.settings"))
    source = getattr(reason.label, "source", reason.label)
    before = label_texts(source, reason.labels)
    if labels == before:
        return redirect(url_for("pipeline.settings"))  # unchanged
    if _named_alike(labels, reason):
        flash(_("%(label)s is already in the list.", label=label), "error")
        return redirect(url_for("pipeline.settings"))
    reason.labels = {} if same_as_catalogue(source, labels) else labels
    reason.save(only=[LostReason.labels])
    records.audit("setting_change", "pipeline:settings", None, "lost_reasons", {"lost_reasons": [before, labels]}, current_user)
    return redirect(url_for("pipeline.settings"))
