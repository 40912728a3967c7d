"""Processes and stages edited by admins, and the managers' approval queue."""
from __future__ import annotations

import peewee
from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth import restrict, role_required
from ..db import db, utcnow
from ..i18n import N_
from ..models import ADMIN, MANAGER, User
from ..shell import id_from, render_page
from . import types as T
from .definitions import key_from_label
from .entities import all_entities, get_entity, schema_changed
from .models import PENDING, Approval, Process, Stage
from .processes import KINDS, decide, ensure_defaults, merge, stages_of
from .records import audit

bp = Blueprint("processes", __name__, url_prefix="/admin/processes")
approvals = Blueprint("approvals", __name__, url_prefix="/approvals")


restrict(bp, ADMIN)


def _process_or_404(process_id: int) -> Process:
    process = Process.get_or_none(Process.id == process_id)
    if process is None or get_entity(process.entity) is None:
        abort(404)
    return process


def _stage_or_404(process: Process, stage_id: int) -> Stage:
    stage = Stage.get_or_none(Stage.id == stage_id, Stage.process == process)
    if stage is None:
        abort(404)
    return stage


@bp.route("/")
def index():
    ensure_defaults()
    entities = {key: view for key, view in all_entities().items() if view.has_process}
    wanted = request.args.get("entity")
    query = Process.select().where(Process.entity.in_(list(entities) or [""])).order_by(Process.entity, Process.id)
    if wanted in entities:
        query = query.where(Process.entity == wanted)
    return render_page("lowcode/processes.html", processes=list(query), entities=entities, errors={})


@bp.route("/new", methods=["POST"])
def new():
    entities = {key: view for key, view in all_entities().items() if view.has_process}
    label = request.form.get("label", "").strip()
    entity = request.form.get("entity", "")
    errors = {}
    if not label or len(label) > 120:
        errors["label"] = _("Give the process a name of 1 to 120 characters.")
    if entity not in entities:
        errors["entity"] = _("Choose which records go through it.")
    if errors:
        return render_page("lowcode/processes.html", status=400, errors=errors, entities=entities,
                           processes=list(Process.select().order_by(Process.entity, Process.id)))
    taken = {key for (key,) in Process.select(Process.key).tuples()}
    with db.atomic():
        process = Process.create(key=f"{entity}:{key_from_label(label, taken)}", label=label, entity=entity)
        for position, (key, name, kind, probability) in enumerate(
            [("new", N_("New"), "open", 10), ("won", N_("Won"), "won", 100), ("lost", N_("Lost"), "lost", 0)]
        ):
            # Stored in English, read in each user's language (see Translated).
            Stage.create(process=process, key=key, label=name, kind=kind, probability=probability, position=position,
                         color={"won": "green", "lost": "red"}.get(kind, "blue"))
        audit("process_add", f"process:{process.key}", process.id, label, {"label": [None, label]}, current_user)
        schema_changed()
    flash(_("%(label)s is created with three stages; rename and add stages as your team works.", label=label), "success")
    return redirect(url_for("processes.edit", process_id=process.id))


def _stage_values(view, form) -> tuple[dict, dict]:
    errors, values = {}, {}
    values["label"] = form.get("label", "").strip()
    if not values["label"] or len(values["label"]) > 120:
        errors["label"] = _("Give the stage a name of 1 to 120 characters.")
    values["color"] = form.get("color") if form.get("color") in T.COLORS else "slate"
    try:
        values["probability"] = int(form.get("probability", "0") or 0)
        if not 0 <= values["probability"] <= 100:
            raise ValueError
    except ValueError:
        errors["probability"] = _("Write a whole number from 0 to 100.")
    values["kind"] = form.get("kind") if form.get("kind") in KINDS else None
    if values["kind"] is None:
        errors["kind"] = _("Choose open, won or lost.")
    raw_days = form.get("followup_days", "").strip()
    try:
        values["followup_days"] = int(raw_days) if raw_days else None
        if values["followup_days"] is not None and not 0 < values["followup_days"] <= 365:
            raise ValueError
    except ValueError:
        errors["followup_days"] = _("Write a number of days from 1 to 365, or leave it empty.")
    known = {spec.key for spec in view.form_fields}
    values["required_fields"] = [key for key in form.getlist("required_fields") if key in known]
    values["needs_approval"] = form.get("needs_approval") == "y"
    return values, errors


