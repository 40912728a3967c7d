"""Formulas keep empty values empty: a calculated field that reads an empty field is empty now,
not worked out as if it were 0, and formulas read what an entity gives them besides its fields (a
deal's `probability` is its stage's when it has none). Every stored calculated value is worked out
again under the new rules."""


def recompute_everything(db) -> int:
    """Work out every entity's calculated fields again; returns how many records changed. Reads
    only the columns each table has now: a plugin's own migrations may still be pending."""
    from flask import has_app_context

    if not has_app_context():  # the plugins' entities are known inside the app only
        return 0
    from core.lowcode.entities import all_entities
    from core.lowcode.records import recompute

    tables = set(db.get_tables())
    changed = 0
    for schema in all_entities().values():
        table = schema.model._meta.table_name
        if table not in tables or not schema.computed_order:
            continue
        present = {column.name for column in db.get_columns(table)}
        columns = [field for field in schema.model._meta.sorted_fields if field.column_name in present]
        query = schema.model.select(*columns)
        if schema.in_browser:
            query = query.where(schema.model.entity == schema.key)
        changed += recompute(schema, query)
    return changed


def up(migrator, db):
    recompute_everything(db)


def down(migrator, db):
    pass  # the values stay as the new rules worked them out
