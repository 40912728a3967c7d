"""Changing definitions: fields and entities. Every change is validated, audited, and bumps the
schema version in the same transaction, so every server process rebuilds its forms."""
from __future__ import annotations

import datetime
import decimal
import json
import re
import unicodedata

import peewee
import regex
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import pgettext

from .. import changes
from ..db import db, is_sqlite, utcnow
from ..i18n import label_text, language_of, typed_labels
from ..models import LOCALES
from . import formula, types
from .entities import RESERVED_KEYS, EntitySchema, FieldSpec, schema_changed
from .models import AuditEntry, EntitySetting, FieldDefinition, Process, Stage
from .records import History, audit, recompute_all

KEY_PATTERN = re.compile(r"[^\W\d]\w{0,63}")
PATTERN_MAX = 200
_PROBES = ("a" * 40 + "!", "0" * 40 + "!", " " * 40 + "!", "ab" * 20 + "!", "x" * 40, "a@" * 20 + "!")


class DefinitionError(ValueError):
    """A definition that cannot be saved: {field of the designer's form: message}."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(errors)
        self.errors = errors


def key_from_label(label: str, taken: set[str]) -> str:
    """A field key from its label: letters (any script) and digits joined by "_"."""
    text = unicodedata.normalize("NFKC", label).strip().lower()
    key = re.sub(r"\W+", "_", text).strip("_")[:60] or "field"
    if key[0].isdigit():
        key = f"f_{key}"[:60]
    candidate, number = key, 2
    while candidate in taken or candidate in RESERVED_KEYS:
        candidate, number = f"{key}_{number}", number + 1
    return candidate


def check_pattern(pattern: str) -> None:
    """Refuse a pattern that is invalid, too long, or slow enough to be a catastrophe."""
    if len(pattern) > PATTERN_MAX:
        raise DefinitionError({"pattern": _("The pattern is longer than %(count)d characters.", count=PATTERN_MAX)})
    try:
        compiled = regex.compile(pattern)
    except regex.error as error:
        raise DefinitionError({"pattern": _("This pattern is not valid: %(error)s.", error=str(error))}) from None
    letters = list(dict.fromkeys(re.sub(r"\W", "", pattern)))[:10]  # the pattern's own characters, repeated
    for probe in _PROBES + tuple(letter * 30 + "\u0000" for letter in letters):
        try:
            compiled.fullmatch(probe, timeout=0.05)
        except TimeoutError:
            raise DefinitionError({"pattern": _("This pattern takes too long to check some values; simplify it.")}) from None


# Kinds of value an index serves (one value per record; see indexes.py).
INDEXABLE_KINDS = (types.TEXT, types.NUMBER, types.DATE, types.DATETIME, types.REFERENCE, types.BOOL)


def too_long(label: str, labels: dict, limit: int) -> bool:
    """Whether a label, in any of its languages, is longer than `limit`."""
    return any(len(text) > limit for text in [label, *labels.values()])


def fields_changed(schema: EntitySchema, indexed: bool) -> None:
    """Call inside the transaction that changed a field: the new picture, and, when the field is or
    was indexed, its index made, remade or dropped (the rest costs no DDL and no rebuilt picture)."""
    from . import indexes
    from .entities import get_entity

    schema_changed()
    if indexed:
        indexes.sync(get_entity(schema.key) or schema)


def has_data(schema: EntitySchema, key: str) -> bool:
    """Whether any record holds a value under `key` (its key may no longer change). Reading every
    row is what answers "no": the answer is remembered until a record of the entity changes."""
    return changes.remembered("lowcode.has_data", (schema.key, key), (schema.model._meta.table_name,),
                              lambda: schema.query(schema.model.id).where(schema.model.custom[key].is_null(False)).exists())


def added_empty(schema: EntitySchema, key: str) -> None:
    """A field just added: no record has a value under its new key (keys are never reused)."""
    changes.remember("lowcode.has_data", (schema.key, key), (schema.model._meta.table_name,), False)


def validate(schema: EntitySchema, values: dict, definition: FieldDefinition | None) -> dict:
    """Check a field's settings as the designer submitted them; return them cleaned.

    `values` holds: label, key, type, help, placeholder, required, unique, hidden, default (text),
    options (dict). Raises DefinitionError with a message per designer field.
    """
    from .. import registry

    errors: dict[str, str] = {}
    field_type = registry.field_types().get(values["type"])
    if field_type is None:
        raise DefinitionError({"type": _("Choose a type.")})
    label, labels = typed_labels(values.get("label"), values.get("labels"), definition.labels if definition else None)
    labels = labels or shown_labels({}, label)
    if not label:
        errors["label"] = _("Give the field a label.")
    elif too_long(label, labels, 120):
        errors["label"] = _("The label is longer than %(count)d characters.", count=120)
    taken = {spec.key for spec in schema.fields if definition is None or spec.key != definition.key}
    key = (values.get("key") or "").strip()
    if definition is not None and (definition.base or definition.plugin):
        key = definition.key  # a base field's, or one a plugin ships and reads
    elif not key:
        key = key_from_label(label or "field", taken)
    elif not KEY_PATTERN.fullmatch(key):
        errors["key"] = _("A key starts with a letter and holds only letters, digits and _ (64 at most).")
    elif key.lower() in RESERVED_KEYS:
        errors["key"] = _("%(key)s is reserved; choose another key.", key=key)
    elif key in taken:
        errors["key"] = _("Another field already has the key %(key)s.", key=key)
    elif definition is not None and key != definition.key and has_data(schema, definition.key):
        errors["key"] = _("Records already have values under this key, so it can no longer change.")
    options = dict(values.get("options") or {})
    cleaned_options = {}
    settings = set(field_type.settings)
    if "range" in settings:
        for name in ("min", "max"):
            raw = options.get(name)
            if raw not in (None, ""):
                try:
                    number = types.NumberType().parse_text(str(raw), _Plain())
                except types.Conversion:
                    errors[name] = _("Not a number.")
                    continue
                cleaned_options[name] = number
        if "min" in cleaned_options and "max" in cleaned_options and cleaned_options["min"] > cleaned_options["max"]:
            errors["max"] = _("The largest value is smaller than the smallest.")
    if "length" in settings:
        for name in ("min_length", "max_length"):
            raw = options.get(name)
            if raw not in (None, ""):
                try:
                    number = int(str(raw))
                    if not 0 <= number <= field_type.max_length:
                        raise ValueError
                except ValueError:
                    errors[name] = _("Write a whole number from 0 to %(max)d.", max=field_type.max_length)
                    continue
                cleaned_options[name] = number
        if cleaned_options.get("min_length", 0) > cleaned_options.get("max_length", field_type.max_length):
            errors["max_length"] = _("The longest length is shorter than the shortest.")
    if "pattern" in settings and (options.get("pattern") or "").strip():
        pattern = options["pattern"].strip()
        try:
            check_pattern(pattern)
        except DefinitionError as problem:
            errors.update(problem.errors)  # and the pattern is not used to check the default
        else:
            cleaned_options["pattern"] = pattern
            cleaned_options["pattern_message"] = (options.get("pattern_message") or "").strip()[:200]
    if "decimals" in settings and options.get("decimals") not in (None, ""):
        try:
            cleaned_options["decimals"] = max(0, min(int(options["decimals"]), 6))
        except ValueError:
            errors["decimals"] = _("Write a whole number from 0 to 6.")
    if "currency" in settings:
        currency = (options.get("currency") or "CNY").strip().upper()
        if not re.fullmatch(r"[A-Z]{3}", currency):
            errors["currency"] = _("Write a three-letter currency code, such as CNY or USD.")
        cleaned_options["currency"] = currency
    if "choices" in settings:
        choices = _clean_choices(options.get("choices") or [], definition, errors)
        cleaned_options["choices"] = choices
    if "formula" in settings:
        text = (options.get("formula") or "").strip()
        try:
            tree = formula.parse(text)
            formulas = {s.key: formula.parse(s.options.get("formula", "")) for s in schema.custom_fields
                        if s.type.key == "computed" and not s.archived and s.key != (definition.key if definition else None)}
            formulas[key] = tree
            numeric = {s.key for s in schema.active_fields if s.type.kind == types.NUMBER and s.type.key != "computed"}
            formula.evaluation_order(formulas, numeric)
        except formula.FormulaError as problem:
            errors["formula"] = str(problem)
        cleaned_options["formula"] = text
    if "choices" not in settings and definition is not None and (definition.options or {}).get("kept_choices"):
        cleaned_options["kept_choices"] = definition.options["kept_choices"]  # for when a choice type returns
    if "link" in settings:
        from .entities import all_entities

        target = options.get("entity") or ""
        if target not in all_entities():
            errors["entity"] = _("Choose the kind of record to link to.")
        cleaned_options["entity"] = target
    default = None
    raw_default = (values.get("default") or "").strip() if "default" in settings else ""
    if raw_default:
        probe = FieldSpec(key=key, label=label, type=field_type, options=cleaned_options)
        try:
            default = field_type.parse_text(raw_default, probe)
        except types.Conversion as problem:
            errors["default"] = str(problem)
    if values.get("required") and values.get("hidden") and default is None and field_type.in_form:
        errors["hidden"] = _("A hidden field cannot be filled in: give it a default value, or do not make it required.")
    if errors:
        raise DefinitionError(errors)
    return {
        "label": label, "labels": labels, "key": key, "type": field_type.key, "help": (values.get("help") or "").strip()[:500],
        "placeholder": (values.get("placeholder") or "").strip()[:200] if "placeholder" in settings else "",
        "required": bool(values.get("required")) and field_type.in_form,
        "unique": bool(values.get("unique")) and "unique" in settings,
        "hidden": bool(values.get("hidden")), "default": default, "options": cleaned_options,
        "indexed": bool(values.get("indexed")) and field_type.kind in INDEXABLE_KINDS,
    }


class _Plain:
    options: dict = {}


def _clean_choices(rows: list[dict], definition: FieldDefinition | None, errors: dict) -> list[dict]:
    """Options as the designer submitted them: labels required and distinct; a value, once given,
    never changes (renaming an option keeps the records that use it)."""
    old = {c["value"]: c for c in (definition.options.get("choices", []) if definition else [])}
    seen_labels, seen_values, choices = set(), set(), []
    for row in sorted(rows, key=lambda r: int(r.get("position") or 0)):
        value = (row.get("value") or "").strip()
        typed = {code: (row.get(f"label-{code}") or "")[:120] for code in LOCALES} if any(
            f"label-{code}" in row for code in LOCALES) else None
        label, labels = typed_labels((row.get("label") or "")[:120], typed, old.get(value, {}).get("labels"))
        if not label:
            if value in old:  # an existing option cannot lose its label
                errors["choices"] = _("Every option needs a label.")
            continue
        if label.lower() in seen_labels:
            errors["choices"] = _("The option %(label)s appears twice.", label=label)
            continue
        seen_labels.add(label.lower())
        if value not in old:
            value = key_from_label(label, seen_values | set(old))
        seen_values.add(value)
        color = row.get("color") if row.get("color") in types.COLORS else "slate"
        choices.append({"value": value, "label": label, "color": color, "archived": bool(row.get("archived")),
                        **({"labels": labels} if labels else {})})
    for value, kept in old.items():  # options the form no longer lists are archived, not lost
        if value not in seen_values:
            choices.append({**kept, "archived": True})
    if not [c for c in choices if not c["archived"]] and "choices" not in errors:
        errors["choices"] = _("A choice field needs at least one option.")
    return choices


def _attributes(definition: FieldDefinition) -> dict:
    attributes = {name: getattr(definition, name) for name in
                  ("label", "labels", "key", "type", "help", "placeholder", "required", "unique", "hidden", "indexed", "default",
                   "options")}
    attributes["labels"] = shown_labels(definition.labels, definition.label)
    return attributes


def shown_labels(labels: dict | None, label) -> dict:
    """A field's labels as its editor shows them: a label typed before labels had languages is the
    one in the language it is written in."""
    return dict(labels or {}) or ({language_of(str(label)): str(label)} if label else {})


# -- the version a field editor was made from -----------------------------------------------------

BASE_SETTINGS = ("label", "labels", "help", "hidden")  # what an overlay on a plugin's field holds


class DefinitionConflict(Exception):
    """A field saved from an editor opened on an older version, changed since in the same settings.
    `settings`: the names both changed differently; `typed`: the names the admin changed;
    `history`: who changed the field since."""

    def __init__(self, settings: list[str], typed: set[str], history: list):
        self.settings, self.typed, self.history = settings, typed, history
        super().__init__(settings)


def _plain(value):
    """A setting as JSON gives it back (a label as text, a Decimal as a number), to compare."""
    def default(item):
        if isinstance(item, decimal.Decimal):
            return float(item)
        if isinstance(item, (datetime.date, datetime.datetime)):
            return item.isoformat()
        return str(item)

    return json.loads(json.dumps(value, default=default, ensure_ascii=False))


def field_settings(spec: FieldSpec) -> dict:
    """A field's settings as its editor's save compares them."""
    if spec.base:
        return _plain(_overlay_settings(spec.definition))
    settings = _attributes(spec.definition)
    settings.pop("type")
    return _plain(settings)


def field_version(schema: EntitySchema, spec: FieldSpec) -> int:
    """The field's latest audit entry: the version an editor opened now is made from."""
    if spec.definition is None or spec.definition.id is None:
        return 0
    return AuditEntry.select(peewee.fn.MAX(AuditEntry.id)).where(
        AuditEntry.entity == f"schema:{schema.key}", AuditEntry.record_id == spec.definition.id).scalar() or 0


