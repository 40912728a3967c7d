"""The pipeline's cards on the home page, and its items in the daily plan."""
from __future__ import annotations

import datetime

import peewee
from flask import url_for
from flask_babel import lazy_gettext as _l

from core.api import AgendaItem, DashboardWidget, Stage, Translated, get_entity, team_today, utcnow

from .entities import DEAL
from .followups import day_bounds
from .forms import KIND_LABELS
from .metrics import metrics
from .models import Activity, Customer, Deal


def widgets(user) -> list[DashboardWidget]:
    deals = get_entity(DEAL).visible(user)
    probability = peewee.fn.COALESCE(Deal.probability, Stage.probability)
    by_stage = list(deals.select(Stage.label, Stage.labels, Stage.color, peewee.fn.COUNT(Deal.id).alias("n"),
                                 peewee.fn.SUM(Deal.amount).alias("total"))
                    .join(Stage, on=(Deal.stage == Stage.id)).where(Stage.kind == "open")
                    .group_by(Stage.id, Stage.label, Stage.color, Stage.position).order_by(Stage.position).dicts())
    for row in by_stage:  # the stage's name in the reader's language
        row["label"] = Translated(getattr(row["label"], "source", row["label"]), row["labels"])
    largest = max([row["total"] or 0 for row in by_stage] or [0])
    overdue = list(Activity.select().where(Activity.owner == user.id, Activity.done_at.is_null(),
                                           Activity.due_at < utcnow(), Activity.deleted_at.is_null())
                   .order_by(Activity.due_at).limit(6))
    today = team_today()
    first = today.replace(day=1)
    last = (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    forecast = (deals.select(peewee.fn.SUM(Deal.amount * probability / 100.0)).join(Stage, on=(Deal.stage == Stage.id))
                .where(Stage.kind == "open", Deal.expected_close >= first, Deal.expected_close <= last).scalar()) or 0
    start, _tomorrow = day_bounds(first)
    end, _next = day_bounds(last + datetime.timedelta(days=1))
    if user.may("lead_teams"):  # the team's deals, whoever among them is credited
        won = (deals.select(peewee.fn.SUM(Deal.amount)).join(Stage, on=(Deal.stage == Stage.id))
               .where(Stage.kind == "won", Deal.closed_at >= start, Deal.closed_at < end).scalar()) or 0
    else:  # a rep's own credit: their share of the deals they own and of those they helped win
        revenue = next(metric for metric in metrics() if metric.key == "pipeline.won_revenue")
        won = revenue.compute(user_ids=[user.id], start=first, end=last).get(user.id) or 0
    return [
        DashboardWidget(_l("Pipeline by stage"), "pipeline/widgets/by_stage.html", {"rows": by_stage, "largest": largest}, order=20,
                        wide=True),
        DashboardWidget(_l("My overdue follow-ups"), "pipeline/widgets/overdue.html", {"items": overdue, "kinds": KIND_LABELS}, order=10),
        DashboardWidget(_l("This month's forecast"), "pipeline/widgets/forecast.html", {"forecast": forecast, "won": won}, order=30),
    ]


def agenda(user, day: datetime.date) -> list[AgendaItem]:
    """The user's planned activities of that day, and the overdue ones."""
    start, end = day_bounds(day)
    rows = (Activity.select(Activity, Customer).join(Customer, peewee.JOIN.LEFT_OUTER, on=(Activity.customer == Customer.id))
            .where(Activity.owner == user.id, Activity.done_at.is_null(), Activity.due_at < end, Activity.deleted_at.is_null())
            .order_by(Activity.due_at).limit(100))
    items = []
    for activity in rows:
        title = f"{activity.subject} · {activity.customer.name}" if activity.customer_id else activity.subject
        url = (url_for("pipeline.deal", deal_id=activity.deal_id) if activity.deal_id
               else url_for("pipeline.customer", customer_id=activity.customer_id) if activity.customer_id else None)
        overdue = activity.due_at is not None and activity.due_at < start
        items.append(AgendaItem(title=title, url=url, due=activity.due_at, kind=str(KIND_LABELS.get(activity.kind, activity.kind)),
                                overdue=overdue, urgent=overdue, important=activity.deal_id is not None))
    return items
