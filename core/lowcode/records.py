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
from wtforms import SelectField
from wtforms.fields.core import UnboundField

from ..db import db, is_sqlite, utcnow
from ..i18n import utc_time
from ..plugins import host_of
from . import types
from .entities import EntitySchema, FieldSpec
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


def form_class(schema: EntitySchema):
    """The base form plus the custom fields, built once per version of the schema."""
    cached = getattr(schema, "_form_class", None)
    if cached is not None:
        return cached
    attributes = {}
    for spec in schema.designable_fields:
        if spec.base:
            unbound = getattr(schema.base_form, spec.key, None)
            if unbound is None:
                continue
            if not spec.in_form:
                attributes[spec.key] = None  # WTForms: None in a subclass removes the field
            elif spec.definition is not None or spec.type.key == "link":
                field = _relabelled(unbound, spec.label, spec.help) if spec.definition is not None else unbound
                if spec.type.key == "link" and issubclass(field.field_class, SelectField):
                    # a link of the plugin's form checks a submitted id in one query (types.LinkSelectField)
                    linked = UnboundField(types.LinkSelectField, *field.args, **field.kwargs)
                    linked.creation_counter = unbound.creation_counter
                    field = linked
                attributes[spec.key] = field
        elif spec.in_form:
            attributes[spec.key] = spec.type.form_field(spec)
    schema._form_class = type(f"{schema.key.replace('.', '_')}_form", (schema.base_form,), attributes)
    return schema._form_class


def make_form(schema: EntitySchema, record=None, submitted: bool = True, initial: dict | None = None,
              only: set | None = None, typed: set | None = None):
    """The form for a new record (defaults and `initial` stored values filled in) or an existing
    one. On a POST, Flask-WTF fills it from the submission, unless `submitted` is False (a preview
    inside another form). `only`: the fields that will be used, the others left unprepared (their
    choices not loaded), as when a move asks for two fields of a long form. `typed`: fields filled
    from the submission over the record's values (what a user typed, kept after a conflict)."""
    data = _form_data(schema, record, initial or {})
    form = form_class(schema)(data=data) if submitted else form_class(schema)(formdata=None, data=data)
    for key in typed or ():
        form[key].process(request.form)
    if record is not None:
        from .record_versions import EditState

        form.edit_state = EditState(schema, record, submitted)
    else:
        form.edit_state = None
    for spec in schema.form_fields:
        if only is None or spec.key in only:
            spec.type.prepare(form[spec.key], spec, schema.value(record, spec) if record is not None else None)
    return form


def _form_data(schema: EntitySchema, record, initial: dict) -> dict:
    data = {}
    for spec in schema.form_fields:
        if record is None and spec.key in initial:
            data[spec.key] = spec.type.to_form(initial[spec.key], spec)
        elif record is None:
            data[spec.key] = None if spec.base else spec.type.to_form(spec.default, spec)
        elif spec.base and isinstance(spec.column, peewee.DateTimeField):
            data[spec.key] = spec.type.to_form(schema.value(record, spec), spec)  # the team's time
        elif spec.base:
            data[spec.key] = schema.value(record, spec) if hasattr(spec.column, "rel_model") else getattr(record, spec.key)
        else:
            data[spec.key] = spec.type.to_form(schema.value(record, spec), spec)
    return data


# -- lookups for showing references ---------------------------------------------------------------


def reference_kind(spec: FieldSpec) -> str | None:
    """What a field refers to: "user", "stage", an entity's key, or None (not a reference)."""
    if spec.type.kind != types.REFERENCE:
        return None
    if isinstance(spec.type, types.UserType):
        return "user"
    if spec.type.key == "stage":
        return "stage"
    return spec.options.get("entity")


def lookups(schema: EntitySchema, records: list, specs: list[FieldSpec]) -> dict:
    """Names of the users, stages and linked records a page shows: one query per kind, whatever
    the number of records."""
    wanted: dict[str, set] = {}
    for spec in specs:
        kind = reference_kind(spec)
        if kind:
            wanted.setdefault(kind, set()).update({schema.value(record, spec) for record in records} - {None})
    return _names(wanted)


def shown(spec: FieldSpec, stored, names: dict | None = None) -> str:
    """A value as its field shows it; a value stored under an older type of the field (in the
    history, say) is shown as it was written."""
    try:
        return spec.type.display(stored, spec, names)
    except (ValueError, TypeError, ArithmeticError, AttributeError):
        return "" if stored is None else str(stored)


