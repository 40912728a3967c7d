"""The analytics plugin's hook implementations."""
from __future__ import annotations

from pathlib import Path

from flask_babel import lazy_gettext as _l

from core.api import AuditTerms, DashboardWidget, NavItem, hookimpl

label = _l("Reports")
description = _l("Reports built in the browser: grouped, summed and charted in SQL, shared, drilled into and pinned to the home page.")


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
def nav_items(user):
    return [NavItem(_l("Reports"), "analytics.index", icon="chart", order=35),
            NavItem(_l("Data health"), "analytics.health", icon="check", order=36),
            NavItem(_l("Process review"), "analytics.process_review", icon="pipeline", order=37)]


@hookimpl
def describe_audit():
    return AuditTerms(subjects={"analytics.process_review": _l("Process reviews")}, changes={"decisions": _l("Decisions taken")})


@hookimpl
def dashboard_widgets(user):
    """Each report the user pinned, as a card of its own."""
    from core.api import svg_data_url

    from . import services

    cards = []
    for report in services.pinned(user):
        spec = services.spec_of(report)
        result = services.run(spec, user)
        drawn = services.chart_of(spec, result)
        cards.append(DashboardWidget(services.report_name(report), "analytics/widget.html", {
            "report": report, "result": result, "picture": svg_data_url(drawn) if drawn else None, "number": services.number_text},
            order=50, wide=True, key=f"report-{report.id}"))
    return cards
