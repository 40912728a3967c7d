"""The goals' pages: the tree, setting a goal with its SMART check, a goal with its progress,
breakdown, shares and reverse funnel."""
from __future__ import annotations

import datetime
import decimal

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from core.api import id_from, locale_code, metrics, number, render_fragment, render_page, requires, team_today

from . import funnel as funnels
from . import narrowing, periods, services, smart
from . import split as splitting
from .forms import GoalForm, read
from .models import Goal, TargetChange
from .progress import burn_up, measure

bp = Blueprint("goals", __name__, url_prefix="/goals", template_folder="templates")

# Which kinds of goal a tree for a period shows at first; shorter ones open on demand.
SHOWN = {"year": ("year", "quarter", "month", "custom"), "quarter": ("quarter", "month", "custom"),
         "month": ("month", "week", "custom"), "week": ("week", "day", "custom")}


# What a tree row needs of a goal (not its description or the basis of its target).
TREE_COLUMNS = (Goal.id, Goal.owner_user, Goal.owner_team, Goal.metric, Goal.filters, Goal.target, Goal.period_kind, Goal.start, Goal.end,
                Goal.parent)


def goal_or_404(goal_id: int) -> Goal:
    goal = services.visible(current_user).where(Goal.id == goal_id).first()
    if goal is None:
        abort(404)
    return goal


def changeable_or_403(goal: Goal) -> None:
    if not services.may_change(goal, current_user):
        abort(403)


# -- the tree -------------------------------------------------------------------------------------


def chosen_period(text: str | None, today: datetime.date) -> periods.Period:
    return periods.parse(text, SHOWN) or periods.containing("year", today)


def nodes(goals: list[Goal], today: datetime.date) -> dict:
    """What a tree needs for these goals: owners, titles, progress, children and hidden-children
    counts, in a fixed number of queries."""
    users, teams = services.owner_lookup(goals)
    progress = measure(goals, today)
    locale = locale_code()
    return {"users": users, "teams": teams, "progress": progress,
            "titles": {goal.id: services.title(goal, services.owner_of(goal, users, teams), locale) for goal in goals},
            "figures": {goal.id: ("—" if progress[goal.id].status == "unavailable" else number(progress[goal.id].actual, locale=locale),
                                  number(goal.target, locale=locale)) for goal in goals}}


def more_labels(hidden: dict) -> dict:
    """The "show N shorter goals" buttons' words, once per number."""
    return {count: ngettext("Show %(num)d shorter goal", "Show %(num)d shorter goals", count) for count in set(hidden.values())}


@bp.route("/")
def index():
    today = team_today()
    period = chosen_period(request.args.get("period"), today)
    shown = services.visible(current_user).select(*TREE_COLUMNS).where(Goal.start <= period.end, Goal.end >= period.start,
                                                                       Goal.period_kind.in_(SHOWN[period.kind]))
    goals = list(shown.order_by(Goal.start, Goal.id))
    ids = {goal.id for goal in goals}
    children: dict = {}
    for goal in goals:
        children.setdefault(goal.parent_id if goal.parent_id in ids else None, []).append(goal)
    by_id = {goal.id: goal for goal in goals}
    for parent_id, kids in children.items():  # under a goal: its shares first, then its own periods
        parent = by_id.get(parent_id)
        kids.sort(key=lambda kid: (parent is not None and (kid.owner_user_id, kid.owner_team_id) == (parent.owner_user_id,
                                                                                                     parent.owner_team_id),
                                   kid.start, kid.id))
    hidden = services.hidden_children(ids, SHOWN[period.kind])
    choices = [p for kind in ("year", "quarter", "month") for p in periods.upcoming(kind, today, 1, 2)]
    return render_page("goals/index.html", period=period, choices=choices, children=children, hidden=hidden, more=more_labels(hidden),
                       base=url_for("goals.index"),
                       can_set=bool(services.owners_for(current_user)), today=today, **nodes(goals, today))