def read_base(text: str | None) -> dict | None:
    """The settings a field editor was made from, as it sent them back; ValueError when they are
    not what our editor sends."""
    if text is None:
        return None
    base = json.loads(text)
    if not isinstance(base, dict):
        raise ValueError("not a field editor's settings")
    return base


def _locked(definition: FieldDefinition) -> FieldDefinition:
    query = FieldDefinition.select().where(FieldDefinition.id == definition.id)
    return (query if is_sqlite() else query.for_update()).get()


def _changed_by_admin(schema: EntitySchema, definition_id: int, current: dict, proposed: dict, base: dict | None,
                      version: int | None) -> set[str]:
    """The settings the admin changed from `base` (all of them without one); a setting changed
    since by someone else to something else raises DefinitionConflict."""
    proposed = _plain(proposed)
    if base is None:
        return set(proposed)
    typed = {name for name in proposed if name in base and proposed[name] != base[name]}
    clashes = [name for name in proposed if name in typed and current.get(name) != base[name]
               and proposed[name] != current.get(name)]
    if clashes:
        raise DefinitionConflict(clashes, typed, _changes_since(schema, definition_id, version or 0))
    return typed


def _changes_since(schema: EntitySchema, definition_id: int, version: int) -> list[History]:
    from ..models import User

    entries = (AuditEntry.select(AuditEntry, User).join(User, peewee.JOIN.LEFT_OUTER, on=(AuditEntry.user == User.id))
               .where(AuditEntry.entity == f"schema:{schema.key}", AuditEntry.record_id == definition_id,
                      AuditEntry.id > version).order_by(AuditEntry.id.desc()).limit(20))
    return [History(at=entry.at, user=entry.user.name if entry.user_id and entry.user else "", action=entry.action,
                    changes=[(name, "" if before is None else str(before), "" if after is None else str(after))
                             for name, (before, after) in (entry.changes or {}).items()])
            for entry in entries]


