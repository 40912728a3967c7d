"""The incentives' pages: my pay, plans (admins), a period's statements (managers), a statement
explained line by line with its what-if, and the payroll export."""
from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.api import (
    REP,
    Team,
    User,
    csv_response,
    date_from,
    filter_words,
    id_from,
    labels_from_form,
    managed_teams,
    metrics,
    prizes,
    render_fragment,
    render_page,
    requires,
    team_today,
    typed_labels,
    xlsx_response,
)

from . import calc, services
from .models import Plan

bp = Blueprint("incentives", __name__, url_prefix="/incentives", template_folder="templates")


@bp.context_processor
def helpers():
    return {"plan_name": services.plan_name, "money": services.money_text, "line_text": services.line_text}


def plan_or_404(plan_id: int) -> Plan:
    plan = Plan.get_or_none(Plan.id == plan_id)
    if plan is None or (plan.archived_at is not None and not current_user.may("administer")):
        abort(404)
    return plan


def period_or_404(plan: Plan, key: str):
    period = services.period_from_key(plan.period, key)
    if period is None:
        abort(404)
    return period


def person_or_404(plan: Plan, user_id: int) -> User:
    """A person the plan pays whom the viewer may see; 404 for anyone else (nothing is told)."""
    person = User.get_or_none(User.id == user_id)
    if person is None or not services.may_see(current_user, person) or not services.applies_to(plan, person):
        abort(404)
    return person


def _plans(include_archived: bool = False):
    query = Plan.select().order_by(Plan.starts.desc(), Plan.id)
    return query if include_archived else query.where(Plan.archived_at.is_null())


@bp.route("/")
def index():
    """What my plans pay me this period, and (managers, admins) the plans and their statements."""
    mine = services.my_pay(current_user)
    plans = list(_plans(include_archived=current_user.may("administer"))) if current_user.may("lead_teams") else []
    keys = {plan.id: services.period_key(plan.period, services.recent_periods(plan.period, 1)[0][0]) for plan in plans}
    return render_page("incentives/index.html", mine=mine, plans=plans, keys=keys, metrics=metrics(), periods=services.PERIODS)


# -- plans (admins) ---------------------------------------------------------------------------------


def _form_values(form) -> dict:
    label, labels = typed_labels(form.get("name", ""), labels_from_form(form, "name"))
    return {
        "version": form.get("version", ""),
        "name": label, "labels": labels, "metric": form.get("metric", ""), "period": form.get("period", ""),
        "starts": date_from(form.get("starts", "")), "ends": date_from(form.get("ends", "")),
        "on_goal": form.get("on_goal") == "y", "mode": form.get("mode", ""), "currency": form.get("currency", ""),
        "cap": form.get("cap", ""), "floor": form.get("floor", ""), "priority": form.get("priority", "0"),
        "roles": form.getlist("roles"), "teams": form.getlist("teams"), "users": form.getlist("users"),
        "tiers": [(form.get(f"tier-{n}-start", ""), form.get(f"tier-{n}-rate", "")) for n in range(services.MAX_TIERS)],
        "bonuses": [(form.get(f"bonus-{n}-at", ""), form.get(f"bonus-{n}-amount", "")) for n in range(services.MAX_BONUSES)],
        "filters": _filter_fields(form),
        "accelerators": [(form.get(f"acc-{n}-choice", ""), form.get(f"acc-{n}-rate", "")) for n in range(services.MAX_ACCELERATORS)],
    }


def _filter_fields(form) -> dict:
    return {name: form.get(name, "") for name in form if name.startswith("filter-")}


