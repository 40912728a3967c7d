"""Saving records: the one path every form, import and bulk edit takes.

It applies the effective form, fills defaults, works out calculated fields, refreshes the search
text, checks unique fields race-free (SQLite's BEGIN IMMEDIATE; an advisory lock on PostgreSQL),
records the change in the audit log and tells the plugins, all in one transaction.
"""
from __future__ import annotations

import datetime
import decimal
import zlib
from dataclasses import dataclass

import peewee
from flask import current_app, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms.fields.core import UnboundField

from ..db import db, is_sqlite, utcnow
from ..i18n import utc_time
from ..plugins import host_of
from . import types as T
from .entities import EntityView, FieldSpec
from .formula import evaluate
from .models import AuditEntry, Stage, Translated, TranslatedField

SEARCH_TEXT_LIMIT = 4000


class UniqueViolation(Exception):
    def __init__(self, spec: FieldSpec):
        self.spec = spec
        self.message = _("Another record already has this %(field)s.", field=spec.label)
        super().__init__(self.message)


# -- the effective form ---------------------------------------------------------------------------


def _relabelled(unbound: UnboundField, label, description) -> UnboundField:
    kwargs = dict(unbound.kwargs, label=label, description=description)
    args = unbound.args[1:] if unbound.args else ()
    return UnboundField(unbound.field_class, *args, **kwargs)


def form_class(view: EntityView):
    """The base form plus the custom fields, built once per version of the schema."""
    cached = getattr(view, "_form_class", None)
    if cached is not None:
        return cached
    attributes = {}
    for spec in view.designable_fields:
        if spec.base:
            unbound = getattr(view.base_form, spec.key, None)
            if unbound is None:
                continue
            if not spec.in_form:
                attributes[spec.key] = None  # WTForms: None in a subclass removes the field
            elif spec.definition is not None:
                attributes[spec.key] = _relabelled(unbound, spec.label, spec.help)
        elif spec.in_form:
            attributes[spec.key] = spec.type.form_field(spec)
    view._form_class = type(f"{view.key.replace('.', '_')}_form", (view.base_form,), attributes)
    return view._form_class


def make_form(view: EntityView, record=None, submitted: bool = True, initial: dict | None = None,
              only: set | None = None, typed: set | None = None):
    """The form for a new record (defaults and `initial` stored values filled in) or an existing
    one. On a POST, Flask-WTF fills it from the submission, unless `submitted` is False (a preview
    inside another form). `only`: the fields that will be used, the others left unprepared (their
    choices not loaded), as when a move asks for two fields of a long form. `typed`: fields filled
    from the submission over the record's values (what a user typed, kept after a conflict)."""
    data = _form_data(view, record, initial or {})
    form = form_class(view)(data=data) if submitted else form_class(view)(formdata=None, data=data)
    for key in typed or ():
        form[key].process(request.form)
    if record is not None:
        from .record_versions import EditState

        form.edit_state = EditState(view, record, submitted)
    else:
        form.edit_state = None
    for spec in view.form_fields:
        if only is None or spec.key in only:
            spec.type.prepare(form[spec.key], spec, view.value(record, spec) if record is not None else None)
    return form


def _form_data(view: EntityView, record, initial: dict) -> dict:
    data = {}
    for spec in view.form_fields:
        if record is None and spec.key in initial:
            data[spec.key] = spec.type.to_form(initial[spec.key], spec)
        elif record is None:
            data[spec.key] = None if spec.base else spec.type.to_form(spec.default, spec)
        elif spec.base and isinstance(spec.column, peewee.DateTimeField):
            data[spec.key] = spec.type.to_form(view.value(record, spec), spec)  # the team's time
        elif spec.base:
            data[spec.key] = view.value(record, spec) if hasattr(spec.column, "rel_model") else getattr(record, spec.key)
        else:
            data[spec.key] = spec.type.to_form(view.value(record, spec), spec)
    return data


# -- lookups for showing references ---------------------------------------------------------------


def _reference_kind(spec: FieldSpec) -> str | None:
    if spec.type.kind != T.REFERENCE:
        return None
    if isinstance(spec.type, T.UserType):
        return "user"
    if spec.type.key == "stage":
        return "stage"
    return spec.options.get("entity")


def lookups(view: EntityView, records: list, specs: list[FieldSpec]) -> dict:
    """Names of the users, stages and linked records a page shows: one query per kind, whatever
    the number of records."""
    wanted: dict[str, set] = {}
    for spec in specs:
        kind = _reference_kind(spec)
        if kind:
            wanted.setdefault(kind, set()).update({view.value(record, spec) for record in records} - {None})
    return _names(wanted)


def shown(spec: FieldSpec, stored, names: dict | None = None) -> str:
    """A value as its field shows it; a value stored under an older type of the field (in the
    history, say) is shown as it was written."""
    try:
        return spec.type.display(stored, spec, names)
    except (ValueError, TypeError, ArithmeticError, AttributeError):
        return "" if stored is None else str(stored)


