"""The form designer: entities, their settings, and their fields, edited by admins in the browser.

Regions of the designer page refresh themselves on the `schema-changed` event that every save
sends (HX-Trigger), so no view needs to know which other parts of the page show the change.
"""
from __future__ import annotations

import re

from flask import Blueprint, abort, flash, make_response, redirect, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from .. import registry
from ..auth import restrict
from ..i18n import labels_from_form, language_of, typed_labels
from ..input_guard import Refused
from ..models import LOCALES
from ..shell import id_from, render_fragment, render_page
from . import definitions as definition_service
from . import indexes, records
from .entities import EntitySchema, FieldSpec, all_entities, entity_or_404, get_entity
from .models import FieldDefinition

bp = Blueprint("designer", __name__, url_prefix="/admin/entities")
SCHEMA_CHANGED = "schema-changed"


restrict(bp, "administer")


def spec_or_404(schema: EntitySchema, key: str) -> FieldSpec:
    spec = schema.field(key)
    if spec is None or spec.meta:
        abort(404)
    return spec


# -- entities -------------------------------------------------------------------------------------


@bp.route("/")
def index():
    entities = sorted(all_entities().values(), key=lambda schema: (schema.in_browser, str(schema.label)))
    return render_page("lowcode/entities.html", entities=entities, icons=definition_service.ICON_LABELS, errors={})


@bp.route("/new", methods=["POST"])
def new_entity():
    try:
        setting = definition_service.create_entity(request.form.get("label", ""), request.form.get("icon", "dot"), current_user,
                                                   labels=labels_from_form(request.form))
    except definition_service.DefinitionError as problem:
        entities = sorted(all_entities().values(), key=lambda schema: (schema.in_browser, str(schema.label)))
        return render_page("lowcode/entities.html", status=400, entities=entities, icons=definition_service.ICON_LABELS,
                           errors=problem.errors, label=request.form.get("label", ""), labels=labels_from_form(request.form))
    flash(_("%(label)s is created. Add its fields.", label=setting.label), "success")
    return redirect(url_for("designer.fields", entity=setting.key))


@bp.route("/<entity>/settings", methods=["GET", "POST"])
def settings(entity: str):
    schema = entity_or_404(entity)
    errors = {}
    if request.method == "POST":
        values = {"label": request.form.get("label", ""), "labels": labels_from_form(request.form), "icon": request.form.get("icon", ""),
                  "title_field": request.form.get("title_field", ""), "list_columns": request.form.getlist("list_columns")}
        try:
            definition_service.change_entity(schema, values, current_user)
        except definition_service.DefinitionError as problem:
            errors = problem.errors
        else:
            flash(_("The settings of %(label)s are saved.", label=values["label"] or schema.label), "success")
            return redirect(url_for("designer.settings", entity=schema.key))
    schema = get_entity(entity)
    return render_page("lowcode/entity_settings.html", status=400 if errors else 200, schema=schema, errors=errors,
                       labels=(request.form and labels_from_form(request.form)) or _entity_labels(schema),
                       icons=definition_service.ICON_LABELS, chosen=[spec.key for spec in schema.list_columns],
                       candidates=[spec for spec in schema.active_fields if spec.type.kind != "list"])


def _entity_labels(schema: EntitySchema) -> dict:
    """The form's name in each language, as its settings show them: the admin's, else the plugin's."""
    setting = schema.setting
    labels = dict(setting.labels or {}) if setting is not None else {}
    if not labels and setting is not None and setting.label:
        labels = {code: setting.label for code in LOCALES} if not schema.in_browser else {language_of(setting.label): setting.label}
    if not schema.in_browser:
        for code in LOCALES:
            if not labels.get(code):
                with force_locale(code):
                    labels[code] = str(schema.declared.label)
    return labels


# -- fields ---------------------------------------------------------------------------------------


