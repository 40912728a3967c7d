"""The goal form, read into a Draft: every part parsed on its own, so the SMART check can speak
while the form is half filled in, and saving can say exactly what is wrong where."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from core.api import id_from, metrics, team_today

from . import narrowing, periods
from .models import Goal
from .services import GROWTH_OVER, Draft, growth_target, owner_lookup, owner_of, parse_amount, parse_owner, title, visible

# Periods offered, by kind: how many before and after the current one.
OFFERED = {"year": (0, 1), "quarter": (1, 4), "month": (1, 12), "week": (1, 8)}


class GoalForm(FlaskForm):
    owner = SelectField(_l("Whose goal"), choices=[], validators=[Optional()])
    metric = SelectField(_l("What is measured"), choices=[], validators=[Optional()])
    mode = SelectField(_l("Set the target as"), choices=[], default="number", validators=[Optional()])
    target = StringField(_l("Target"), validators=[Optional(), Length(max=30)])
    growth = StringField(_l("Growth over the period before (%)"), validators=[Optional(), Length(max=10)])
    basis = SelectField(_l("Which period before"), choices=[], default="previous", validators=[Optional()])
    period = SelectField(_l("Period"), choices=[], validators=[Optional()])
    until = SelectField(_l("Repeat for each period until"), choices=[], default="", validators=[Optional()],
                        description=_l("One goal for each period from the first to this one, each with the target."))
    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("To"), validators=[Optional()])
    parent = SelectField(_l("Part of"), choices=[], validators=[Optional()])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])
    reason = TextAreaField(_l("Why it matters"), description=_l("Needed when it is not part of a larger goal."),
                           validators=[Optional(), Length(max=2000)])

    def offer(self, user, owners: list) -> None:
        """Fill the choices for `user`."""
        self.owner.choices = [SelectChoice(owner.key, owner.label) for owner in owners]
        self.metric.choices = [SelectChoice(key, str(metric.label)) for key, metric in metrics().items()]
        self.mode.choices = [SelectChoice("number", str(_l("A number"))), SelectChoice("growth", str(_l("Growth in %")))]
        self.basis.choices = [SelectChoice("previous", str(_l("The one just before"))),
                              SelectChoice("complete", str(_l("The last complete one")))]
        today = team_today()
        choices = []
        for kind, (before, after) in OFFERED.items():
            group = str(periods.KIND_LABELS[kind])
            choices += [SelectChoice(period.key, period.label(), optgroup=group)
                        for period in periods.upcoming(kind, today, before, after)]
        self.period.choices = choices + [SelectChoice("custom", str(_l("Custom dates (below)")), optgroup=str(_l("Other")))]
        self.until.choices = [SelectChoice("", str(_l("Only this period")))] + [
            choice for choice in choices if not choice.value.startswith("year:")]
        if not self.is_submitted():  # a new form starts on the first owner and measure, next quarter
            self.owner.data = self.owner.data or (owners[0].key if owners else None)
            self.metric.data = self.metric.data or next(iter(metrics()), None)
            self.period.data = self.period.data or periods.shifted(periods.containing("quarter", today), 1).key
        parents = list(visible(user).order_by(Goal.start.desc(), Goal.id.desc()).limit(300))
        users, teams = owner_lookup(parents)
        self.parent.choices = [SelectChoice("", "—")] + [
            SelectChoice(str(goal.id), title(goal, owner_of(goal, users, teams))) for goal in parents]


def read_period(form: GoalForm) -> periods.Period | None:
    chosen = form.period.data or ""
    if chosen == "custom":
        if form.start.data is None or form.end.data is None:
            return None
        return periods.Period("custom", form.start.data, form.end.data)
    return periods.parse(chosen, OFFERED)


def read(form: GoalForm, user, values) -> tuple[Draft, dict]:
    """The form as a Draft, and the errors of the parts that could not be read. `values`: the
    request's form (or query string), where the chosen metric's filters are."""
    errors = {}
    draft = Draft(owner=parse_owner(form.owner.data or "", user), metric=metrics().get(form.metric.data or ""),
                  description=(form.description.data or "").strip(), reason=(form.reason.data or "").strip())
    if form.metric.data and draft.metric is None:
        errors["metric"] = form.metric.gettext("Not a valid choice.")
    if draft.metric is not None:
        filters, problems = narrowing.read(draft.metric, values)
        draft.metric = draft.metric.filtered(filters)
        errors.update(problems)
    draft.period = read_period(form)
    if draft.period is None and form.period.data == "custom":
        errors["period"] = str(_l("Give both dates of a custom period."))
    if form.until.data:  # only a period offered: a span is a year or so, never thousands of periods
        offered = {choice.value for choice in form.until.choices}
        draft.until = periods.parse(form.until.data, OFFERED) if form.until.data in offered else None
        if draft.until is None:
            errors["until"] = form.until.gettext("Not a valid choice.")
    parent_id = id_from(form.parent.data)
    if parent_id is not None:
        draft.parent = visible(user).where(Goal.id == parent_id).first()
        if draft.parent is None:
            errors["parent"] = str(_l("That goal is not there or not yours to build on."))
        else:
            users, teams = owner_lookup([draft.parent])
            draft.parent_title = title(draft.parent, owner_of(draft.parent, users, teams))
    if form.mode.data == "growth" and form.until.data:
        errors["until"] = str(_l("A repeated goal takes a number as its target; growth is worked out one period at a time."))
    elif form.mode.data == "growth":
        percent = parse_amount(form.growth.data)
        if percent is None or not -100 < percent <= 1000:
            errors["growth"] = str(_l("Write the growth as a percentage, such as 20."))
        elif draft.owner is not None and draft.metric is not None and draft.period is not None:
            over = form.basis.data if form.basis.data in GROWTH_OVER else "previous"
            draft.target, draft.basis = growth_target(draft.metric, draft.owner, draft.period, percent, over)
    else:
        draft.target = parse_amount(form.target.data)
        if form.target.data and draft.target is None:
            errors["target"] = str(_l("Write the target as a number."))
    return draft, errors
