"""Indexes on custom fields, made and dropped by the low-code layer itself.

A custom field lives in the record's JSON column, so a list filtered or sorted on it reads the JSON
of every row unless the database holds an index on the very expression the list uses. When an admin
marks a field "indexed" in the designer, `sync` creates one (SQLite indexes the expression
`custom ->> '$."key"'`, PostgreSQL `custom #>> '{key}'`, cast as the list casts it), partial on the
live records (`deleted_at IS NULL`, which every list asks) and ending with the id, the list's
tie-break. Unmarking, archiving or retyping the field drops or remakes it; `sync` compares the
indexes the fields want with those the database has, by name, so it is safe to call after any
change. Index names are `cfx_<field id>_<hash of the expression>`: a changed key or type is a new
name, so a stale index never survives.
"""
from __future__ import annotations

import hashlib

import peewee

from .. import changes
from ..db import db, is_sqlite
from .definitions import INDEXABLE_KINDS
from .entities import EntitySchema, FieldSpec

PREFIX = "cfx_"


def indexable(spec: FieldSpec) -> bool:
    """Whether an index can serve lists on this field: a custom field of a single value."""
    return not spec.base and not spec.meta and spec.definition is not None and spec.type.kind in INDEXABLE_KINDS


def _index(schema: EntitySchema, spec: FieldSpec) -> peewee.ModelIndex:
    model = schema.model
    owner = [getattr(model, schema.owner_field)] if schema.owner_field else []
    columns = ([model.entity] if schema.in_browser else []) + [schema.expression(spec), model.id] + owner
    draft = peewee.ModelIndex(model, columns, where=model.deleted_at.is_null(), name="draft")
    text = db.get_sql_context().sql(draft).query()[0]
    digest = hashlib.sha1(text.split(" ON ", 1)[1].encode()).hexdigest()[:10]
    return peewee.ModelIndex(model, columns, where=model.deleted_at.is_null(), name=f"{PREFIX}{spec.definition.id}_{digest}")


def wanted(schema: EntitySchema) -> dict[str, peewee.ModelIndex]:
    """The indexes this entity's fields ask for, by name."""
    indexes = {}
    for spec in schema.active_fields:
        if spec.indexed and indexable(spec):
            index = _index(schema, spec)
            indexes[index._name] = index
    return indexes


def existing(schema: EntitySchema) -> set[str]:
    """The names of the field indexes the database holds for this entity's fields."""
    table = schema.model._meta.table_name
    if is_sqlite():
        rows = db.execute_sql("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?", (table,))
    else:
        rows = db.execute_sql("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = %s",
                              (table,))
    ids = {str(spec.definition.id) for spec in schema.fields if spec.definition is not None and not spec.base}
    return {name for (name,) in rows if name.startswith(PREFIX) and name[len(PREFIX):].split("_", 1)[0] in ids}


def sync(schema: EntitySchema) -> None:
    """Create the indexes the fields ask for and drop the ones they no longer do."""
    want, have = wanted(schema), existing(schema)
    changes.fire_now(db.obj)
    for name in sorted(have - set(want)):
        db.execute_sql(f'DROP INDEX IF EXISTS "{name}"')
    for name in sorted(set(want) - have):
        db.execute(want[name])
        if is_sqlite():  # the planner's statistics of the new index now, not at the next PRAGMA optimize
            db.execute_sql(f'ANALYZE "{name}"')


def indexed_keys(schema: EntitySchema) -> set[str]:
    """The keys of the fields whose index the database holds (the designer shows them "Indexed")."""
    have = existing(schema)
    return {spec.key for spec in schema.active_fields if spec.indexed and indexable(spec) and _index(schema, spec)._name in have}