def add_field(schema: EntitySchema, values: dict, user) -> FieldDefinition:
    cleaned = validate(schema, values, None)
    with db.atomic():
        position = max([spec.position for spec in schema.designable_fields] or [0]) + 10
        try:
            definition = FieldDefinition.create(entity=schema.key, position=position, **cleaned)
        except peewee.IntegrityError:
            raise DefinitionError({"key": _("Another field already has the key %(key)s.", key=cleaned["key"])}) from None
        audit("field_add", f"schema:{schema.key}", definition.id, cleaned["label"],
              {name: [None, value] for name, value in cleaned.items()}, user)
        fields_changed(schema, cleaned["indexed"])
        if cleaned["type"] == "computed":
            _recompute(schema.key)
    return definition


def _recompute(key: str) -> None:
    from .entities import get_entity

    recompute_all(get_entity(key))  # the picture rebuilt with the new definition


def change_field(schema: EntitySchema, definition: FieldDefinition, values: dict, user, base: dict | None = None,
                 version: int | None = None) -> FieldDefinition:
    """Save a field's settings. With `base`, the settings the editor was made from, only what the
    admin changed is written; a setting another admin changed since to something else raises
    DefinitionConflict."""
    with db.atomic():
        definition = _locked(definition)
        cleaned = validate(schema, {**values, "type": definition.type}, definition)
        before = _attributes(definition)
        current = _plain({name: value for name, value in before.items() if name != "type"})
        typed = _changed_by_admin(schema, definition.id, current, {k: v for k, v in cleaned.items() if k != "type"},
                                  base, version)
        old_key = definition.key
        for name, value in cleaned.items():
            if name in typed:
                setattr(definition, name, value)
        definition.updated_at = utcnow()
        definition.save()
        if definition.key != old_key:
            _rename_references(schema, old_key, definition.key)
        changes = {name: [before[name], value] for name, value in cleaned.items() if name in typed and before[name] != value}
        audit("field_change", f"schema:{schema.key}", definition.id, definition.label, changes, user)
        fields_changed(schema, definition.indexed or bool(before.get("indexed")))
        if definition.type == "computed" and "options" in changes:
            _recompute(schema.key)
    return definition


