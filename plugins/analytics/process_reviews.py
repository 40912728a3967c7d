"""Quarterly process reviews: a manager keeps a quarter's numbers as they stood with the decisions
taken; once the next quarter has begun, the same numbers for it stand beside them."""
from __future__ import annotations

from dataclasses import dataclass

import peewee
from flask_babel import gettext as _

from core.api import Process, db, records, scope, utcnow

from . import process as numbers_service
from .models import ProcessReview

MAX_DECISIONS = 5000


class ReviewError(ValueError):
    def __init__(self, errors: dict):
        super().__init__("; ".join(str(message) for message in errors.values()))
        self.errors = errors


class Conflict(Exception):
    """The review was saved by someone else since this form was opened."""


def may_write(user) -> bool:
    """Those who lead teams (admins too) write process reviews."""
    return user.may("lead_teams")


def visible(user):
    """The reviews `user` may read: their own, their teams' people's, an admin's all (row scope)."""
    return scope(ProcessReview.select(), ProcessReview.author, user)


def _decisions(text) -> str:
    text = (text or "").strip()
    if len(text) > MAX_DECISIONS:
        raise ReviewError({"decisions": _("Write the decisions in at most %(limit)d characters.", limit=MAX_DECISIONS)})
    return text


def create(process: Process, quarter: numbers_service.Quarter, decisions: str, user) -> ProcessReview:
    """Keep the quarter's numbers as they stand now (within the author's row scope) and the decisions."""
    decisions = _decisions(decisions)
    stages = numbers_service.numbers(process, quarter, user)
    try:
        with db.atomic():
            review = ProcessReview.create(process=process, quarter=quarter.key, numbers=numbers_service.stored_numbers(stages),
                                          decisions=decisions, author=user.id)
            records.audit("create", "analytics.process_review", review.id, f"{process.label} {quarter.key}",
                          {"decisions": [None, decisions]}, user)
    except peewee.IntegrityError:
        raise ReviewError({"quarter": _("You already reviewed this process for that quarter: open that review to change it.")}) from None
    return review


def update(review: ProcessReview, decisions: str, version, user) -> ProcessReview:
    """Change the decisions of a review, from the version the form was opened at (Conflict if stale)."""
    decisions = _decisions(decisions)
    try:
        version = int(version or 0)
    except (TypeError, ValueError):
        version = 0
    with db.atomic():
        changed = ProcessReview.update(decisions=decisions, version=ProcessReview.version + 1, updated_at=utcnow()).where(
            ProcessReview.id == review.id, ProcessReview.version == version).execute()
        if not changed:
            raise Conflict
        records.audit("update", "analytics.process_review", review.id, f"{review.process.label} {review.quarter}",
                      {"decisions": [review.decisions, decisions]}, user)
    return ProcessReview.get_by_id(review.id)


@dataclass
class Compared:
    stored: numbers_service.StageNumbers
    after: numbers_service.StageNumbers | None  # None: the stage is gone (merged or archived) or the quarter has not begun

    def change(self, name: str):
        if self.after is None:
            return None
        before, now = getattr(self.stored, name), getattr(self.after, name)
        if before is None or now is None:
            return None
        return round(now - before, 2) if isinstance(now, float) or isinstance(before, float) else now - before


def compared(review: ProcessReview) -> tuple[numbers_service.Quarter, list[Compared] | None]:
    """The next quarter and, once it has begun, each stored stage beside its numbers then
    (counted within the author's row scope, as the stored ones were)."""
    quarter = numbers_service.quarter_from(review.quarter) or numbers_service.current_quarter()
    following = quarter.next()
    stored = numbers_service.from_stored(review.numbers)
    if not following.started():
        return following, None
    after = {stage.stage_id: stage for stage in numbers_service.numbers(review.process, following, review.author)}
    return following, [Compared(stage, after.get(stage.stage_id)) for stage in stored]