def _editor_context(schema: EntitySchema, spec: FieldSpec | None, type_key: str | None, values=None, errors=None, saved=False,
                    version=None, conflict=None):
    types = registry.field_types()
    field_type = spec.type if spec is not None else types.get(type_key or "")
    definition = spec.definition if spec is not None else None
    locked_key = spec is not None and not spec.base and definition_service.has_data(schema, spec.key)
    return {
        "schema": schema, "spec": spec, "field_type": field_type, "definition": definition, "types": types,
        "values": values or _values_of(spec), "errors": errors or {}, "saved": saved, "locked_key": locked_key,
        "link_targets": [(key, target.label) for key, target in all_entities().items()],
        "colors": definition_service.types.COLOR_LABELS, "conflict": conflict,
        "indexable": field_type is not None and field_type.kind in definition_service.INDEXABLE_KINDS and not (spec and spec.base),
        # (version, settings) the editor was made from: the field's own, unless a submission says
        "version": version or ((definition_service.field_version(schema, spec),
                                definition_service.json.dumps(definition_service.field_settings(spec), ensure_ascii=False))
                               if spec is not None else None),
    }


def _values_of(spec: FieldSpec | None) -> dict:
    if spec is None:
        return {"options": {"choices": []}}
    default = ""
    if spec.default not in (None, "") and not spec.base:
        default = spec.type.to_text(spec.default, spec)
    return {"label": str(spec.label), "labels": _label_texts(spec), "key": spec.key, "help": spec.help,
            "placeholder": spec.placeholder, "required": spec.required, "unique": spec.unique, "hidden": spec.hidden,
            "indexed": spec.indexed,
            "default": default, "options": dict(spec.options or {})}


def _label_texts(spec: FieldSpec) -> dict:
    """The field's label in each language, as its editor shows them: the admin's, else (a field of
    the plugin) the plugin's own in that language."""
    definition = spec.definition
    labels = dict(definition.labels or {}) if definition is not None else {}
    typed = getattr(definition.label, "source", definition.label) if definition is not None else ""
    if not labels and typed and not spec.base:
        labels = definition_service.shown_labels({}, definition.label)
    elif not labels and typed:
        labels = {code: typed for code in LOCALES}
    if spec.base:
        for code in LOCALES:
            if not labels.get(code):
                with force_locale(code):
                    labels[code] = str(spec.built_in[0] if spec.built_in else spec.label)
    return labels


def _values_from_form(form) -> dict:
    """The designer's form as the dict `definitions.validate` checks."""
    rows: dict[str, dict] = {}
    for name, value in form.items(multi=True):
        if name.startswith("choice-"):
            _prefix, index, part = (name.split("-", 2) + ["", ""])[:3]
            rows.setdefault(index, {})[part] = value
    for row in rows.values():  # the order the rows were dragged into: small whole numbers
        if not re.fullmatch(r"-?[0-9]{1,6}", (row.get("position") or "0").strip()):
            raise Refused(_("An option's position must be a whole number."))
    options = {name: form.get(name, "") for name in
               ("min", "max", "min_length", "max_length", "pattern", "pattern_message", "decimals", "currency", "formula", "entity")}
    options["choices"] = list(rows.values())
    return {"label": form.get("label", ""), "labels": labels_from_form(form), "key": form.get("key", ""), "type": form.get("type", ""),
            "help": form.get("help", ""), "placeholder": form.get("placeholder", ""),
            "required": form.get("required") == "y", "unique": form.get("unique") == "y",
            "hidden": form.get("hidden") == "y", "indexed": form.get("indexed") == "y",
            "default": form.get("default", ""), "options": options}


def _designer(schema: EntitySchema, editor: dict, status: int = 200):
    context = dict(editor, schema=schema, fields=schema.designable_fields, preview=_preview_form(schema),
                   indexed=indexes.indexed_keys(schema))
    return render_page("lowcode/designer.html", status=status, **context)


def _preview_form(schema: EntitySchema):
    return records.make_form(schema, submitted=False)


@bp.route("/<entity>/fields")
def fields(entity: str):
    schema = entity_or_404(entity)
    key, type_key = request.args.get("field"), request.args.get("type")
    spec = spec_or_404(schema, key) if key else None
    return _designer(schema, _editor_context(schema, spec, type_key))


@bp.route("/<entity>/fields/list")
def field_list(entity: str):
    schema = entity_or_404(entity)
    return render_fragment("lowcode/designer.html", "field_list", schema=schema, fields=schema.designable_fields,
                           indexed=indexes.indexed_keys(schema))


