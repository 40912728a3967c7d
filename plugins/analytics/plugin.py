"""The analytics plugin's hook implementations."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import lazy_gettext as _l

from core.api import AuditTerms, DashboardWidget, NavItem, PeriodicTask, ReportPage, hookimpl

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
    from . import alert_views, views  # noqa: F401 - the alerts' pages are routes of the same blueprint

    return [views.bp]


@hookimpl
def nav_items(user):
    return [NavItem(_l("Reports"), "analytics.index", icon="chart", order=35),
            NavItem(_l("Data health"), "analytics.health", icon="check", order=36),
            NavItem(_l("Fired alerts"), "analytics.alerts", icon="clock", order=37)]


@hookimpl
def agenda_items(user, day):
    from . import alerts

    return alerts.agenda(user, day)


def check_alerts() -> tuple[int, int]:
    """The periodic task's work: check every alert; (checked, fired)."""
    from . import alerts

    return alerts.check_all()


@hookimpl
def register_periodic_tasks():
    return [PeriodicTask("analytics.check_alerts", check_alerts, minute="*/15")]


@hookimpl
def register_commands():
    @click.command("check-alerts")
    @with_appcontext
    def check_alerts_command():
        """Check every alert on saved reports now; an alert that became true notifies its owner."""
        checked, fired = check_alerts()
        click.echo(f"{checked} alert(s) checked, {fired} fired.")

    return [check_alerts_command]


@hookimpl
def report_pages(user):
    return [ReportPage(_l("Sales trend"), "analytics.trend",
                       _l("Won revenue, new deals and new customers by month, beside the year before."), order=10),
            ReportPage(_l("Sales performance"), "analytics.reps",
                       _l("Each rep against their goals, with their activity beside."), order=20),
            ReportPage(_l("Process review"), "analytics.process_review",
                       _l("Each stage's entries, conversion and waits this quarter, the stages to merge or simplify, "
                          "and the reviews kept."), order=35)]


@hookimpl
def describe_audit():
    return AuditTerms(subjects={"analytics.process_review": _l("Process reviews")}, changes={"decisions": _l("Decisions taken")})


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
