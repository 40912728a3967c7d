"""The demo team's goals: the article's (revenue +20% next quarter, 100 new customers a month)
and this quarter's, shared out and broken down, so progress shows from the demo's records."""
from __future__ import annotations

import decimal

from core.api import metrics as all_metrics
from core.api import team_today

from . import periods, services


def create(team, rng) -> None:
    metrics = all_metrics()
    revenue, customers, calls = (metrics.get(key) for key in ("pipeline.won_revenue", "pipeline.new_customers", "pipeline.calls"))
    if revenue is None:
        return  # the pipeline is off: nothing to measure
    today = team_today()
    manager, admin = team.manager, team.admin
    east = services.Owner(team=team.team)
    quarter = periods.containing("quarter", today)
    so_far = services.actual(revenue, east, periods.Period("custom", quarter.start, today))
    ours_target = max(decimal.Decimal(1_000_000), (so_far * decimal.Decimal("1.6")).quantize(decimal.Decimal(10_000)))
    company = services.create(services.Draft(owner=services.Owner(), metric=revenue, target=ours_target * 2, period=quarter,
                                             reason="The board's plan for the quarter."), admin)
    services.break_down(company, "month", "working_days", admin)
    ours = services.create(services.Draft(owner=east, metric=revenue, target=ours_target, period=quarter, parent=company,
                                          reason="Our share of the company's plan."), manager)
    reps = {f"user:{rep.id}" for rep in team.reps}
    shares = services.proposed_shares(ours, [(key, label) for key, label in services.takers(ours) if key in reps], "equal")
    for child in services.share_among(ours, shares, manager):
        services.break_down(child, "month", "working_days", manager)
    # The article: "raise sales by 20% by the end of next quarter and win at least 100 new
    # customers a month".
    # Next quarter grows this one (still running: its basis says so), or the last complete one
    # when this quarter has nothing yet.
    next_quarter = periods.shifted(quarter, 1)
    target, basis = services.growth_target(revenue, east, next_quarter, decimal.Decimal(20), "previous", today)
    if not target:
        target, basis = services.growth_target(revenue, east, next_quarter, decimal.Decimal(20), "complete", today)
    services.create(services.Draft(owner=east, metric=revenue, target=max(target, decimal.Decimal(1)), period=next_quarter, basis=basis,
                                   reason="Raise sales by 20% by the end of next quarter."), manager)
    if customers is not None:
        monthly = services.create(services.Draft(owner=east, metric=customers, target=decimal.Decimal(100),
                                                 period=periods.containing("month", today),
                                                 reason="Win at least 100 new customers a month."), manager)
        services.break_down(monthly, "week", "working_days", manager)
    if calls is not None:
        for rep in team.reps:
            goal = services.create(services.Draft(owner=services.Owner(user=rep), metric=calls, target=decimal.Decimal(rng.choice([60, 80,
                                                                                                                                   100])),
                                                  period=periods.containing("month", today), reason="Keep the funnel full."), manager)
            services.break_down(goal, "week", "working_days", manager)