@bp.route("/<entity>/fields/editor")
def editor(entity: str):
    schema = entity_or_404(entity)
    key = request.args.get("field")
    spec = spec_or_404(schema, key) if key else None
    if spec is None and request.args.get("type") not in registry.field_types():
        return render_fragment("lowcode/designer.html", "field_editor", **_editor_context(schema, None, None))
    return render_fragment("lowcode/designer.html", "field_editor", **_editor_context(schema, spec, request.args.get("type")))


def _saved(schema: EntitySchema, spec: FieldSpec, message: str):
    """After a save: the editor shows the field again, and the page's other regions refresh. A
    redirect needs only the field's key (the page it leads to reads the new definitions)."""
    if not request.htmx:
        flash(message, "success")
        return redirect(url_for("designer.fields", entity=schema.key, field=spec.key if isinstance(spec, FieldSpec) else spec))
    schema = get_entity(schema.key)
    spec = schema.field(spec.key) if isinstance(spec, FieldSpec) else schema.field(spec)
    response = render_page("lowcode/designer.html", "field_editor", **_editor_context(schema, spec, None, saved=message))
    response.headers["HX-Trigger"] = SCHEMA_CHANGED
    return response


def _refused(schema: EntitySchema, spec, type_key, values, errors, version=None, conflict=None):
    context = _editor_context(schema, spec, type_key, values=values, errors=errors, version=version, conflict=conflict)
    if request.htmx:
        return render_page("lowcode/designer.html", "field_editor", **context)  # 200: htmx swaps it
    return _designer(schema, context, status=409 if conflict else 400)


@bp.route("/<entity>/fields/new", methods=["POST"])
def add(entity: str):
    schema = entity_or_404(entity)
    values = _values_from_form(request.form)
    try:
        definition = definition_service.add_field(schema, values, current_user)
    except definition_service.DefinitionError as problem:
        return _refused(schema, None, values["type"], values, problem.errors)
    definition_service.added_empty(schema, definition.key)  # its editor, shown next, need not read every record
    return _saved(schema, definition.key, _("%(label)s is added.", label=definition.label))


@bp.route("/<entity>/fields/<key>", methods=["POST"])
def change(entity: str, key: str):
    schema = entity_or_404(entity)
    spec = spec_or_404(schema, key)
    values = _values_from_form(request.form)
    try:
        base = definition_service.read_base(request.form.get("field-base"))
    except ValueError:
        abort(400)
    version = (id_from(request.form.get("field-version")) or 0, request.form["field-base"]) if base is not None else None
    try:
        if spec.base:
            definition_service.overlay_base_field(schema, spec, values, current_user, base=base, version=version and version[0])
            new_key = spec.key
        else:
            new_key = definition_service.change_field(schema, spec.definition, values, current_user, base=base,
                                                      version=version and version[0]).key
    except definition_service.DefinitionError as problem:
        return _refused(schema, spec, None, values, problem.errors, version=version)
    # saved over a newer version: what the admin typed, over the field as it is now
    except definition_service.DefinitionConflict as conflict:
        schema = get_entity(schema.key)
        spec = schema.field(spec.key)
        typed = {**_values_of(spec), **{name: values[name] for name in conflict.typed if name in values}}
        errors = {name: _("Changed by someone else meanwhile; yours is kept here. Save again to keep yours.")
                  for name in conflict.settings}
        return _refused(schema, spec, None, typed, errors, conflict=conflict)
    return _saved(schema, new_key, _("%(label)s is saved.", label=values["label"] or spec.label))


@bp.route("/<entity>/fields/<key>/archive", methods=["POST"])
def archive(entity: str, key: str):
    schema = entity_or_404(entity)
    spec = spec_or_404(schema, key)
    if spec.base:
        abort(400)
    try:
        definition_service.set_archived(schema, spec.definition, request.form.get("restore") != "1", current_user)
    except definition_service.DefinitionError as problem:
        flash(" ".join(problem.errors.values()), "error")
    else:
        flash(_("%(label)s is restored; its values show again.", label=spec.label) if request.form.get("restore") == "1"
              else _("%(label)s is archived; its values are kept.", label=spec.label), "success")
    return redirect(url_for("designer.fields", entity=schema.key))