def set_indexed(schema: EntitySchema, definition: FieldDefinition, indexed: bool, user) -> FieldDefinition:
    """Mark a custom field indexed or not (the designer's box): audited, the index made or dropped."""
    return change_field(schema, definition, {**_attributes(definition), "indexed": indexed}, user)


def _overlay_settings(definition: FieldDefinition | None) -> dict:
    """What an overlay on a plugin's field stores: an empty label or help is the plugin's own."""
    if definition is None:
        return {"label": "", "labels": {}, "help": "", "hidden": False}
    return {"label": getattr(definition.label, "source", definition.label) or "", "labels": dict(definition.labels or {}),
            "help": definition.help or "", "hidden": definition.hidden}


def _built_in_texts(text) -> set[str]:
    """A plugin's label or help in every shipped language."""
    from flask_babel import force_locale

    texts = set()
    for code in LOCALES:
        with force_locale(code):
            texts.add(str(text))
    return texts - {""}


def overlay_base_field(schema: EntitySchema, spec: FieldSpec, values: dict, user, base: dict | None = None,
                       version: int | None = None) -> FieldDefinition:
    """An admin's label, help, position or hiding of a field of the plugin's own form (with `base`:
    only what the admin changed, as change_field). A label or help the same as the plugin's is not
    stored, so it keeps reading in each user's language."""
    built_label, built_help = spec.built_in or (spec.label, spec.help)
    label, labels = typed_labels(values.get("label"), values.get("labels"), spec.definition.labels if spec.definition else None)
    if too_long(label, labels, 120):
        raise DefinitionError({"label": _("The label is longer than %(count)d characters.", count=120)})
    same_label, same_help = _built_in_texts(built_label), _built_in_texts(built_help)
    labels = {code: text for code, text in labels.items() if text not in same_label}
    label = "" if label in same_label else label
    if labels and not label:
        label = next(iter(labels.values()))
    help_text = (values.get("help") or "").strip()[:500]
    hidden = bool(values.get("hidden"))
    if hidden and spec.required:
        raise DefinitionError({"hidden": _("This field is required by the form, so it cannot be hidden.")})
    with db.atomic():
        definition = spec.definition or FieldDefinition(entity=schema.key, key=spec.key, type=spec.type.key, base=True,
                                                        position=spec.position)
        if definition.id is not None:
            definition = _locked(definition)
        before = _overlay_settings(definition if definition.id is not None else None)
        after = {"label": label, "labels": labels, "help": "" if help_text in same_help else help_text, "hidden": hidden}
        typed = _changed_by_admin(schema, definition.id, _plain(before), after, base, version)
        after = {name: after[name] if name in typed else before[name] for name in after}
        definition.label, definition.labels = after["label"], after["labels"]
        definition.help, definition.hidden = after["help"], after["hidden"]
        definition.save()
        audit("field_change", f"schema:{schema.key}", definition.id, label_text(labels, label, built_label),
              {k: [before[k], v] for k, v in after.items() if before[k] != v}, user)
        schema_changed()
    return definition


