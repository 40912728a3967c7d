"""Entities as the low-code layer sees them: a plugin's declaration (or an admin's browser-made
entity) merged with the field definitions stored in the database.

Every field, whether a column of the plugin's model or a custom value in the JSON column, becomes a
`FieldSpec` with a type, so lists, filters, forms, imports and exports treat them alike. The whole
picture is built in a few queries, kept per process, and rebuilt when the schema version or the
plugin switches move (in any process).
"""
from __future__ import annotations

import datetime
import decimal
import functools
import threading
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import peewee
from flask import abort, current_app, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.fields.core import UnboundField

from .. import registry, versions
from ..auth import scope
from ..contributions import Dimension, Entity
from ..db import db, is_sqlite
from ..i18n import label_texts, lazy_label, local_time
from ..models import User
from . import types as field_types
from .models import IMPORT_PENDING, CustomRecord, EntitySetting, FieldDefinition, Stage, source_text

# Keys a custom field may not take: columns every customisable table has, and form internals.
RESERVED_KEYS = {
    "id", "custom", "search_text", "created_at", "updated_at", "deleted_at", "owner", "owner_id",
    "stage", "stage_id", "entity", "csrf_token", "submit", "next", "page", "sort", "q",
}


class StageType(field_types.FieldType):
    """The stage of a record's process: shown and filtered, changed only by moving the record."""

    key, label = "stage", _l("Stage")
    kind = field_types.REFERENCE
    in_form = False

    def display(self, stored, spec, lookups=None):
        return "" if stored is None else (lookups or {}).get(("stage", stored), f"#{stored}")


class OwnerType(field_types.UserType):
    in_form = False


@dataclass
class FieldSpec:
    key: str
    label: str
    type: field_types.FieldType
    options: dict = field(default_factory=dict)
    required: bool = False
    unique: bool = False
    default: Any = None
    placeholder: str = ""
    help: str = ""
    position: int = 0
    hidden: bool = False
    archived: bool = False
    base: bool = False  # a column of the plugin's model, not a value in `custom`
    column: Any = None  # for base fields: the peewee field
    definition: FieldDefinition | None = None
    meta: bool = False  # owner, stage, created, changed: shown and filtered, never typed in
    built_in: tuple = ()  # a base field: the plugin's own (label, help), read in each language
    indexed: bool = False  # the admin asked for an index on it (indexes.py)

    @property
    def in_form(self) -> bool:
        return not self.meta and self.type.in_form and not self.hidden and not self.archived

    @property
    def filterable(self) -> bool:
        return not self.archived and self.type.kind in (field_types.TEXT, field_types.NUMBER, field_types.DATE, field_types.DATETIME,
                                                        field_types.BOOL, field_types.LIST, field_types.REFERENCE)


def _base_type(column, unbound, models: dict) -> tuple[field_types.FieldType, dict]:
    """The type of a field of a plugin's model, from the model column and the form field.

    `models` maps the model of every entity to its key: a foreign key to one is a link."""
    types = registry.field_types()
    if isinstance(column, peewee.ForeignKeyField) and column.rel_model in models:
        return types["link"], {"entity": models[column.rel_model]}
    if unbound is not None and issubclass(unbound.field_class, SelectField) and unbound.kwargs.get("choices"):
        choices = [{"value": str(c[0] if isinstance(c, (tuple, list)) else c.value),
                    "label": c[1] if isinstance(c, (tuple,
                                                    list)) else c.label} for c in unbound.kwargs["choices"]]  # lazy: read per request
        return types["select"], {"choices": choices}
    if isinstance(column, peewee.ForeignKeyField) and column.rel_model is User:
        return types["user"], {}
    mapping = [
        (peewee.BooleanField, "checkbox"), (peewee.DateTimeField, "datetime"), (peewee.DateField, "date"),
        ((peewee.DecimalField, peewee.FloatField), "decimal"), (peewee.IntegerField, "integer"),
        (peewee.TextField, "textarea"),
    ]
    for classes, key in mapping:
        if isinstance(column, classes):
            return types[key], {}
    return types["text"], {}


def _unbound_fields(form_class) -> list[tuple[str, UnboundField]]:
    if form_class is None:
        return []
    found = [(name, value) for name in dir(form_class) if isinstance(value := getattr(form_class, name, None), UnboundField)]
    return sorted(found, key=lambda pair: pair[1].creation_counter)


