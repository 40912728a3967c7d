"""The audit log for admins: every change to records and definitions, filterable."""
from __future__ import annotations

import datetime

import peewee

from flask import Blueprint, request

from ..auth import role_required
from ..models import ADMIN, User
from ..shell import date_from, id_from, paginate, render_page
from .models import AuditEntry
from .records import ACTION_LABELS

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")


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
                       chosen={"entity": entity, "action": action, "user": who, "from": start, "to": end})
