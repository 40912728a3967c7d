"""Speed of the numbers at scale: custom and built-in reports, data health and the process review
over years of deals.

    .venv-test/bin/python bench/analytics.py [--deals 100000] [--at 10000] [--runs 10]

Builds the same data as bench/scale.py (a manager, five reps, 30 custom fields on the deal form,
each deal with a customer, a product line, 5 activities and its stage history, loaded with straight
inserts), then
through real HTTP requests (Flask's test client, signed in as the manager, who sees every deal)
prints one `name=value` line per figure (medians of `--runs` requests):

- `report_by_select_month_ms`: a report in the builder, won revenue's amount summed by a custom
  select field (indexed, as an admin would mark it) and by month of creation, as a stacked chart
- `report_by_owner_ms`: the amount by owner and stage (the per-rep report)
- `data_health_ms`: the data-health page (every check counted per owner, the scores kept)
- built-in reports: `sales_trend_ms` (three metrics by month over two years, and the key numbers),
  `sales_performance_ms` (each rep against their goals, last quarter), `product_sales_ms` (every
  won deal's lines by product, group and month), `customer_segments_ms` (ABC and RFM over a year)
- `process_review_ms`: the process review of the sales process for the current quarter (per stage:
  entered, went on, median and 90th percentile days, skipped, came back, stuck; the flags), over
  the stage history with each stay's end worked out (`close_stays`, as an import of history does)
- `<name>_queries` at `--deals` and `<name>_queries_at_<at>` at `--at` deals

Runs on SQLite; also on PostgreSQL when SALESDECK_TEST_POSTGRES_URL is set (suffix `_postgres`).
Targets (issue 15): a custom report < 300 ms, data health < 500 ms, the process review < 300 ms, the
same query count at 10,000 and 100,000 deals, every built-in report < 300 ms.
"""
from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import median_ms, migrated_app, on_every_database, query_count, report  # noqa: E402
from scale import add_deals, settle, setup, signed_in  # noqa: E402

from core.lowcode.processes import close_stays  # noqa: E402
from plugins.pipeline.models import Deal  # noqa: E402

ACTIVITIES = 5  # per deal: 500,000 at 100,000 deals


def end_stays(first: int) -> None:
    """Each stay's end (its record's next move) for the deals added from number `first` on."""
    ids = [deal_id for (deal_id,) in Deal.select(Deal.id).order_by(Deal.id).offset(first).tuples()]
    close_stays("pipeline.deal", ids)


def measure(url: str, instance: str, deals: int, at: int, runs: int, suffix: str) -> None:
    app = migrated_app(url, instance)
    rng = random.Random(100)
    _admin, reps, stages, specs, level = setup(app)
    client = signed_in(app)

    def page(path: str, expect: str):
        def get():
            response = client.get(path)
            assert response.status_code == 200 and expect in response.text, (path, response.status_code)
        return get

    pages = {
        "report_by_select_month": page(f"/analytics/build?entity=pipeline.deal&g1={level}&g2=created_at&b2=month&agg=sum"
                                       "&measure=amount&chart=stacked&top=200&fk=stage&fo=won&fv=", "report-chart"),
        "report_by_owner": page("/analytics/build?entity=pipeline.deal&g1=owner&g2=stage&agg=sum&measure=amount&chart=stacked",
                                "report-chart"),
        "data_health": page("/analytics/health", "Score"),
        "sales_trend": page("/analytics/trend", "report-chart"),
        "sales_performance": page("/analytics/reps?period=last_quarter", "table"),
        "product_sales": page("/pipeline/numbers/products?from=2024-01-01&to=2030-12-31", "report-chart"),
        "customer_segments": page("/pipeline/numbers/customers", "rfm-grid"),
        "process_review": page("/analytics/process", "process-flags"),
    }
    with app.test_request_context():
        add_deals(reps, stages, specs, min(at, deals), 0, rng, ACTIVITIES)
        end_stays(0)
        settle()
    figures = {f"{name}_queries_at_{at}": query_count(get) for name, get in pages.items()}
    with app.test_request_context():
        add_deals(reps, stages, specs, max(0, deals - at), at, rng, ACTIVITIES)
        end_stays(at)
        settle()
    for name, get in pages.items():
        figures[f"{name}_queries"] = query_count(get)
        figures[f"{name}_ms"] = median_ms(get, runs)
    figures["deals"] = deals
    report(figures, suffix)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deals", type=int, default=100_000)
    parser.add_argument("--at", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    on_every_database(measure, args.deals, args.at, args.runs)


if __name__ == "__main__":
    main()
