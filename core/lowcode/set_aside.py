"""Values set aside by changes of a field's type: each field keeps a list of them on its record
(`custom["_kept"]`: {key: [{value, type, at}]}), never overwritten, and a value comes back when a
later type fits it again. Record pages show them (EntityView.set_aside, the `set_aside` macro)."""
from __future__ import annotations

import datetime
from dataclasses import dataclass

from .entities import EntitySchema


def set_aside_of(custom: dict, key: str) -> list[dict]:
    """What changes of type set aside from a field, oldest first: [{value, type, at}] (a copy). A
    value kept before there was a list (the value itself) reads as one entry."""
    kept = (custom or {}).get("_kept") or {}
    if key not in kept:
        return []
    entries = kept[key]
    if isinstance(entries, list) and entries and all(isinstance(e, dict) and "value" in e for e in entries):
        return [dict(entry) for entry in entries]
    return [{"value": entries, "type": None, "at": None}]


@dataclass
class SetAside:
    label: str
    value: str
    type: str  # the field's type when the value was set aside ("" when unknown)
    at: datetime.datetime | None


def set_aside(schema: EntitySchema, record) -> list[SetAside]:
    """What a record keeps from before changes of field type, for its pages."""
    from .. import registry

    types = registry.field_types()
    found = []
    for key in (record.custom or {}).get("_kept") or {}:
        spec = schema.field(key)
        for entry in set_aside_of(record.custom, key):
            kind = types.get(entry.get("type") or "")
            value = entry["value"]
            found.append(SetAside(
                label=str(spec.label) if spec else key,
                value=", ".join(map(str, value)) if isinstance(value, list) else str(value),
                type=str(kind.label) if kind else "",
                at=datetime.datetime.fromisoformat(entry["at"]) if entry.get("at") else None,
            ))
    return found