class RecordForm(FlaskForm):
    """The base form of an entity made in the browser: every field is custom."""


class EntitySchema:
    """One entity with its effective fields, as this process currently knows it."""

    def __init__(self, declared: Entity, setting: EntitySetting | None, definitions: list[FieldDefinition],
                 models: dict | None = None):
        self.declared = declared
        self.setting = setting
        self.key = declared.key
        self.model = declared.model
        self.base_form = declared.form or RecordForm
        self.owner_field = declared.owner_field
        self.stage_field = declared.stage_field
        self.in_browser = bool(setting and setting.in_browser)
        self.label = declared.label
        if setting and (setting.labels or setting.label):
            own = declared.label if setting.labels and not self.in_browser else None  # the plugin's, in a language not given
            self.label = lazy_label(setting.labels, setting.label, own)
        self.icon = (setting.icon if setting and setting.in_browser else None) or declared.icon
        self.unowned_visible = declared.unowned_visible
        self.editors = tuple(declared.editors)
        self.fields = self._build_fields(definitions, models or {})
        self.by_key = {spec.key: spec for spec in self.fields}

    # -- fields ---------------------------------------------------------------------------------

    def _build_fields(self, definitions: list[FieldDefinition], models: dict) -> list[FieldSpec]:
        types = registry.field_types()
        overlays = {d.key: d for d in definitions if d.base}
        specs: list[FieldSpec] = []
        for index, (name, unbound) in enumerate(_unbound_fields(self.base_form)):
            column = self.model._meta.fields.get(name)
            field_type, options = _base_type(column, unbound, models)
            label = unbound.kwargs.get("label") or (unbound.args[0] if unbound.args else name)
            validators = unbound.kwargs.get("validators") or []
            spec = FieldSpec(
                key=name, label=label, type=field_type, options=options, base=True, column=column,
                position=index * 10, help=unbound.kwargs.get("description", ""),
                required=any(getattr(v, "field_flags", {}).get("required") for v in validators),
                built_in=(label, unbound.kwargs.get("description", "")),
            )
            overlay = overlays.get(name)
            if overlay is not None:
                # A label is stored only when an admin changed it: otherwise the plugin's, in each language.
                if overlay.labels:
                    spec.label = lazy_label(overlay.labels, overlay.label, built_in=label)
                elif overlay.label:
                    spec.label = lazy_label(None, overlay.label)
                spec.position, spec.hidden = overlay.position, overlay.hidden
                spec.help = overlay.help or spec.help
                spec.definition = overlay
            specs.append(spec)
        for definition in definitions:
            if definition.base or definition.type not in types:
                continue
            specs.append(FieldSpec(
                key=definition.key, label=lazy_label(definition.labels, definition.label), type=types[definition.type],
                options=definition.options or {}, required=definition.required, unique=definition.unique,
                default=definition.default, placeholder=definition.placeholder, help=definition.help,
                position=definition.position, hidden=definition.hidden, indexed=definition.indexed,
                archived=definition.archived_at is not None, definition=definition,
            ))
        specs.sort(key=lambda spec: (spec.position, spec.key))
        meta = [(self.owner_field, _l("Owner"), OwnerType()) if self.owner_field else (None, "", None),
                (self.stage_field, _l("Stage"), StageType()),
                ("created_at", _l("Created"), types["datetime"]), ("updated_at", _l("Last changed"), types["datetime"]),
                ("last_activity_at", _l("Last activity"), types["datetime"]),  # kept by a plugin whose records have activities
                ("closed_at", _l("Closed on"), types["datetime"])]  # kept by a plugin whose records are won or lost
        for key, label, field_type in meta:
            column = self.model._meta.fields.get(key) if key else None
            if column is not None:
                specs.append(FieldSpec(key=key, label=label, type=field_type, base=True, column=column, meta=True))
        return specs

    @property
    def active_fields(self) -> list[FieldSpec]:
        return [spec for spec in self.fields if not spec.archived]

    @property
    def form_fields(self) -> list[FieldSpec]:
        return [spec for spec in self.fields if spec.in_form]

    @property
    def designable_fields(self) -> list[FieldSpec]:
        """The fields the form designer lists: the plugin form's own and the custom ones."""
        return [spec for spec in self.fields if not spec.meta]

    @property
    def custom_fields(self) -> list[FieldSpec]:
        return [spec for spec in self.fields if not spec.base]

    def field(self, key: str) -> FieldSpec | None:
        return self.by_key.get(key)

    @cached_property
    def title_spec(self) -> FieldSpec | None:
        wanted = (self.setting.title_field if self.setting else None) or self.declared.title_field
        if wanted and wanted in self.by_key:
            return self.by_key[wanted]
        return next((s for s in self.active_fields if s.type.kind == field_types.TEXT and not s.meta), None)

    @property
    def list_columns(self) -> list[FieldSpec]:
        wanted = list(self.setting.list_columns) if self.setting and self.setting.list_columns else list(self.declared.list_columns)
        chosen = [self.by_key[key] for key in wanted if key in self.by_key and not self.by_key[key].archived]
        if not chosen:
            title = self.title_spec
            others = [s for s in self.active_fields if not s.meta and not s.hidden and s is not title]
            chosen = ([title] if title else []) + others[: 5 - (1 if title else 0)]
            chosen += [self.by_key[self.owner_field]] if self.owner_field in self.by_key else []
        return chosen

    @cached_property
    def computed_order(self) -> list[FieldSpec]:
        from .formula import FormulaError, evaluation_order, parse

        formulas = {}
        for spec in self.custom_fields:
            if spec.type.key == "computed" and not spec.archived:
                try:
                    formulas[spec.key] = parse(spec.options.get("formula", ""))
                except FormulaError:
                    continue
        numeric = {s.key for s in self.active_fields if s.type.kind == field_types.NUMBER}
        try:
            order = evaluation_order(formulas, numeric)
        except FormulaError:
            return []
        self._formulas = formulas
        return [self.by_key[key] for key in order]

    # -- values and SQL -------------------------------------------------------------------------

    def value(self, record, spec: FieldSpec):
        """A field's value in its stored form (JSON-ready), base column or custom."""
        if not spec.base:
            return (record.custom or {}).get(spec.key)
        if isinstance(spec.column, peewee.ForeignKeyField):
            return getattr(record, spec.column.column_name)
        value = getattr(record, spec.key, None)
        if isinstance(value, datetime.datetime):  # base timestamps are UTC; people read the team's time
            return local_time(value).strftime("%Y-%m-%dT%H:%M")
        if isinstance(value, datetime.date):
            return value.isoformat()
        if isinstance(value, decimal.Decimal):
            return int(value) if value == value.to_integral_value() else float(value)
        return value

    def expression(self, spec: FieldSpec):
        """The SQL expression of a field's value, for filtering and sorting on both databases."""
        if spec.base:
            return spec.column
        path = self.model.custom[spec.key]
        if spec.type.kind == field_types.LIST:
            return path
        text = path.as_text()
        if is_sqlite() and '"' not in spec.key and "'" not in spec.key:
            # The path written into the statement, not bound: SQLite uses an index on an expression
            # only for the same expression, and a bound parameter is not the same (see indexes.py).
            text = peewee.NodeList((self.model.custom, peewee.SQL(f"->> '$.\"{spec.key}\"'")), parens=True)
        if spec.type.kind == field_types.NUMBER:
            return peewee.Cast(text, "REAL") if is_sqlite() else path.as_float()
        if spec.type.kind == field_types.REFERENCE:
            return peewee.Cast(text, "INTEGER") if is_sqlite() else path.as_int()
        if spec.type.kind == field_types.BOOL and not is_sqlite():
            return peewee.Cast(text, "BOOLEAN")
        return text

    def dimensions(self, prefix: str = "", named: bool = True, leave_out=()) -> list[Dimension]:
        """What a metric counting these records (or records linked to them) can be narrowed to: one
        dimension per field whose values come from a list (select or multi-select, the plugin's or
        an admin's), keyed `prefix + field key`, labelled "Entity: Field" (just "Field" unnamed)."""
        found = []
        for spec in self.active_fields:
            if spec.meta or spec.key in leave_out or not spec.options.get("choices") or spec.type.kind not in (
                    field_types.TEXT, field_types.LIST):
                continue
            label = _("%(entity)s: %(field)s", entity=self.label, field=spec.label) if named else str(spec.label)
            found.append(Dimension(prefix + spec.key, label, functools.partial(_offered, spec)))
        return found

    def has_value(self, key: str, value: str):
        """SQL: the record's field `key` holds `value` (a select's, or one of a multi-select's values)."""
        spec = self.by_key[key]
        if spec.type.kind == field_types.LIST:
            return self.expression(spec).contains([value])
        return self.expression(spec) == value

    def title_of(self, record) -> str:
        spec = self.title_spec
        text = spec.type.display(self.value(record, spec), spec) if spec else ""
        return text or f"#{record.id}"

    # -- queries --------------------------------------------------------------------------------

    def query(self, *columns, deleted: bool = False):
        query = self.model.select(*columns)
        if self.in_browser:
            query = query.where(self.model.entity == self.key)
        deleted_at = self.model.deleted_at
        # An import's records not yet live (`IMPORT_PENDING`) are neither live nor deleted.
        return query.where((deleted_at.is_null(False) & (deleted_at != IMPORT_PENDING)) if deleted else deleted_at.is_null())

    def visible(self, user=None, deleted: bool = False):
        """The records the user may see (row scope); for a pool, also those without an owner."""
        query = self.query(deleted=deleted)
        if self.owner_field is None:
            return query
        owner = getattr(self.model, self.owner_field)
        if self.unowned_visible:
            return scope(query, owner, user, also=owner.is_null())
        return scope(query, owner, user)

    def changeable(self, user=None, deleted: bool = False):
        """The records the user may change (row scope): the pool's unowned records are seen by
        everyone but changed by none until claimed (an admin changes everything)."""
        query = self.query(deleted=deleted)
        if self.owner_field is None:
            return query
        return scope(query, getattr(self.model, self.owner_field), user, change=True)

    def visible_or_404(self, record_id, deleted: bool = False):
        """The record, if the signed-in user's row scope holds it; otherwise 404, as for no record."""
        record = self.visible(deleted=deleted).where(self.model.id == record_id).first()
        if record is None:
            abort(404)
        return record

    def changeable_or_404(self, record_id, deleted: bool = False):
        """A record the signed-in user may change: 404 when they may not see it, 403 when they may
        only see it (the pool's: it is claimed before it is worked)."""
        record = self.visible_or_404(record_id, deleted=deleted)
        if not self.may_change(record):
            abort(403)
        return record

    def may_change(self, record, user=None) -> bool:
        """Whether the user may change this record (one query)."""
        return self.changeable(user, deleted=record.deleted_at is not None).where(self.model.id == record.id).exists()

    def set_aside(self, record) -> list:
        """What the record keeps from before changes of field type (for its pages)."""
        from .set_aside import set_aside

        return set_aside(self, record)

    def may_edit(self, user) -> bool:
        return not self.editors or user.role in self.editors

    def url_of(self, record_id: int) -> str:
        """Where a record is shown: the plugin's own page for it, else the generic one."""
        if self.declared.page is not None:
            return self.declared.page(record_id)
        return url_for("records.detail", entity=self.key, record_id=record_id)

    def duplicates(self, rows: list[dict]) -> list[list]:
        """For each row of values, the existing records it probably duplicates."""
        finder = self.declared.find_duplicates
        return finder(rows) if finder is not None and rows else [[] for _row in rows]

    def title_columns(self) -> list:
        """What `title_of` reads: the id and the title's column (not the whole row)."""
        spec = self.title_spec
        return [self.model.id] + ([] if spec is None else [spec.column if spec.base else self.model.custom])

    def titles(self, limit: int = 500) -> list[tuple[int, str]]:
        """(id, title) of the latest records the user may see: what a link field offers."""
        query = self.visible().select(*self.title_columns()).order_by(self.model.id.desc()).limit(limit)
        return [(record.id, self.title_of(record)) for record in query]

    def find_by_title(self, text: str) -> int | None:
        spec = self.title_spec
        if spec is None:
            return int(text.lstrip("#")) if text.lstrip("#").isdigit() else None
        record = self.visible().where(self.expression(spec) == text).first()
        return record.id if record else None

    def new_record(self, owner):
        record = self.model()
        if self.owner_field:
            setattr(record, self.owner_field, owner)
        if self.in_browser:
            record.entity = self.key
        record.custom = {}
        return record

    @property
    def has_process(self) -> bool:
        return bool(self.stage_field)

    def stages(self) -> list[Stage]:
        from .models import Process

        return list(Stage.select(Stage, Process).join(Process)
                    .where(Process.entity == self.key, Process.archived_at.is_null(), Stage.archived_at.is_null())
                    .order_by(Process.id, Stage.position))


