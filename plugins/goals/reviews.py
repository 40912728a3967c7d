"""Reviews: a person's or a team's goals for a period, target against actual, with the manager's
notes on causes and actions, saved as a record (the numbers as they stood) and printable."""
from __future__ import annotations

import datetime
import decimal

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.api import Team, User, db, managed_team_ids, managed_user_ids, records, render_page, team_today, utcnow

from . import periods as period_math
from . import services
from .models import Goal, Review
from .progress import measure
from .views import bp

KINDS = ("month", "quarter", "week", "year")


def reviewable(user: User) -> list[services.Owner]:
    """Whose goals `user` may review: a manager their teams and people, an admin everyone."""
    return services.owners_for(user)


def visible_reviews(user: User):
    query = Review.select()
    if user.may("see_everything"):
        return query
    if user.may("lead_teams"):
        return query.where(Review.owner_team.in_(managed_team_ids(user)) | Review.owner_user.in_(managed_user_ids(user)))
    return query.where((Review.owner_user == user.id) | ((Review.owner_team == user.team_id) if user.team_id else (Review.id == 0)))


def _owner_key(review: Review) -> str:
    if review.owner_user_id:
        return f"user:{review.owner_user_id}"
    return f"team:{review.owner_team_id}" if review.owner_team_id else services.COMPANY


def shown_rows(reviews: list[Review], user: User) -> dict[int, list[dict]]:
    """The lines of each review that `user` may read. One who reviews its owner reads them all;
    anyone else (a rep reading their team's review) reads only the lines of goals they may see
    (the team's and their own): a teammate's goal, numbers and the manager's notes on them stay
    out of reach, as the goal itself is. A fixed number of queries for any number of reviews."""
    reviewer_of = {owner.key for owner in reviewable(user)}
    partial = [review for review in reviews if _owner_key(review) not in reviewer_of]
    seen = services.seen_ids(user, {row.get("goal") for review in partial for row in review.rows}) if partial else set()
    return {review.id: review.rows if _owner_key(review) in reviewer_of else [row for row in review.rows if row.get("goal") in seen]
            for review in reviews}


def period_from(text: str | None, today: datetime.date) -> period_math.Period:
    return period_math.parse(text, KINDS) or period_math.containing("month", today)


def rows_for(owner: services.Owner, period: period_math.Period, today: datetime.date, notes: dict) -> list[dict]:
    """The owner's goals in the period (for a team, also its people's), the top-most of each
    branch: a month's review shows the month's goals, not their weeks."""
    condition = (Goal.owner_user == owner.user.id) if owner.user else (Goal.owner_team == owner.team.id) if owner.team else \
        (Goal.owner_user.is_null() & Goal.owner_team.is_null())
    if owner.team:
        condition = condition | Goal.owner_user.in_(User.select(User.id).where(User.team == owner.team.id))
    goals = list(Goal.select().where(condition, Goal.archived_at.is_null(), Goal.start >= period.start, Goal.end <= period.end)
                 .order_by(Goal.owner_team.desc(nulls="LAST"), Goal.owner_user, Goal.metric, Goal.start))
    ids = {goal.id for goal in goals}
    goals = [goal for goal in goals if goal.parent_id not in ids]
    progress = measure(goals, today)
    users, teams = services.owner_lookup(goals)
    rows = []
    for goal in goals:
        done = progress[goal.id]
        note = notes.get(str(goal.id), {})
        rows.append({"goal": goal.id, "title": services.title(goal, services.owner_of(goal, users, teams)), "target": str(goal.target),
                     "actual": str(done.actual), "variance": str(done.actual - goal.target), "percent": done.percent,
                     "status": done.status, "cause": note.get("cause", ""), "action": note.get("action", "")})
    return rows


@bp.route("/reviews/")
def reviews():
    today = team_today()
    saved = list(visible_reviews(current_user).order_by(Review.start.desc(), Review.id.desc()).limit(100))
    counts = {review_id: len(rows) for review_id, rows in shown_rows(saved, current_user).items()}
    users = {u.id: u.name for u in User.select(User.id, User.name)}
    teams = {t.id: t.name for t in Team.select(Team.id, Team.name)}
    periods = [p for kind in KINDS[:2] for p in period_math.upcoming(kind, today, 3, 0)]
    return render_page("goals/reviews.html", saved=saved, counts=counts, users=users, teams=teams, owners=reviewable(current_user),
                       periods=periods, default=period_math.shifted(period_math.containing("month", today), -1))


def _owner_or_404(text: str | None) -> services.Owner:
    owner = next((owner for owner in reviewable(current_user) if owner.key == text), None)
    if owner is None:
        abort(404)
    return owner


def _existing(owner: services.Owner, period: period_math.Period) -> Review | None:
    return Review.get_or_none(Review.owner_user == (owner.user.id if owner.user else None),
                              Review.owner_team == (owner.team.id if owner.team else None),
                              Review.start == period.start, Review.end == period.end)


@bp.route("/reviews/write", methods=["GET", "POST"])
def write_review():
    owner = _owner_or_404(request.values.get("owner"))
    today = team_today()
    period = period_from(request.values.get("period"), today)
    existing = _existing(owner, period)
    if request.method == "GET":
        notes = {str(row["goal"]): row for row in existing.rows} if existing else {}
        return render_page("goals/review.html", owner=owner, period=period, rows=rows_for(owner, period, today, notes),
                           summary=existing.summary if existing else "", review=existing, editing=True)
    notes = {key.split("-", 1)[1]: {"cause": request.form.get(key, "").strip()[:2000],
                                    "action": request.form.get("action-" + key.split("-", 1)[1], "").strip()[:2000]}
             for key in request.form if key.startswith("cause-")}
    summary = request.form.get("summary", "").strip()[:5000]
    rows = rows_for(owner, period, today, notes)
    with db.atomic():
        if existing is None:
            existing = Review.create(owner_user=owner.user.id if owner.user else None, owner_team=owner.team.id if owner.team else None,
                                     start=period.start, end=period.end, rows=rows, summary=summary, written_by=current_user.id)
        else:
            Review.update(rows=rows, summary=summary, written_by=current_user.id,
                          updated_at=utcnow()).where(Review.id == existing.id).execute()
        records.audit("review_save", "goals", existing.id, f"{owner.label} {period.start}", {"goals": [None, len(rows)]}, current_user)
    flash(_("The review is saved."), "success")
    return redirect(url_for("goals.review", review_id=existing.id))


@bp.route("/reviews/<int:review_id>")
def review(review_id: int):
    record = visible_reviews(current_user).where(Review.id == review_id).first()
    if record is None:
        abort(404)
    owner = services.Owner(User.get_or_none(User.id == record.owner_user_id) if record.owner_user_id else None,
                           Team.get_or_none(Team.id == record.owner_team_id) if record.owner_team_id else None)
    period = period_math.Period("custom", record.start, record.end)
    for kind in KINDS:
        if period_math.containing(kind, record.start) == period_math.Period(kind, record.start, record.end):
            period = period_math.Period(kind, record.start, record.end)
    rows = shown_rows([record], current_user)[record.id]
    totals = {"target": sum((decimal.Decimal(row["target"]) for row in rows), decimal.Decimal(0))}
    writer = User.get_or_none(User.id == record.written_by_id) if record.written_by_id else None
    can_edit = owner in reviewable(current_user)
    return render_page("goals/review.html", owner=owner, period=period, rows=rows, summary=record.summary, review=record,
                       editing=False, writer=writer, totals=totals, can_edit=can_edit, partial=len(rows) < len(record.rows),
                       period_key=period.key, owner_key=owner.key)