@bp.route("/<int:goal_id>/children")
def children_of(goal_id: int):
    goal = goal_or_404(goal_id)
    today = team_today()
    kids = list(services.visible(current_user).where(Goal.parent == goal.id).order_by(Goal.start, Goal.id))
    hidden = services.hidden_children({kid.id for kid in kids}, ())
    return render_fragment("goals/index.html", "branch", goals=kids, children={}, hidden=hidden, more=more_labels(hidden), today=today,
                           base=url_for("goals.index"),
                           **nodes(kids, today))


# -- setting a goal -------------------------------------------------------------------------------


def _offered(metric) -> dict:
    """What the goal form shows to narrow `metric`: its dimensions with their choices, and those chosen."""
    return {"dimensions": [(dimension, narrowing.choices_of(metric, key)) for key, dimension in narrowing.dimensions_of(metric).items()],
            "chosen": dict(metric.filters) if metric is not None else {}}


def _form_page(form, draft=None, errors=None, status=200):
    letters = smart.check(draft) if draft is not None else smart.check(services.Draft())
    duplicates = []  # the goals already there that refused it, each linked from the form
    if draft is not None and errors and "period" in errors:
        duplicates = list(services.duplicates(draft).values()) if draft.until is not None else [draft.duplicate] if draft.duplicate else []
    return render_page("goals/form.html", form=form, errors=errors or {}, letters=letters, draft=draft, status=status,
                       duplicates=duplicates, duplicate_titles=_titles(duplicates), **_offered(draft.metric if draft else None))


def _titles(goals: list[Goal]) -> dict:
    users, teams = services.owner_lookup(goals)
    return {goal.id: services.title(goal, services.owner_of(goal, users, teams)) for goal in goals}


@bp.route("/new", methods=["GET", "POST"])
def new():
    owners = services.owners_for(current_user)
    if not owners:
        abort(403)
    form = GoalForm()
    if request.method == "GET":
        form = GoalForm(formdata=None, owner=request.args.get("owner"), metric=request.args.get("metric"),
                        parent=request.args.get("parent"), period=request.args.get("period"))
    form.offer(current_user, owners)
    if request.method == "GET":
        return _form_page(form, read(form, current_user, request.args)[0])
    if not form.validate_on_submit():
        return _form_page(form, errors={name: " ".join(map(str, field)) for name, field in form.errors.items()}, status=400)
    draft, errors = read(form, current_user, request.form)
    errors = {**services.check(draft, current_user), **errors}
    if errors:
        return _form_page(form, draft, errors, status=400)
    if draft.until is not None:
        made, refused = services.create_repeated(draft, current_user)
        return redirect(url_for("goals.repeated", set=",".join(str(goal.id) for goal in made),
                                refused=",".join(str(goal.id) for goal in refused)))
    goal = services.create(draft, current_user)
    flash(_("The goal is set."), "success")
    return redirect(url_for("goals.goal", goal_id=goal.id))


def _ids(text: str | None) -> list[int]:
    return [number for number in map(id_from, (text or "").split(",")[:100]) if number is not None]


@bp.route("/repeated")
def repeated():
    """What a goal repeated over a span set: the goals set, and those already there it refused."""
    made, refused = _ids(request.args.get("set")), _ids(request.args.get("refused"))
    found = {goal.id: goal for goal in services.visible(current_user).where(Goal.id.in_(made + refused or [0]))}
    made_goals = [found[number] for number in made if number in found]
    refused_goals = [found[number] for number in refused if number in found]
    return render_page("goals/repeated.html", made=made_goals, refused=refused_goals, titles=_titles(made_goals + refused_goals))


@bp.route("/new/filters")
def filters():
    """The goal form's "count only" choices for the metric chosen (htmx, when the metric changes)."""
    if not services.owners_for(current_user):
        abort(403)
    return render_fragment("goals/form.html", "filters", errors={}, **_offered(metrics().get(request.args.get("metric") or "")))


@bp.route("/check", methods=["POST"])
def check():
    """The SMART check of the form as it stands (htmx, while the form is filled in)."""
    owners = services.owners_for(current_user)
    if not owners:
        abort(403)
    form = GoalForm()
    form.offer(current_user, owners)
    draft, _errors = read(form, current_user, request.form)
    return render_fragment("goals/form.html", "smart", letters=smart.check(draft), draft=draft)


