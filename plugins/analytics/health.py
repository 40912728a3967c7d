"""Data health (数据清洗): the checks every plugin declares (`data_checks`) and the required fields
left empty, each counted per owner within the reader's row scope and linked to the records to fix;
a score per person and per team (the share of their records with nothing to fix), kept per day so
its trend shows fixing the records raises it."""
from __future__ import annotations

import datetime
from dataclasses import dataclass

import peewee
from flask import url_for
from flask_babel import gettext as _

from core.api import DataCheck, Grouping, Team, User, data_checks, db, get_entity, managed_user_ids, run_report, team_today

from .models import HealthScore
from .services import entities

HISTORY = 8  # scores shown per person


@dataclass
class CheckResult:
    check: DataCheck
    counts: dict  # {owner id: records to fix}
    url: str | None

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class Score:
    person: User
    records: int
    issues: int
    score: int
    history: list  # [(day, score)], oldest first, today last


def required_checks() -> list[DataCheck]:
    """A required field an admin added to a form: records made before it may have it empty."""
    found = []
    for key, schema in entities().items():
        for spec in schema.active_fields:
            if spec.required and not spec.base and not spec.meta:
                found.append(DataCheck(f"required:{key}:{spec.key}", _("%(entity)s without %(field)s", entity=schema.label,
                                                                          field=spec.label), key, ((spec.key, "empty", ""),), order=5))
    return found


def option_checks() -> list[DataCheck]:
    """A choice field whose options an admin archived: records may still hold one (the form offers
    it to them alone), to move to a current option."""
    found = []
    for key, schema in entities().items():
        for spec in schema.active_fields:
            if any(choice.get("archived") for choice in spec.options.get("choices", [])):
                label = _("%(entity)s whose %(field)s is none of its options", entity=schema.label, field=spec.label)
                found.append(DataCheck(f"options:{key}:{spec.key}", label, key, ((spec.key, "outside", ""),), order=6))
    return found


def _list_url(entity: str, filters) -> str:
    return url_for("records.index", entity=entity, fk=[f[0] for f in filters], fo=[f[1] for f in filters], fv=[f[2] for f in filters])


def results(user) -> list[CheckResult]:
    """Every check, counted per owner among the records `user` may see (one statement per check)."""
    found = []
    for check in sorted(required_checks() + option_checks() + data_checks(), key=lambda check: check.order):
        schema = get_entity(check.entity)
        if schema is None:
            continue
        if check.count is not None:
            counts = {owner: int(number) for owner, number in (check.count(user) or {}).items()}
            found.append(CheckResult(check, counts, check.url))
            continue
        groups = [Grouping(schema.owner_field)] if schema.owner_field else []
        report = run_report(schema, user, list(check.filters), groups, limit=500)
        counts = {row.keys[0] if groups else None: int(row.value or 0) for row in report.rows}
        found.append(CheckResult(check, {owner: number for owner, number in counts.items() if number}, _list_url(check.entity,
                                                                                                                 check.filters)))
    return found


def people_of(user) -> list[User]:
    query = User.select().where(User.active == True).order_by(User.name)  # noqa: E712 - SQL
    if user.may("see_everything"):
        return list(query.where(User.team.is_null(False)))
    if user.may("lead_teams"):
        return list(query.where(User.id.in_(managed_user_ids(user))))
    return [user]


def scores(user, checked: list[CheckResult]) -> list[Score]:
    """Each person's score: 100 × the share of their records (of the forms checked) with nothing to
    fix, counting a record once per check it fails. Today's is kept, for the trend."""
    people = people_of(user)
    owned: dict = {}
    for entity in {result.check.entity for result in checked}:
        schema = get_entity(entity)
        if schema is None or not schema.owner_field:
            continue
        for row in run_report(schema, user, [], [Grouping(schema.owner_field)], limit=500).rows:
            owned[row.keys[0]] = owned.get(row.keys[0], 0) + int(row.value or 0)
    today = team_today()
    found = []
    for person in people:
        records = owned.get(person.id, 0)
        if not records and person.id != user.id:
            continue  # owns nothing checked: no score to show
        issues = sum(result.counts.get(person.id, 0) for result in checked)
        score = 100 if not records else max(0, round(100 * (1 - issues / records)))
        found.append(Score(person, records, issues, score, []))
    _keep(today, found)
    return found


def _keep(today: datetime.date, found: list[Score]) -> None:
    """Store today's scores (one statement) and read each person's last ones back (one more)."""
    if not found:
        return
    rows = [{"day": today, "user": score.person.id, "score": score.score, "issues": score.issues, "records": score.records}
            for score in found]
    with db.atomic():
        HealthScore.insert_many(rows).on_conflict(
            conflict_target=[HealthScore.day, HealthScore.user],
            update={HealthScore.score: peewee.EXCLUDED.score, HealthScore.issues: peewee.EXCLUDED.issues,
                    HealthScore.records: peewee.EXCLUDED.records}).execute()
    since = today - datetime.timedelta(days=HISTORY * 7)
    history: dict = {}
    for day, person, score in (HealthScore.select(HealthScore.day, HealthScore.user, HealthScore.score)
                               .where(HealthScore.user.in_([score.person.id for score in found]), HealthScore.day >= since)
                               .order_by(HealthScore.day).tuples()):
        history.setdefault(person, []).append((day, score))
    for score in found:
        score.history = history.get(score.person.id, [])[-HISTORY:]


def team_scores(found: list[Score]) -> list[tuple[Team, int]]:
    """(team, score) from its people's records and issues."""
    totals: dict = {}
    for score in found:
        if score.person.team_id:
            records, issues = totals.get(score.person.team_id, (0, 0))
            totals[score.person.team_id] = (records + score.records, issues + score.issues)
    teams = {team.id: team for team in Team.select().where(Team.id.in_(list(totals)))} if totals else {}
    return [(teams[team_id], 100 if not records else max(0, round(100 * (1 - issues / records))))
            for team_id, (records, issues) in sorted(totals.items()) if team_id in teams]