def _shown(plan: Plan | None) -> dict:
    """A plan's settings as the form shows them."""
    if plan is None:
        return {"period": "month", "mode": calc.MARGINAL, "currency": "CNY", "on_goal": True, "priority": "0", "roles": [REP],
                "teams": [], "users": [], "labels": {}, "tiers": [("0", "0"), ("80", "3"), ("100", "5")], "bonuses": []}
    return {"version": plan.version, "name": plan.name, "labels": plan.labels or {}, "metric": plan.metric, "period": plan.period,
            "starts": plan.starts,
            "ends": plan.ends, "on_goal": plan.on_goal, "mode": plan.mode, "currency": plan.currency,
            "cap": "" if plan.cap is None else plan.cap, "floor": "" if plan.floor is None else plan.floor,
            "priority": plan.priority, "roles": plan.roles or [], "teams": plan.teams or [], "users": plan.users or [],
            "tiers": [(tier["start"], tier["rate"]) for tier in plan.tiers or []],
            "bonuses": [(bonus["at"], bonus["amount"]) for bonus in plan.bonuses or []],
            "filters": {f"filter-{key}": value for key, value in (plan.filters or {}).items()},
            "accelerators": [(f"{item['dimension']}={item['value']}", item["rate"]) for item in plan.accelerators or []]}


def _plan_form(plan: Plan | None, values: dict, errors: dict, status: int = 200):
    tiers = list(values.get("tiers") or []) + [("", "")] * services.MAX_TIERS
    bonuses = list(values.get("bonuses") or []) + [("", "")] * services.MAX_BONUSES
    accelerators = list(values.get("accelerators") or []) + [("", "")] * services.MAX_ACCELERATORS
    return render_page("incentives/plan_form.html", status=status, plan=plan, values=values, errors=errors,
                       tiers=tiers[:services.MAX_TIERS], bonuses=bonuses[:services.MAX_BONUSES],
                       accelerators=accelerators[:services.MAX_ACCELERATORS], **_narrowing_of(values),
                       metrics=metrics(), periods=services.PERIODS, modes=services.MODES,
                       teams=list(Team.select().order_by(Team.name)),
                       people=list(User.select().where(User.active == True).order_by(User.name)))  # noqa: E712 - SQL


def _narrowing_of(values: dict) -> dict:
    """What a plan or bonus form offers to narrow its metric by, and what is chosen."""
    metric = metrics().get(values.get("metric") or "")
    chosen = {name.removeprefix("filter-"): value for name, value in (values.get("filters") or {}).items()}
    return {"offered": services.narrowing_offered(metric) if metric is not None else [], "chosen": chosen}


@bp.route("/narrowing")
@requires("administer")
def narrowing():
    """The "count only" selects (and a plan's accelerators) for the metric a form just chose (htmx)."""
    values = {"metric": request.args.get("metric", ""), "filters": {}}
    if request.args.get("form") == "spiff":
        return render_fragment("incentives/spiff_form.html", "narrowing", errors={}, **_narrowing_of(values))
    return render_fragment("incentives/plan_form.html", "narrowing", errors={},
                           accelerators=[("", "")] * services.MAX_ACCELERATORS, **_narrowing_of(values))


@bp.route("/plans/new", methods=["GET", "POST"])
@requires("administer")
def new_plan():
    if request.method == "GET":
        return _plan_form(None, _shown(None), {})
    values = _form_values(request.form)
    try:
        plan = services.save_plan(None, values, current_user)
    except services.PlanError as problem:
        return _plan_form(None, values, problem.errors, problem.status)
    flash(_("%(name)s is saved.", name=services.plan_name(plan)), "success")
    return redirect(url_for("incentives.index"))


@bp.route("/plans/<int:plan_id>", methods=["GET", "POST"])
@requires("administer")
def edit_plan(plan_id: int):
    plan = plan_or_404(plan_id)
    if request.method == "GET":
        return _plan_form(plan, _shown(plan), {})
    values = _form_values(request.form)
    try:
        services.save_plan(plan, values, current_user)
    except services.PlanError as problem:
        return _plan_form(plan, values, problem.errors, problem.status)
    flash(_("%(name)s is saved.", name=services.plan_name(plan)), "success")
    return redirect(url_for("incentives.index"))


@bp.route("/plans/<int:plan_id>/archive", methods=["POST"])
@requires("administer")
def archive_plan(plan_id: int):
    plan = plan_or_404(plan_id)
    services.archive_plan(plan, current_user)
    flash(_("%(name)s is archived; its approved statements are kept.", name=services.plan_name(plan)), "success")
    return redirect(url_for("incentives.index"))


# -- statements -------------------------------------------------------------------------------------