def _rename_references(schema: EntitySchema, old: str, new: str) -> None:
    setting = EntitySetting.get_or_none(EntitySetting.key == schema.key)
    if setting is not None:
        setting.list_columns = [new if key == old else key for key in setting.list_columns or []]
        if setting.title_field == old:
            setting.title_field = new
        setting.save()
    for stage in Stage.select().join(Process).where(Process.entity == schema.key):
        if old in (stage.required_fields or []):
            stage.required_fields = [new if key == old else key for key in stage.required_fields]
            stage.save()


def used_by(schema: EntitySchema, key: str) -> list[str]:
    """What would break if the field went away: formulas that read it."""
    users = []
    for spec in schema.custom_fields:
        if spec.type.key == "computed" and not spec.archived and spec.key != key:
            try:
                if key in formula.references(formula.parse(spec.options.get("formula", ""))):
                    users.append(str(spec.label))
            except formula.FormulaError:
                continue
    return users


def set_archived(schema: EntitySchema, definition: FieldDefinition, archived: bool, user) -> None:
    if archived:
        readers = used_by(schema, definition.key)
        if readers:
            raise DefinitionError({"archive": _("The formula of %(fields)s reads this field; change it first.",
                                                fields=", ".join(readers))})
    with db.atomic():
        definition.archived_at = utcnow() if archived else None
        definition.save()
        audit("field_archive" if archived else "field_restore", f"schema:{schema.key}", definition.id, definition.label,
              {"archived": [not archived, archived]}, user)
        fields_changed(schema, definition.indexed)


