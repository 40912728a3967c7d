"""A deal's page (lines, timeline, logging activities) and the activity actions shared with
customers' pages."""
from __future__ import annotations

import datetime
import decimal

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, DecimalField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from core.api import User, cell, current_stage, get_entity, history, id_from, records, render_page, stages_of, utc_time, utcnow

from . import services
from .entities import ACTIVITY, DEAL
from .forms import KIND_LABELS
from .models import Activity, DealCredit, DealLine, Product, reason_labels
from .views import bp

TIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]


def kind_choices() -> list[SelectChoice]:
    return [SelectChoice(key, label) for key, label in KIND_LABELS.items()]


class LogForm(FlaskForm):
    """What happened, and optionally what comes next, in one step."""

    kind = SelectField(_l("Kind"), choices=[], default="call")
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=200)])
    outcome = TextAreaField(_l("Outcome"), validators=[Optional(), Length(max=5000)])
    next_kind = SelectField(_l("Next activity"), choices=[], default="call")
    next_subject = StringField(_l("About"), validators=[Optional(), Length(max=200)])
    next_due = DateTimeLocalField(_l("When"), format=TIME_FORMATS, validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = kind_choices()
        self.next_kind.choices = kind_choices()

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if self.next_subject.data and not self.next_due.data and not self.next_due.errors:
            self.next_due.errors = [_("Say when the next step is due.")]
            valid = False
        if self.next_due.data and not (self.next_subject.data or "").strip():
            self.next_subject.data = str(KIND_LABELS.get(self.next_kind.data, ""))
        return valid


class LineForm(FlaskForm):
    product = SelectField(_l("Product"), coerce=lambda v: int(v) if str(v).isdigit() else None, choices=[], validators=[DataRequired()])
    quantity = DecimalField(_l("Quantity"), places=2, default=decimal.Decimal(1),
                            validators=[DataRequired(), NumberRange(min=decimal.Decimal("0.01"), max=10**9)])
    unit_price = DecimalField(_l("Unit price"), places=2, description=_l("Empty: the list price."),
                              validators=[Optional(), NumberRange(min=0, max=10**12)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        products = Product.select().where(Product.active == True, Product.deleted_at.is_null()).order_by(Product.name)  # noqa: E712
        self.product.choices = [SelectChoice(p.id, f"{p.name} · {p.list_price}") for p in products]


def timeline(condition) -> tuple[list, list]:
    """(planned, done) activities matching `condition`: planned soonest first, done newest first."""
    rows = list(Activity.select().where(condition, Activity.deleted_at.is_null())
                .order_by(Activity.done_at.desc(nulls="FIRST"), Activity.due_at.asc(nulls="LAST"), Activity.id.desc()).limit(200))
    return [a for a in rows if a.done_at is None], [a for a in rows if a.done_at is not None]


def log_from_form(form: LogForm, link: dict) -> tuple:
    now = utcnow()
    done = {"kind": form.kind.data, "subject": form.subject.data.strip(), "outcome": (form.outcome.data or "").strip(),
            "done_at": now, **link}
    planned = None
    if form.next_due.data:
        planned = {"kind": form.next_kind.data, "subject": form.next_subject.data.strip(), "due_at": utc_time(form.next_due.data)}
    return services.log_activity(current_user, done, planned)


@bp.route("/deals/<int:deal_id>", methods=["GET", "POST"])
def deal(deal_id: int):
    schema = get_entity(DEAL)
    record = schema.changeable_or_404(deal_id) if request.method == "POST" else schema.visible_or_404(deal_id)
    log = LogForm(prefix="log")
    if request.method == "POST" and log.validate_on_submit():
        _done, planned = log_from_form(log, {"deal": record.id, "customer": record.customer_id})
        flash(_("Logged.") + (" " + _("Next: %(subject)s.", subject=planned.subject) if planned else ""), "success")
        return redirect(url_for("pipeline.deal", deal_id=record.id))
    return _deal_page(schema, record, log, LineForm(prefix="line", formdata=None), status=400 if log.errors else 200)


def _deal_page(schema, record, log, line_form, status=200, credit_error=None):
    reason_labels()  # the lost reason in the reader's language
    stage = current_stage(schema, record)
    stages = stages_of(stage.process_id) if stage is not None else []
    shown = [spec for spec in schema.active_fields if not spec.hidden and spec.key not in ("name", "stage")]
    names = records.lookups(schema, [record], shown)
    lines = list(DealLine.select(DealLine, Product).join(Product).where(DealLine.deal == record).order_by(DealLine.id))
    planned, done = timeline(Activity.deal == record.id)
    return render_page(
        "pipeline/deal.html", status=status, schema=schema, deal=record, stage=stage, stages=stages,
        fields=[(spec, cell(schema, record, spec, names)) for spec in shown], lines=lines, planned=planned, done=done,
        probability=services.effective_probability(record, stage), log=log, line_form=line_form,
        history=history(schema, record), now=utcnow(), kinds=KIND_LABELS, split=services.credit_split(record),
        credit_people=list(User.select().where(User.active == True, User.team.is_null(False), User.id != record.owner_id)  # noqa: E712
                           .order_by(User.name)),
        may_change=schema.may_change(record), credit_error=credit_error,
    )


@bp.route("/deals/<int:deal_id>/credits", methods=["POST"])
def set_credit(deal_id: int):
    """Give a colleague a share of the deal's credit (or change it): won revenue and deals won count it."""
    record = get_entity(DEAL).changeable_or_404(deal_id)
    person = User.get_or_none(User.id == id_from(request.form.get("user")), User.active == True)  # noqa: E712 - SQL
    try:
        if person is None:
            raise services.CreditError(_("Choose a person from the list."))
        services.set_credit(record, person, request.form.get("share", ""), current_user)
    except services.CreditError as problem:
        return _deal_page(get_entity(DEAL), record, LogForm(prefix="log", formdata=None), LineForm(prefix="line", formdata=None),
                          status=400, credit_error=str(problem))
    flash(_("%(name)s shares the credit of this deal.", name=person.name), "success")
    return redirect(url_for("pipeline.deal", deal_id=record.id) + "#credit")


@bp.route("/deals/<int:deal_id>/credits/<int:credit_id>/delete", methods=["POST"])
def remove_credit(deal_id: int, credit_id: int):
    record = get_entity(DEAL).changeable_or_404(deal_id)
    credit = DealCredit.get_or_none(DealCredit.id == credit_id, DealCredit.deal == record.id)
    if credit is None:
        abort(404)
    services.remove_credit(record, credit, current_user)
    return redirect(url_for("pipeline.deal", deal_id=record.id) + "#credit")


@bp.route("/deals/<int:deal_id>/lines", methods=["POST"])
def add_line(deal_id: int):
    schema = get_entity(DEAL)
    record = schema.changeable_or_404(deal_id)
    form = LineForm(prefix="line")
    if not form.validate_on_submit():
        return _deal_page(schema, record, LogForm(prefix="log", formdata=None), form, status=400)
    product = Product.get_or_none(Product.id == form.product.data)
    if product is None:
        abort(400)
    services.add_line(record, product, form.quantity.data, form.unit_price.data, current_user)
    flash(_("%(product)s is added; the amount follows the lines.", product=product.name), "success")
    return redirect(url_for("pipeline.deal", deal_id=record.id) + "#lines")


@bp.route("/deals/<int:deal_id>/lines/<int:line_id>/delete", methods=["POST"])
def remove_line(deal_id: int, line_id: int):
    record = get_entity(DEAL).changeable_or_404(deal_id)
    line = DealLine.get_or_none(DealLine.id == line_id, DealLine.deal == record.id)
    if line is None:
        abort(404)
    services.remove_line(line, current_user)
    return redirect(url_for("pipeline.deal", deal_id=record.id) + "#lines")


# -- activities (shared by deals and customers) ---------------------------------------------------


def _back(activity: Activity) -> str:
    target = request.form.get("back", "")
    if target.startswith("/pipeline/"):
        return target
    if activity.deal_id:
        return url_for("pipeline.deal", deal_id=activity.deal_id)
    if activity.customer_id:
        return url_for("pipeline.customer", customer_id=activity.customer_id)
    return url_for("pipeline.followups")


@bp.route("/activities/<int:activity_id>/done", methods=["POST"])
def activity_done(activity_id: int):
    """Mark a planned activity done, with what came of it."""
    activity = get_entity(ACTIVITY).changeable_or_404(activity_id)
    if activity.done_at is None:
        outcome = request.form.get("outcome", "").strip()[:5000]
        records.save(get_entity(ACTIVITY), current_user, {"done_at": utcnow(), **({"outcome": outcome} if outcome else {})},
                     record=activity)
        flash(_("%(subject)s is done.", subject=activity.subject), "success")
    return redirect(_back(activity))


@bp.route("/activities/<int:activity_id>/reschedule", methods=["POST"])
def activity_reschedule(activity_id: int):
    activity = get_entity(ACTIVITY).changeable_or_404(activity_id)
    try:
        due = datetime.datetime.strptime(request.form.get("due_at", ""), "%Y-%m-%dT%H:%M")
    except ValueError:
        flash(_("Choose a date and time."), "error")
        return redirect(_back(activity))
    records.save(get_entity(ACTIVITY), current_user, {"due_at": utc_time(due)}, record=activity)
    return redirect(_back(activity))

