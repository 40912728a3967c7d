"""The incentives plugin's hook implementations."""
from __future__ import annotations

from pathlib import Path

from flask_babel import lazy_gettext as _l

from core.api import AgendaItem, AuditTerms, DashboardWidget, Metric, NavItem, hookimpl

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

    return AuditTerms(actions=ACTION_LABELS, subjects={"incentives": _l("Incentives")},
                      changes={"period": _l("Paid per"), "total": _l("Total"), "tiers": _l("Tiers"), "bonuses": _l("Bonuses"),
                               "metric": _l("Pays on"), "cap": _l("Cap"), "floor": _l("Floor"), "mode": _l("Tiers pay"),
                               "priority": _l("Priority"), "archived": _l("Archived"), "name": _l("Plan name"),
                               "labels": _l("Names in each language"), "starts": _l("Applies from"), "ends": _l("Until"),
                               "on_goal": _l("Tiers are a share of the goal"), "currency": _l("Currency"), "roles": _l("Roles"),
                               "teams": _l("Teams"), "users": _l("Named people"),
                               "private_ranks": _l("Reps see only the top three and their own place")},
                      value=audit_words)


@hookimpl
def nav_items(user):
    return [NavItem(_l("Incentives"), "incentives.index", icon="award", order=40)]


@hookimpl
def register_metrics():
    from .metrics import approved_pay

    return [Metric("incentives.pay", _l("Commission approved"), approved_pay, unit="currency",
                   description=_l("The totals of the approved commission statements whose period starts in the range."))]


@hookimpl
def dashboard_widgets(user):
    from .services import money_text, my_pay, plan_name

    rows = my_pay(user)
    context = {"rows": rows, "money": money_text, "plan_name": plan_name}
    return [DashboardWidget(_l("My pay this period"), "incentives/widget.html", context, order=8)] if rows else []


@hookimpl
def agenda_items(user, day):
    from flask import url_for

    from .services import waiting_approval

    if not user.may("lead_teams"):
        return []
    waiting = waiting_approval(user)
    if not waiting:
        return []
    return [AgendaItem(title=str(_l("%(count)d commission statement(s) to approve", count=waiting)),
                       url=url_for("incentives.index"), kind=str(_l("Incentives")))]


@hookimpl(trylast=True)  # after the plugins whose numbers the plans pay on
def demo_data(team, rng):
    from .demo import create

    create(team, rng)
