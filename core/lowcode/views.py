"""Record pages for every entity: list, detail with history, form, delete and restore, bulk
edit, and moving between stages. Every page loads records through the row scope."""
from __future__ import annotations

import functools
from dataclasses import dataclass

import peewee
from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth import requires
from ..shell import id_from, page_number, render_fragment, render_page
from . import query as list_query
from . import records as record_service
from . import search, types
from .audit_views import change_label, setting_value
from .entities import EntitySchema, FieldSpec, entity_or_404, get_entity
from .models import PENDING, Approval, AuditEntry, Stage
from .processes import current_stage, missing_fields, move, stages_of

bp = Blueprint("records", __name__, url_prefix="/records")
BULK_LIMIT = 500


def editable_or_403(schema: EntitySchema) -> None:
    """Some entities are edited by certain roles only (a product catalogue: managers and admins)."""
    if not schema.may_edit(current_user):
        abort(403)


# -- showing values -------------------------------------------------------------------------------


class Cell:
    """A value as a page shows it: its text, and its link or its coloured tags. A linked record's
    address is built only when a page asks for it (a board card shows the text alone, and building
    an address per card was a tenth of the board's time)."""

    __slots__ = ("text", "_href", "color", "tags")

    def __init__(self, text: str, href=None, color: str | None = None, tags: list | None = None):
        self.text, self._href, self.color, self.tags = text, href, color, tags

    @property
    def href(self) -> str | None:
        if callable(self._href):
            self._href = self._href()
        return self._href


def cell(schema: EntitySchema, record, spec: FieldSpec, lookups: dict) -> Cell:
    stored = schema.value(record, spec)
    text = spec.type.display(stored, spec, lookups)
    if stored in (None, "", []):
        return Cell("")
    if spec.type.key == "url":
        return Cell(text, href=stored)
    if spec.type.key == "email":
        return Cell(text, href=f"mailto:{stored}")
    if spec.type.key == "link" and spec.options.get("entity"):
        target = get_entity(spec.options["entity"])
        return Cell(text, href=functools.partial(target.url_of, stored) if target else None)
    if spec.type.key in ("select", "multiselect"):
        colors = {c["value"]: c.get("color") or "slate" for c in spec.options.get("choices", [])}
        values = stored if isinstance(stored, list) else [stored]
        return Cell(text, tags=[(types.choice_label(spec, value), colors.get(value, "slate")) for value in values])
    return Cell(text)


def _filter_context(schema: EntitySchema, wanted: list_query.ListRequest) -> dict:
    filterable = [spec for spec in schema.fields if spec.filterable and not spec.hidden]
    return {
        "filterable": filterable,
        "operators": {spec.key: list_query.operators_for(spec) for spec in filterable},
        # Choices only for the filters in use: a fixed number of queries per page.
        "filter_choices": {flt.spec.key: _value_choices(schema, flt.spec) for flt in wanted.filters},
    }


# -- the list -------------------------------------------------------------------------------------


@bp.route("/<entity>/")
def index(entity: str):
    schema = entity_or_404(entity)
    deleted = request.args.get("deleted") == "1"
    if deleted and not current_user.may("see_everything"):
        abort(403)
    wanted = list_query.read(schema, request.args)
    number = page_number(request.args)
    page = list_query.page_of(schema, schema.visible(deleted=deleted), wanted, number, current_app.config["PAGE_SIZE"])
    columns = schema.list_columns
    names = record_service.lookups(schema, page.items, columns)
    rows = [(record, [cell(schema, record, spec, names) for spec in columns]) for record in page.items]
    bulk_fields = [spec for spec in schema.form_fields if spec.type.kind != types.LIST] + (
        [schema.field(schema.owner_field)] if current_user.may("reassign") and schema.field(schema.owner_field) else [])
    return render_page(
        "records/list.html", "results", schema=schema, page=page, rows=rows, columns=columns, wanted=wanted,
        deleted=deleted, bulk_fields=bulk_fields, **_filter_context(schema, wanted),
    )


@bp.route("/<entity>/filter-row")
def filter_row(entity: str):
    """An empty filter row, appended by the "Add a filter" button (htmx)."""
    schema = entity_or_404(entity)
    return render_page("records/_filter_row.html", schema=schema, spec=None, op="", value="",
                       **_filter_context(schema, list_query.ListRequest()))


