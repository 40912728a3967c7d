"""The demo team's commission: a monthly plan with three tiers on won revenue, the last three months
approved by the manager, and a late correction to one of them carried into this month."""
from __future__ import annotations

import datetime
from decimal import Decimal

from core.api import REP, get_entity, metrics, records

from . import services
from .models import Plan


def create(team, rng) -> None:
    revenue = metrics().get("pipeline.won_revenue")
    if revenue is None:
        return  # nothing to pay on without the pipeline
    reps = list(team.reps)
    months = services.recent_periods("month", 4)  # this month and the three before, newest first
    values = [Decimal(str(value or 0)) for start, end in months[1:]
              for value in revenue.compute(user_ids=[rep.id for rep in reps], start=start, end=end).values()]
    typical = max(Decimal(10_000), _thousands(sum(values, Decimal(0)) / max(1, len(values))))
    low, high = _thousands(typical * Decimal("0.8")), _thousands(typical * Decimal("1.2"))
    plan = services.save_plan(None, {
        "name": "Monthly commission", "labels": {"en": "Monthly commission", "zh_Hans_CN": "月度提成"}, "metric": revenue.key,
        "period": "month", "starts": months[-1][0], "ends": None, "on_goal": False, "mode": "marginal", "currency": "CNY",
        "cap": str(typical), "floor": "", "priority": "0", "roles": [REP], "teams": [], "users": [],
        "tiers": [("0", "0"), (str(low), "3"), (str(high), "5")], "bonuses": [(str(high * 2), "2000")]}, team.admin)
    for start, end in reversed(months[1:]):
        for rep in services.people_paid(plan):
            services.approve(plan, start, end, rep, team.manager)
    _late_correction(plan, months[3], team)
    _awards(team, revenue, months[1])
    _challenge(team, revenue, typical * len(reps))
    _short_term_bonus(team, months[0])


def _short_term_bonus(team, month) -> None:
    """This month: +500 for each deal won."""
    from . import spiffs

    if "pipeline.deals_won" in metrics():
        spiffs.save(None, {"name": "Deals won this month", "labels": {"en": "Deals won this month", "zh_Hans_CN": "本月成交奖"},
                           "metric": "pipeline.deals_won", "starts": month[0], "ends": month[1], "pays": "per_unit", "amount": "500",
                           "currency": "CNY", "teams": [team.team.id]}, team.admin)


def _challenge(team, revenue, month_total: Decimal) -> None:
    """A four-week push running now, for the demo team, with a shared reward."""
    from . import challenges

    today = services.team_today()
    starts = today - datetime.timedelta(days=13)
    so_far = sum((Decimal(str(value or 0)) for value in revenue.compute(
        user_ids=[rep.id for rep in team.reps], start=starts, end=today).values()), Decimal(0))
    target = _thousands(so_far * Decimal("2.3")) if so_far > 0 else _thousands(month_total)  # a little behind an even pace
    challenges.save(None, {"name": "Four-week push", "labels": {"en": "Four-week push", "zh_Hans_CN": "四周冲刺"},
                           "metric": revenue.key, "team": team.team.id, "starts": starts,
                           "ends": today + datetime.timedelta(days=14), "target": str(target),
                           "currency": "CNY", "reward": "Team dinner · 团队聚餐"}, team.admin)


def _awards(team, revenue, month) -> None:
    """Last month's awards: the best seller (with a prize the next statement pays) and best teamwork."""
    from . import awards

    best = awards.save_award(None, {"name": "Best seller", "labels": {"en": "Best seller", "zh_Hans_CN": "销售之星"}, "kind": "top",
                                    "metric": revenue.key, "period": "month", "top": 1, "team": team.team.id, "prize": "1000",
                                    "currency": "CNY"}, team.admin)
    teamwork = awards.save_award(None, {"name": "Best teamwork", "labels": {"en": "Best teamwork", "zh_Hans_CN": "最佳协作"},
                                        "kind": "nominated", "period": "month", "top": 1, "team": team.team.id}, team.admin)
    people = awards.people_of(best)
    nominees = awards.nominees(best, month[0], month[1], people)
    if nominees:
        awards.give(best, month[0], nominees[0].user, "Closed the month's largest deals.", team.manager)
    helper = next((person for person in people if not nominees or person.id != nominees[0].user.id), None)
    if helper is not None:
        awards.give(teamwork, month[0], helper, "Shared leads and covered a colleague's accounts during the trade fair.",
                    team.manager)  # the oldest approved month: this quarter's numbers (and goals) stay


def _thousands(amount: Decimal) -> Decimal:
    return (amount / 1000).quantize(Decimal(1)) * 1000


def _late_correction(plan: Plan, month: tuple[datetime.date, datetime.date], team) -> None:
    """A deal won that month was entered 20% too high: corrected now, after the month was approved."""
    metric = services.metric_of(plan)
    if metric.sources is None:
        return
    won = metric.sources(user_ids=[rep.id for rep in team.reps], start=month[0], end=month[1])
    sources = next((items for items in won.values() if items), [])
    if not sources or sources[0].entity is None:
        return
    schema = get_entity(sources[0].entity)
    deal = schema.model.get_by_id(sources[0].record_id)
    records.save(schema, team.manager, {"amount": (Decimal(str(deal.amount)) * Decimal("0.8")).quantize(Decimal(1))}, record=deal)