# -- the per-process picture ----------------------------------------------------------------------


def _offered(spec: FieldSpec) -> list[tuple[str, str]]:
    return [(choice["value"], field_types.choice_text(choice)) for choice in field_types.active_choices(spec) if choice["value"]]


def _with_shipped_fields(key: str, entity: Entity, definitions: list[FieldDefinition]) -> list[FieldDefinition]:
    """The entity's definitions with the fields its plugin ships (`default_fields`) that are not
    there yet, created now, labelled in each shipped language from the plugin's catalogue. Once: a
    field an admin edited or archived stays as they left it."""
    known = {definition.key for definition in definitions}
    missing = [shipped for shipped in entity.default_fields if shipped.key not in known]
    if not missing:
        return definitions
    try:
        with db.atomic():
            for index, shipped in enumerate(missing):
                label = source_text(shipped.label)
                FieldDefinition.create(entity=key, key=shipped.key, label=label, labels=label_texts(label, None), type=shipped.type,
                                       options=_shipped_options(shipped.options), required=shipped.required,
                                       help=str(shipped.help)[:500], position=1000 + 10 * index, plugin=key.partition(".")[0])
    except peewee.IntegrityError:
        pass  # another process made them at the same moment: read theirs
    return list(FieldDefinition.select().where(FieldDefinition.entity == key).order_by(FieldDefinition.position, FieldDefinition.id))


