"""The alerts' pages: an alert added, changed and deleted on its saved report's page (htmx swaps the
report's alerts), and the fired alerts, read and unread."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from core.api import render_fragment, render_page

from . import alerts as service
from .models import Alert, AlertEvent, Report
from .views import bp, report_or_404


def alert_or_404(alert_id: int) -> tuple[Alert, Report]:
    """One of the user's alerts, and its report, which they must still be able to see."""
    found = service.of(current_user).where(Alert.id == alert_id).first()
    if found is None:
        abort(404)
    return found, report_or_404(found.report_id)


def choices(report: Report) -> dict:
    return {"numbers": service.NUMBERS, "over": service.OVER, "comparisons": service.COMPARISONS, "periods": service.PERIODS,
            "share_operators": service.SHARE_OPERATORS, "date_fields": service.date_fields(report),
            "share_fields": service.share_fields(report)}


def alerts_context(report: Report, values: dict | None = None, errors: dict | None = None) -> dict:
    mine = list(service.of(current_user).where(Alert.report == report.id).order_by(Alert.id))
    for alert in mine:
        alert.report = report  # their report, loaded once: saying their conditions asks nothing more
    return {"report": report, "alerts": mine, "alert_values": values or {"number": "value", "over": "total", "comparison": "gt"},
            "alert_errors": errors or {}, "condition": service.condition_text, **choices(report)}


@bp.route("/reports/<int:report_id>/alerts", methods=["POST"])
def alert_create(report_id: int):
    report = report_or_404(report_id)
    values = service.read(request.form)
    try:
        created = service.save(None, report, values, current_user)
    except service.AlertError as problem:
        if request.headers.get("HX-Request"):  # the form again with what to fix, where htmx swaps it
            return render_fragment("analytics/_alerts.html", "alerts", **alerts_context(report, values, problem.errors))
        return render_page("analytics/alert_edit.html", status=400, alert=None, **alerts_context(report, values, problem.errors))
    if request.headers.get("HX-Request"):
        response = render_fragment("analytics/_alerts.html", "alerts", **alerts_context(report))
        response.headers["HX-Trigger"] = "alerts-changed"
        return response
    flash(_("The alert %(name)s watches this report.", name=created.name), "success")
    return redirect(url_for("analytics.report", report_id=report.id))


@bp.route("/alerts/<int:alert_id>/edit", methods=["GET", "POST"])
def alert_edit(alert_id: int):
    alert, report = alert_or_404(alert_id)
    if request.method == "GET":
        values = {"name": alert.name, "number": alert.number, "over": alert.over, "comparison": alert.comparison,
                  "threshold": service.services.number_text(alert.threshold) if alert.threshold is not None else "",
                  "target": service.services.number_text(alert.target) if alert.target is not None else "",
                  "period": alert.period or "", "date_field": alert.date_field or "", "version": alert.version}
        if alert.share:
            values.update(zip(("share_field", "share_operator", "share_value"), alert.share[0]))
        return render_page("analytics/alert_edit.html", alert=alert, **alerts_context(report, values))
    values = service.read(request.form)
    try:
        service.save(alert, report, values, current_user)
    except service.AlertError as problem:
        return render_page("analytics/alert_edit.html", status=400, alert=alert, **alerts_context(report, values, problem.errors))
    except service.Conflict:
        errors = {"version": _("Someone saved this alert after you opened it: your changes are below, theirs are saved. "
                               "Open it again to start from theirs.")}
        return render_page("analytics/alert_edit.html", status=409, alert=alert, **alerts_context(report, values, errors))
    flash(_("The alert %(name)s is saved.", name=values["name"].strip()), "success")
    return redirect(url_for("analytics.report", report_id=report.id))


@bp.route("/alerts/<int:alert_id>/delete", methods=["POST"])
def alert_delete(alert_id: int):
    alert, report = alert_or_404(alert_id)
    Alert.delete().where(Alert.id == alert.id, Alert.owner == current_user.id).execute()
    if request.headers.get("HX-Request"):
        return render_fragment("analytics/_alerts.html", "alerts", **alerts_context(report))
    flash(_("The alert %(name)s is deleted.", name=alert.name), "success")
    return redirect(url_for("analytics.report", report_id=report.id))


@bp.route("/alerts")
def alerts():
    """The fired alerts: the unread first."""
    events = list(service.events_of(current_user).limit(200))
    return render_page("analytics/alerts.html", events=events, text=service.event_text, unread=service.unread_count(current_user))


@bp.route("/alerts/fired/<int:event_id>/read", methods=["POST"])
def alert_read(event_id: int):
    if not AlertEvent.select().where(AlertEvent.id == event_id, AlertEvent.owner == current_user.id).exists():
        abort(404)
    service.mark_read(current_user, event_id)
    return redirect(url_for("analytics.alerts"))


@bp.route("/alerts/read", methods=["POST"])
def alerts_read():
    count = service.mark_read(current_user)
    flash(ngettext("%(num)d fired alert is marked as read.", "%(num)d fired alerts are marked as read.", count), "success")
    return redirect(url_for("analytics.alerts"))