def reference_names(schema: EntitySchema, changes: list[dict]) -> dict:
    """Names for the references in audit changes ({field: [before, after]})."""
    wanted: dict[str, set] = {}
    for change in changes:
        for key, pair in change.items():
            spec = schema.field(key)
            kind = reference_kind(spec) if spec else None
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
            found.update({("stage", s.id): s.label for s in Stage.select(Stage.id, Stage.label, Stage.labels).where(Stage.id.in_(ids))})
        else:
            target = get_entity(kind)
            if target is not None:
                rows = target.query(*target.title_columns()).where(target.model.id.in_(ids))
                found.update({(kind, row.id): target.title_of(row) for row in rows})
    return found


# -- saving ---------------------------------------------------------------------------------------


def snapshot(schema: EntitySchema, record) -> dict:
    return {spec.key: schema.value(record, spec) for spec in schema.fields if not spec.meta or spec.key in (schema.owner_field,
                                                                                                            schema.stage_field)}


def _json(value):
    if isinstance(value, decimal.Decimal):
        return float(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def diff(before: dict, after: dict) -> dict:
    return {key: [_json(before.get(key)), _json(after.get(key))] for key in after
            if _json(before.get(key)) != _json(after.get(key))}


def formula_values(schema: EntitySchema, batch: list) -> list[dict]:
    """What the entity gives its formulas besides the stored fields, one dict per record (the
    entity's `formula_values`; a deal's `probability` is its stage's when it has none)."""
    provider = schema.declared.formula_values
    return provider(batch) if provider is not None and batch else [{} for _record in batch]


def compute(schema: EntitySchema, record, extra: dict | None = None) -> None:
    """Work out the calculated fields, each after the ones it reads. A formula that reads an empty
    value stays empty (`extra`: the entity's formula values for the record, looked up if None)."""
    order = schema.computed_order
    if not order:
        return
    values = {spec.key: schema.value(record, spec) for spec in schema.active_fields if spec.type.kind == types.NUMBER}
    values.update(formula_values(schema, [record])[0] if extra is None else extra)
    record.custom = dict(record.custom or {})
    for spec in order:
        result = evaluate(schema._formulas[spec.key], values)
        stored = None if result is None else spec.type.clean(result, spec)
        values[spec.key] = stored
        if stored is None:
            record.custom.pop(spec.key, None)
        else:
            record.custom[spec.key] = stored


RECOMPUTE_BATCH = 500


def recompute(schema: EntitySchema, query=None) -> int:
    """Work the calculated fields out again on the records of `query` (every record when None):
    after a formula changed, a record moved stage, or a stage's probability changed. The entity's
    formula values are looked up once per batch; only records whose results move are written."""
    if not schema.computed_order:
        return 0
    if query is None:
        query = schema.model.select().where(schema.model.entity == schema.key) if schema.in_browser else schema.model.select()
    changed = 0
    batch: list = []

    def flush() -> int:
        written = 0
        for record, extra in zip(batch, formula_values(schema, batch), strict=True):
            before = dict(record.custom or {})
            compute(schema, record, extra)
            if record.custom != before:
                schema.model.update(custom=record.custom).where(schema.model.id == record.id).execute()
                written += 1
        batch.clear()
        return written

    for record in query.iterator():
        batch.append(record)
        if len(batch) >= RECOMPUTE_BATCH:
            changed += flush()
    return changed + flush()


def recompute_all(schema: EntitySchema) -> int:
    """Work the calculated fields out again on every record (after a formula changed)."""
    return recompute(schema)


def search_text(schema: EntitySchema, record) -> str:
    parts = [spec.type.search_text(schema.value(record, spec), spec) for spec in schema.active_fields if spec.type.searchable]
    return " ".join(part for part in parts if part).lower()[:SEARCH_TEXT_LIMIT]


def _lock(name: str) -> None:
    """Serialise writers of one unique field. SQLite already does: every write transaction
    begins IMMEDIATE. PostgreSQL takes a transaction-scoped advisory lock."""
    if not is_sqlite():
        db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (zlib.crc32(name.encode()) - 2**31,))


def check_unique(schema: EntitySchema, record) -> None:
    for spec in schema.active_fields:
        if not spec.unique:
            continue
        value = schema.value(record, spec)
        if value in (None, ""):
            continue
        _lock(f"{schema.key}:{spec.key}")
        clash = schema.query().where(schema.expression(spec) == value)
        if record.id is not None:
            clash = clash.where(schema.model.id != record.id)
        if clash.exists():
            raise UniqueViolation(spec)


