"""What an import does with a row that looks like a record already there.

The check flags the rows the entity's `find_duplicates` says resemble existing records (rows whose
duplicate key matches a record follow the key's rule instead). The preview lists the first
`SHOWN` of them, each with its name, the records it resembles and a choice: skip it, update one
of those records, or create a new one. The choices are kept with the job (in its report, so a
check of a new mapping forgets them) and the import job applies them; a flagged row without a
choice of its own gets the default, skip unless the user set every row to something else.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..input_guard import Refused
from .entities import EntitySchema

SKIP, CREATE, UPDATE = "skip", "create", "update"
DEFAULTS = {SKIP: _l("skip the row"), CREATE: _l("create a new record")}  # what "every row" may be set to
SHOWN = 100  # flagged rows listed with a choice of their own; the others take the default
OUTCOME_NAMES = 100  # row names kept per outcome for the result page
CHUNK = 500


def row_name(schema: EntitySchema, values: dict) -> str:
    """The row's name: its value of the entity's title field, as text."""
    spec = schema.title_spec
    value = values.get(spec.key) if spec is not None else None
    if value in (None, "", []):
        return ""
    try:
        return str(spec.type.display(value, spec) or value)
    except (TypeError, ValueError, LookupError):
        return str(value)


# -- the check ------------------------------------------------------------------------------------


def _matched_by_key(schema: EntitySchema, user, rows: list[dict], key_field: str | None) -> set:
    """The key values (of `rows`) that an existing record the user sees already has."""
    spec = schema.field(key_field) if key_field else None
    if spec is None:
        return set()
    wanted = list({row.get(spec.key) for row in rows if row.get(spec.key) not in (None, "", [])})
    expression = schema.expression(spec)
    found = set()
    for offset in range(0, len(wanted), CHUNK):
        found.update(value for (value,) in schema.visible(user).select(expression)
                     .where(expression.in_(wanted[offset:offset + CHUNK])).tuples())
    return found


def flag(schema: EntitySchema, user, rows: list[dict], key_field: str | None) -> list[list]:
    """For each row, the existing records it resembles: [[record id, title, why], ...], empty for a
    row that resembles none or that the duplicate key already matches (the key's rule decides)."""
    resembles = schema.duplicates(rows)
    flagged = [(row, matches) for row, matches in zip(rows, resembles, strict=True) if matches]
    if not flagged:
        return [[] for _row in rows]
    keyed = _matched_by_key(schema, user, [row for row, _matches in flagged], key_field)
    key = key_field if keyed else None
    return [[] if not matches or (key and row.get(key) in keyed)
            else [[record_id, str(title), str(why)] for record_id, title, why in matches]
            for row, matches in zip(rows, resembles, strict=True)]


def check_report(schema: EntitySchema, user, rows: list[dict], key_field: str | None) -> dict:
    """What the check keeps about flagged rows: how many, and the first `SHOWN` with their names."""
    flagged = [(offset + 2, row, matches) for offset, (row, matches)
               in enumerate(zip(rows, flag(schema, user, rows, key_field), strict=True)) if matches]
    return {"duplicate_count": len(flagged),
            "duplicates": [{"line": line, "name": row_name(schema, row), "matches": matches}
                           for line, row, matches in flagged[:SHOWN]]}


# -- the preview ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Resembled:
    """An existing record a flagged row resembles, as the preview shows it."""

    record_id: int
    title: str
    why: str
    href: str | None  # None: the user may not open it
    owner: str
    changeable: bool


@dataclass(frozen=True)
class FlaggedRow:
    line: int
    name: str
    matches: list
    chosen: str


def _entries(report: dict) -> list[dict]:
    return [entry for entry in report.get("duplicates") or [] if isinstance(entry, dict)]


def preview(schema: EntitySchema, report: dict, every: str | None = None) -> list[FlaggedRow]:
    """The flagged rows the preview lists, each set to `every` (or to the default): three queries
    for all of them (which records the user sees, their owners, which they may change)."""
    from .views import duplicate_notes

    entries = _entries(report)
    chosen = every if every in DEFAULTS else SKIP
    flat = [match for entry in entries for match in entry["matches"]]
    if not flat:
        return []
    notes = {note.record_id: note for note in duplicate_notes(schema, flat)}
    ids = list(notes)
    changeable = {row.id for row in schema.changeable().select(schema.model.id).where(schema.model.id.in_(ids))}
    return [FlaggedRow(entry["line"], entry.get("name") or "",
                       [Resembled(record_id, notes[record_id].title, why, notes[record_id].href, notes[record_id].owner,
                                  record_id in changeable)
                        for record_id, _title, why in entry["matches"]], chosen)
            for entry in entries]


def default_label(choice: str) -> str:
    return str(DEFAULTS.get(choice, DEFAULTS[SKIP]))


# -- the choices sent with the import -------------------------------------------------------------


def read_choices(schema: EntitySchema, report: dict, form) -> dict:
    """The choices of the import's form, checked: {"default": skip|create, "rows": {line: choice}}
    with a choice skip, create or update:<record id>. Anything else is refused (400) with a message."""
    default = form.get("duplicate_default") or SKIP
    if default not in DEFAULTS:
        raise Refused(_("“%(value)s” is not a choice for the rows that look like existing records.", value=default[:50]))
    entries = {entry["line"]: entry for entry in _entries(report)}
    rows, updates = {}, {}
    for name in form:
        if not name.startswith("choice-"):
            continue
        number = name.removeprefix("choice-")
        line = _number(number)
        if line not in entries:
            raise Refused(_("Line %(line)s was not flagged as looking like an existing record.", line=number[:20]))
        value = form.get(name, "")
        kind, _sep, target = value.partition(":")
        if value in (SKIP, CREATE):
            rows[str(line)] = value
            continue
        ids = {match[0]: match[1] for match in entries[line]["matches"]}
        record_id = _number(target) if kind == UPDATE else None
        if record_id not in ids:
            raise Refused(_("“%(value)s” is not a choice for line %(line)d.", value=value[:50], line=line))
        rows[str(line)] = f"{UPDATE}:{record_id}"
        updates[record_id] = (line, ids[record_id])
    if updates:
        allowed = {row.id for row in schema.changeable().select(schema.model.id).where(schema.model.id.in_(list(updates)))}
        for record_id, (line, title) in sorted(updates.items(), key=lambda item: item[1][0]):
            if record_id not in allowed:
                raise Refused(_("You may not change %(title)s: choose to skip line %(line)d or to create a new record.",
                                title=title, line=line))
    return {"default": default, "rows": rows}


# -- the import -----------------------------------------------------------------------------------


def choice_for(choices: dict, line: int, flagged: bool) -> str | None:
    """What to do with a row: its own choice, the default when it is flagged, else None (as any row)."""
    chosen = (choices.get("rows") or {}).get(str(line))
    if chosen:
        return chosen
    return (choices.get("default") or SKIP) if flagged else None


def update_target(choice: str | None) -> int | None:
    kind, _sep, target = (choice or "").partition(":")
    return _number(target) if kind == UPDATE else None


def _number(text: str) -> int | None:
    """A line or record number as a form sends it (ASCII digits, not too long), else None."""
    return int(text) if text.isascii() and text.isdigit() and len(text) < 16 else None


class Outcome:
    """What the import did with the flagged rows, for the result page: per outcome a count and
    the first `OUTCOME_NAMES` rows as [line, name, note]."""

    def __init__(self):
        self.kept = {SKIP: [0, []], UPDATE: [0, []], CREATE: [0, []], "refused": [0, []]}

    def add(self, what: str, line: int, name: str, note: str = "") -> None:
        count_rows = self.kept[what]
        count_rows[0] += 1
        if len(count_rows[1]) < OUTCOME_NAMES:
            count_rows[1].append([line, name, note])

    def as_report(self) -> dict:
        return {what: {"count": count, "rows": rows} for what, (count, rows) in self.kept.items() if count}