def _period_sheets(plan_id: int, period: str):
    """(plan, start, end, people, sheets) of a period's statements the viewer leads; 404 when the
    plan pays nobody they lead (nothing of it is theirs to see)."""
    plan = plan_or_404(plan_id)
    start, end = period_or_404(plan, period)
    people = services.people_paid(plan, current_user)
    if not people:
        abort(404)
    return plan, start, end, people, services.sheets(plan, start, end, people)


@bp.route("/plans/<int:plan_id>/<period>")
@requires("lead_teams")
def statements(plan_id: int, period: str):
    plan, start, end, people, rows = _period_sheets(plan_id, period)
    return render_page("incentives/statements.html", plan=plan, period=period, start=start, end=end, rows=rows,
                       periods=[(services.period_key(plan.period, s), services.period_label(plan.period, s))
                                for s, _e in services.recent_periods(plan.period)],
                       label=services.period_label(plan.period, start), approvable=services.approvable(current_user, people))


@bp.route("/plans/<int:plan_id>/<period>/<int:user_id>")
def statement(plan_id: int, period: str, user_id: int):
    plan = plan_or_404(plan_id)
    start, end = period_or_404(plan, period)
    person = person_or_404(plan, user_id)
    sheet = services.sheet(plan, start, end, person, with_sources=True)
    metric = services.metric_of(plan)
    items = []
    if not sheet.locked and metric is not None and metric.open_items is not None:
        items = metric.open_items(user_ids=[person.id], start=start, end=end).get(person.id, [])
    return render_page("incentives/statement.html", plan=plan, period=period, start=start, end=end, person=person, sheet=sheet,
                       metric=metric, items=items, label=services.period_label(plan.period, start),
                       may_approve=services.may_approve(current_user, person))


@bp.route("/plans/<int:plan_id>/<period>/<int:user_id>/what-if")
def what_if(plan_id: int, period: str, user_id: int):
    """The payout if the picked open records were won and the typed amount came on top (htmx)."""
    plan = plan_or_404(plan_id)
    start, end = period_or_404(plan, period)
    person = person_or_404(plan, user_id)
    metric = services.metric_of(plan)
    extra, problem = Decimal(0), None
    typed = (request.args.get("amount") or "").strip().replace(",", "")
    if typed:
        try:
            extra = Decimal(typed)
            if not extra.is_finite() or abs(extra) >= services.MAX_AMOUNT:
                raise InvalidOperation
        except InvalidOperation:
            extra, problem = Decimal(0), _("%(value)s is not an amount.", value=typed[:40])
    picked = {number for number in (id_from(value) for value in request.args.getlist("item")) if number is not None}
    if picked and metric is not None and metric.open_items is not None:
        items = metric.open_items(user_ids=[person.id], start=start, end=end).get(person.id, [])
        extra += sum((Decimal(str(item.value or 0)) for number, item in enumerate(items, start=1) if number in picked), Decimal(0))
    now, then = services.what_if(plan, start, end, person, extra)
    return render_fragment("incentives/statement.html", "what_if_result", plan=plan, now=now, then=then, extra=extra,
                           problem=problem)


@bp.route("/plans/<int:plan_id>/<period>/<int:user_id>/approve", methods=["POST"])
@requires("lead_teams")
def approve(plan_id: int, period: str, user_id: int):
    plan = plan_or_404(plan_id)
    start, end = period_or_404(plan, period)
    person = person_or_404(plan, user_id)
    if not services.may_approve(current_user, person):
        abort(403)
    if end >= services.recent_periods(plan.period, 1)[0][0] and request.form.get("early") != "y":
        flash(_("The period is not over yet: approve it once it ends."), "error")
    else:
        services.approve(plan, start, end, person, current_user)
        flash(_("The statement of %(name)s is approved and locked.", name=person.name), "success")
    if request.form.get("back") == "list":
        return redirect(url_for("incentives.statements", plan_id=plan.id, period=period))
    return redirect(url_for("incentives.statement", plan_id=plan.id, period=period, user_id=person.id))


