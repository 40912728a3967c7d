"""Team challenges (团队合作): a shared target for a team or the whole company over a few weeks,
counted by a metric over everyone taking part, with a shared reward when it is reached. Progress is
one metric query per challenge, whatever the number of people."""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _

from core.api import Team, User, db, label_text, managed_team_ids, metrics, records, team_today, utcnow

from . import calc
from .models import Challenge
from .services import MAX_AMOUNT, PlanError, _number, _plain, claim, narrowed

MAX_DAYS = 366


def challenge_name(challenge: Challenge) -> str:
    return label_text(challenge.labels, challenge.name)


def may_set(viewer: User, team_id: int | None) -> bool:
    """An admin sets any challenge; a manager those of the teams they lead (not the company's)."""
    if viewer.may("administer"):
        return True
    return team_id is not None and viewer.may("lead_teams") and managed_team_ids(viewer).where(Team.id == team_id).exists()


def visible(viewer: User):
    """The challenges `viewer` may see: the company's, their team's, the teams they lead (all for an admin)."""
    query = Challenge.select().where(Challenge.archived_at.is_null())
    if viewer.may("see_everything"):
        return query
    teams = Challenge.team.in_(managed_team_ids(viewer)) if viewer.may("lead_teams") else (Challenge.team == -1)
    return query.where(Challenge.team.is_null() | (Challenge.team == (viewer.team_id or -1)) | teams)


def clean(values: dict, viewer: User) -> dict:
    """A challenge's settings as the form sent them; raises PlanError with a message per field."""
    errors: dict[str, str] = {}
    name = (values.get("name") or "").strip()
    if not name or len(name) > 120:
        errors["name"] = _("Give the challenge a name of 1 to 120 characters.")
    metric = values.get("metric") or ""
    if metric not in metrics():
        errors["metric"] = _("Choose the number the challenge counts.")
    team = values.get("team") or None
    if team is not None:
        team = int(team) if str(team).isdigit() and Team.get_or_none(Team.id == int(team)) else None
        if team is None:
            errors["team"] = _("Choose teams from the list.")
    if "team" not in errors and not may_set(viewer, team):
        errors["team"] = _("You may set challenges only for the teams you lead.")
    starts, ends = values.get("starts"), values.get("ends")
    if starts is None:
        errors["starts"] = _("Give the first day of the challenge.")
    if ends is None:
        errors["ends"] = _("Give the last day of the challenge.")
    elif starts is not None and ends < starts:
        errors["ends"] = _("The challenge ends before it starts.")
    elif starts is not None and (ends - starts).days >= MAX_DAYS:
        errors["ends"] = _("A challenge lasts at most a year.")
    target = _number(values.get("target"), "target", errors)
    if target is not None and target <= 0:
        errors["target"] = _("The target is above zero.")
    currency = (values.get("currency") or "CNY").strip().upper()
    if len(currency) != 3 or not currency.isalpha() or not currency.isascii():
        errors["currency"] = _("Write a three-letter currency code, such as CNY or USD.")
    reward = (values.get("reward") or "").strip()
    if len(reward) > 300:
        errors["reward"] = _("The reward is longer than %(count)d characters.", count=300)
    if errors:
        raise PlanError(errors)
    assert target is not None and target < MAX_AMOUNT
    return {"name": name, "labels": values.get("labels") or {}, "metric": metric, "team": team, "starts": starts, "ends": ends,
            "target": calc.money(target), "currency": currency, "reward": reward}


def save(challenge: Challenge | None, values: dict, user) -> Challenge:
    cleaned = clean(values, user)
    with db.atomic():
        before = {} if challenge is None else {name: _plain(getattr(challenge, name if name != "team" else "team_id")) for name in cleaned}
        if challenge is not None:
            claim(challenge, values.get("version"))
        challenge = challenge or Challenge(created_by=user)
        for name, value in cleaned.items():
            setattr(challenge, name, value)
        created = challenge.id is None
        challenge.save()
        changes = {name if name == "labels" else f"challenge_{name}": [before.get(name), _plain(value)] for name, value in cleaned.items()
                   if before.get(name) != _plain(value)}
        records.audit("challenge_add" if created else "challenge_change", "incentives", challenge.id, challenge.name, changes, user)
    return challenge


