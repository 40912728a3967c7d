"""The demo team's goals: the article's (revenue +20% next quarter, 100 new customers a month)
and this quarter's, shared out and broken down, so progress shows from the demo's records."""
from __future__ import annotations

import decimal

from core import registry
from core.i18n import team_today

from . import periods as P
from . import services as G


def create(team, rng) -> None:
    metrics = registry.metrics()
    revenue, customers, calls = (metrics.get(key) for key in ("pipeline.won_revenue", "pipeline.new_customers", "pipeline.calls"))
    if revenue is None:
        return  # the pipeline is off: nothing to measure
    today = team_today()
    manager, admin = team.manager, team.admin
    east = G.Owner(team=team.team)
    quarter = P.containing("quarter", today)
    so_far = G.actual(revenue, east, P.Period("custom", quarter.start, today))
    ours_target = max(decimal.Decimal(1_000_000), (so_far * decimal.Decimal("1.6")).quantize(decimal.Decimal(10_000)))
    company = G.create(G.Draft(owner=G.Owner(), metric=revenue, target=ours_target * 2, period=quarter,
                               reason="The board's plan for the quarter."), admin)
    G.break_down(company, "month", "working_days", admin)
    ours = G.create(G.Draft(owner=east, metric=revenue, target=ours_target, period=quarter, parent=company,
                            reason="Our share of the company's plan."), manager)
    reps = {f"user:{rep.id}" for rep in team.reps}
    shares = G.proposed_shares(ours, [(key, label) for key, label in G.takers(ours) if key in reps], "equal")
    for child in G.share_among(ours, shares, manager):
        G.break_down(child, "month", "working_days", manager)
    # The article: "raise sales by 20% by the end of next quarter and win at least 100 new
    # customers a month".
    # Next quarter grows this one (still running: its basis says so), or the last complete one
    # when this quarter has nothing yet.
    next_quarter = P.shifted(quarter, 1)
    target, basis = G.growth_target(revenue, east, next_quarter, decimal.Decimal(20), "previous", today)
    if not target:
        target, basis = G.growth_target(revenue, east, next_quarter, decimal.Decimal(20), "complete", today)
    G.create(G.Draft(owner=east, metric=revenue, target=max(target, decimal.Decimal(1)), period=next_quarter, basis=basis,
                     reason="Raise sales by 20% by the end of next quarter."), manager)
    if customers is not None:
        monthly = G.create(G.Draft(owner=east, metric=customers, target=decimal.Decimal(100), period=P.containing("month", today),
                                   reason="Win at least 100 new customers a month."), manager)
        G.break_down(monthly, "week", "working_days", manager)
    if calls is not None:
        for rep in team.reps:
            goal = G.create(G.Draft(owner=G.Owner(user=rep), metric=calls, target=decimal.Decimal(rng.choice([60, 80, 100])),
                                    period=P.containing("month", today), reason="Keep the funnel full."), manager)
            G.break_down(goal, "week", "working_days", manager)