def reference_names(view: EntityView, changes: list[dict]) -> dict:
    """Names for the references in audit changes ({field: [before, after]})."""
    wanted: dict[str, set] = {}
    for change in changes:
        for key, pair in change.items():
            spec = view.field(key)
            kind = _reference_kind(spec) if spec else None
            if kind:
                wanted.setdefault(kind, set()).update(v for v in pair if isinstance(v, int) and not isinstance(v, bool))
    return _names(wanted)


def _names(wanted: dict[str, set]) -> dict:
    from ..models import User
    from .entities import get_entity

    found = {}
    for kind, ids in wanted.items():
        if not ids:
            continue
        if kind == "user":
            found.update({("user", u.id): u.name for u in User.select(User.id, User.name).where(User.id.in_(ids))})
        elif kind == "stage":
            found.update({("stage", s.id): s.label for s in Stage.select(Stage.id, Stage.label).where(Stage.id.in_(ids))})
        else:
            target = get_entity(kind)
            if target is not None:
                rows = target.query(*target.title_columns()).where(target.model.id.in_(ids))
                found.update({(kind, row.id): target.title_of(row) for row in rows})
    return found


# -- saving ---------------------------------------------------------------------------------------


def snapshot(view: EntityView, record) -> dict:
    return {spec.key: view.value(record, spec) for spec in view.fields if not spec.meta or spec.key in (view.owner_field, view.stage_field)}


def _json(value):
    if isinstance(value, decimal.Decimal):
        return float(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def diff(before: dict, after: dict) -> dict:
    return {key: [_json(before.get(key)), _json(after.get(key))] for key in after
            if _json(before.get(key)) != _json(after.get(key))}


def compute(view: EntityView, record) -> None:
    """Work out the calculated fields, each after the ones it reads."""
    order = view.computed_order
    if not order:
        return
    values = {spec.key: view.value(record, spec) for spec in view.active_fields if spec.type.kind == T.NUMBER}
    for spec in order:
        result = evaluate(view._formulas[spec.key], values)
        stored = None if result is None else spec.type.clean(result, spec)
        values[spec.key] = stored
        if stored is None:
            record.custom.pop(spec.key, None)
        else:
            record.custom[spec.key] = stored


def recompute_all(view: EntityView) -> int:
    """Work the calculated fields out again on every record (after a formula changed)."""
    changed = 0
    query = view.model.select().where(view.model.entity == view.key) if view.in_browser else view.model.select()
    for record in query.iterator():
        before = dict(record.custom or {})
        record.custom = dict(before)
        compute(view, record)
        if record.custom != before:
            record.save(only=[view.model.custom])
            changed += 1
    return changed


def search_text(view: EntityView, record) -> str:
    parts = [spec.type.search_text(view.value(record, spec), spec) for spec in view.active_fields if spec.type.searchable]
    return " ".join(part for part in parts if part).lower()[:SEARCH_TEXT_LIMIT]


def _lock(name: str) -> None:
    """Serialise writers of one unique field. SQLite already does: every write transaction
    begins IMMEDIATE. PostgreSQL takes a transaction-scoped advisory lock."""
    if not is_sqlite():
        db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (zlib.crc32(name.encode()) - 2**31,))


def check_unique(view: EntityView, record) -> None:
    for spec in view.active_fields:
        if not spec.unique:
            continue
        value = view.value(record, spec)
        if value in (None, ""):
            continue
        _lock(f"{view.key}:{spec.key}")
        clash = view.query().where(view.expression(spec) == value)
        if record.id is not None:
            clash = clash.where(view.model.id != record.id)
        if clash.exists():
            raise UniqueViolation(spec)


def audit(action: str, view: EntityView | str, record_id, title: str, changes: dict, user) -> None:
    AuditEntry.create(
        action=action, entity=view if isinstance(view, str) else view.key, record_id=record_id,
        title=(title or "")[:200], changes=changes, user=getattr(user, "id", user),
    )


def _notify_saved(view, record, created, changes, user) -> None:
    host_of(current_app).notify(
        "on_record_saved", entity=view.key, record=record, created=created,
        changes={key: tuple(pair) for key, pair in changes.items()}, user=user,
    )


def _base_value(column, stored):
    """A value for a base column. Text is the stored form (forms, imports): a date and time in it
    is the team's wall time and becomes UTC; a `datetime` object is already UTC."""
    if isinstance(stored, str) and stored and isinstance(column, peewee.DateTimeField):
        return utc_time(datetime.datetime.fromisoformat(stored))
    if isinstance(stored, str) and stored and isinstance(column, peewee.DateField):
        return datetime.date.fromisoformat(stored[:10])
    if isinstance(stored, str) and stored and isinstance(column, TranslatedField):
        return Translated(getattr(stored, "source", stored))  # read as it will be when loaded again
    return stored


