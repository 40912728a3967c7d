"""The audit log for admins: every change to records and definitions, filterable."""
from __future__ import annotations

import datetime

import peewee
from flask import Blueprint, request
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .. import registry
from ..auth import requires
from ..models import LOCALES, ROLES, User
from ..shell import date_from, id_from, paginate, render_page
from . import records
from .definitions import ICON_LABELS
from .entities import all_entities
from .models import AuditEntry, Process
from .records import action_labels
from .types import COLOR_LABELS

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")

# What the changes of definitions, stages, users and teams are called (their keys are no fields).
SETTING_LABELS = {
    "label": _l("Label"), "help": _l("Help text"), "hidden": _l("Hidden"), "type": _l("Field type"),
    "options": _l("Options"), "required": _l("Required"), "default": _l("Default value"), "position": _l("Position"),
    "archived": _l("Archived"), "color": _l("Colour"), "probability": _l("Probability"), "kind": _l("Kind"),
    "followup_days": _l("Follow up within (days)"), "required_fields": _l("Fields required to enter"),
    "needs_approval": _l("Approval"), "order": _l("Order"), "icon": _l("Icon"), "title_field": _l("Title field"),
    "deleted_at": _l("Deleted"), "active": _l("Active"), "name": _l("Name"), "email": _l("Email"), "role": _l("Role"),
    "team": _l("Team"), "members": _l("Members"), "locale": _l("Language"),
    "key": _l("Key"), "placeholder": _l("Placeholder"), "unique": _l("Unique"), "labels": _l("Names in each language"),
    "into": _l("Merged into"), "indexed": _l("Indexed"),
}
# What the log's subjects that are no form are called (the core's; plugins name theirs in `describe_audit`).
ENTITY_LABELS = {"core.user": _l("Users"), "core.team": _l("Teams"), "core.plugin": _l("Plugins")}
KIND_LABELS = {"open": _l("Open"), "won": _l("Won"), "lost": _l("Lost")}
OPTION_LABELS = {"min": _l("Minimum"), "max": _l("Maximum"), "min_length": _l("Shortest"), "max_length": _l("Longest"),
                 "pattern": _l("Pattern"), "pattern_message": _l("Message when the pattern does not match"),
                 "decimals": _l("Decimal places"), "currency": _l("Currency"), "formula": _l("Formula"),
                 "entity": _l("Linked form"), "choices": _l("Choices")}


@bp.route("/")
@requires("administer")
def index():
    args = request.args
    query = AuditEntry.select(AuditEntry, User).join(User, on=(AuditEntry.user == User.id), join_type=peewee.JOIN.LEFT_OUTER)
    entity = (args.get("entity") or "").strip()[:100]
    if entity:
        query = query.where(AuditEntry.entity == entity)
    action = args.get("action") or ""
    if action in action_labels():
        query = query.where(AuditEntry.action == action)
    who = id_from(args.get("user")) or 0
    if who:
        query = query.where(AuditEntry.user == who)
    start, end = date_from(args.get("from")), date_from(args.get("to"))
    if start:
        query = query.where(AuditEntry.at >= datetime.datetime.combine(start, datetime.time.min))
    if end:
        query = query.where(AuditEntry.at < datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min))
    page = paginate(query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()))
    entities = [key for (key,) in AuditEntry.select(AuditEntry.entity).distinct().order_by(AuditEntry.entity).tuples()]
    people = list(User.select(User.id, User.name).order_by(User.name))
    return render_page("lowcode/audit.html", "entries", page=page, entities=entities, people=people, actions=action_labels(),
                       entry_title=entry_title,
                       shown=_shown(page.items), entity_labels=_entity_labels(entities),
                       chosen={"entity": entity, "action": action, "user": who, "from": start, "to": end})


def _pairs(entry: AuditEntry) -> list:
    """(key, before, after) of an entry's changes; a malformed change is shown as its value."""
    found = []
    for key, pair in (entry.changes or {}).items():
        before, after = pair if isinstance(pair, (list, tuple)) and len(pair) == 2 else (None, pair)
        found.append((key, before, after))
    return found