def _shipped_options(options: dict) -> dict:
    """A shipped field's options as the designer stores them: choices given as (value, label)
    become options with their label in each shipped language."""
    if "choices" not in options:
        return dict(options)
    choices = [{"value": str(value), "label": source_text(label), "labels": label_texts(source_text(label), None),
                "color": "slate", "archived": False} for value, label in options["choices"]]
    return {**options, "choices": choices}


def _browser_entity(setting: EntitySetting) -> Entity:
    return Entity(key=setting.key, label=setting.label or setting.key, model=CustomRecord, form=RecordForm,
                  icon=setting.icon, owner_field="owner", title_field=setting.title_field, stage_field="stage")


def _build() -> dict[str, EntitySchema]:
    settings = {setting.key: setting for setting in EntitySetting.select()}
    definitions: dict[str, list[FieldDefinition]] = {}
    for definition in FieldDefinition.select().order_by(FieldDefinition.position, FieldDefinition.id):
        definitions.setdefault(definition.entity, []).append(definition)
    declared = dict(registry.entities())
    for key, entity in declared.items():
        if entity.default_fields:
            definitions[key] = _with_shipped_fields(key, entity, definitions.get(key, []))
    for key, setting in settings.items():
        if setting.in_browser and setting.archived_at is None:
            declared[key] = _browser_entity(setting)
    models = {entity.model: key for key, entity in declared.items() if entity.model is not CustomRecord}
    return {key: EntitySchema(entity, settings.get(key), definitions.get(key, []), models) for key, entity in declared.items()}