@bp.route("/<entity>/choices")
def link_choices(entity: str):
    """The options of a link to this entity, for what the user typed in the form's search (htmx):
    the records they may see whose text holds it, newest first, and the one already chosen."""
    schema = entity_or_404(entity)
    typed = (request.args.get("link-search") or "").strip().lower()[:100]
    query = schema.visible().select(*schema.title_columns()).order_by(schema.model.id.desc())
    if typed:
        query = query.where(search.matches(schema.model, typed))
    found = [(record.id, schema.title_of(record)) for record in query.limit(types.LinkType.choice_limit)]
    selected = id_from(request.args.get("selected"))
    if selected is not None and selected not in {record_id for record_id, _title in found}:
        kept = schema.visible().select(*schema.title_columns()).where(schema.model.id == selected).first()
        found = ([(kept.id, schema.title_of(kept))] if kept else []) + found
    return render_fragment("records/_link_options.html", "options", choices=found, selected=selected)


@bp.route("/<entity>/filter-value")
def filter_value(entity: str):
    """The value input of one filter row, fitted to the chosen field and operator (htmx)."""
    schema = entity_or_404(entity)
    spec = schema.field(request.args.get("fk", ""))
    if spec is None or not spec.filterable:
        abort(404)
    op = request.args.get("fo", "")
    operators = list_query.operators_for(spec)
    if op not in {name for name, _label in operators}:
        op = operators[0][0]
    choices = _value_choices(schema, spec)
    return render_page("records/_filter_value.html", schema=schema, spec=spec, op=op, operators=operators, choices=choices,
                       value=request.args.get("fv", "")[:200], no_value=list_query.NO_VALUE)


def _value_choices(schema: EntitySchema, spec: FieldSpec):
    from ..models import User

    if spec.type.key in ("select", "multiselect") or spec.options.get("choices"):
        return [(c["value"], types.choice_text(c)) for c in spec.options.get("choices", [])]
    if isinstance(spec.type, types.UserType):
        return [(u.id, u.name) for u in User.select(User.id, User.name).order_by(User.name)]
    if spec.type.key == "stage":
        return [(s.id, f"{s.process.label} · {s.label}") for s in schema.stages()]
    return None


# -- one record -----------------------------------------------------------------------------------


def history(schema: EntitySchema, record) -> list:
    """The record's audit entries, newest first, values shown as the fields show them."""
    from ..models import User

    entries = list(AuditEntry.select(AuditEntry, User).join(User, on=(AuditEntry.user == User.id), join_type=peewee.JOIN.LEFT_OUTER)
                   .where(AuditEntry.entity == schema.key, AuditEntry.record_id == record.id)
                   .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(200))
    names = record_service.reference_names(schema, [entry.changes or {} for entry in entries])
    shown = []
    for entry in entries:
        changes = []
        for key, (before, after) in (entry.changes or {}).items():
            spec = schema.field(key)
            if spec is None:  # a change that is no field's (a merge, a product line...)
                changes.append((change_label(key), setting_value(key, before), setting_value(key, after)))
            else:
                changes.append((spec.label, record_service.shown(spec, before, names), record_service.shown(spec, after, names)))
        shown.append(record_service.History(at=entry.at, user=entry.user.name if entry.user_id and entry.user else "", action=entry.action,
                                            changes=changes))
    return shown


@bp.route("/<entity>/<int:record_id>")
def detail(entity: str, record_id: int):
    schema = entity_or_404(entity)
    deleted = request.args.get("deleted") == "1" and current_user.may("see_everything")
    record = schema.visible_or_404(record_id, deleted=deleted)
    shown = [spec for spec in schema.active_fields if not spec.hidden
             and not (spec.key == schema.stage_field and schema.value(record, spec) is None)]
    names = record_service.lookups(schema, [record], shown)
    fields = [(spec, cell(schema, record, spec, names)) for spec in shown]
    stage = current_stage(schema, record) if schema.has_process else None
    stages = stages_of(stage.process_id) if stage is not None else []
    pending = (Approval.select().where(Approval.entity == schema.key, Approval.record_id == record.id, Approval.status == PENDING).first()
               if schema.has_process else None)
    kept = (record.custom or {}).get("_kept") or {}
    return render_page("records/detail.html", schema=schema, record=record, fields=fields, history=history(schema, record),
                       stage=stage, stages=stages, pending=pending, kept=kept, deleted=record.deleted_at is not None,
                       may_change=schema.may_change(record))


def _form_page(schema: EntitySchema, form, record, status: int = 200, conflict=None):
    return render_page("records/form.html", "record_form", status=status, schema=schema, form=form, record=record,
                       specs=schema.form_fields, conflict=conflict)


def _prefill(schema: EntitySchema) -> dict:
    """Values a link may give a new record (?customer=12): read as the field's type reads text;
    what does not parse is ignored, and a link still offers only records the user may see."""
    values = {}
    for spec in schema.form_fields:
        text = request.args.get(spec.key)
        if text is None:
            continue
        try:
            if spec.type.kind == types.REFERENCE:
                if id_from(text) is not None:
                    values[spec.key] = id_from(text)
                continue
            values[spec.key] = spec.type.parse_text(text, spec)
        except types.Conversion:
            continue
    return values