def _editor(process, stage=None, errors=None, values=None, status=200):
    view = get_entity(process.entity)
    return render_page("lowcode/process.html", status=status, process=process, view=view,
                       stages=stages_of(process), archived=[s for s in stages_of(process, archived=True) if s.archived_at],
                       editing=stage, errors=errors or {}, values=values or {}, kinds=KINDS, colors=T.COLORS)


@bp.route("/<int:process_id>")
def edit(process_id: int):
    process = _process_or_404(process_id)
    stage = None
    if request.args.get("stage"):
        stage = _stage_or_404(process, id_from(request.args["stage"]) or 0)
    return _editor(process, stage)


@bp.route("/<int:process_id>/stages", methods=["POST"])
@bp.route("/<int:process_id>/stages/<int:stage_id>", methods=["POST"])
def save_stage(process_id: int, stage_id: int | None = None):
    process = _process_or_404(process_id)
    stage = _stage_or_404(process, stage_id) if stage_id else None
    view = get_entity(process.entity)
    values, errors = _stage_values(view, request.form)
    if errors:
        return _editor(process, stage, errors, values, status=400)
    with db.atomic():
        if stage is None:
            taken = {s.key for s in Stage.select(Stage.key).where(Stage.process == process)}
            position = (Stage.select(peewee.fn.MAX(Stage.position)).where(Stage.process == process).scalar() or 0) + 1
            stage = Stage.create(process=process, key=key_from_label(values["label"], taken), position=position, **values)
            audit("stage_add", f"process:{process.key}", stage.id, stage.label, {k: [None, v] for k, v in values.items()}, current_user)
        else:
            before = {name: getattr(stage, name) for name in values}
            for name, value in values.items():
                if before[name] != value:  # an unchanged name keeps its source (and its translations)
                    setattr(stage, name, value)
            stage.save()
            audit("stage_change", f"process:{process.key}", stage.id, stage.label,
                  {k: [before[k], v] for k, v in values.items() if before[k] != v}, current_user)
        schema_changed()
    flash(_("%(label)s is saved.", label=stage.label), "success")
    return redirect(url_for("processes.edit", process_id=process.id))


@bp.route("/<int:process_id>/order", methods=["POST"])
def order(process_id: int):
    process = _process_or_404(process_id)
    wanted = []
    for value in request.form.getlist("order"):
        try:
            wanted.append(int(value))
        except ValueError:
            abort(400)
    stages = {stage.id: stage for stage in stages_of(process)}
    ordered = [stages[i] for i in wanted if i in stages] + [s for i, s in stages.items() if i not in wanted]
    with db.atomic():
        for position, stage in enumerate(ordered):
            if stage.position != position:
                stage.position = position
                stage.save(only=[Stage.position])
        audit("stage_order", f"process:{process.key}", process.id, process.label,
              {"order": [None, [stage.label for stage in ordered]]}, current_user)
        schema_changed()
    if request.htmx:
        return render_page("lowcode/process.html", "stage_list", process=process, stages=ordered)
    return redirect(url_for("processes.edit", process_id=process.id))