def all_entities() -> dict[str, EntitySchema]:
    """Every entity of the enabled plugins and of the browser, cached until a version moves."""
    state = current_app.extensions.setdefault("salesdeck.entities", {})
    counters = versions.current()
    stamp = (counters.get(versions.SCHEMA, 0), counters.get(versions.PLUGINS, 0))
    if state.get("stamp") == stamp:
        return state["entities"]
    if not versions.committed():
        return _uncommitted_picture(stamp)
    state["entities"] = _build()
    state["stamp"] = stamp
    return state["entities"]


_in_transaction = threading.local()


def _uncommitted_picture(stamp: tuple):
    """A picture built inside a transaction holds what it wrote and may roll back: it serves that
    transaction only (built once for it), never the process's cache."""
    transaction = db.obj._state.transactions[0]  # the outermost: savepoints come and go inside it
    kept = getattr(_in_transaction, "picture", None)
    if kept is not None and kept[0] is transaction and kept[1] == stamp:
        return kept[2]
    entities = _build()
    _in_transaction.picture = (transaction, stamp, entities)
    return entities


def get_entity(key: str) -> EntitySchema | None:
    return all_entities().get(key)


def entity_or_404(key: str) -> EntitySchema:
    schema = get_entity(key)
    if schema is None:
        abort(404)
    return schema


def schema_changed() -> None:
    """Call inside the transaction that changed a definition: every process rebuilds its picture."""
    versions.bump(versions.SCHEMA)