def _payroll_rows(plan: Plan, period: str, rows):
    """The header, then every line of the period's statements and each person's total (amounts as Decimal)."""
    yield [_("Person"), _("Email"), _("Period"), _("Status"), _("Statement line"), _("Paid on"), _("Rate") + " %", _("Amount"),
           _("Currency")]
    for row in rows:
        status = _("Approved") if row.locked else _("Open")
        for line in row.lines:
            yield [row.user.name, row.user.email, period, status, services.line_text(plan, line),
                   Decimal(line["base"]) if line.get("base") else "", Decimal(line["rate"]) if line.get("rate") else "",
                   Decimal(line["amount"]), plan.currency]
        yield [row.user.name, row.user.email, period, status, _("Total"), "", "", row.total, plan.currency]


@bp.route("/plans/<int:plan_id>/<period>/export.csv")
@requires("lead_teams")
def export(plan_id: int, period: str):
    """Every line of the period's statements the viewer may see, for payroll."""
    plan, _start, _end, _people, rows = _period_sheets(plan_id, period)
    return csv_response(_payroll_rows(plan, period, rows), f"statements-{plan.id}-{period}.csv")


@bp.route("/plans/<int:plan_id>/<period>/export.xlsx")
@requires("lead_teams")
def export_xlsx(plan_id: int, period: str):
    """The same lines as an Excel workbook, amounts as numbers."""
    plan, _start, _end, _people, rows = _period_sheets(plan_id, period)
    return xlsx_response(_payroll_rows(plan, period, rows), period, f"statements-{plan.id}-{period}.xlsx")


# -- leaderboard ------------------------------------------------------------------------------------


def _teams_for(user) -> list[Team]:
    if user.may("see_everything"):
        return list(Team.select().order_by(Team.name))
    if user.may("lead_teams"):
        return list(managed_teams(user))
    return [user.team] if user.team_id else []


@bp.route("/leaderboard")
def leaderboard():
    """A team ranked by any metric over a month or a quarter."""
    teams = _teams_for(current_user)
    team = next((team for team in teams if team.id == id_from(request.args.get("team"))), teams[0] if teams else None)
    offered = metrics()
    metric = offered.get(request.args.get("metric", "")) or offered.get("pipeline.won_revenue") or next(iter(offered.values()), None)
    kind = request.args.get("period") if request.args.get("period") in services.PERIODS else "month"
    periods = services.recent_periods(kind, 6)
    start, end = next(((s, e) for s, e in periods if services.period_key(kind, s) == request.args.get("when")), periods[0])
    places = []
    if team is not None and metric is not None:
        people = [person for person in User.select().where(User.team == team.id, User.active == True)  # noqa: E712 - SQL
                  .order_by(User.name) if not person.may("lead_teams")]  # those who sell, not who leads them
        places = services.shown_places(services.leaderboard(metric, start, end, people), current_user, team)
    return render_page("incentives/leaderboard.html", teams=teams, team=team, metrics=offered, metric=metric, kind=kind,
                       periods=[(services.period_key(kind, s), services.period_label(kind, s)) for s, _e in periods],
                       when=services.period_key(kind, start), places=places, kinds=services.PERIODS,
                       private=services.private_ranks(team.id) if team else False,
                       may_set=team is not None and (current_user.may("administer") or team.manager_id == current_user.id))


@bp.route("/leaderboard/privacy", methods=["POST"])
@requires("lead_teams")
def ranks_privacy():
    team = Team.get_or_none(Team.id == id_from(request.form.get("team")))
    if team is None or (not current_user.may("administer") and team.manager_id != current_user.id):
        abort(404)
    services.set_private_ranks(team, request.form.get("private") == "y", current_user)
    flash(_("Saved: who sees the ranks of %(team)s.", team=team.name), "success")
    return redirect(url_for("incentives.leaderboard", team=team.id))


# -- awards -----------------------------------------------------------------------------------------


def award_or_404(award_id: int):
    from .models import Award

    award = Award.get_or_none(Award.id == award_id, Award.archived_at.is_null())
    if award is None:
        abort(404)
    return award


