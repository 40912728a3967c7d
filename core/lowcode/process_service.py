"""Changing processes and stages: what admins do in the process editor.

Like the field definitions (definitions.py), every change is validated here, written in one
transaction, audited once and bumps the schema version, so every server process sees it. A stage
saved from an editor opened on an older version keeps what other admins changed since, and is
refused (StageConflict) where both changed the same setting differently.
"""
from __future__ import annotations

import json

import peewee
from flask_babel import gettext as _

from ..db import db, is_sqlite, utcnow
from ..i18n import N_, label_texts, same_as_catalogue, typed_labels
from . import types
from .definitions import DefinitionError, key_from_label, too_long
from .entities import EntitySchema, get_entity, schema_changed
from .models import AuditEntry, Process, Stage
from .processes import KINDS, stages_of
from .records import History, audit, recompute

STAGE_SETTINGS = ("label", "labels", "color", "probability", "kind", "followup_days", "required_fields", "needs_approval")
FIRST_STAGES = [("new", N_("New"), "open", 10), ("won", N_("Won"), "won", 100), ("lost", N_("Lost"), "lost", 0)]


class StageConflict(Exception):
    """A stage saved from an older version, changed since in the same settings. `stage`: as it is
    now; `settings`: the names both changed differently; `typed`: the values the admin gave;
    `history`: who changed the stage since."""

    def __init__(self, stage: Stage, settings: list[str], typed: dict, history: list):
        self.stage, self.settings, self.typed, self.history = stage, settings, typed, history
        super().__init__(settings)


# -- the version a stage editor was made from -----------------------------------------------------


def stage_settings(stage: Stage) -> dict:
    """A stage's settings as its editor shows them (the name in the reader's language)."""
    values = {name: getattr(stage, name) for name in STAGE_SETTINGS}
    values["label"] = str(values["label"])
    values["labels"] = label_texts(getattr(stage.label, "source", stage.label), stage.labels)
    values["required_fields"] = list(values["required_fields"] or [])
    return values


def stage_version(process: Process, stage: Stage) -> int:
    """The stage's latest audit entry: the version an editor opened now is made from."""
    return AuditEntry.select(peewee.fn.MAX(AuditEntry.id)).where(
        AuditEntry.entity == f"process:{process.key}", AuditEntry.record_id == stage.id,
        AuditEntry.action.startswith("stage_"), AuditEntry.action != "stage_order").scalar() or 0


def stage_base(stage: Stage) -> str:
    return json.dumps(stage_settings(stage), ensure_ascii=False, separators=(",", ":"))


def read_base(text: str | None) -> dict | None:
    """The settings an editor was made from, as it sent them back. Raises ValueError when they are
    not what our editor sends."""
    if text is None:
        return None
    base = json.loads(text)
    if not isinstance(base, dict) or not set(base) <= set(STAGE_SETTINGS):
        raise ValueError("not a stage editor's settings")
    return base


def _changes_since(process: Process, stage: Stage, version: int) -> list[History]:
    from ..models import User

    entries = (AuditEntry.select(AuditEntry, User).join(User, peewee.JOIN.LEFT_OUTER, on=(AuditEntry.user == User.id))
               .where(AuditEntry.entity == f"process:{process.key}", AuditEntry.record_id == stage.id,
                      AuditEntry.action.startswith("stage_"), AuditEntry.action != "stage_order", AuditEntry.id > version)
               .order_by(AuditEntry.id.desc()).limit(20))
    return [History(at=entry.at, user=entry.user.name if entry.user_id and entry.user else "", action=entry.action,
                    changes=[(name, before, after) for name, (before, after) in (entry.changes or {}).items()])
            for entry in entries]


# -- validating -----------------------------------------------------------------------------------


def clean_labels(raw: dict, row=None) -> tuple[str, dict]:
    """(label, labels) of a stage or process from its editor; a name left as the catalogue reads
    it stays the stored text, so it keeps reading in each user's language."""
    label, labels = typed_labels(raw.get("label"), raw.get("labels"), dict(row.labels or {}) if row is not None else None)
    if row is not None and labels and same_as_catalogue(getattr(row.label, "source", row.label), labels):
        return row.label, label_texts(getattr(row.label, "source", row.label), None)
    return label, labels