def _shown(entries: list) -> dict:
    """Each entry's changes as R.History rows in the reader's language, by entry id: field labels,
    and the names of users, stages and linked records, loaded with one query per kind for the
    whole page. Entries of unknown entities (definitions, plugins' own logs) keep their keys."""
    views = all_entities()
    wanted: dict[str, set] = {}
    for entry in entries:
        schema = views.get(entry.entity)
        for key, before, after in _pairs(entry) if schema else ():
            spec = schema.field(key)
            kind = records.reference_kind(spec) if spec else None
            if kind:
                wanted.setdefault(kind, set()).update(v for v in (before, after) if isinstance(v, int) and not isinstance(v, bool))
    names = records._names(wanted)
    shown = {}
    for entry in entries:
        schema = views.get(entry.entity)
        changes = []
        for key, before, after in _pairs(entry):
            spec = schema.field(key) if schema else None
            if spec is None:
                changes.append((change_label(key), setting_value(key, before), setting_value(key, after)))
            else:
                changes.append((spec.label, None if before is None else records.shown(spec, before, names),
                                None if after is None else records.shown(spec, after, names)))
        shown[entry.id] = records.History(at=entry.at, user=entry.user.name if entry.user_id and entry.user else "",
                                          action=entry.action, changes=changes)
    return shown


def setting_value(key: str, value):
    """A value of a definition, setting or plugin's log as words in the reader's language: yes or
    no, a field type's, stage kind's, colour's or icon's name, an option list's labels, people's
    names; text stored in the source language (a split's method, a default lost reason) translated."""
    if value is None or value == "":
        return value
    words = registry.audit_vocabulary().value(key, value)  # a plugin's own change first
    if words is not None:
        return words
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if key.endswith("_at") and isinstance(value, str):  # a moment, stored as ISO text in UTC
        try:
            return format_datetime(datetime.datetime.fromisoformat(value), "short")
        except ValueError:
            return value
    if key == "type" and isinstance(value, str):
        kind = registry.field_types().get(value)
        return str(kind.label) if kind else value
    names = {"kind": KIND_LABELS, "color": COLOR_LABELS, "icon": ICON_LABELS, "role": ROLES, "locale": LOCALES}.get(key)
    if names is not None and isinstance(value, str):
        return str(names.get(value, value))
    if key == "labels" and isinstance(value, dict):
        return "; ".join(f"{LOCALES.get(code, code)}: {label}" for code, label in value.items() if label)
    if isinstance(value, dict):
        return "; ".join(f"{OPTION_LABELS.get(name, name)}: {setting_value(name, item)}" for name, item in value.items()
                         if item not in (None, "", [], {}))
    if isinstance(value, list):
        return ", ".join(str(item.get("label", "")) if isinstance(item, dict) else str(setting_value(key, item)) for item in value)
    return value


def change_label(key: str) -> str:
    """What a change that is no field is called: the core's settings, then the plugins' keys."""
    label = SETTING_LABELS.get(key) or registry.audit_vocabulary().changes.get(key)
    return str(label) if label is not None else key


def entry_title(entry: AuditEntry) -> str:
    """What an entry is about: a record's name as it was, or what the plugin that wrote it says."""
    if entry.entity in all_entities() or entry.entity in ENTITY_LABELS:
        return entry.title  # a record's, person's, team's or plugin's name as it was
    words = registry.audit_vocabulary().title(entry.entity, entry.title)
    if words is not None:
        return str(words)
    return change_label(entry.title)  # a setting's log written under its key


def _entity_labels(keys: list[str]) -> dict:
    """What the log's entity keys are called in the reader's language; unknown keys stay as they are."""
    views = all_entities()
    wanted = [key.partition(":")[2] for key in keys if key.startswith("process:")]
    processes = {f"process:{row.key}": row.label
                 for row in Process.select(Process.key, Process.label).where(Process.key.in_(wanted))} if wanted else {}
    subjects = {**registry.audit_vocabulary().subjects, **ENTITY_LABELS}
    labels = {key: str(subjects[key]) for key in keys if key in subjects}
    for key in keys:
        kind, _sep, rest = key.partition(":")
        if key in views:
            labels[key] = str(views[key].label)
        elif kind == "schema" and rest in views:
            labels[key] = _("Form design: %(form)s", form=views[rest].label)
        elif key in processes:
            labels[key] = _("Process: %(process)s", process=processes[key])
    return labels