def audit(action: str, schema: EntitySchema | str, record_id, title: str, changes: dict, user) -> None:
    AuditEntry.create(
        action=action, entity=schema if isinstance(schema, str) else schema.key, record_id=record_id,
        title=(title or "")[:200], changes=changes, user=getattr(user, "id", user),
    )


def _notify_saved(schema, record, created, changes, user) -> None:
    host_of(current_app).notify(
        "on_record_saved", entity=schema.key, record=record, created=created,
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


def apply_values(schema: EntitySchema, record, values: dict) -> None:
    """Put stored values ({key: value}) on a record: base columns or the JSON column."""
    custom = dict(record.custom or {})
    for key, stored in values.items():
        spec = schema.field(key)
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


def form_values(schema: EntitySchema, form) -> dict:
    values = {}
    for spec in schema.form_fields:
        data = form[spec.key].data
        if spec.base and isinstance(spec.column, peewee.DateTimeField):
            values[spec.key] = spec.type.clean(data, spec)  # text: the team's time, made UTC when applied
        else:
            values[spec.key] = data if spec.base else spec.type.clean(data, spec)
    return values


def save(schema: EntitySchema, user, values: dict, record=None, action: str | None = None, stage: Stage | None = None,
         base: dict | None = None, version: int | None = None):
    """Create (record=None) or change a record; return (record, changes). Raises UniqueViolation.

    A change builds on the record as committed now (read again, locked); with `base`, the values
    an edit form was made from, only what the user changed is written, and a field someone else
    changed meanwhile to something else raises Conflict (`version`: the form's, to say who)."""
    from .processes import enter_first_stage, first_stage
    from .record_versions import merge, reload

    created = record is None
    if created and stage is None and schema.has_process:
        stage = first_stage(schema)  # before the transaction: read from what the server process keeps
    with db.atomic():
        if not created:
            reload(schema, record)
            if base is not None:
                values = merge(schema, record, values, base, version)
        if created:
            record = schema.new_record(owner=user.id)
            defaults = {spec.key: spec.default for spec in schema.custom_fields
                        if spec.default not in (None, "") and not spec.archived and spec.key not in values}
            values = {**defaults, **values}
            if stage is not None:  # in the INSERT, and seen by the formulas
                setattr(record, schema.stage_field, stage.id)
        before = {} if created else snapshot(schema, record)
        apply_values(schema, record, values)
        compute(schema, record)
        record.search_text = search_text(schema, record)
        record.updated_at = utcnow()
        check_unique(schema, record)
        record.save()
        if created and schema.has_process:
            enter_first_stage(schema, record, user, stage)
        changes = diff(before, snapshot(schema, record))
        audit(action or ("create" if created else "update"), schema, record.id, schema.title_of(record), changes, user)
        _notify_saved(schema, record, created, changes, user)
    return record, changes


def soft_delete(schema: EntitySchema, record, user) -> None:
    with db.atomic():
        record.deleted_at = utcnow()
        record.save(only=[schema.model.deleted_at])
        audit("delete", schema, record.id, schema.title_of(record), {"deleted_at": [None, record.deleted_at.isoformat()]}, user)
        _notify_saved(schema, record, False, {"deleted_at": [None, record.deleted_at.isoformat()]}, user)


def restore(schema: EntitySchema, record, user) -> None:
    with db.atomic():
        was = record.deleted_at.isoformat()
        record.deleted_at = None
        record.save(only=[schema.model.deleted_at])
        audit("restore", schema, record.id, schema.title_of(record), {"deleted_at": [was, None]}, user)
        _notify_saved(schema, record, False, {"deleted_at": [was, None]}, user)


def bulk_set(schema: EntitySchema, records: list, spec: FieldSpec, stored, user) -> int:
    """Set one field on many records; each change is audited and announced like a save."""
    with db.atomic():
        for record in records:
            save(schema, user, {spec.key: stored}, record=record, action="bulk_update")
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


def action_labels() -> dict:
    """{action: label} of every action the enabled plugins (the core among them) name through
    `describe_audit`; ACTION_LABELS above are the core's own."""
    from ..registry import audit_vocabulary

    return audit_vocabulary().actions


def action_label(action: str) -> str:
    return str(action_labels().get(action, action.replace("_", " ")))


@dataclass
class History:
    at: object
    user: str
    action: str
    changes: list  # [(label, before, after)]


# What the record form's view uses of record_versions (it imports records only).
from .record_versions import Conflict, conflict_form, submitted_version  # noqa: E402,F401
