"""The low-code layer's tables: definitions (fields, entities, processes, stages) and what happens
to records (stage moves, approvals, the audit log, imports).

Custom values live in one JSON column, `custom`, of each customisable table, so a change made in the
browser never alters the schema.
"""
from __future__ import annotations

import datetime
import functools
import json

import peewee

from ..db import BaseModel, utcnow
from ..i18n import translated
from ..models import User

# Chinese stays readable in SQLite's JSON text, so LIKE and exports see it as typed.
_dumps = functools.partial(json.dumps, ensure_ascii=False, separators=(",", ":"))


def json_field(**kwargs) -> peewee.JSONField:
    return peewee.JSONField(dumps=_dumps, **kwargs)


class Translated(str):
    """Text kept as written (`source`) and read in the reader's language when a catalogue knows
    it: a plugin's default stage names stay English in the database and read 客户开发 in Chinese;
    a name an admin typed reads as typed, or as they gave it in the reader's language (`labels`,
    {locale: text}, see `core.i18n.label_text`). A plain `str`, so templates escape it as any text."""

    def __new__(cls, source: str, labels: dict | None = None):
        text = translated(source) if source else source
        if labels:
            from ..i18n import label_text

            text = label_text(labels, text)
        self = super().__new__(cls, text)
        self.source = source
        return self


class _LabelAccessor(peewee.FieldAccessor):
    """Reads a label in the reader's language from the row's `labels`, when it has them."""

    def __get__(self, instance, instance_type=None):
        value = super().__get__(instance, instance_type)
        labels = instance.__data__.get("labels") if instance is not None else None
        if labels and isinstance(value, str):
            return Translated(getattr(value, "source", value), labels)
        return value


class TranslatedField(peewee.CharField):
    """A CharField of `Translated` text: reading translates (or picks the row's `labels` in the
    reader's language), writing stores the source again."""

    accessor_class = _LabelAccessor

    def db_value(self, value):
        return super().db_value(getattr(value, "source", value))

    def python_value(self, value):
        return Translated(value) if value else value


def source_text(label) -> str:
    """What to store for a label a plugin declared: the message id of a `lazy_gettext` string, so
    every reader sees it in their language, or the text itself."""
    args = getattr(label, "_args", None)
    return args[0] if args and len(args) == 1 and isinstance(args[0], str) else str(label)


class CustomisableModel(BaseModel):
    """Base of every model whose records admins customise: custom values, search text, soft delete.

    A plugin's entity model derives from it and adds its own fields and an owner.
    """

    custom = json_field(default=dict)
    search_text = peewee.TextField(default="")
    created_at = peewee.DateTimeField(default=utcnow, index=True)
    updated_at = peewee.DateTimeField(default=utcnow)
    deleted_at = peewee.DateTimeField(null=True, index=True)


class EntitySetting(BaseModel):
    """An admin's settings of an entity; for an entity made in the browser, the entity itself."""

    key = peewee.CharField(max_length=100, primary_key=True)
    label = peewee.CharField(max_length=80, null=True)
    labels = json_field(default=dict)  # {locale: label}: the label in each language an admin gave
    icon = peewee.CharField(max_length=30, default="dot")
    in_browser = peewee.BooleanField(default=False)  # created in the browser (rows in core_record)
    title_field = peewee.CharField(max_length=64, null=True)
    list_columns = json_field(default=list)
    archived_at = peewee.DateTimeField(null=True)
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "core_entity"


class FieldDefinition(BaseModel):
    """One field of an entity's form: a custom field, or an admin's overlay on a base field."""

    entity = peewee.CharField(max_length=100, index=True)
    key = peewee.CharField(max_length=64)
    label = TranslatedField(max_length=120)  # as the admin typed it; empty on a base field: the plugin's
    labels = json_field(default=dict)  # {locale: label}: the label in each language an admin gave
    type = peewee.CharField(max_length=32)
    options = json_field(default=dict)  # choices, min/max, length, pattern, formula, link, ...
    required = peewee.BooleanField(default=False)
    unique = peewee.BooleanField(default=False)
    default = json_field(null=True)
    placeholder = peewee.CharField(max_length=200, default="")
    help = peewee.CharField(max_length=500, default="")
    position = peewee.IntegerField(default=0)
    hidden = peewee.BooleanField(default=False)
    indexed = peewee.BooleanField(default=False)  # lists filter and sort on it through an index (indexes.py)
    base = peewee.BooleanField(default=False)  # overlays a field of the plugin's form
    plugin = peewee.CharField(max_length=100, null=True)  # shipped by this plugin (`default_fields`): key and type stay
    archived_at = peewee.DateTimeField(null=True)
    created_at = peewee.DateTimeField(default=utcnow)
    updated_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "core_field"
        indexes = ((("entity", "key"), True),)


class Process(BaseModel):
    key = peewee.CharField(max_length=100, unique=True)
    label = TranslatedField(max_length=120)
    labels = json_field(default=dict)  # {locale: label}
    entity = peewee.CharField(max_length=100, index=True)
    archived_at = peewee.DateTimeField(null=True)
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "core_process"


class Stage(BaseModel):
    process = peewee.ForeignKeyField(Process, backref="stages", on_delete="CASCADE")
    key = peewee.CharField(max_length=64)
    label = TranslatedField(max_length=120)
    labels = json_field(default=dict)  # {locale: label}
    color = peewee.CharField(max_length=16, default="slate")
    position = peewee.IntegerField(default=0)
    probability = peewee.IntegerField(default=0)
    kind = peewee.CharField(max_length=8, default="open")  # open, won, lost
    required_fields = json_field(default=list)
    needs_approval = peewee.BooleanField(default=False)
    followup_days = peewee.IntegerField(null=True)
    archived_at = peewee.DateTimeField(null=True)
    merged_into = peewee.ForeignKeyField("self", null=True, on_delete="SET NULL")

    class Meta:
        table_name = "core_stage"
        indexes = ((("process", "key"), True),)


