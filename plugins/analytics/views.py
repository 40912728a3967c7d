"""The numbers' pages: saved reports, the report builder with its live preview, a report with its
chart, table and drill-down, its export, and pinning it to the home page."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from core.api import (
    REPORT_AGGREGATES,
    REPORT_BUCKETS,
    csv_response,
    get_entity,
    groupable,
    labels_from_form,
    measurable,
    render_fragment,
    render_page,
    report_pages,
    svg_data_url,
    typed_labels,
    xlsx_response,
)

from . import services
from .models import Pin, Report

bp = Blueprint("analytics", __name__, url_prefix="/analytics", template_folder="templates")

# The record list's operators, by name (the engine keeps those a field allows and says which it drops).
OPERATORS = {"is": _l("is"), "contains": _l("contains"), "eq": "=", "gt": ">", "lt": "<", "gte": "≥", "lte": "≤", "on": _l("on"),
             "before": _l("before"), "after": _l("after"), "has": _l("includes"), "empty": _l("is empty"), "filled": _l("is filled in"),
             "yes": _l("is yes"), "no": _l("is no"), "open": _l("is open"), "won": _l("is won"), "lost": _l("is lost"),
             "closed": _l("is won or lost")}


@bp.context_processor
def helpers():
    return {"report_name": services.report_name, "number": services.number_text, "change": services.change}


def report_or_404(report_id: int) -> Report:
    report = services.visible(current_user).where(Report.id == report_id).first()
    if report is None:
        abort(404)
    return report


@bp.route("/")
def index():
    reports = list(services.visible(current_user).order_by(Report.updated_at.desc()).limit(200))
    entities = services.entities()
    return render_page("analytics/index.html", reports=reports, entities=entities, sharing=services.SHARING,
                       pages=report_pages(current_user))


def _builder(spec: services.Spec, report: Report | None = None, values: dict | None = None, errors: dict | None = None, status=200):
    schema = get_entity(spec.entity)
    result = services.run(spec, current_user)
    drawn = services.chart_of(spec, result)
    context = {
        "spec": spec, "report": report, "values": values or {}, "errors": errors or {}, "entities": services.entities(),
        "groups": groupable(schema) if schema else [], "measures": measurable(schema) if schema else [],
        "aggregates": REPORT_AGGREGATES, "buckets": REPORT_BUCKETS, "charts": services.CHARTS, "sorts": services.SORTS,
        "sharing": services.SHARING, "operators": OPERATORS, "fields": [spec_ for spec_ in (schema.fields if schema else [])
                                                                        if spec_.filterable],
        "result": result, "picture": svg_data_url(drawn) if drawn else None, "drill": lambda row: services.drill_url(spec, row),
        "args": spec.args(), "compares": services.COMPARES, "compared": services.compared(spec, current_user, result),
        "spans": services.periods(spec),
    }
    if request.headers.get("HX-Request") and status == 200:
        return render_fragment("analytics/builder.html", "builder", **context)
    return render_page("analytics/builder.html", status=status, **context)


@bp.route("/build")
def build():
    """The builder: pick an entity, filters, groups, a measure and a chart; the preview follows."""
    return _builder(services.read(request.args))


def _save_values(form) -> dict:
    label, labels = typed_labels(form.get("name", ""), labels_from_form(form, "name"))
    return {"name": label, "labels": labels, "shared": form.get("shared", ""), "version": form.get("version", "")}


@bp.route("/reports", methods=["POST"])
def create():
    spec = services.read(request.form)
    values = _save_values(request.form)
    try:
        report = services.save(None, spec, values, current_user)
    except services.ReportError as problem:
        return _builder(spec, None, values, problem.errors, 400)
    flash(_("%(name)s is saved.", name=services.report_name(report)), "success")
    return redirect(url_for("analytics.report", report_id=report.id))


@bp.route("/reports/<int:report_id>/edit", methods=["GET", "POST"])
def edit(report_id: int):
    report = report_or_404(report_id)
    if not services.may_change(current_user, report):
        abort(403)
    if request.method == "GET":
        spec = services.read(request.args) if request.args.get("entity") else services.spec_of(report)
        values = {"name": report.name, "labels": report.labels or {}, "shared": report.shared, "version": report.version}
        return _builder(spec, report, values)
    spec = services.read(request.form)
    values = _save_values(request.form)
    try:
        report = services.save(report, spec, values, current_user)
    except services.ReportError as problem:
        return _builder(spec, report, values, problem.errors, 400)
    except services.Conflict:
        return _builder(spec, report, values, {"version": _("Someone saved this report after you opened it: your changes are "
                                                             "below, theirs are saved. Open it again to start from theirs.")}, 409)
    flash(_("%(name)s is saved.", name=services.report_name(report)), "success")
    return redirect(url_for("analytics.report", report_id=report.id))


@bp.route("/reports/<int:report_id>")
def report(report_id: int):
    found = report_or_404(report_id)
    spec = services.spec_of(found)
    result = services.run(spec, current_user)
    drawn = services.chart_of(spec, result)
    schema = get_entity(spec.entity)
    return render_page("analytics/report.html", report=found, spec=spec, result=result, picture=svg_data_url(drawn) if drawn else None,
                       drill=lambda row: services.drill_url(spec, row), schema=schema, aggregates=REPORT_AGGREGATES,
                       measure_label=dict(measurable(schema)).get(spec.measure, "") if schema else "",
                       group_labels=[dict((key, label) for key, label, _d in groupable(schema)).get(g.key, g.key) for g in spec.groups]
                       if schema else [], pinned=Pin.select().where(Pin.user == current_user.id, Pin.report == found.id).exists(),
                       may_change=services.may_change(current_user, found), compared=services.compared(spec, current_user, result),
                       spans=services.periods(spec), **alerts_context(found))


def alerts_context(found: Report) -> dict:
    from .alert_views import alerts_context as context

    found_context = context(found)
    found_context.pop("report")
    return found_context


@bp.route("/reports/<int:report_id>/pin", methods=["POST"])
def pin(report_id: int):
    found = report_or_404(report_id)
    if services.toggle_pin(current_user, found):
        flash(_("%(name)s is on your home page.", name=services.report_name(found)), "success")
    else:
        flash(_("%(name)s is off your home page.", name=services.report_name(found)), "success")
    return redirect(url_for("analytics.report", report_id=found.id))


@bp.route("/reports/<int:report_id>/delete", methods=["POST"])
def delete(report_id: int):
    found = report_or_404(report_id)
    if not services.may_change(current_user, found):
        abort(403)
    found.delete_instance()
    flash(_("%(name)s is deleted.", name=services.report_name(found)), "success")
    return redirect(url_for("analytics.index"))


def _table(found: Report):
    spec = services.spec_of(found)
    result = services.run(spec, current_user)
    schema = get_entity(spec.entity)
    names = dict((key, label) for key, label, _d in groupable(schema)) if schema else {}
    header = [names.get(g.key, g.key) for g in spec.groups] + [str(REPORT_AGGREGATES.get(spec.aggregate, spec.aggregate))]
    earlier = services.compared(spec, current_user, result)
    if earlier is None:
        return header, [list(row.labels) + [row.value] for row in (result.rows if result else [])]
    header += [_("The period before"), _("A year before")]
    return header, [list(row.labels) + [row.value, *earlier.get(row.keys, (None, None))] for row in result.rows]


@bp.route("/reports/<int:report_id>/export.csv")
def export_csv(report_id: int):
    found = report_or_404(report_id)
    header, rows = _table(found)
    return csv_response([header] + rows, f"report-{found.id}.csv")


@bp.route("/reports/<int:report_id>/export.xlsx")
def export_xlsx(report_id: int):
    found = report_or_404(report_id)
    header, rows = _table(found)
    return xlsx_response([header] + rows, f"report-{found.id}", f"report-{found.id}.xlsx")


@bp.route("/health")
def health():
    """Data health: what needs fixing among the records the viewer may see, and the scores."""
    from . import health as service

    checked = service.results(current_user)
    people = service.scores(current_user, checked)
    return render_page("analytics/health.html", checks=checked, people=people, teams=service.team_scores(people)
                       if current_user.may("lead_teams") else [])


@bp.route("/trend")
def trend():
    """销售趋势: won revenue, new deals and new customers by month, beside the year before."""
    from . import builtin

    found = builtin.trends(current_user)
    return render_page("analytics/trend.html", trends=[(item, svg_data_url(builtin.trend_chart(item))) for item in found],
                       kpis=builtin.kpis(current_user, builtin.period_of("month")))


@bp.route("/reps")
def reps():
    """销售人员绩效: each rep against their goals, with their activity beside."""
    from . import builtin

    period = builtin.period_of(request.args.get("period", "month"))
    columns, rows = builtin.reps(current_user, period)
    return render_page("analytics/reps.html", period=period, periods=PERIODS, columns=columns, rows=rows)


PERIODS = {"month": _l("This month"), "last_month": _l("Last month"), "quarter": _l("This quarter"), "last_quarter": _l("Last quarter")}