# -- one goal -------------------------------------------------------------------------------------


@bp.route("/<int:goal_id>")
def goal(goal_id: int):
    record = goal_or_404(goal_id)
    today = team_today()
    users, teams = services.owner_lookup([record])
    owner = services.owner_of(record, users, teams)
    progress = measure([record], today, with_days=True)[record.id]
    kids = list(services.visible(current_user).where(Goal.parent == record.id).order_by(Goal.start, Goal.id))
    below = nodes(kids, today)
    period = periods.Period(record.period_kind, record.start, record.end)
    months = request.args.get("months", type=int)
    months = months if months in funnels.LOOK_BACK_MONTHS else 6
    return render_page(
        "goals/goal.html", goal=record, owner=owner, title=services.title(record, owner), progress=progress,
        chart=burn_up(record, progress, today), metric=services.metric_of(record), period=period, today=today,
        changes=list(TargetChange.select().where(TargetChange.goal == record.id).order_by(TargetChange.at.desc())),
        child_kinds=periods.CHILD_KINDS.get(record.period_kind, ()), methods=splitting.METHODS, can_change=services.may_change(record,
                                                                                                                               current_user),
        funnel=funnels.work_out(record, owner, months, today, services.holidays()), months=months, look_backs=funnels.LOOK_BACK_MONTHS,
        parent=services.visible(current_user).where(Goal.id == record.parent_id).first() if record.parent_id else None,
        kids=kids, titles=below["titles"], nodes_progress=below["progress"], kind_labels=periods.KIND_LABELS,
        method_labels=splitting.METHOD_LABELS,
        growth_periods={over: services.growth_base(period, over, today) for over in services.GROWTH_OVER},
    )


@bp.route("/<int:goal_id>/target", methods=["POST"])
def change_target(goal_id: int):
    record = goal_or_404(goal_id)
    changeable_or_403(record)
    reason = request.form.get("reason", "").strip()[:2000]
    target, basis, problem = services.parse_amount(request.form.get("target")), None, None
    if request.form.get("mode") == "growth":  # a percentage over the goal's basis, the period before or the last complete one
        percent, target = services.parse_amount(request.form.get("growth")), None
        if percent is None or not -100 < percent <= 1000:
            problem = _("Write the growth as a percentage, such as 20.")
        else:
            target, basis = services.regrown(record, percent, request.form.get("over", "")) or (None, None)
            problem = None if target is not None else _("Choose what the growth is over.")
    draft = services.Draft(metric=services.metric_of(record), target=target)
    problem = problem or services.check_target(draft) or (None if reason else _("Say why the target changes; the history keeps it."))
    if problem:
        flash(problem, "error")
        return redirect(url_for("goals.goal", goal_id=record.id)), 303
    if target != record.target or (basis is not None and basis != record.basis):
        services.change_target(record, target, reason, current_user, basis)
        flash(_("The target is now %(target)s.", target=services.shown(target)), "success")
    return redirect(url_for("goals.goal", goal_id=record.id))


@bp.route("/<int:goal_id>/split", methods=["POST"])
def split(goal_id: int):
    record = goal_or_404(goal_id)
    changeable_or_403(record)
    kind, method = request.form.get("kind"), request.form.get("method")
    if kind not in periods.CHILD_KINDS.get(record.period_kind, ()) or method not in splitting.METHODS:
        abort(400)
    history = services.seasonal_history(record, kind) if method == "seasonal" else None
    made, fell_back = services.break_down(record, kind, method, current_user, history)
    if fell_back:
        flash(_("There is no history from last year to follow, so the split follows working days."), "info")
    flash(_("%(count)d goals now add up to %(target)s.", count=len(made), target=services.shown(record.target)), "success")
    return redirect(url_for("goals.goal", goal_id=record.id) + "#children")


@bp.route("/<int:goal_id>/archive", methods=["POST"])
def archive(goal_id: int):
    record = goal_or_404(goal_id)
    changeable_or_403(record)
    count = services.archive(record, current_user)
    flash(_("%(count)d goal(s) archived; their numbers stay.", count=count), "success")
    return redirect(url_for("goals.index"))


