"""The core's point for a team meeting (`meeting_topics`): stage moves waiting for approval that
the team's members asked for, counted per member in one query."""
from __future__ import annotations

import peewee
from flask import has_request_context, url_for
from flask_babel import lazy_gettext as _l

from ..contributions import Topic
from ..models import User
from .models import PENDING, Approval


def topics(team, start, end) -> list[Topic]:
    waiting = (User.select(User.id, User.name, peewee.fn.COUNT(Approval.id).alias("waiting"))
               .join(Approval, on=(Approval.requested_by == User.id))
               .where(User.team == team.id, Approval.status == PENDING)
               .group_by(User.id, User.name).order_by(peewee.fn.COUNT(Approval.id).desc()))
    link = url_for("approvals.queue") if has_request_context() else None
    lines = tuple((str(_l("%(name)s: %(count)d waiting", name=person.name, count=person.waiting)), link) for person in waiting)
    return [Topic("core.approvals", str(_l("Approvals waiting")), lines=lines, order=50)] if lines else []