@dataclass(frozen=True)
class DuplicateNote:
    """A likely duplicate as the warning shows it: a link when the user may open the record, else
    who owns it (so they can ask for it) and no link to a page that would answer 404."""

    record_id: int
    title: str
    why: str
    href: str | None
    owner: str


def duplicate_notes(schema: EntitySchema, matches: list) -> list[DuplicateNote]:
    """Two queries for all the matches: which ones the user may see, and who owns each."""
    from ..models import User

    ids = [record_id for record_id, _title, _why in matches]
    visible = {row.id for row in schema.visible().select(schema.model.id).where(schema.model.id.in_(ids))}
    owners = {}
    if schema.owner_field and schema.field(schema.owner_field) is not None:
        owner = getattr(schema.model, schema.owner_field)
        owners = {row.id: row.owner_name for row in schema.model.select(schema.model.id, User.name.alias("owner_name"))
                  .join(User, on=(owner == User.id)).where(schema.model.id.in_(ids)).objects()}
    return [DuplicateNote(record_id, title, why, schema.url_of(record_id) if record_id in visible else None,
                          owners.get(record_id) or "")
            for record_id, title, why in matches]


def _submit(schema: EntitySchema, record=None):
    editable_or_403(schema)
    form = record_service.make_form(schema, record, initial=_prefill(schema) if record is None and request.method == "GET" else None)
    if form.validate_on_submit():
        values = record_service.form_values(schema, form)
        if record is None and request.form.get("confirm_duplicates") != "1":
            matches = schema.duplicates([values])[0]
            if matches:
                return render_page("records/form.html", "record_form", schema=schema, form=form, record=None,
                                   specs=schema.form_fields, duplicates=duplicate_notes(schema, matches))
        try:
            record, _changes = record_service.save(schema, current_user, values, record=record,
                                                   **record_service.submitted_version(request.form))
        except record_service.UniqueViolation as clash:
            form[clash.spec.key].errors.append(clash.message)
        except record_service.Conflict as conflict:  # saved over a newer version: 409, or 200 for htmx to swap
            return _form_page(schema, record_service.conflict_form(schema, conflict), conflict.record, 200 if request.htmx else 409,
                              conflict=conflict)
        else:
            flash(_("%(title)s is saved.", title=schema.title_of(record)), "success")
            target = schema.url_of(record.id)
            if request.htmx:  # htmx follows the header: the form is not drawn again only to be left
                return "", 204, {"HX-Redirect": target}
            return redirect(target)
    # htmx swaps the fragment only with a 200; a plain form post gets 400 with its errors.
    status = 400 if form.errors and not request.htmx else 200
    return _form_page(schema, form, record, status)


@bp.route("/<entity>/new", methods=["GET", "POST"])
def new(entity: str):
    return _submit(entity_or_404(entity))


@bp.route("/<entity>/<int:record_id>/edit", methods=["GET", "POST"])
def edit(entity: str, record_id: int):
    schema = entity_or_404(entity)
    return _submit(schema, schema.changeable_or_404(record_id))


@bp.route("/<entity>/<int:record_id>/delete", methods=["POST"])
def delete(entity: str, record_id: int):
    schema = entity_or_404(entity)
    editable_or_403(schema)
    record = schema.changeable_or_404(record_id)
    record_service.soft_delete(schema, record, current_user)
    flash(_("%(title)s is deleted. An admin can restore it.", title=schema.title_of(record)), "success")
    return redirect(url_for("records.index", entity=schema.key))


@bp.route("/<entity>/<int:record_id>/restore", methods=["POST"])
@requires("administer")
def restore(entity: str, record_id: int):
    schema = entity_or_404(entity)
    record = schema.changeable_or_404(record_id, deleted=True)
    record_service.restore(schema, record, current_user)
    flash(_("%(title)s is restored.", title=schema.title_of(record)), "success")
    return redirect(url_for("records.detail", entity=schema.key, record_id=record.id))


# -- many records at once -------------------------------------------------------------------------


@bp.route("/<entity>/bulk-value")
def bulk_value(entity: str):
    """The input for the value of a bulk edit, fitted to the chosen field (htmx)."""
    schema = entity_or_404(entity)
    spec = schema.field(request.args.get("field", ""))
    if spec is None or not (spec.in_form or spec.key == schema.owner_field):
        abort(404)
    form = _bulk_form(schema, spec)
    return render_page("records/_bulk_value.html", spec=spec, form=form)