def reorder(schema: EntitySchema, keys: list[str], user) -> None:
    """Save the designer's drag-and-drop order (base fields get an overlay row to hold it)."""
    specs = {spec.key: spec for spec in schema.designable_fields}
    ordered = [key for key in keys if key in specs] + [key for key in specs if key not in keys]
    with db.atomic():
        for position, key in enumerate(ordered):
            spec = specs[key]
            definition = spec.definition
            if definition is None:
                # No label: the plugin's, in each reader's language (a label is stored only when an admin changes it).
                definition = FieldDefinition(entity=schema.key, key=key, label="", type=spec.type.key, base=True)
            if definition.position != position * 10 or definition.id is None:
                definition.position = position * 10
                definition.save()
        audit("field_order", f"schema:{schema.key}", None, schema.label, {"order": [None, ordered]}, user)
        schema_changed()


# -- entities made in the browser -----------------------------------------------------------------


def create_entity(label: str, icon: str, user, labels: dict | None = None) -> EntitySetting:
    label, labels = typed_labels(label, labels)
    if not label:
        raise DefinitionError({"label": _("Give the form a name.")})
    if too_long(label, labels, 80):
        raise DefinitionError({"label": _("The name is longer than %(count)d characters.", count=80)})
    taken = {key for (key,) in EntitySetting.select(EntitySetting.key).tuples()}
    key = "custom." + key_from_label(label, {k.split(".", 1)[-1] for k in taken if k.startswith("custom.")})
    with db.atomic():
        setting = EntitySetting.create(key=key, label=label, labels=labels, icon=icon if icon in ICONS else "dot",
                                       in_browser=True, title_field="name")
        FieldDefinition.create(entity=key, key="name", label=pgettext("thing", "Name"), type="text", required=True, position=0)
        audit("entity_add", f"schema:{key}", None, label,
              {"label": [None, label], **({"labels": [None, labels]} if labels else {})}, user)
        schema_changed()
    return setting


