"""The incentives plugin's hook implementations."""
from __future__ import annotations

from pathlib import Path

from flask_babel import lazy_gettext as _l

from core.api import AgendaItem, AuditTerms, DashboardWidget, Metric, NavItem, hookimpl, metrics

label = _l("Incentives")
description = _l("Commission plans whose statements explain themselves, with what-if and approval.")


@hookimpl
def register_models():
    from .models import MODELS

    return MODELS


@hookimpl
def register_migrations():
    return Path(__file__).parent / "migrations"


@hookimpl
def register_blueprints():
    from . import views

    return [views.bp]


@hookimpl
def describe_audit():
    from .services import ACTION_LABELS, audit_words

    plan = {"name": _l("Plan name"), "metric": _l("Pays on"), "period": _l("Paid per"),
            "starts": _l("Applies from"), "ends": _l("Until"), "roles": _l("Roles"), "teams": _l("Teams"), "users": _l("Named people"),
            "priority": _l("Priority"), "on_goal": _l("Tiers are a share of the goal"), "mode": _l("Tiers pay"), "tiers": _l("Tiers"),
            "bonuses": _l("Bonuses"), "cap": _l("Cap"), "floor": _l("Floor"), "currency": _l("Currency"), "archived": _l("Archived")}
    award = {"name": _l("Award name"), "kind": _l("Given to"), "metric": _l("Decided by"),
             "period": _l("Every"), "top": _l("Winners"), "team": _l("Among"), "prize": _l("Prize"), "currency": _l("Currency"),
             "winner": _l("Winner"), "gift": _l("Also gives")}
    challenge = {"name": _l("Challenge name"), "metric": _l("Counts"), "team": _l("Who takes part"), "starts": _l("From"),
                 "ends": _l("Until"), "target": _l("Shared target"), "currency": _l("Currency"), "reward": _l("Shared reward"),
                 "archived": _l("Archived")}
    spiff = {"name": _l("Bonus name"), "metric": _l("Pays on"), "filters": _l("Count only"), "starts": _l("From"), "ends": _l("Until"),
             "per_unit": _l("Per unit"), "rate": _l("Rate"), "currency": _l("Currency"), "teams": _l("Teams"), "archived": _l("Archived")}
    plan["filters"], plan["accelerators"] = _l("Count only"), _l("Accelerators")
    changes = {**{f"plan_{key}": label for key, label in plan.items()}, **{f"award_{key}": label for key, label in award.items()},
               **{f"challenge_{key}": label for key, label in challenge.items()},
               **{f"spiff_{key}": label for key, label in spiff.items()},
               "statement_period": _l("Period"), "statement_total": _l("Total"),
               "private_ranks": _l("Reps see only the top three and their own place")}
    return AuditTerms(actions=ACTION_LABELS, subjects={"incentives": _l("Incentives")}, changes=changes, value=audit_words)


@hookimpl
def nav_items(user):
    return [NavItem(_l("Incentives"), "incentives.index", icon="award", order=40)]


@hookimpl
def register_metrics():
    from .metrics import approved_pay, awards_won, awards_won_daily, pay_dimensions

    return [Metric("incentives.pay", _l("Commission approved"), approved_pay, unit="currency", dimensions=pay_dimensions,
                   description=_l("The totals of the approved commission statements whose period starts in the range.")),
            Metric("incentives.awards_won", _l("Awards won"), awards_won, daily=awards_won_daily,
                   description=_l("The awards given to the person for periods starting in the range."))]


@hookimpl
def dashboard_widgets(user):
    from . import challenges, widgets
    from .services import money_text, my_pay, plan_name

    rows = my_pay(user)
    context = {"rows": rows, "money": money_text, "plan_name": plan_name}
    found = [DashboardWidget(_l("My pay this period"), "incentives/widget.html", context, order=8)] if rows else []
    running = challenges.running(user)
    if running:
        found.append(DashboardWidget(_l("Team challenge"), "incentives/challenge_widget.html", {
            "shown": [challenges.progress(challenge) for challenge in running[:2]], "metrics": metrics(),
            "name": challenges.challenge_name, "money": money_text}, order=9))
    board = widgets.leaderboard_widget(user)
    if board is not None:
        found.append(board)
    return found


@hookimpl
def agenda_items(user, day):
    from flask import url_for

    from .awards import to_decide
    from .services import waiting_approval

    if not user.may("lead_teams"):
        return []
    items = []
    waiting = waiting_approval(user)
    if waiting:
        items.append(AgendaItem(title=str(_l("%(count)d commission statement(s) to approve", count=waiting)),
                                url=url_for("incentives.index"), kind=str(_l("Incentives")), important=True, urgent=True))
    deciding = to_decide(user)
    if deciding:
        items.append(AgendaItem(title=str(_l("%(count)d award(s) to decide", count=deciding)), url=url_for("incentives.awards"),
                                kind=str(_l("Incentives")), important=True, urgent=False))
    return items


@hookimpl(trylast=True)  # after the plugins whose numbers the plans pay on
def demo_data(team, rng):
    from .demo import create

    create(team, rng)


@hookimpl
def meeting_topics(team, start, end):
    """The challenges running for the team (or the whole company), with where they stand."""
    from .challenges import meeting_topics as topics

    return topics(team, end)
