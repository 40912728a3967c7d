"""Processes and stages edited by admins, and the managers' approval queue. The changes
themselves are made by process_service."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth import requires, restrict
from ..i18n import label_texts, labels_from_form
from ..input_guard import Refused
from ..models import User
from ..shell import id_from, render_page
from . import process_service, types
from .definitions import DefinitionError
from .entities import all_entities, get_entity
from .models import PENDING, Approval, Process, Stage
from .processes import KINDS, decide, ensure_defaults, merge, stages_of

bp = Blueprint("processes", __name__, url_prefix="/admin/processes")
approvals = Blueprint("approvals", __name__, url_prefix="/approvals")


restrict(bp, "administer")


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
    entities = {key: schema for key, schema in all_entities().items() if schema.has_process}
    wanted = request.args.get("entity")
    query = Process.select().where(Process.entity.in_(list(entities) or [""])).order_by(Process.entity, Process.id)
    if wanted in entities:
        query = query.where(Process.entity == wanted)
    return render_page("lowcode/processes.html", processes=list(query), entities=entities, errors={})


@bp.route("/new", methods=["POST"])
def new():
    entities = {key: schema for key, schema in all_entities().items() if schema.has_process}
    entity = request.form.get("entity", "")
    try:
        process = process_service.create_process(request.form.get("label", ""), entity if entity in entities else "", current_user,
                                                 labels=labels_from_form(request.form))
    except DefinitionError as problem:
        return render_page("lowcode/processes.html", status=400, errors=problem.errors, entities=entities,
                           processes=list(Process.select().order_by(Process.entity, Process.id)))
    label = process.label
    flash(_("%(label)s is created with three stages; rename and add stages as your team works.", label=label), "success")
    return redirect(url_for("processes.edit", process_id=process.id))


def _stage_form(form) -> dict:
    """The stage editor's submission as process_service.clean_stage reads it."""
    raw = {name: form.get(name, "") for name in ("label", "color", "probability", "kind", "followup_days")}
    return {**raw, "labels": labels_from_form(form), "required_fields": form.getlist("required_fields"),
            "needs_approval": form.get("needs_approval") == "y"}


def _editor(process, stage=None, errors=None, values=None, status=200, version=None, conflict=None):
    """The process editor; `version`: (version, base) the stage editor carries, the stage's own
    unless a submission (with errors) or a conflict says otherwise."""
    schema = get_entity(process.entity)
    if stage is not None and version is None:
        version = (process_service.stage_version(process, stage), process_service.stage_base(stage))
    return render_page("lowcode/process.html", status=status, process=process, schema=schema,
                       stages=stages_of(process), archived=[s for s in stages_of(process, archived=True) if s.archived_at],
                       editing=stage, errors=errors or {}, kinds=KINDS, colors=types.COLOR_LABELS,
                       process_labels=label_texts(getattr(process.label, "source", process.label), process.labels),
                       values=values or (process_service.stage_settings(stage) if stage is not None else {}),
                       version=version, conflict=conflict)


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
    raw = _stage_form(request.form)
    base, submitted = None, None  # the settings the editor was made from, and (version, settings) as it sent them
    if stage is not None and "stage-base" in request.form:
        try:
            base = process_service.read_base(request.form["stage-base"])
        except ValueError:
            abort(400)
        submitted = (id_from(request.form.get("stage-version")) or 0, request.form["stage-base"])
    try:
        if stage is None:
            stage = process_service.add_stage(process, raw, current_user)
        else:
            stage = process_service.change_stage(process, stage, raw, current_user, base=base, version=submitted and submitted[0])
    except DefinitionError as problem:
        return _editor(process, stage, problem.errors, raw, status=400, version=submitted)
    except process_service.StageConflict as conflict:  # saved over a newer version: what the admin typed, over the stage as it is now
        errors = {name: _("Changed by someone else meanwhile; yours is kept below. Save again to keep yours.")
                  for name in conflict.settings}
        typed = {name: value for name, value in conflict.typed.items() if value != base.get(name, value)}
        return _editor(process, conflict.stage, errors, {**process_service.stage_settings(conflict.stage), **typed}, status=409,
                       conflict=conflict)
    flash(_("%(label)s is saved.", label=stage.label), "success")
    return redirect(url_for("processes.edit", process_id=process.id))


