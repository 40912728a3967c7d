"""Two people editing one record: the version an edit form was made from, and what a save over a
newer version does.

An edit form carries the record's version (its latest audit entry) and the values it was made
from. Its save reads the record again, locked, and writes only the fields the user changed; a field
someone else changed meanwhile to something else is a Conflict, answered with who changed what and
the form again with what the user typed.
"""
from __future__ import annotations

import json
from functools import cached_property

import peewee
from flask import has_request_context, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest

from ..db import is_sqlite
from .entities import EntitySchema, FieldSpec
from .models import AuditEntry
from .records import History, _form_data, _json, apply_values, form_class, form_values, make_form, reference_names, shown


class Conflict(Exception):
    """A save made from an older version of the record, which someone changed since in the same
    fields. `record`: the record as it is now; `fields`: the fields both changed, differently;
    `typed`: the keys the user changed (kept in the form); `history`: who changed what since."""

    def __init__(self, record, fields: list[FieldSpec], typed: set[str], history: list):
        self.record, self.fields, self.typed, self.history = record, fields, typed, history
        super().__init__([spec.key for spec in fields])


VERSION_INPUT, BASE_INPUT = "record-version", "record-base"  # dashes: no field key can take them


class EditState:
    """What an edit form carries so its save can tell the user's changes from other people's: the
    record's version (its latest audit entry) and the values the form was made from. A submitted
    form (with errors) keeps the ones it was made from; a new form takes the record's."""

    def __init__(self, schema: EntitySchema, record, submitted: bool):
        self.schema, self.record = schema, record
        self.submitted = (submitted and has_request_context() and request.method == "POST"
                          and BASE_INPUT in request.form)

    @cached_property
    def version(self) -> int:
        if self.submitted:
            return version_from(request.form) or 0
        return version_of(self.schema, self.record)

    @cached_property
    def base(self) -> str:
        if self.submitted:
            return request.form[BASE_INPUT]
        return json.dumps(form_snapshot(self.schema, self.record), ensure_ascii=False, separators=(",", ":"))


def version_of(schema: EntitySchema, record) -> int:
    return AuditEntry.select(peewee.fn.MAX(AuditEntry.id)).where(
        AuditEntry.entity == schema.key, AuditEntry.record_id == record.id).scalar() or 0


def version_from(form) -> int | None:
    text = form.get(VERSION_INPUT, "")
    return int(text) if text.isdigit() and len(text) < 19 else None


def base_from(form) -> dict | None:
    """The values an edit form was made from, as it sent them back; None when it sent none.
    Raises ValueError when they are not what a form of ours sends."""
    if BASE_INPUT not in form:
        return None
    base = json.loads(form[BASE_INPUT])
    if not isinstance(base, dict):
        raise ValueError("not a form's values")
    return base


def submitted_version(form) -> dict:
    """save()'s `base` and `version` from an edit form's submission (none from other posts)."""
    try:
        return {"base": base_from(form), "version": version_from(form)}
    except ValueError:
        raise BadRequest(_("This form was changed on its way; open the record again.")) from None


def conflict_form(schema: EntitySchema, conflict: Conflict):
    """The form again after a Conflict: the record as it is now, with what the user typed over it,
    and a message on each field both changed. It carries the current version, so saving it again
    keeps what the user typed, now knowing what it replaces."""
    form = make_form(schema, conflict.record, submitted=False, typed=conflict.typed)
    for spec in conflict.fields:
        by = next((entry.user for entry in conflict.history if any(label == spec.label for label, _b, _a in entry.changes)), "")
        now = shown(spec, schema.value(conflict.record, spec)) or "—"
        form[spec.key].errors = [_("%(user)s changed this to “%(value)s” meanwhile; yours is below. Save again to keep yours.",
                                   user=by, value=now) if by else
                                 _("Changed to “%(value)s” meanwhile; yours is below. Save again to keep yours.", value=now)]
    return form


def form_snapshot(schema: EntitySchema, record) -> dict:
    """The values of the form's fields as the form sends them back untouched (an unset checkbox
    comes back unticked), comparable with what a user's form sends."""
    form = form_class(schema)(formdata=None, data=_form_data(schema, record, {}))
    return _snapshot_with(schema, record, form_values(schema, form))


def _snapshot_with(schema: EntitySchema, record, values: dict) -> dict:
    """The form's fields of a copy of the record with `values` applied, as JSON gives them."""
    copy = schema.model()
    copy.__data__ = dict(record.__data__)
    copy.custom = dict(record.custom or {})
    apply_values(schema, copy, values)
    return {spec.key: _json(schema.value(copy, spec)) for spec in schema.form_fields}


# -- saving over a version ------------------------------------------------------------------------


def reload(schema: EntitySchema, record) -> None:
    """Read the record again inside the transaction, locked until it ends (SQLite: the whole
    database is, from BEGIN IMMEDIATE), so a change builds on the latest committed values and no
    other writer slips in between the check and the write."""
    query = schema.model.select().where(schema.model.id == record.id)
    fresh = (query if is_sqlite() else query.for_update()).first()
    if fresh is not None:
        record.__data__.update(fresh.__data__)
        record._dirty.clear()
        record.__rel__.clear()


def merge(schema: EntitySchema, record, values: dict, base: dict, version: int | None) -> dict:
    """The values the user changed from the version their form was made from (`base`). Fields
    they did not touch are left to whoever changed them since; a field both changed differently
    is a Conflict."""
    specs = [schema.field(key) for key in values if key in base and schema.field(key) is not None]
    proposed, current = _snapshot_with(schema, record, values), form_snapshot(schema, record)
    typed = {spec.key for spec in specs if proposed[spec.key] != base[spec.key]}
    clashes = [spec for spec in specs if spec.key in typed and current[spec.key] != base[spec.key]
               and proposed[spec.key] != current[spec.key]]
    if clashes:
        raise Conflict(record, clashes, typed, changes_since(schema, record.id, version or 0))
    return {key: values[key] for key in typed}


def changes_since(schema: EntitySchema, record_id: int, version: int) -> list:
    """Who changed the record after `version` (an audit entry's id), newest first."""
    from ..models import User

    entries = list(AuditEntry.select(AuditEntry, User).join(User, peewee.JOIN.LEFT_OUTER, on=(AuditEntry.user == User.id))
                   .where(AuditEntry.entity == schema.key, AuditEntry.record_id == record_id, AuditEntry.id > version)
                   .order_by(AuditEntry.id.desc()).limit(20))
    names = reference_names(schema, [entry.changes or {} for entry in entries])
    found = []
    for entry in entries:
        changes = [(spec.label, shown(spec, before, names), shown(spec, after, names))
                   for key, (before, after) in (entry.changes or {}).items() if (spec := schema.field(key)) is not None]
        found.append(History(at=entry.at, user=entry.user.name if entry.user_id and entry.user else "",
                             action=entry.action, changes=changes))
    return found
