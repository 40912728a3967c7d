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
    get_visible_or_404,
    groupable,
    id_from,
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
    return render_page("analytics/reps.html", period=period, periods=builtin.PERIODS, columns=columns, rows=rows)


# -- the process review -----------------------------------------------------------------------------


def _process_page(process_id, quarter_key, errors=None, decisions="", status=200):
    from . import process as service
    from . import process_reviews
    from .models import ProcessReview

    processes = service.reviewable()
    if not processes:
        return render_page("analytics/process.html", processes=[], status=status)
    chosen = next((process for process in processes if process.id == id_from(str(process_id or ""))), None)
    if process_id and chosen is None:
        abort(404)
    chosen = chosen or processes[0]
    quarter = service.quarter_from(quarter_key) if quarter_key else service.current_quarter()
    if quarter is None:
        return render_page("analytics/process.html", processes=processes, process=chosen, quarter=None, status=400,
                           quarters=service.recent_quarters(), problem=_("Choose a quarter that has begun, such as %(example)s.",
                                                                        example=service.current_quarter().key))
    found = service.review(chosen, quarter, current_user)
    saved = list(process_reviews.visible(current_user).where(ProcessReview.process == chosen.id)
                 .order_by(ProcessReview.quarter.desc(), ProcessReview.id.desc()).limit(20))
    mine = next((review for review in saved if review.author_id == current_user.id and review.quarter == quarter.key), None)
    return render_page("analytics/process.html", status=status, processes=processes, process=chosen, quarter=quarter,
                       quarters=service.recent_quarters(), review=found, saved=saved, mine=mine, errors=errors or {},
                       decisions=decisions, may_write=process_reviews.may_write(current_user),
                       may_merge=current_user.may("administer"), service=service)


@bp.route("/process")
def process_review():
    """The process review: per stage, entered, conversion, time spent, skipped, went back, stalled; flags."""
    return _process_page(request.args.get("process"), request.args.get("quarter"))


@bp.route("/process/reviews", methods=["POST"])
def save_process_review():
    from . import process as service
    from . import process_reviews

    if not process_reviews.may_write(current_user):
        abort(403)
    process = next((found for found in service.reviewable() if found.id == id_from(request.form.get("process", ""))), None)
    quarter = service.quarter_from(request.form.get("quarter"))
    if process is None or quarter is None:
        return _process_page(request.form.get("process") if process else None, request.form.get("quarter") if quarter else None,
                             {"quarter": _("Choose a process and a quarter that has begun.")}, request.form.get("decisions", ""), 400)
    try:
        review = process_reviews.create(process, quarter, request.form.get("decisions", ""), current_user)
    except process_reviews.ReviewError as problem:
        return _process_page(process.id, quarter.key, problem.errors, request.form.get("decisions", ""), 400)
    flash(_("The review of %(quarter)s is saved with its numbers.", quarter=quarter.label()), "success")
    return redirect(url_for("analytics.process_review_detail", process_review_id=review.id))


@bp.route("/process/reviews/<int:process_review_id>", methods=["GET", "POST"])
def process_review_detail(process_review_id: int):
    """A saved review: its numbers as they stood, the decisions, and the next quarter's beside them."""
    from . import process as service
    from . import process_reviews

    review = get_visible_or_404(process_reviews.ProcessReview, process_review_id, process_reviews.ProcessReview.author)
    errors, decisions, version, status = {}, review.decisions, review.version, 200
    if request.method == "POST":
        if review.author_id != current_user.id and not current_user.may("administer"):
            abort(403)
        decisions, version = request.form.get("decisions", ""), request.form.get("version", "")
        try:
            process_reviews.update(review, decisions, version, current_user)
        except process_reviews.ReviewError as problem:
            errors, status = problem.errors, 400
        except process_reviews.Conflict:
            errors, status = {"version": _("Someone saved this review after you opened it: your text is below, theirs is saved. "
                                           "Open the review again to start from theirs.")}, 409
        else:
            flash(_("The decisions are saved."), "success")
            return redirect(url_for("analytics.process_review_detail", process_review_id=review.id))
    quarter = service.quarter_from(review.quarter)
    following, rows = process_reviews.compared(review)
    return render_page("analytics/process_review.html", status=status, saved=review, quarter=quarter, following=following, rows=rows,
                       stored=service.from_stored(review.numbers), errors=errors, decisions=decisions, version=version,
                       may_change=review.author_id == current_user.id or current_user.may("administer"), service=service)