@bp.route("/awards")
def awards():
    """Each award with last period's and this period's nominees (for those who decide) and winners."""
    from . import awards as service
    from .models import Award

    listed = list(Award.select().where(Award.archived_at.is_null()).order_by(Award.period, Award.name))
    shown = []
    for award in listed:
        people = service.people_of(award, current_user) if current_user.may("lead_teams") else []
        periods = []
        for start, end in services.recent_periods(award.period, 2)[::-1]:
            key = services.period_key(award.period, start)
            periods.append({"key": key, "label": services.period_label(award.period, start), "people": people,
                            "nominees": service.nominees(award, start, end, people), "winners": service.winners_of([award.id], [start])})
        shown.append((award, periods))
    return render_page("incentives/awards.html", shown=shown, kinds=service.KINDS, metrics=metrics(), award_name=service.award_name)


@bp.route("/awards/wall")
def wall():
    """The wall of fame: every award given, newest first."""
    from . import awards as service
    from .models import Award

    names = {award.id: award for award in Award.select()}
    winners = service.winners_of(list(names))[:200]
    return render_page("incentives/wall.html", winners=winners, awards=names, award_name=service.award_name,
                       key=services.period_key)


def _award_values(form) -> dict:
    label, labels = typed_labels(form.get("name", ""), labels_from_form(form, "name"))
    return {"name": label, "labels": labels, "kind": form.get("kind", ""), "metric": form.get("metric", ""),
            "period": form.get("period", ""), "top": form.get("top", "1"), "team": form.get("team", ""),
            "prize": form.get("prize", ""), "currency": form.get("currency", "CNY"), "gift": form.get("gift", "")}


def _award_form(award, values: dict, errors: dict, status: int = 200):
    from . import awards as service

    return render_page("incentives/award_form.html", status=status, award=award, values=values, errors=errors, kinds=service.KINDS,
                       metrics=metrics(), periods=services.PERIODS, teams=list(Team.select().order_by(Team.name)),
                       award_name=service.award_name, gifts=prizes())


@bp.route("/awards/new", methods=["GET", "POST"])
@bp.route("/awards/<int:award_id>", methods=["GET", "POST"])
@requires("administer")
def edit_award(award_id: int | None = None):
    from . import awards as service

    award = award_or_404(award_id) if award_id is not None else None
    if request.method == "GET":
        values = {"kind": "top", "period": "month", "top": 1, "currency": "CNY", "labels": {}} if award is None else {
            "name": award.name, "labels": award.labels or {}, "kind": award.kind, "metric": award.metric, "period": award.period,
            "top": award.top, "team": award.team_id, "prize": "" if award.prize is None else award.prize, "currency": award.currency,
            "gift": award.gift or ""}
        return _award_form(award, values, {})
    values = _award_values(request.form)
    try:
        award = service.save_award(award, values, current_user)
    except services.PlanError as problem:
        return _award_form(award, values, problem.errors, 400)
    flash(_("%(name)s is saved.", name=service.award_name(award)), "success")
    return redirect(url_for("incentives.awards"))


@bp.route("/awards/<int:award_id>/<period>/give", methods=["POST"])
@requires("lead_teams")
def give_award(award_id: int, period: str):
    from . import awards as service

    award = award_or_404(award_id)
    found = services.period_from_key(award.period, period)
    if found is None:
        abort(404)
    person = User.get_or_none(User.id == id_from(request.form.get("user")))
    if person is None or person not in service.people_of(award, current_user):
        abort(404)
    if not service.may_decide(current_user, award, person):
        abort(403)
    if found[0] > services.recent_periods(award.period, 1)[0][0]:
        abort(404)  # a period still to come
    note = (request.form.get("note") or "").strip()
    if award.kind == "nominated" and not note:
        flash(_("Say why: a nominated award carries the manager's reasons."), "error")
        return redirect(url_for("incentives.awards"))
    try:
        service.give(award, found[0], person, note, current_user)
    except ValueError as problem:  # the award's gift could not be given: nothing is saved
        flash(str(problem), "error")
        return redirect(url_for("incentives.awards")), 303
    flash(_("%(name)s receives %(award)s.", name=person.name, award=service.award_name(award)), "success")
    return redirect(url_for("incentives.awards"))


