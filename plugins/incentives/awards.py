"""Awards (评优奖励): the best by a metric over a month or quarter, the most improved against the
period before, or nominated by the manager. Nominees come from the metrics; a manager confirms a
winner with a note; a prize becomes a line on the winner's next statement; winners make the wall
of fame."""
from __future__ import annotations

import datetime
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.api import Team, User, db, label_text, managed_user_ids, metrics, prizes, records

from . import calc
from .models import Award, Plan, Winner
from .services import PERIODS, Place, PlanError, _number, leaderboard, people_paid, period_key, period_of, recent_periods

KINDS = {"top": _l("The best by a number"), "improved": _l("The most improved"), "nominated": _l("Nominated by the manager")}
MAX_TOP = 10


def award_name(award: Award) -> str:
    return label_text(award.labels, award.name)


def clean_award(values: dict) -> dict:
    """An award's settings as the form sent them; raises PlanError with a message per field."""
    errors: dict[str, str] = {}
    name = (values.get("name") or "").strip()
    if not name or len(name) > 120:
        errors["name"] = _("Give the award a name of 1 to 120 characters.")
    kind = values.get("kind") if values.get("kind") in KINDS else None
    if kind is None:
        errors["kind"] = _("Choose what the award is for.")
    metric = values.get("metric") or None
    if kind in ("top", "improved") and metric not in metrics():
        errors["metric"] = _("Choose the number the award is decided by.")
    period = values.get("period") if values.get("period") in PERIODS else None
    if period is None:
        errors["period"] = _("Choose a month or a quarter.")
    try:
        top = int(str(values.get("top") or "1").strip())
        if not 1 <= top <= MAX_TOP:
            raise ValueError
    except ValueError:
        errors["top"] = _("Write a whole number from 1 to %(max)d.", max=MAX_TOP)
        top = 1
    team = values.get("team") or None
    if team is not None:
        team = int(team) if str(team).isdigit() and Team.get_or_none(Team.id == int(team)) else None
        if team is None:
            errors["team"] = _("Choose teams from the list.")
    prize = _number(values.get("prize"), "prize", errors, required=False)
    gift = (values.get("gift") or "").strip() or None
    if gift is not None and gift not in prizes():
        errors["gift"] = _("Choose a prize from the list.")
    currency = (values.get("currency") or "CNY").strip().upper()
    if len(currency) != 3 or not currency.isalpha() or not currency.isascii():
        errors["currency"] = _("Write a three-letter currency code, such as CNY or USD.")
    if errors:
        raise PlanError(errors)
    return {"name": name, "labels": values.get("labels") or {}, "kind": kind, "metric": metric if kind != "nominated" else None,
            "period": period, "top": top, "team": team, "prize": None if prize is None else calc.money(prize), "currency": currency,
            "gift": gift}


def save_award(award: Award | None, values: dict, user) -> Award:
    cleaned = clean_award(values)
    with db.atomic():
        before = {} if award is None else {name: _plain(getattr(award, name if name != "team" else "team_id")) for name in cleaned}
        award = award or Award(created_by=user)
        for name, value in cleaned.items():
            setattr(award, name, value)
        created = award.id is None
        award.save()
        changes = {name if name == "labels" else f"award_{name}": [before.get(name), _plain(value)] for name, value in cleaned.items()
                   if before.get(name) != _plain(value)}
        records.audit("award_add" if created else "award_change", "incentives", award.id, award.name, changes, user)
    return award


def _plain(value):
    return str(value) if isinstance(value, Decimal) else value


def people_of(award: Award, viewer: User | None = None) -> list[User]:
    """Who can win: the active people of the award's team (or of every team), that `viewer` may see."""
    query = User.select().where(User.active == True, User.team.is_null(False)).order_by(User.name)  # noqa: E712 - SQL
    if award.team_id:
        query = query.where(User.team == award.team_id)
    if viewer is not None and not viewer.may("see_everything"):
        query = query.where(User.id.in_(managed_user_ids(viewer))) if viewer.may("lead_teams") else query.where(User.id == viewer.id)
    return list(query)