def archive(challenge: Challenge, user) -> None:
    with db.atomic():
        challenge.archived_at = utcnow()
        challenge.save()
        records.audit("challenge_archive", "incentives", challenge.id, challenge.name, {"challenge_archived": [False, True]}, user)


@dataclass
class Progress:
    challenge: Challenge
    value: Decimal  # counted so far
    share: int  # percent of the target, at most 100 (for the meter)
    expected: Decimal  # where an even pace would be today
    days_left: int
    state: str  # coming, running, reached, missed
    people: list[tuple[User, Decimal]]  # who contributed what, most first

    @property
    def ahead(self) -> bool:
        return self.value >= self.expected


def people_in(challenge: Challenge) -> list[User]:
    query = User.select().where(User.active == True, User.team.is_null(False)).order_by(User.name)  # noqa: E712 - SQL
    return list(query.where(User.team == challenge.team_id) if challenge.team_id else query)


def progress(challenge: Challenge, today: datetime.date | None = None) -> Progress:
    """Where the challenge stands: the metric summed over everyone taking part, from its first day to today."""
    today = today or team_today()
    people = people_in(challenge)
    metric = narrowed(challenge.metric, {}, challenge.currency)
    values: dict = {}
    if metric is not None and people and today >= challenge.starts:
        values = metric.compute(user_ids=[person.id for person in people], start=challenge.starts, end=min(today, challenge.ends))
    counted = [(person, Decimal(str(values.get(person.id) or 0))) for person in people]
    value = sum((amount for _person, amount in counted), Decimal(0))
    days = (challenge.ends - challenge.starts).days + 1
    elapsed = min(days, max(0, (today - challenge.starts).days + 1))
    expected = calc.money(challenge.target * elapsed / days)
    if value >= challenge.target:
        state = "reached"
    elif today < challenge.starts:
        state = "coming"
    elif today > challenge.ends:
        state = "missed"
    else:
        state = "running"
    share = int(min(Decimal(100), value * 100 / challenge.target)) if challenge.target > 0 else 0
    counted.sort(key=lambda pair: (-pair[1], pair[0].name))
    return Progress(challenge, value, share, expected, max(0, (challenge.ends - today).days), state,
                    [pair for pair in counted if pair[1] > 0])


def running(viewer: User, today: datetime.date | None = None) -> list[Challenge]:
    today = today or team_today()
    return list(visible(viewer).where(Challenge.starts <= today, Challenge.ends >= today).order_by(Challenge.ends, Challenge.id))


def meeting_topics(team: Team, day: datetime.date) -> list:
    """A meeting's point on the challenges running for the team or the whole company on its day."""
    from flask import has_request_context, url_for

    from core.api import Topic

    from .services import money_text

    running_ = list(Challenge.select().where(Challenge.archived_at.is_null(), Challenge.starts <= day, Challenge.ends >= day,
                                             Challenge.team.is_null() | (Challenge.team == team.id)).order_by(Challenge.ends))
    if not running_:
        return []
    offered = metrics()
    lines = []
    for challenge in running_[:5]:
        stand = progress(challenge, day)
        metric = offered.get(challenge.metric)
        amount = money_text if metric is not None and metric.unit == "currency" else (lambda value: f"{value:,.0f}")
        text = _("%(name)s: %(value)s of %(target)s (%(share)d%%), %(days)d day(s) left", name=challenge_name(challenge),
                 value=amount(stand.value), target=amount(challenge.target), share=stand.share, days=stand.days_left)
        url = url_for("incentives.challenge", challenge_id=challenge.id) if has_request_context() else None
        lines.append((text, url))
    return [Topic("incentives.challenge", _("Team challenges"), lines=tuple(lines), order=40)]