ICONS = ("dot", "pipeline", "goal", "award", "clock", "chart", "users", "team", "settings", "plugin", "home")
ICON_LABELS = {"dot": _l("Dot"), "pipeline": _l("Funnel"), "goal": _l("Target"), "award": _l("Award"), "clock": _l("Clock"),
               "chart": _l("Chart"), "users": _l("People"), "team": _l("Team"), "settings": _l("Gear"), "plugin": _l("Plug-in"),
               "home": _l("Home")}


def change_entity(schema: EntitySchema, values: dict, user) -> EntitySetting:
    setting = EntitySetting.get_or_none(EntitySetting.key == schema.key) or EntitySetting(key=schema.key)
    before = {"label": setting.label, "labels": dict(setting.labels or {}), "title_field": setting.title_field,
              "list_columns": list(setting.list_columns or []), "icon": setting.icon}
    errors = {}
    if schema.in_browser or values.get("labels"):
        label, labels = typed_labels(values.get("label"), values.get("labels"), before["labels"])
        if not schema.in_browser:  # a plugin's form: a name the same as the plugin's is not stored
            same = {code: text for code, text in labels.items() if text in _built_in_texts(schema.declared.label)}
            labels = {} if len(same) == len(labels) else labels
            label = label if labels else None
        elif not label or too_long(label, labels, 80):
            errors["label"] = _("Give the form a name of 1 to 80 characters.")
        if label and too_long(label, labels, 80):
            errors["label"] = _("Give the form a name of 1 to 80 characters.")
        setting.label, setting.labels = label, labels
        setting.icon = values.get("icon") if values.get("icon") in ICONS else setting.icon
    title = values.get("title_field") or None
    if title is not None and (schema.field(title) is None or schema.field(title).meta):
        errors["title_field"] = _("Choose one of the form's fields.")
    setting.title_field = title
    columns = [key for key in values.get("list_columns") or [] if schema.field(key) is not None]
    setting.list_columns = columns[:12]
    if errors:
        raise DefinitionError(errors)
    with db.atomic():
        setting.save(force_insert=EntitySetting.get_or_none(EntitySetting.key == schema.key) is None)
        after = {"label": setting.label, "labels": setting.labels, "title_field": setting.title_field,
                 "list_columns": setting.list_columns, "icon": setting.icon}
        audit("entity_change", f"schema:{schema.key}", None, setting.label or schema.label,
              {k: [before[k], v] for k, v in after.items() if before[k] != v}, user)
        schema_changed()
    return setting


# Changing a field's type lives in its own module; the designer reaches it here.
from .type_changes import change_type, conversion_report, options_for_new_type  # noqa: E402,F401