# -- sharing a team's or the company's goal -------------------------------------------------------


def _share_page(record, shares, mode, errors=None, status=200, fragment=False):
    users, teams = services.owner_lookup([record])
    owner = services.owner_of(record, users, teams)
    takers = services.takers(record)
    total = sum((amount for amount in shares.values() if amount is not None), decimal.Decimal(0))
    context = dict(goal=record, title=services.title(record, owner), takers=takers, shares=shares, mode=mode, errors=errors or {},
                   total=total, gap=record.target - total)
    if fragment:
        return render_fragment("goals/share.html", "shares", **context)
    return render_page("goals/share.html", status=status, **context)


@bp.route("/<int:goal_id>/share", methods=["GET", "POST"])
def share(goal_id: int):
    record = goal_or_404(goal_id)
    changeable_or_403(record)
    takers = services.takers(record)
    if not takers:
        flash(_("Only a team's or the company's goal is shared out."), "error")
        return redirect(url_for("goals.goal", goal_id=record.id))
    mode = request.values.get("mode") if request.values.get("mode") in ("gap", "rebalance") else "gap"
    if request.method == "GET":
        how = request.args.get("how", "equal")
        return _share_page(record, services.proposed_shares(record, takers, how), mode)
    shares = {key: services.parse_amount(request.form.get(f"share-{key}")) for key, _label in takers}
    errors = {key: _("Write an amount of 0 or more.") for key, amount in shares.items()
              if amount is None or amount < 0 or amount > services.MAX_TARGET}
    changed = request.form.get("changed")
    if request.form.get("action") != "save":  # htmx: one share was edited
        if mode == "rebalance" and changed in shares and not errors:
            shares = splitting.rebalance(record.target, shares, changed)
        return _share_page(record, shares, mode, errors, fragment=True)
    if errors:
        return _share_page(record, shares, mode, errors, status=400)
    services.share_among(record, {key: amount for key, amount in shares.items() if amount}, current_user)
    total = sum(shares.values(), decimal.Decimal(0))
    if total != record.target:
        flash(_("Shared out: %(total)s of %(target)s; the gap is %(gap)s.", total=services.shown(total),
                target=services.shown(record.target),
                gap=services.shown(record.target - total)), "info")
    else:
        flash(_("Shared out: the shares add up to the goal."), "success")
    return redirect(url_for("goals.goal", goal_id=record.id) + "#children")


# -- the reverse funnel ---------------------------------------------------------------------------


@bp.route("/<int:goal_id>/funnel", methods=["POST"])
def funnel_goals(goal_id: int):
    """Turn the reverse funnel's activity numbers into goals for the same owner and period."""
    record = goal_or_404(goal_id)
    changeable_or_403(record)
    months = id_from(request.form.get("months"))
    users, teams = services.owner_lookup([record])
    owner = services.owner_of(record, users, teams)
    worked = funnels.work_out(record, owner, months if months in funnels.LOOK_BACK_MONTHS else 6, team_today(), services.holidays())
    if worked is None or not worked.steps or worked.missing:
        abort(400)
    made = services.funnel_goals(record, owner, worked, current_user)
    flash(_("%(count)d activity goal(s) set, broken down into weeks.", count=len(made)), "success")
    return redirect(url_for("goals.goal", goal_id=record.id) + "#funnel")


# -- holidays -------------------------------------------------------------------------------------


@bp.route("/holidays", methods=["GET", "POST"])
@requires("administer")
def holidays():
    from .models import Holiday

    errors = []
    if request.method == "POST":
        days, errors = services.parse_holidays(request.form.get("days", ""))
        if not errors:
            services.save_holidays(days, current_user)
            flash(_("%(count)d holiday(s) saved.", count=len(days)), "success")
            return redirect(url_for("goals.holidays"))
    text = request.form.get("days") if errors else "\n".join(
        f"{h.day.isoformat()} {h.name}".strip() for h in Holiday.select().order_by(Holiday.day))
    return render_page("goals/holidays.html", text=text, errors=errors, status=400 if errors else 200)
