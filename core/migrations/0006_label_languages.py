"""Labels in both languages: a `labels` column ({locale: label}) beside the label an admin typed,
on fields, entities, processes and stages; and base-field labels frozen in an admin's language
(stored by a drag or a save that left the label alone) cleared, so they read in each user's
language again."""
from peewee import *


def built_in_labels() -> dict[tuple[str, str], set[str]]:
    """{(entity, field key): the plugin's label of that base field in every shipped language}."""
    from flask_babel import force_locale

    from core import registry
    from core.lowcode.entities import _unbound_fields
    from core.models import LOCALES

    found: dict[tuple[str, str], set[str]] = {}
    for key, entity in registry.entities().items():
        for name, unbound in _unbound_fields(entity.form):
            label = unbound.kwargs.get("label") or (unbound.args[0] if unbound.args else name)
            for code in LOCALES:
                with force_locale(code):
                    found.setdefault((key, name), set()).add(str(label))
    return found


def heal_frozen_labels(db=None) -> int:
    """Clear each base-field label that is the plugin's own in some language; returns how many."""
    from core.db import db as proxy

    class FieldDefinition(Model):  # the columns this migration reads, as they are now
        entity = CharField()
        key = CharField()
        label = CharField()
        base = BooleanField()

        class Meta:
            database = db or proxy
            table_name = 'core_field'

    built_in = built_in_labels()
    healed = 0
    for definition in FieldDefinition.select(FieldDefinition.id, FieldDefinition.entity, FieldDefinition.key,
                                             FieldDefinition.label).where(FieldDefinition.base, FieldDefinition.label != ""):
        if definition.label in built_in.get((definition.entity, definition.key), ()):
            FieldDefinition.update(label="").where(FieldDefinition.id == definition.id).execute()
            healed += 1
    return healed


def up(migrator, db):
    for table in ('core_field', 'core_entity', 'core_process', 'core_stage'):
        migrator.migrate(migrator.add_column(table, 'labels', JSONField(null=True)))
        db.execute_sql(f"UPDATE {table} SET labels = '{{}}'")
    heal_frozen_labels(db)


def down(migrator, db):
    for table in ('core_field', 'core_entity', 'core_process', 'core_stage'):
        migrator.migrate(migrator.drop_column(table, 'labels'))