@bp.route("/<entity>/fields/order", methods=["POST"])
def order(entity: str):
    schema = entity_or_404(entity)
    definition_service.reorder(schema, request.form.getlist("order"), current_user)
    if not request.htmx:
        return redirect(url_for("designer.fields", entity=schema.key))
    response = make_response("", 204)  # the list and the preview refresh themselves on the event
    response.headers["HX-Trigger"] = SCHEMA_CHANGED
    return response


@bp.route("/<entity>/fields/preview", methods=["GET", "POST"])
def preview(entity: str):
    """The form as users will see it; with a draft from the editor (POST), before it is saved."""
    schema = entity_or_404(entity)
    if request.method == "POST":
        values = _values_from_form(request.form)
        key = request.form.get("editing", "")
        spec = schema.field(key) if key else None
        schema = _with_draft(schema, spec, values)
    return render_fragment("lowcode/designer.html", "form_preview", schema=schema, preview=_preview_form(schema))


def _with_draft(schema: EntitySchema, spec: FieldSpec | None, values: dict) -> EntitySchema:
    definitions = [s.definition for s in schema.fields if s.definition is not None and s is not spec]
    if spec is not None and spec.base:
        label, labels = typed_labels(values.get("label"), values.get("labels"))
        overlay = FieldDefinition(entity=schema.key, key=spec.key, type=spec.type.key, base=True, position=spec.position,
                                  label=label, labels=labels, help=values.get("help", ""),
                                  hidden=values.get("hidden", False) and not spec.required)
        definitions.append(overlay)
    else:
        type_key = spec.type.key if spec else values["type"]
        if type_key not in registry.field_types():
            return schema
        position = spec.position if spec else max([s.position for s in schema.designable_fields] or [0]) + 10
        try:
            cleaned = definition_service.validate(schema, {**values, "type": type_key}, spec.definition if spec else None)
        except definition_service.DefinitionError:
            # Half-filled (a choice field without options yet): show what can be shown. Saving is
            # strict; the preview follows the typing.
            label, labels = typed_labels(values.get("label"), values.get("labels"))
            cleaned = {"label": label[:120] or "…", "labels": {code: text[:120] for code, text in labels.items()},
                       "key": spec.key if spec else "draft_field",
                       "type": type_key, "help": (values.get("help") or "")[:500], "required": bool(values.get("required")),
                       "options": {"choices": [c for c in (spec.options.get("choices", []) if spec else [])]}}
        definitions.append(FieldDefinition(entity=schema.key, position=position, **cleaned))
    return EntitySchema(schema.declared, schema.setting, definitions)


@bp.route("/<entity>/fields/<key>/type", methods=["GET", "POST"])
def change_type(entity: str, key: str):
    """Change a field's type: first a report of what converts and what is kept, then the change."""
    schema = entity_or_404(entity)
    spec = spec_or_404(schema, key)
    if spec.base or spec.definition.plugin:  # the plugin reads it as the type it declared
        flash(_("This field's type cannot change."), "error")
        return redirect(url_for("designer.fields", entity=schema.key, field=key)), 303
    types = registry.field_types()
    new_type = types.get(request.values.get("to", ""))
    if new_type is None or new_type.key == spec.type.key or not new_type.in_form:
        flash(_("Choose the new type."), "error")
        return redirect(url_for("designer.fields", entity=schema.key, field=key))
    if request.method == "POST":
        try:
            converted, kept, returned = definition_service.change_type(schema, spec.definition, new_type, current_user)
        except definition_service.DefinitionError as problem:
            flash(" ".join(problem.errors.values()), "error")
            return redirect(url_for("designer.fields", entity=schema.key, field=key))
        flash(_("%(label)s is now %(type)s: %(converted)d value(s) converted, %(kept)d kept aside on their records.",
                label=spec.label, type=new_type.label, converted=converted, kept=kept), "success")
        if returned:
            flash(_("%(count)d value(s) came back: they were set aside by an earlier change and fit %(type)s.",
                    count=returned, type=new_type.label), "success")
        return redirect(url_for("designer.fields", entity=schema.key, field=key))
    options = definition_service.options_for_new_type(schema, spec.definition, new_type)
    converted, kept = definition_service.conversion_report(schema, spec.definition, new_type, options)
    return render_page("lowcode/type_change.html", schema=schema, spec=spec, new_type=new_type, converted=converted,
                       kept=kept[:200], kept_count=len(kept), options=options)
