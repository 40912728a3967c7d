"""Migration helpers for the low-code layer: the columns of a customisable table, on SQLite and
PostgreSQL alike, without raw SQL.

What they add is frozen with the plugin contract (the columns `CustomisableModel` needs in 1.x), so
a migration written today does the same thing in a later release; a test compares them with the
model. Use them from a plugin's migration through `core.api`:

    def up(migrator, db):                       # a table created new
        class Visit(Model):
            ...
        for name, field in customisable_columns(stage=True).items():
            Visit._meta.add_field(name, field)
        db.create_tables([Visit])

    def up(migrator, db):                       # an existing table made customisable
        add_customisable_columns(migrator, db, "visits_visit", stage=True)
"""
from __future__ import annotations

from peewee import SQL, AutoField, DateTimeField, Field, ForeignKeyField, JSONField, Model, TextField

from .db import utcnow


class _Stage(Model):
    """A frozen stub of the core's table of stages, enough for the foreign key."""

    id = AutoField()

    class Meta:
        table_name = "core_stage"


def customisable_columns(stage: bool = False) -> dict[str, Field]:
    """The columns of a customisable table, as new peewee fields for a frozen model in a migration:
    `custom` (the custom fields' values, JSON: TEXT on SQLite, JSONB on PostgreSQL), `search_text`,
    `created_at`, `updated_at` and `deleted_at`; with `stage=True` also `stage` (the column
    `stage_id`, a foreign key to the process's stages), for an entity with a `stage_field`."""
    columns = {
        "custom": JSONField(default=dict, constraints=[SQL("DEFAULT '{}'")]),
        "search_text": TextField(default="", constraints=[SQL("DEFAULT ''")]),
        "created_at": DateTimeField(default=utcnow, index=True),
        "updated_at": DateTimeField(default=utcnow),
        "deleted_at": DateTimeField(null=True, index=True),
    }
    if stage:
        columns["stage"] = ForeignKeyField(_Stage, field=_Stage.id, null=True, on_delete="SET NULL")
    return columns


def add_customisable_columns(migrator, db, table: str, stage: bool = False) -> list[str]:
    """Make an existing table customisable: add the columns of `customisable_columns(stage)` that
    `table` lacks (a table often has its `created_at` already), their indexes named after the table,
    and fill them in on the rows already there. Returns the names of the columns added."""
    present = {column.name for column in db.get_columns(table)}
    operations, added = [], []
    for name, field in customisable_columns(stage).items():
        column = f"{name}_id" if isinstance(field, ForeignKeyField) else name
        if column in present:
            continue
        # A constant database default lets SQLite add a NOT NULL column in place; the timestamps
        # are added empty, filled with the time of the migration, then made NOT NULL.
        constant = any(isinstance(constraint, SQL) for constraint in field.constraints or ())
        operations.append(migrator.add_column(table, column, field, allow_not_null=constant))
        added.append(column)
    if operations:
        migrator.migrate(*operations)
    return added
