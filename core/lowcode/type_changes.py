"""Changing a field's type: every value that converts is converted, the others are set aside on
their record (never over what an earlier change set aside), and values set aside earlier come back
when the new type fits them. A choice field keeps its options through other choice types and gets
them back after a type without options."""
from __future__ import annotations

from flask_babel import gettext as _

from ..db import db, utcnow
from . import types
from .definitions import INDEXABLE_KINDS, DefinitionError, fields_changed, key_from_label, used_by
from .entities import EntitySchema, FieldSpec
from .models import FieldDefinition
from .records import audit
from .set_aside import set_aside_of


class TypePlan:
    """What a change of type does to one record: its value `old` becomes `new`, or is set aside
    (`error` says why); a value set aside earlier that fits the new type comes back (`returned`).
    `custom`: the record's custom values afterwards."""

    def __init__(self, record, old):
        self.record, self.old, self.new, self.error, self.returned, self.custom = record, old, None, None, None, None


def _plan_type_change(schema: EntitySchema, definition: FieldDefinition, new_type: types.FieldType, options: dict) -> list[TypePlan]:
    """Every record the change touches. Nothing set aside is overwritten: each field keeps a list
    of what was set aside (`_kept`: {key: [{value, type, at}]}), oldest first."""
    target = FieldSpec(key=definition.key, label=definition.label, type=new_type, options=options)
    key, at = definition.key, utcnow().isoformat(timespec="seconds")
    custom = schema.model.custom
    query = schema.query().where(custom[key].is_null(False) | custom["_kept"].is_null(False)).order_by(schema.model.id)
    plans = []
    for record in query.iterator():
        values = dict(record.custom or {})
        history = set_aside_of(values, key)
        plan = TypePlan(record, values.get(key))
        if plan.old in (None, "", []) and not history:
            continue
        if plan.old not in (None, "", []):
            try:
                plan.new = new_type.convert(plan.old, target)
            except types.Conversion as problem:
                plan.error = str(problem)
        candidates = list(range(len(history) - 1, -1, -1)) if plan.new is None else []
        if plan.error is not None:
            history.append({"value": plan.old, "type": definition.type, "at": at})
        for index in candidates:  # the latest value set aside that fits comes back
            try:
                value = new_type.convert(history[index]["value"], target)
            except types.Conversion:
                continue
            if value is not None:
                plan.new, plan.returned = value, history.pop(index)["value"]
                break
        if plan.old in (None, "", []) and plan.returned is None:
            continue
        if plan.new is None:
            values.pop(key, None)
        else:
            values[key] = plan.new
        kept = dict(values.get("_kept") or {})
        if history:
            kept[key] = history
        else:
            kept.pop(key, None)
        values["_kept"] = kept
        if not kept:
            values.pop("_kept")
        plan.custom = values
        plans.append(plan)
    return plans


def conversion_report(schema: EntitySchema, definition: FieldDefinition, new_type: types.FieldType, options: dict):
    """What changing the type would do: ([(record, old, new)] converted, [(record, old, error)] kept).
    A value set aside by an earlier change that fits the new type is among the converted."""
    plans = _plan_type_change(schema, definition, new_type, options)
    converted = [(plan.record, plan.old if plan.returned is None else plan.returned, plan.new)
                 for plan in plans if plan.new is not None or plan.error is None]
    kept = [(plan.record, plan.old, plan.error) for plan in plans if plan.error is not None]
    return converted, kept


def options_for_new_type(schema: EntitySchema, definition: FieldDefinition, new_type: types.FieldType) -> dict:
    """Settings that let most values convert. A choice field keeps its options (labels, colours,
    unused and archived ones) as another choice type, and gets them back after a type without
    options; a text field becoming a choice gets its values as options."""
    options = {}
    old = dict(definition.options or {})
    if "choices" in new_type.settings:
        choices = [dict(choice) for choice in old.get("choices") or old.get("kept_choices") or []]
        known = {str(c["value"]) for c in choices} | {str(c["label"]).lower() for c in choices}
        values = []
        for record in schema.query(schema.model.custom).where(schema.model.custom[definition.key].is_null(False)).iterator():
            stored = record.custom.get(definition.key)
            for item in stored if isinstance(stored, list) else [stored]:
                text = str(item).strip()
                if text and text not in values and text not in known and text.lower() not in known and len(values) < 200:
                    values.append(text)
        taken = {str(c["value"]) for c in choices}
        for text in values[:200]:
            value = key_from_label(text, taken)
            taken.add(value)
            choices.append({"value": value, "label": text, "color": "slate", "archived": False})
        options["choices"] = choices
    elif old.get("choices") or old.get("kept_choices"):
        options["kept_choices"] = old.get("choices") or old.get("kept_choices")  # for when a choice type returns
    if "decimals" in new_type.settings:
        options["decimals"] = 2
    return options


def change_type(schema: EntitySchema, definition: FieldDefinition, new_type: types.FieldType, user) -> tuple[int, int, int]:
    """Convert every value that converts; set the others aside on their record (under `_kept`,
    never over what an earlier change set aside), and bring back the values set aside earlier
    that fit the new type. Returns how many were converted, set aside, and came back."""
    if definition.base or definition.plugin or not new_type.in_form and new_type.key != "computed":
        raise DefinitionError({"type": _("This field's type cannot change.")})
    readers = used_by(schema, definition.key)
    if readers and new_type.kind != types.NUMBER:
        raise DefinitionError({"type": _("The formula of %(fields)s reads this field; change it first.", fields=", ".join(readers))})
    options = options_for_new_type(schema, definition, new_type)
    with db.atomic():
        plans = _plan_type_change(schema, definition, new_type, options)  # inside: no save slips in between
        for plan in plans:
            schema.model.update({schema.model.custom: plan.custom}).where(schema.model.id == plan.record.id).execute()
        converted = sum(1 for plan in plans if plan.error is None and plan.returned is None)
        kept = sum(1 for plan in plans if plan.error is not None)
        returned = sum(1 for plan in plans if plan.returned is not None)
        before = definition.type
        definition.type = new_type.key
        definition.options = options
        definition.unique = definition.unique and "unique" in new_type.settings
        was_indexed = definition.indexed
        definition.indexed = definition.indexed and new_type.kind in INDEXABLE_KINDS
        definition.default = None
        definition.updated_at = utcnow()
        definition.save()
        audit("field_change", f"schema:{schema.key}", definition.id, definition.label,
              {"type": [before, new_type.key], "converted": [None, converted], "kept": [None, kept],
               **({"returned": [None, returned]} if returned else {})}, user)
        fields_changed(schema, was_indexed)
    return converted, kept, returned