def clean_stage(schema: EntitySchema, raw: dict, stage: Stage | None = None) -> dict:
    """A stage's settings as the editor submitted them (text, and a list of required fields),
    checked and cleaned. Raises DefinitionError with a message per setting."""
    errors, values = {}, {}
    values["label"], values["labels"] = clean_labels(raw, stage)
    if not values["label"] or too_long(values["label"], values["labels"], 120):
        errors["label"] = _("Give the stage a name of 1 to 120 characters.")
    if raw.get("labels") is None and not (stage is not None and stage.labels):
        del values["labels"]  # one name, as a script sends it: nothing to say about the languages
    values["color"] = raw.get("color") if raw.get("color") in types.COLORS else "slate"
    try:
        values["probability"] = int(raw.get("probability") or 0)
        if not 0 <= values["probability"] <= 100:
            raise ValueError
    except ValueError:
        errors["probability"] = _("Write a whole number from 0 to 100.")
    values["kind"] = raw.get("kind") if raw.get("kind") in KINDS else None
    if values["kind"] is None:
        errors["kind"] = _("Choose open, won or lost.")
    raw_days = (raw.get("followup_days") or "").strip()
    try:
        values["followup_days"] = int(raw_days) if raw_days else None
        if values["followup_days"] is not None and not 0 < values["followup_days"] <= 365:
            raise ValueError
    except ValueError:
        errors["followup_days"] = _("Write a number of days from 1 to 365, or leave it empty.")
    known = {spec.key for spec in schema.form_fields}
    values["required_fields"] = [key for key in raw.get("required_fields") or [] if key in known]
    values["needs_approval"] = bool(raw.get("needs_approval"))
    if errors:
        raise DefinitionError(errors)
    return values


# -- processes ------------------------------------------------------------------------------------


def create_process(label: str, entity: str, user, labels: dict | None = None) -> Process:
    """A new process for an entity's records, with three stages to rename and extend. `labels`:
    its name in each language ({locale: text}) when the admin gave them."""
    label, labels = typed_labels(label, labels)
    errors = {}
    if not label or too_long(label, labels, 120):
        errors["label"] = _("Give the process a name of 1 to 120 characters.")
    schema = get_entity(entity)
    if schema is None or not schema.has_process:
        errors["entity"] = _("Choose which records go through it.")
    if errors:
        raise DefinitionError(errors)
    taken = {key for (key,) in Process.select(Process.key).tuples()}
    with db.atomic():
        process = Process.create(key=f"{entity}:{key_from_label(label, taken)}", label=label, labels=labels, entity=entity)
        for position, (key, name, kind, probability) in enumerate(FIRST_STAGES):
            # Stored in English, read in each user's language (see Translated).
            Stage.create(process=process, key=key, label=name, kind=kind, probability=probability, position=position,
                         color={"won": "green", "lost": "red"}.get(kind, "blue"))
        audit("process_add", f"process:{process.key}", process.id, label,
              {"label": [None, label], **({"labels": [None, labels]} if labels else {})}, user)
        schema_changed()
    return process


def rename_process(process: Process, raw: dict, user) -> Process:
    """Give a process a new name, in each language (`raw`: label, labels as the editor sent them)."""
    with db.atomic():
        process = _locked(Process, process.id)
        label, labels = clean_labels(raw, process)
        if not label or too_long(label, labels, 120):
            raise DefinitionError({"label": _("Give the process a name of 1 to 120 characters.")})
        before = {"label": str(process.label), "labels": label_texts(getattr(process.label, "source", process.label), process.labels)}
        if before == {"label": str(label), "labels": labels}:
            return process
        process.label = label
        process.labels = {} if same_as_catalogue(getattr(process.label, "source", process.label), labels) else labels
        process.save(only=[Process.label, Process.labels])
        audit("process_change", f"process:{process.key}", process.id, str(label),
              {name: [before[name], value] for name, value in (("label", str(label)), ("labels", labels)) if before[name] != value}, user)
        schema_changed()
    return process


def set_process_archived(process: Process, archived: bool, user) -> int:
    """Archive a process (its stages, records and history stay; it leaves the board and new records
    no longer enter it) or restore it. Refused for the last active process of its records: new
    records enter the first stage of one, and the board shows one. Returns how many records are in
    the process's stages."""
    schema = get_entity(process.entity)
    with db.atomic():
        process = _locked(Process, process.id)
        if archived and process.archived_at is None:
            others = (Process.select().where(Process.entity == process.entity, Process.archived_at.is_null(),
                                             Process.id != process.id).exists())
            if not others:
                raise DefinitionError({"archive": _(
                    "%(label)s is the only active process of %(entity)s: new records enter its first stage. "
                    "Create or restore another process first.", label=process.label,
                    entity=schema.label if schema else process.entity)})
        if (process.archived_at is not None) == archived:
            return _records_in(schema, process)
        process.archived_at = utcnow() if archived else None
        process.save(only=[Process.archived_at])
        audit("process_archive" if archived else "process_restore", f"process:{process.key}", process.id, process.label,
              {"archived": [not archived, archived]}, user)
        schema_changed()
    return _records_in(schema, process)