@bp.route("/<int:process_id>/stages/<int:stage_id>/archive", methods=["POST"])
def archive_stage(process_id: int, stage_id: int):
    process = _process_or_404(process_id)
    stage = _stage_or_404(process, stage_id)
    view = get_entity(process.entity)
    restore = request.form.get("restore") == "1"
    if not restore:
        column = view.model._meta.fields[view.stage_field]
        in_use = view.query().where(column == stage.id).count()
        if in_use:
            flash(_("%(count)d record(s) are in %(label)s: merge it into another stage instead, so they move with it.",
                    count=in_use, label=stage.label), "error")
            return redirect(url_for("processes.edit", process_id=process.id, stage=stage.id))
        if len(stages_of(process)) <= 1:
            flash(_("A process keeps at least one stage."), "error")
            return redirect(url_for("processes.edit", process_id=process.id))
    with db.atomic():
        stage.archived_at = None if restore else utcnow()
        stage.save()
        audit("stage_restore" if restore else "stage_archive", f"process:{process.key}", stage.id, stage.label,
              {"archived": [restore, not restore]}, current_user)
        schema_changed()
    flash(_("%(label)s is restored.", label=stage.label) if restore else _("%(label)s is archived.", label=stage.label), "success")
    return redirect(url_for("processes.edit", process_id=process.id))


@bp.route("/<int:process_id>/stages/<int:stage_id>/merge", methods=["POST"])
def merge_stage(process_id: int, stage_id: int):
    process = _process_or_404(process_id)
    source = _stage_or_404(process, stage_id)
    target = _stage_or_404(process, id_from(request.form.get("into")) or 0)
    if target.id == source.id or target.archived_at is not None:
        flash(_("Choose another stage to merge into."), "error")
        return redirect(url_for("processes.edit", process_id=process.id, stage=source.id))
    moved = merge(source, target, current_user)
    flash(_("%(source)s is merged into %(target)s: %(count)d record(s) moved, their history kept.",
            source=source.label, target=target.label, count=moved), "success")
    return redirect(url_for("processes.edit", process_id=process.id))


# -- the approval queue ---------------------------------------------------------------------------


def _pending_for(user) -> list[tuple]:
    """Pending approvals of records in the user's scope: [(approval, view, record)], one query per
    entity that has any."""
    pending = list(Approval.select(Approval, User).join(User, on=(Approval.requested_by == User.id))
                   .where(Approval.status == PENDING).order_by(Approval.requested_at))
    by_entity: dict[str, list] = {}
    for approval in pending:
        by_entity.setdefault(approval.entity, []).append(approval)
    found = []
    for key, items in by_entity.items():
        view = get_entity(key)
        if view is None:
            continue
        records = {r.id: r for r in view.visible(user).where(view.model.id.in_([a.record_id for a in items]))}
        found += [(a, view, records[a.record_id]) for a in items if a.record_id in records]
    stage_ids = {a.to_stage_id for a, _v, _r in found} | {a.from_stage_id for a, _v, _r in found if a.from_stage_id}
    stages = {s.id: s for s in Stage.select().where(Stage.id.in_(stage_ids or [0]))}
    return [(a, view, record, stages.get(a.from_stage_id), stages.get(a.to_stage_id)) for a, view, record in found]


@approvals.route("/")
@role_required(ADMIN, MANAGER)
def queue():
    return render_page("lowcode/approvals.html", items=_pending_for(current_user))


@approvals.route("/<int:approval_id>", methods=["POST"])
@role_required(ADMIN, MANAGER)
def answer(approval_id: int):
    item = next((item for item in _pending_for(current_user) if item[0].id == approval_id), None)
    if item is None:
        abort(404)
    approval, view, record, _before, after = item
    verdict = request.form.get("verdict")
    reason = request.form.get("reason", "").strip()[:500]
    if verdict == "approve":
        decide(approval, view, record, current_user, approve=True)
        flash(_("%(title)s is moved to %(stage)s.", title=view.title_of(record), stage=after.label), "success")
    elif verdict == "reject":
        if not reason:
            flash(_("Say why you reject the move, so the rep knows what to do."), "error")
            return redirect(url_for("approvals.queue"))
        decide(approval, view, record, current_user, approve=False, reason=reason)
        flash(_("The move of %(title)s is rejected.", title=view.title_of(record)), "success")
    else:
        abort(400)
    return redirect(url_for("approvals.queue"))