class StageMove(BaseModel):
    """A record entered a stage: who moved it and when, and when it left (time in stage, conversion)."""

    entity = peewee.CharField(max_length=100)
    record_id = peewee.IntegerField()
    from_stage = peewee.ForeignKeyField(Stage, null=True, on_delete="SET NULL", backref="+")
    to_stage = peewee.ForeignKeyField(Stage, on_delete="CASCADE", backref="+")
    user = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    at = peewee.DateTimeField(default=utcnow, index=True)
    left_at = peewee.DateTimeField(null=True)  # its next move: set by `processes.record_moves` and `close_stays`

    class Meta:
        table_name = "core_stage_move"
        indexes = ((("entity", "record_id"), False), (("entity", "left_at", "to_stage", "record_id", "at"), False),
                   (("entity", "at", "to_stage", "record_id"), False))


PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"


class Approval(BaseModel):
    """A move into a stage that waits for a manager."""

    entity = peewee.CharField(max_length=100)
    record_id = peewee.IntegerField()
    from_stage = peewee.ForeignKeyField(Stage, null=True, on_delete="SET NULL", backref="+")
    to_stage = peewee.ForeignKeyField(Stage, on_delete="CASCADE", backref="+")
    values = json_field(default=dict)  # fields the requester filled in to enter the stage
    requested_by = peewee.ForeignKeyField(User, on_delete="CASCADE", backref="+")
    requested_at = peewee.DateTimeField(default=utcnow)
    status = peewee.CharField(max_length=10, default=PENDING, index=True)
    decided_by = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    decided_at = peewee.DateTimeField(null=True)
    reason = peewee.TextField(default="")

    class Meta:
        table_name = "core_approval"
        indexes = ((("entity", "record_id"), False),)


class AuditEntry(BaseModel):
    """Who changed what, when, with the values before and after."""

    at = peewee.DateTimeField(default=utcnow, index=True)
    user = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    action = peewee.CharField(max_length=32, index=True)
    entity = peewee.CharField(max_length=100, index=True)
    record_id = peewee.IntegerField(null=True)
    title = peewee.CharField(max_length=200, default="")
    changes = json_field(default=dict)  # {field: [before, after]}

    class Meta:
        table_name = "core_audit"
        indexes = ((("entity", "record_id"), False),)


class CustomRecord(CustomisableModel):
    """A record of an entity created in the browser: all its fields are custom."""

    entity = peewee.CharField(max_length=100, index=True)
    owner = peewee.ForeignKeyField(User, on_delete="CASCADE", backref="+")
    stage = peewee.ForeignKeyField(Stage, null=True, on_delete="SET NULL", backref="+")

    class Meta:
        table_name = "core_record"


class ImportJob(BaseModel):
    """An import: uploaded, its columns mapped, checked by a job, then imported by a job.

    `attempt` numbers the runs of a job: a worker writes (heartbeat, progress, result) only while
    its attempt is the current one, so a retried or cancelled job's old worker stops at once."""

    uid = peewee.CharField(max_length=32, unique=True)
    entity = peewee.CharField(max_length=100)
    user = peewee.ForeignKeyField(User, on_delete="CASCADE", backref="+")
    filename = peewee.CharField(max_length=255)
    # uploaded, checking, checked, running, done, failed, cancelled
    status = peewee.CharField(max_length=16, default="uploaded")
    mapping = json_field(default=dict)  # column -> field key
    key_field = peewee.CharField(max_length=64, null=True)
    on_duplicate = peewee.CharField(max_length=8, default="skip")  # skip or update
    total = peewee.IntegerField(default=0)
    created = peewee.IntegerField(default=0)
    updated = peewee.IntegerField(default=0)
    skipped = peewee.IntegerField(default=0)
    message = peewee.TextField(default="")
    created_at = peewee.DateTimeField(default=utcnow)
    finished_at = peewee.DateTimeField(null=True)
    attempt = peewee.IntegerField(default=0)
    done = peewee.IntegerField(default=0)  # rows checked or written by the current attempt
    report = json_field(default=dict, null=True)  # what the check found: rows, errors, duplicates, sample
    started_at = peewee.DateTimeField(null=True)
    heartbeat_at = peewee.DateTimeField(null=True)  # the worker's last sign of life

    class Meta:
        table_name = "core_import"


# The `deleted_at` of a record an import has written but not made live yet: every list, search and
# total skips it as it skips deleted records, until the import's last transaction clears it.
IMPORT_PENDING = datetime.datetime(1970, 1, 1)


class ImportedRecord(BaseModel):
    """A record an import has written but not yet made live (its `deleted_at` is `PENDING`)."""

    job = peewee.ForeignKeyField(ImportJob, on_delete="CASCADE", backref="+")
    attempt = peewee.IntegerField()  # the run of the job that wrote it
    entity = peewee.CharField(max_length=100)
    record_id = peewee.IntegerField()

    class Meta:
        table_name = "core_import_record"


MODELS = [EntitySetting, FieldDefinition, Process, Stage, StageMove, Approval, AuditEntry, CustomRecord, ImportJob, ImportedRecord]