def _bulk_form(schema: EntitySchema, spec: FieldSpec):
    from flask_wtf import FlaskForm

    field = spec.type.form_field(spec) if spec.key != schema.owner_field else types.UserType().form_field(spec)
    form = type("BulkForm", (FlaskForm,), {"value": field})(prefix="bulk")
    spec.type.prepare(form.value, spec, None) if spec.key != schema.owner_field else types.UserType().prepare(form.value, spec, None)
    return form


@bp.route("/<entity>/bulk", methods=["POST"])
def bulk(entity: str):
    schema = entity_or_404(entity)
    editable_or_403(schema)
    spec = schema.field(request.form.get("field", ""))
    owner_change = spec is not None and spec.key == schema.owner_field
    if spec is None or not (spec.in_form or (owner_change and current_user.may("reassign"))):
        flash(_("Choose a field to change."), "error")
        return redirect(url_for("records.index", entity=schema.key))
    ids = sorted({id_from(value) for value in request.form.getlist("ids")})
    if None in ids:
        abort(400)
    ids = ids[:BULK_LIMIT]
    records = list(schema.changeable().where(schema.model.id.in_(ids or [0])))
    form = _bulk_form(schema, spec)
    if not records:
        flash(_("Select the records to change first."), "error")
    elif len(records) < len(ids) and schema.visible().where(schema.model.id.in_(ids)).count() > len(records):
        flash(_("Some of the selected records are not yours to change (the pool's are claimed first). Nothing is changed."), "error")
    elif not form.validate():
        flash(_("%(field)s: %(error)s", field=spec.label, error=" ".join(map(str, form.value.errors))), "error")
    else:
        stored = form.value.data if spec.base else spec.type.clean(form.value.data, spec)
        try:
            count = record_service.bulk_set(schema, records, spec, stored, current_user)
        except record_service.UniqueViolation as clash:
            flash(clash.message, "error")
        else:
            flash(_("%(field)s is changed on %(count)d record(s).", field=spec.label, count=count), "success")
    return redirect(request.form.get("back") if (request.form.get("back") or "").startswith("/records/") else url_for("records.index",
                                                                                                                      entity=schema.key))


# -- stages ---------------------------------------------------------------------------------------


@bp.route("/<entity>/<int:record_id>/move", methods=["GET", "POST"])
def move_record(entity: str, record_id: int):
    """Move a record into a stage (POST). When the stage requires fields the record lacks, the
    answer is a small form asking for them; GET shows that form."""
    schema = entity_or_404(entity)
    if not schema.has_process:
        abort(404)
    record = schema.changeable_or_404(record_id)
    stage = Stage.get_or_none(Stage.id == id_from(request.values.get("stage")))
    if stage is None:
        abort(404)
    before = current_stage(schema, record)
    if stage.archived_at is not None or (before is not None and stage.process_id != before.process_id):
        abort(404)
    asked = [spec for spec in missing_fields(schema, record, stage) if spec.in_form]
    form = record_service.make_form(schema, record, only={spec.key for spec in asked})
    # then=event: a page such as a kanban board moves records in place; it gets the answer as a
    # short fragment and a `record-moved` event instead of being sent to the record.
    quiet = request.values.get("then") == "event"
    if request.method == "GET":
        return _move_page(schema, record, stage, form, asked, quiet)

    values = {}
    for spec in asked:
        if form[spec.key].validate(form):
            stored = form[spec.key].data if spec.base else spec.type.clean(form[spec.key].data, spec)
            if stored not in (None, "", []):
                values[spec.key] = stored
    if any(form[spec.key].errors for spec in asked):
        return _move_page(schema, record, stage, form, asked, quiet)
    result = move(schema, record, stage, current_user, values)
    if result.status == "needs_fields":
        for spec in result.missing:
            if spec.in_form and spec not in asked:  # missing only now: its choices were not loaded
                spec.type.prepare(form[spec.key], spec, schema.value(record, spec))
            if spec.in_form and not form[spec.key].errors:
                form[spec.key].errors = [_("%(stage)s needs this field.", stage=stage.label)]
        return _move_page(schema, record, stage, form, [spec for spec in result.missing if spec.in_form], quiet)
    if result.status == "pending":
        message, category = _("Moving to %(stage)s waits for a manager's approval.", stage=stage.label), "info"
    else:
        message, category = _("%(title)s is now in %(stage)s.", title=schema.title_of(record), stage=stage.label), "success"
    if quiet:
        response = render_fragment("records/move.html", "move_done", message=message, category=category)
        response.headers["HX-Trigger"] = "record-moved"
        return response
    flash(message, category)
    target = schema.url_of(record.id)
    if request.htmx:
        response = _move_page(schema, record, stage, form, [])
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target)


def _move_page(schema, record, stage, form, asked, quiet=False):
    return render_page("records/move.html", "move_form", schema=schema, record=record, stage=stage, form=form, asked=asked,
                       quiet=quiet)