@bp.route("/<int:process_id>/order", methods=["POST"])
def order(process_id: int):
    process = _process_or_404(process_id)
    wanted = [id_from(value) for value in request.form.getlist("order")]
    if None in wanted:
        raise Refused(_("The order lists a stage that does not exist."))
    ordered = process_service.reorder_stages(process, wanted, current_user)
    if request.htmx:
        return render_page("lowcode/process.html", "stage_list", process=process, stages=ordered)
    return redirect(url_for("processes.edit", process_id=process.id))


@bp.route("/<int:process_id>/stages/<int:stage_id>/archive", methods=["POST"])
def archive_stage(process_id: int, stage_id: int):
    process = _process_or_404(process_id)
    stage = _stage_or_404(process, stage_id)
    restore = request.form.get("restore") == "1"
    try:
        process_service.set_stage_archived(process, stage, not restore, current_user)
    except DefinitionError as problem:
        flash(" ".join(problem.errors.values()), "error")
        return redirect(url_for("processes.edit", process_id=process.id, stage=stage.id))
    flash(_("%(label)s is restored.", label=stage.label) if restore else _("%(label)s is archived.", label=stage.label), "success")
    return redirect(url_for("processes.edit", process_id=process.id))


@bp.route("/<int:process_id>/name", methods=["POST"])
def rename(process_id: int):
    process = _process_or_404(process_id)
    try:
        process = process_service.rename_process(process, {"label": request.form.get("label", ""),
                                                           "labels": labels_from_form(request.form)}, current_user)
    except DefinitionError as problem:
        return _editor(process, None, {"process_label": problem.errors["label"]}, status=400)
    flash(_("%(label)s is saved.", label=process.label), "success")
    return redirect(url_for("processes.edit", process_id=process.id))


@bp.route("/<int:process_id>/archive", methods=["POST"])
def archive_process(process_id: int):
    """Archive the process (restore=1: bring it back)."""
    process = _process_or_404(process_id)
    restore = request.form.get("restore") == "1"
    try:
        records = process_service.set_process_archived(process, not restore, current_user)
    except DefinitionError as problem:
        flash(" ".join(problem.errors.values()), "error")
        return redirect(url_for("processes.edit", process_id=process.id))
    if restore:
        flash(_("%(label)s is restored: new records can enter it again.", label=process.label), "success")
    else:
        flash(_("%(label)s is archived; %(count)d record(s) keep their stage and history in it. You can restore it.",
                label=process.label, count=records), "success")
    return redirect(url_for("processes.index"))


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
        schema = get_entity(key)
        if schema is None:
            continue
        records = {r.id: r for r in schema.visible(user).where(schema.model.id.in_([a.record_id for a in items]))}
        found += [(a, schema, records[a.record_id]) for a in items if a.record_id in records]
    stage_ids = {a.to_stage_id for a, _v, _r in found} | {a.from_stage_id for a, _v, _r in found if a.from_stage_id}
    stages = {s.id: s for s in Stage.select().where(Stage.id.in_(stage_ids or [0]))}
    return [(a, schema, record, stages.get(a.from_stage_id), stages.get(a.to_stage_id)) for a, schema, record in found]


@approvals.route("/")
@requires("approve")
def queue():
    return render_page("lowcode/approvals.html", items=_pending_for(current_user))


@approvals.route("/<int:approval_id>", methods=["POST"])
@requires("approve")
def answer(approval_id: int):
    item = next((item for item in _pending_for(current_user) if item[0].id == approval_id), None)
    if item is None:
        abort(404)
    approval, schema, record, _before, after = item
    verdict = request.form.get("verdict")
    reason = request.form.get("reason", "").strip()[:500]
    if verdict == "approve":
        decide(approval, schema, record, current_user, approve=True)
        flash(_("%(title)s is moved to %(stage)s.", title=schema.title_of(record), stage=after.label), "success")
    elif verdict == "reject":
        if not reason:
            flash(_("Say why you reject the move, so the rep knows what to do."), "error")
            return redirect(url_for("approvals.queue"))
        decide(approval, schema, record, current_user, approve=False, reason=reason)
        flash(_("The move of %(title)s is rejected.", title=schema.title_of(record)), "success")
    else:
        abort(400)
    return redirect(url_for("approvals.queue"))
