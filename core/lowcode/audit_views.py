"""The audit log for admins: every change to records and definitions, filterable."""
from __future__ import annotations

import datetime

import peewee

from flask import Blueprint, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..auth import role_required
from ..models import ADMIN, User
from ..shell import date_from, id_from, paginate, render_page
from . import records as R
from .entities import all_entities
from .models import AuditEntry, Process
from .records import ACTION_LABELS

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")

# What the changes of definitions, stages, users and teams are called (their keys are no fields).
SETTING_LABELS = {
    "label": _l("Label"), "help": _l("Help text"), "hidden": _l("Hidden"), "type": _l("Field type"),
    "options": _l("Options"), "required": _l("Required"), "default": _l("Default value"), "position": _l("Position"),
    "archived": _l("Archived"), "color": _l("Colour"), "probability": _l("Probability"), "kind": _l("Kind"),
    "followup_days": _l("Follow up within (days)"), "required_fields": _l("Fields required to enter"),
    "needs_approval": _l("Approval"), "order": _l("Order"), "icon": _l("Icon"), "title_field": _l("Title field"),
    "deleted_at": _l("Deleted"), "active": _l("Active"), "name": _l("Name"), "email": _l("Email"), "role": _l("Role"),
    "team": _l("Team"), "members": _l("Members"), "locale": _l("Language"), "goals": _l("Goals"),
}


@bp.route("/")
@role_required(ADMIN)
def index():
    args = request.args
    query = AuditEntry.select(AuditEntry, User).join(User, on=(AuditEntry.user == User.id), join_type=peewee.JOIN.LEFT_OUTER)
    entity = (args.get("entity") or "").strip()[:100]
    if entity:
        query = query.where(AuditEntry.entity == entity)
    action = args.get("action") or ""
    if action in ACTION_LABELS:
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
    return render_page("lowcode/audit.html", "entries", page=page, entities=entities, people=people, actions=ACTION_LABELS,
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
        view = views.get(entry.entity)
        for key, before, after in _pairs(entry) if view else ():
            spec = view.field(key)
            kind = R._reference_kind(spec) if spec else None
            if kind:
                wanted.setdefault(kind, set()).update(v for v in (before, after) if isinstance(v, int) and not isinstance(v, bool))
    names = R._names(wanted)
    shown = {}
    for entry in entries:
        view = views.get(entry.entity)
        changes = []
        for key, before, after in _pairs(entry):
            spec = view.field(key) if view else None
            if spec is None:
                changes.append((SETTING_LABELS.get(key, key), before, after))
            else:
                changes.append((spec.label, None if before is None else R.shown(spec, before, names),
                                None if after is None else R.shown(spec, after, names)))
        shown[entry.id] = R.History(at=entry.at, user=entry.user.name if entry.user_id and entry.user else "",
                                    action=entry.action, changes=changes)
    return shown


def _entity_labels(keys: list[str]) -> dict:
    """What the log's entity keys are called in the reader's language; unknown keys stay as they are."""
    views = all_entities()
    wanted = [key.partition(":")[2] for key in keys if key.startswith("process:")]
    processes = {f"process:{row.key}": row.label
                 for row in Process.select(Process.key, Process.label).where(Process.key.in_(wanted))} if wanted else {}
    labels = {}
    for key in keys:
        kind, _sep, rest = key.partition(":")
        if key in views:
            labels[key] = str(views[key].label)
        elif kind == "schema" and rest in views:
            labels[key] = _("Form design: %(form)s", form=views[rest].label)
        elif key in processes:
            labels[key] = _("Process: %(process)s", process=processes[key])
    return labels