# -- team challenges --------------------------------------------------------------------------------


def challenge_or_404(challenge_id: int):
    from . import challenges as service

    challenge = service.visible(current_user).where(service.Challenge.id == challenge_id).first()
    if challenge is None:
        abort(404)
    return challenge


@bp.route("/challenges")
def challenges():
    """The challenges the viewer takes part in or leads: running and coming first, then the last ended ones."""
    from . import challenges as service

    today = team_today()
    listed = list(service.visible(current_user).order_by(service.Challenge.ends.desc(), service.Challenge.id.desc()).limit(30))
    current = [service.progress(challenge, today) for challenge in listed if challenge.ends >= today]
    ended = [service.progress(challenge, today) for challenge in listed if challenge.ends < today][:10]
    return render_page("incentives/challenges.html", current=current[::-1], ended=ended, metrics=metrics(),
                       name=service.challenge_name, may_create=current_user.may("lead_teams"))


@bp.route("/challenges/<int:challenge_id>")
def challenge(challenge_id: int):
    from . import challenges as service

    found = challenge_or_404(challenge_id)
    return render_page("incentives/challenge.html", progress=service.progress(found), metrics=metrics(), name=service.challenge_name,
                       may_edit=service.may_set(current_user, found.team_id))


def _challenge_values(form) -> dict:
    label, labels = typed_labels(form.get("name", ""), labels_from_form(form, "name"))
    return {"version": form.get("version", ""), "name": label, "labels": labels, "metric": form.get("metric", ""),
            "team": form.get("team", ""),
            "starts": date_from(form.get("starts", "")), "ends": date_from(form.get("ends", "")), "target": form.get("target", ""),
            "currency": form.get("currency", "CNY"), "reward": form.get("reward", "")}


@bp.route("/challenges/new", methods=["GET", "POST"])
@bp.route("/challenges/<int:challenge_id>/edit", methods=["GET", "POST"])
@requires("lead_teams")
def edit_challenge(challenge_id: int | None = None):
    from . import challenges as service

    found = challenge_or_404(challenge_id) if challenge_id is not None else None
    if found is not None and not service.may_set(current_user, found.team_id):
        abort(403)
    teams = list(Team.select().order_by(Team.name)) if current_user.may("administer") else list(managed_teams(current_user))
    if request.method == "GET":
        today = team_today()
        values = {"labels": {}, "starts": today, "ends": today + datetime.timedelta(days=27), "currency": "CNY",
                  "team": teams[0].id if teams and not current_user.may("administer") else None} if found is None else {
            "version": found.version, "name": found.name, "labels": found.labels or {}, "metric": found.metric, "team": found.team_id,
            "starts": found.starts,
            "ends": found.ends, "target": found.target, "currency": found.currency, "reward": found.reward}
        return _challenge_form(found, values, {}, teams)
    values = _challenge_values(request.form)
    try:
        found = service.save(found, values, current_user)
    except services.PlanError as problem:
        return _challenge_form(found, values, problem.errors, teams, problem.status)
    flash(_("%(name)s is saved.", name=service.challenge_name(found)), "success")
    return redirect(url_for("incentives.challenge", challenge_id=found.id))


def _challenge_form(found, values: dict, errors: dict, teams: list, status: int = 200):
    from . import challenges as service

    return render_page("incentives/challenge_form.html", status=status, challenge=found, values=values, errors=errors,
                       metrics=metrics(), teams=teams, company=current_user.may("administer"), name=service.challenge_name)


@bp.route("/challenges/<int:challenge_id>/archive", methods=["POST"])
@requires("lead_teams")
def archive_challenge(challenge_id: int):
    from . import challenges as service

    found = challenge_or_404(challenge_id)
    if not service.may_set(current_user, found.team_id):
        abort(403)
    service.archive(found, current_user)
    flash(_("%(name)s is archived.", name=service.challenge_name(found)), "success")
    return redirect(url_for("incentives.challenges"))


# -- short-term bonuses (admins set them; everyone they apply to sees them) ------------------------