def nominees(award: Award, start: datetime.date, end: datetime.date, people: list[User]) -> list[Place]:
    """Who the numbers put forward: the top N by the metric (ties included), or by its growth over
    the period before; nobody for a nominated award (the manager picks)."""
    metric = metrics().get(award.metric or "")
    if award.kind == "nominated" or metric is None or not people:
        return []
    if award.kind == "top":
        places = leaderboard(metric, start, end, people)
        return [place for place in places if place.rank <= award.top and place.value > 0]
    before = period_of(award.period, start - datetime.timedelta(days=1))
    now = metric.compute(user_ids=[person.id for person in people], start=start, end=end)
    then = metric.compute(user_ids=[person.id for person in people], start=before[0], end=before[1])
    grown = sorted(((Decimal(str(now.get(person.id) or 0)) - Decimal(str(then.get(person.id) or 0)), person) for person in people),
                   key=lambda pair: (-pair[0], pair[1].name))
    places, previous, rank = [], None, 0
    for position, (growth, person) in enumerate(grown, start=1):
        if growth != previous:
            rank, previous = position, growth
        if rank <= award.top and growth > 0:
            places.append(Place(rank, person, growth, 0))
    return places


def _prize_plan(award: Award, person: User) -> Plan | None:
    """The plan whose next statement pays the prize: the highest-priority one paying the person in
    the prize's currency."""
    for plan in Plan.select().where(Plan.archived_at.is_null(), Plan.currency == award.currency).order_by(Plan.priority.desc(), Plan.id):
        if person in people_paid(plan):
            return plan
    return None


def give(award: Award, start: datetime.date, person: User, note: str, decider: User) -> Winner:
    """Confirm a winner for the period (once per person), with the manager's note and the prize."""
    end = period_of(award.period, start)[1]
    nominated = {place.user.id: place.value for place in nominees(award, start, end, [person])} if award.kind == "top" else {}
    if award.kind == "improved":
        nominated = {place.user.id: place.value for place in nominees(award, start, end, people_of(award))}
    with db.atomic():
        winner, created = Winner.get_or_create(award=award, start=start, user=person, defaults={
            "note": note.strip()[:1000], "value": nominated.get(person.id), "prize": award.prize,
            "plan": _prize_plan(award, person) if award.prize else None, "decided_by": decider})
        gift = prizes().get(award.gift or "") if created else None
        if gift is not None:  # the other plugin hands it over in the same transaction: both or neither
            winner.gift = str(gift.give(person, decider, _("%(award)s: %(note)s", award=award_name(award), note=note.strip()[:200])))[:300]
            winner.save()
        if created:
            records.audit("award_give", "incentives", award.id, f"{award_name(award)} · {person.name}",
                          {"award_period": [None, period_key(award.period, start)], "award_winner": [None, person.name]}, decider)
    return winner


def may_decide(viewer: User, award: Award, person: User) -> bool:
    """An admin, or the manager of the person's team; never the person themselves."""
    if viewer.id == person.id or not viewer.may("lead_teams"):
        return False
    return viewer.may("see_everything") or person in people_of(award, viewer)


def winners_of(award_ids: list[int], starts: list[datetime.date] | None = None) -> list[Winner]:
    query = (Winner.select(Winner, User).join(User, on=(Winner.user == User.id)).where(Winner.award.in_(award_ids))
             .order_by(Winner.start.desc(), Winner.decided_at.desc()))
    return list(query.where(Winner.start.in_(starts)) if starts else query)


def unpaid_prizes(plan: Plan, user_ids: list[int]) -> dict[int, list[dict]]:
    """{user: [statement line]} of the prizes the plan's next statement pays (one query)."""
    found: dict[int, list[dict]] = {}
    rows = (Winner.select(Winner, Award).join(Award, on=(Winner.award == Award.id))
            .where(Winner.plan == plan.id, Winner.statement.is_null(), Winner.user.in_(user_ids), Winner.prize.is_null(False)))
    for winner in rows:
        found.setdefault(winner.user_id, []).append({
            "kind": "prize", "winner": winner.id, "award": award_name(winner.award),
            "period": period_key(winner.award.period, winner.start), "base": "0", "rate": None, "amount": str(calc.money(winner.prize))})
    return found


def to_decide(viewer: User) -> int:
    """Awards of the last closed period the viewer could decide and nobody has yet."""
    if not viewer.may("lead_teams"):
        return 0
    waiting = 0
    for award in Award.select().where(Award.archived_at.is_null()):
        start, _end = recent_periods(award.period, 2)[1]
        if people_of(award, viewer) and not Winner.select().where(Winner.award == award.id, Winner.start == start).exists():
            waiting += 1
    return waiting