def _records_in(schema: EntitySchema | None, process: Process) -> int:
    if schema is None:
        return 0
    column = schema.model._meta.fields[schema.stage_field]
    return schema.query().where(column.in_(Stage.select(Stage.id).where(Stage.process == process))).count()


def _locked(model, row_id: int):
    """The row read again inside the transaction and locked until it ends (SQLite: the whole
    database is, from BEGIN IMMEDIATE)."""
    query = model.select().where(model.id == row_id)
    return (query if is_sqlite() else query.for_update()).get()


# -- stages ---------------------------------------------------------------------------------------


def add_stage(process: Process, raw: dict, user) -> Stage:
    values = clean_stage(get_entity(process.entity), raw)
    with db.atomic():
        taken = {s.key for s in Stage.select(Stage.key).where(Stage.process == process)}
        position = (Stage.select(peewee.fn.MAX(Stage.position)).where(Stage.process == process).scalar() or 0) + 1
        stage = Stage.create(process=process, key=key_from_label(values["label"], taken), position=position, **values)
        audit("stage_add", f"process:{process.key}", stage.id, stage.label, {k: [None, v] for k, v in values.items()}, user)
        schema_changed()
    return stage


def change_stage(process: Process, stage: Stage, raw: dict, user, base: dict | None = None,
                 version: int | None = None) -> Stage:
    """Save a stage's settings. With `base`, the settings the editor was made from, only what the
    admin changed is written; a setting another admin changed since to something else raises
    StageConflict."""
    values = clean_stage(get_entity(process.entity), raw, stage)
    with db.atomic():
        stage = _locked(Stage, stage.id)
        current = stage_settings(stage)
        if base is None:
            typed = set(values)
        else:
            typed = {name for name in values if name in base and values[name] != base[name]}
            clashes = [name for name in STAGE_SETTINGS if name in typed and current[name] != base[name]
                       and values[name] != current[name]]
            if clashes:
                raise StageConflict(stage, clashes, values, _changes_since(process, stage, version or 0))
        changes = {name: [current[name], values[name]] for name in STAGE_SETTINGS
                   if name in typed and values[name] != current[name]}
        for name in changes:  # an unchanged name keeps its source (and its translations)
            setattr(stage, name, values[name])
        if "labels" in changes and same_as_catalogue(getattr(stage.label, "source", stage.label), values["labels"]):
            stage.labels = {}  # the catalogue's names: nothing of the admin's to keep
        if changes:
            stage.save()
            audit("stage_change", f"process:{process.key}", stage.id, stage.label, changes, user)
            schema_changed()
            schema = get_entity(process.entity)
            if "probability" in changes and schema is not None and schema.stage_field:  # formulas may read it (a deal's)
                recompute(schema, schema.model.select().where(schema.model._meta.fields[schema.stage_field] == stage.id))
    return stage


def reorder_stages(process: Process, ids: list[int], user) -> list[Stage]:
    """Put the stages in the order given (ids of this process's stages; others are ignored)."""
    with db.atomic():
        stages = {stage.id: stage for stage in stages_of(process)}
        ordered = [stages[i] for i in ids if i in stages] + [s for i, s in stages.items() if i not in ids]
        for position, stage in enumerate(ordered):
            if stage.position != position:
                stage.position = position
                stage.save(only=[Stage.position])
        audit("stage_order", f"process:{process.key}", process.id, process.label,
              {"order": [None, [stage.label for stage in ordered]]}, user)
        schema_changed()
    return ordered


def set_stage_archived(process: Process, stage: Stage, archived: bool, user) -> None:
    """Archive a stage no record is in (merge it otherwise), never the last one; or restore it."""
    schema = get_entity(process.entity)
    with db.atomic():
        stage = _locked(Stage, stage.id)
        if archived:
            column = schema.model._meta.fields[schema.stage_field]
            in_use = schema.query().where(column == stage.id).count()
            if in_use:
                raise DefinitionError({"archive": _(
                    "%(count)d record(s) are in %(label)s: merge it into another stage instead, so they move with it.",
                    count=in_use, label=stage.label)})
            if len(stages_of(process)) <= 1:
                raise DefinitionError({"archive": _("A process keeps at least one stage.")})
        stage.archived_at = utcnow() if archived else None
        stage.save(only=[Stage.archived_at])
        audit("stage_archive" if archived else "stage_restore", f"process:{process.key}", stage.id, stage.label,
              {"archived": [not archived, archived]}, user)
        schema_changed()
