"""The analytics plugin's hook implementations."""
from __future__ import annotations

from pathlib import Path

from flask_babel import lazy_gettext as _l

from core.api import DashboardWidget, NavItem, ReportPage, hookimpl

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
            NavItem(_l("Data health"), "analytics.health", icon="check", order=36)]


@hookimpl
def report_pages(user):
    return [ReportPage(_l("Sales trend"), "analytics.trend",
                       _l("Won revenue, new deals and new customers by month, beside the year before."), order=10),
            ReportPage(_l("Sales performance"), "analytics.reps",
                       _l("Each rep against their goals, with their activity beside."), order=20)]


@hookimpl
def dashboard_widgets(user):
    """The key numbers against the period before, and each report the user pinned as a card of its own."""
    from core.api import svg_data_url

    from . import builtin, services

    cards = [DashboardWidget(_l("Key numbers"), "analytics/kpi_widget.html",
                             {"kpis": lambda: builtin.kpis(user, builtin.period_of("month")), "number": services.number_text},
                             order=5, wide=True, key="kpis")]
    for report in services.pinned(user):
        spec = services.spec_of(report)
        result = services.run(spec, user)
        drawn = services.chart_of(spec, result)
        cards.append(DashboardWidget(services.report_name(report), "analytics/widget.html", {
            "report": report, "result": result, "picture": svg_data_url(drawn) if drawn else None, "number": services.number_text},
            order=50, wide=True, key=f"report-{report.id}"))
    return cards