def spiff_or_404(spiff_id: int):
    from .models import Spiff

    spiff = Spiff.get_or_none(Spiff.id == spiff_id, Spiff.archived_at.is_null())
    if spiff is None or not _spiff_shown(spiff):
        abort(404)
    return spiff


def _spiff_shown(spiff) -> bool:
    if current_user.may("see_everything") or not spiff.teams:
        return True
    teams = {current_user.team_id} | ({team.id for team in managed_teams(current_user)} if current_user.may("lead_teams") else set())
    return bool(teams & set(spiff.teams))


@bp.route("/bonuses")
def spiffs():
    """The short-term bonuses that apply to the viewer's teams: what they pay on, when, and (for those
    they apply to) what the viewer has earned so far."""
    from . import spiffs as service
    from .models import Spiff

    today = team_today()
    listed = [spiff for spiff in Spiff.select().where(Spiff.archived_at.is_null(), Spiff.ends >= today - datetime.timedelta(days=92))
              .order_by(Spiff.ends.desc(), Spiff.id.desc()) if _spiff_shown(spiff)]
    mine = {spiff.id: service.earned(spiff, [current_user]).get(current_user.id) for spiff in listed}
    teams = dict(Team.select(Team.id, Team.name).tuples())
    return render_page("incentives/spiffs.html", spiffs=listed, mine=mine, today=today, metrics=metrics(), teams=teams,
                       name=service.spiff_name, words=filter_words)


def _spiff_values(form) -> dict:
    label, labels = typed_labels(form.get("name", ""), labels_from_form(form, "name"))
    return {"version": form.get("version", ""), "name": label, "labels": labels, "metric": form.get("metric", ""),
            "filters": _filter_fields(form),
            "starts": date_from(form.get("starts", "")), "ends": date_from(form.get("ends", "")), "pays": form.get("pays", ""),
            "amount": form.get("amount", ""), "currency": form.get("currency", "CNY"), "teams": form.getlist("teams")}


def _spiff_form(spiff, values: dict, errors: dict, status: int = 200):
    from . import spiffs as service

    return render_page("incentives/spiff_form.html", status=status, spiff=spiff, values=values, errors=errors, metrics=metrics(),
                       teams=list(Team.select().order_by(Team.name)), name=service.spiff_name, **_narrowing_of(values))


@bp.route("/bonuses/new", methods=["GET", "POST"])
@bp.route("/bonuses/<int:spiff_id>", methods=["GET", "POST"])
@requires("administer")
def edit_spiff(spiff_id: int | None = None):
    from . import spiffs as service

    spiff = spiff_or_404(spiff_id) if spiff_id is not None else None
    if request.method == "GET":
        start, end = services.recent_periods("month", 1)[0]
        values = {"labels": {}, "starts": start, "ends": end, "pays": "per_unit", "currency": "CNY", "teams": [], "filters": {}} \
            if spiff is None else {
                "version": spiff.version, "name": spiff.name, "labels": spiff.labels or {}, "metric": spiff.metric,
                "filters": {f"filter-{key}": value for key, value in (spiff.filters or {}).items()}, "starts": spiff.starts,
                "ends": spiff.ends, "pays": "rate" if spiff.rate is not None else "per_unit",
                "amount": spiff.rate if spiff.rate is not None else spiff.per_unit, "currency": spiff.currency, "teams": spiff.teams or []}
        return _spiff_form(spiff, values, {})
    values = _spiff_values(request.form)
    try:
        spiff = service.save(spiff, values, current_user)
    except services.PlanError as problem:
        return _spiff_form(spiff, values, problem.errors, problem.status)
    flash(_("%(name)s is saved.", name=service.spiff_name(spiff)), "success")
    return redirect(url_for("incentives.spiffs"))


@bp.route("/bonuses/<int:spiff_id>/archive", methods=["POST"])
@requires("administer")
def archive_spiff(spiff_id: int):
    from . import spiffs as service

    spiff = spiff_or_404(spiff_id)
    service.archive(spiff, current_user)
    flash(_("%(name)s is archived.", name=service.spiff_name(spiff)), "success")
    return redirect(url_for("incentives.spiffs"))