def apply_values(view: EntityView, record, values: dict) -> None:
    """Put stored values ({key: value}) on a record: base columns or the JSON column."""
    custom = dict(record.custom or {})
    for key, stored in values.items():
        spec = view.field(key)
        if spec is None:
            continue
        spec.type.storable(stored, spec)  # raises T.Unstorable: nothing is written
        if spec.base:
            column = spec.column
            if stored is None and column is not None and not column.null:
                if column.default is None:
                    continue  # a required column left out of a submission keeps its value
                stored = column.default() if callable(column.default) else column.default
            setattr(record, column.name if column is not None else key, _base_value(column, stored))
        elif stored is None or stored == [] or stored == "":
            custom.pop(key, None)
        else:
            custom[key] = stored
    record.custom = custom


def form_values(view: EntityView, form) -> dict:
    values = {}
    for spec in view.form_fields:
        data = form[spec.key].data
        if spec.base and isinstance(spec.column, peewee.DateTimeField):
            values[spec.key] = spec.type.clean(data, spec)  # text: the team's time, made UTC when applied
        else:
            values[spec.key] = data if spec.base else spec.type.clean(data, spec)
    return values


def save(view: EntityView, user, values: dict, record=None, action: str | None = None, stage: Stage | None = None,
         base: dict | None = None, version: int | None = None):
    """Create (record=None) or change a record; return (record, changes). Raises UniqueViolation.

    A change builds on the record as committed now (read again, locked); with `base`, the values
    an edit form was made from, only what the user changed is written, and a field someone else
    changed meanwhile to something else raises Conflict (`version`: the form's, to say who)."""
    from .processes import enter_first_stage
    from .record_versions import merge, reload

    created = record is None
    with db.atomic():
        if not created:
            reload(view, record)
            if base is not None:
                values = merge(view, record, values, base, version)
        if created:
            record = view.new_record(owner=user.id)
            defaults = {spec.key: spec.default for spec in view.custom_fields
                        if spec.default not in (None, "") and not spec.archived and spec.key not in values}
            values = {**defaults, **values}
        before = {} if created else snapshot(view, record)
        apply_values(view, record, values)
        compute(view, record)
        record.search_text = search_text(view, record)
        record.updated_at = utcnow()
        check_unique(view, record)
        record.save()
        if created and view.has_process:
            enter_first_stage(view, record, user, stage)
        changes = diff(before, snapshot(view, record))
        audit(action or ("create" if created else "update"), view, record.id, view.title_of(record), changes, user)
        _notify_saved(view, record, created, changes, user)
    return record, changes


def soft_delete(view: EntityView, record, user) -> None:
    with db.atomic():
        record.deleted_at = utcnow()
        record.save(only=[view.model.deleted_at])
        audit("delete", view, record.id, view.title_of(record), {"deleted_at": [None, record.deleted_at.isoformat()]}, user)
        _notify_saved(view, record, False, {"deleted_at": [None, record.deleted_at.isoformat()]}, user)


def restore(view: EntityView, record, user) -> None:
    with db.atomic():
        was = record.deleted_at.isoformat()
        record.deleted_at = None
        record.save(only=[view.model.deleted_at])
        audit("restore", view, record.id, view.title_of(record), {"deleted_at": [was, None]}, user)
        _notify_saved(view, record, False, {"deleted_at": [was, None]}, user)


def bulk_set(view: EntityView, records: list, spec: FieldSpec, stored, user) -> int:
    """Set one field on many records; each change is audited and announced like a save."""
    with db.atomic():
        for record in records:
            save(view, user, {spec.key: stored}, record=record, action="bulk_update")
    return len(records)


ACTION_LABELS = {
    "create": _l("created it"), "update": _l("changed it"), "bulk_update": _l("changed it with others"),
    "import": _l("imported it"), "delete": _l("deleted it"), "restore": _l("restored it"),
    "move": _l("moved it"), "approve": _l("approved the move"), "reject": _l("rejected the move"),
    "field_add": _l("added the field"), "field_change": _l("changed the field"),
    "field_archive": _l("archived the field"), "field_restore": _l("restored the field"),
    "field_order": _l("reordered the fields"), "entity_add": _l("created the form"),
    "entity_change": _l("changed the form's settings"), "process_add": _l("created the process"),
    "stage_add": _l("added the stage"), "stage_change": _l("changed the stage"),
    "stage_archive": _l("archived the stage"), "stage_restore": _l("restored the stage"),
    "stage_order": _l("reordered the stages"), "stage_merge": _l("merged the stage"),
    "process_archive": _l("archived the process"), "process_restore": _l("restored the process"),
}


def describe_actions(labels: dict) -> None:
    """Let a plugin name the actions it records in the audit log ({"claim": _l("claimed it")})."""
    ACTION_LABELS.update(labels)


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action.replace("_", " ")))


@dataclass
class History:
    at: object
    user: str
    action: str
    changes: list  # [(label, before, after)]


# What the record form's view uses of record_versions (it imports records only).
from .record_versions import Conflict, conflict_form, submitted_version  # noqa: E402,F401
