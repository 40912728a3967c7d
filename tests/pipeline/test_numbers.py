"""Numbers: the funnel, time in stage, where deals are lost, reps' win rates, the forecast, charts,
and the metrics goals use. The deals below have a known history, so every figure is known."""
import base64
import datetime
import re

import pytest

from core import registry
from core.lowcode.models import Stage, StageMove
from core.lowcode.processes import close_stays
from plugins.pipeline.models import Activity, Customer, Deal

PERIOD = "from=2026-01-01&to=2026-12-31"


def day(month, number):
    return datetime.datetime(2026, month, number, 10, 0)


def history(pipe, deal, steps, lost_reason=""):
    """Rewrite a deal's stage history: steps = [(stage key, when)], the first being where it started."""
    with pipe.app.app_context():
        StageMove.delete().where(StageMove.record_id == deal, StageMove.entity == "pipeline.deal").execute()
        previous = None
        for key, when in steps:
            stage = Stage.get_by_id(pipe.stage(key))
            StageMove.create(entity="pipeline.deal", record_id=deal, from_stage=previous, to_stage=stage, at=when)
            previous = stage
        close_stays("pipeline.deal", [deal])  # history written with its own times, as the demo does
        closed = steps[-1][1] if previous.kind != "open" else None
        Deal.update(stage=previous.id, stage_entered_at=steps[-1][1], closed_at=closed,
                    lost_reason=lost_reason).where(Deal.id == deal).execute()


@pytest.fixture
def known(pipe, people):
    acme, beta = pipe.customer(people.rep, "Acme"), pipe.customer(people.colleague, "Beta")
    won = pipe.deal(people.rep, acme, name="Won", amount=1000)
    history(pipe, won, [("development", day(1, 1)), ("first_contact", day(1, 11)), ("discovery", day(1, 21)),
                        ("after_sales", day(2, 10))])
    lost = pipe.deal(people.rep, acme, name="Lost", amount=500)
    history(pipe, lost, [("development", day(1, 1)), ("first_contact", day(1, 5)), ("lost", day(1, 15))], lost_reason="No budget")
    waiting = pipe.deal(people.rep, acme, name="Waiting", amount=2000, expected_close=datetime.date(2026, 3, 15))
    history(pipe, waiting, [("development", day(1, 1))])
    theirs = pipe.deal(people.colleague, beta, name="Theirs", amount=1000, expected_close=datetime.date(2026, 3, 20))
    history(pipe, theirs, [("development", day(1, 1)), ("first_contact", day(1, 3))])
    return pipe


def cells(html, first):
    row = re.search(rf"<tr><td>(?:<span[^>]*></span> )?{re.escape(first)}</td>(.*?)</tr>", html, re.S)
    assert row, f"no row for {first}"
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row.group(1), re.S)]


def test_the_funnel_counts_deals_that_reached_each_stage(known):
    page = known.manager.get(f"/pipeline/numbers?{PERIOD}").text
    assert cells(page, "Customer development") == ["4", "—", "5.3"]  # stays of 10, 4 and 2 days
    assert cells(page, "First contact") == ["3", "75%", "10.0"]
    assert cells(page, "Information gathering") == ["1", "33%", "20.0"]
    assert cells(page, "After-sales") == ["1", "100%", "—"]
    # A rep's funnel holds their own deals.
    assert cells(known.rep.get(f"/pipeline/numbers?{PERIOD}").text, "Customer development")[0] == "3"
    # Another period: nothing moved.
    assert cells(known.manager.get("/pipeline/numbers?from=2025-01-01&to=2025-12-31").text, "First contact")[0] == "0"


def test_where_deals_are_lost_and_how_each_rep_wins(known):
    page = known.manager.get(f"/pipeline/numbers?{PERIOD}").text
    lost_from = page[page.index("Where deals are lost"):]
    assert "<tr><td>First contact</td><td>1</td></tr>" in lost_from
    assert "<tr><td>No budget</td><td>1</td></tr>" in lost_from
    assert cells(page, "Rita Rep") == ["1", "1", "50%", "1,000"]
    assert "Carl Colleague</td>" not in page  # closed nothing


def test_the_forecast_weighs_open_deals_by_probability_and_shows_what_was_won(known):
    page = known.manager.get(f"/pipeline/numbers?{PERIOD}").text
    months = re.findall(r"<th[^>]*>(2026-\d\d)</th>", page)
    weighted = re.search(r"<tr><th[^>]*>Weighted forecast</th>(.*?)</tr>", page, re.S).group(1)
    won = re.search(r"<tr><th[^>]*>Won</th>(.*?)</tr>", page, re.S).group(1)
    by_month = dict(zip(months, zip(re.findall(r"<td>([^<]*)</td>", weighted), re.findall(r"<td>([^<]*)</td>", won))))
    assert by_month["2026-03"] == ("200", "0")  # 2,000 × 5% + 1,000 × 10%
    assert by_month["2026-02"] == ("0", "1,000")


def test_charts_are_svg_drawn_on_the_server(known):
    for name in ("funnel", "forecast", "reps"):
        chart = known.manager.get(f"/pipeline/charts/{name}.svg?{PERIOD}")
        assert chart.status_code == 200 and chart.content_type.startswith("image/svg+xml")
        assert chart.text.lstrip().startswith("<?xml") and "<script" not in chart.text
        assert chart.headers["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'"
    assert "Customer development" in known.manager.get(f"/pipeline/charts/funnel.svg?{PERIOD}").text
    assert known.manager.get("/pipeline/charts/secrets.svg").status_code == 404
    # the page draws its charts from the numbers it already has: one request, the figures counted once
    page = known.manager.get(f"/pipeline/numbers?{PERIOD}").text
    pictures = re.findall(r'<img class="chart" src="data:image/svg\+xml;base64,([^"]+)"', page)
    assert len(pictures) == 3
    funnel_svg = base64.b64decode(pictures[0]).decode("utf-8")
    assert "Customer development" in funnel_svg and "<script" not in funnel_svg


def test_the_numbers_page_survives_odd_periods(known):
    for query in ("from=2026-12-31&to=2026-01-01", "from=yesterday&to=", "team=abc", "from=0001-01-01&to=9999-12-31",
                  "team=99999999999999999999999"):
        assert known.manager.get(f"/pipeline/numbers?{query}").status_code == 200, query
        assert known.manager.get(f"/pipeline/charts/forecast.svg?{query}").status_code == 200, query


def test_metrics_are_computed_for_many_reps_in_one_query(known, people):
    with known.app.test_request_context():
        Activity.create(kind="call", subject="c", owner=people.rep.id, done_at=day(2, 1), search_text="")
        Activity.create(kind="call", subject="c", owner=people.colleague.id, done_at=day(2, 2), search_text="")
        Activity.create(kind="visit", subject="v", owner=people.rep.id, done_at=day(2, 3), search_text="")
        Activity.create(kind="call", subject="planned", owner=people.rep.id, due_at=day(2, 3), search_text="")
        Activity.create(kind="call", subject="last year", owner=people.rep.id, done_at=datetime.datetime(2025, 6, 1), search_text="")
        Customer.update(created_at=day(1, 1)).execute()
        metrics = registry.metrics()
        ids = [people.rep.id, people.colleague.id, people.outsider.id]

        def value(key):
            return metrics[key].compute(user_ids=ids, start=datetime.date(2026, 1, 1), end=datetime.date(2026, 12, 31))

        assert value("pipeline.won_revenue") == {people.rep.id: 1000}
        assert value("pipeline.deals_won") == {people.rep.id: 1}
        assert value("pipeline.calls") == {people.rep.id: 1, people.colleague.id: 1}
        assert value("pipeline.visits") == {people.rep.id: 1}
        assert value("pipeline.activities") == {people.rep.id: 2, people.colleague.id: 1}
        assert value("pipeline.new_customers") == {people.rep.id: 1, people.colleague.id: 1}
        assert metrics["pipeline.calls"].compute(user_ids=ids, start=datetime.date(2026, 2, 2), end=datetime.date(2026, 2, 2)) == {
            people.colleague.id: 1}


def test_metrics_day_by_day_and_the_expected_revenue(known, people, make_app):
    """The daily series adds up to the period's number; days are the team's (Shanghai: UTC+8, so
    a call at 20:00 UTC on 1 February is on 2 February there)."""
    with known.app.test_request_context():
        Activity.create(kind="call", subject="c", owner=people.rep.id, done_at=datetime.datetime(2026, 2, 1, 9), search_text="")
        Activity.create(kind="call", subject="c", owner=people.rep.id, done_at=datetime.datetime(2026, 2, 1, 20), search_text="")
        metrics = registry.metrics()
        calls = metrics["pipeline.calls"].daily(user_ids=[people.rep.id], start=datetime.date(2026, 1, 1), end=datetime.date(2026, 12, 31))
        assert calls == {people.rep.id: {datetime.date(2026, 2, 1): 2}}
        revenue = metrics["pipeline.won_revenue"].daily(user_ids=[people.rep.id], start=datetime.date(2026, 1, 1),
                                                        end=datetime.date(2026, 12, 31))
        assert revenue == {people.rep.id: {datetime.date(2026, 2, 10): 1000}}
        expected = metrics["pipeline.won_revenue"].expected(user_ids=[people.rep.id, people.colleague.id],
                                                            start=datetime.date(2026, 3, 1), end=datetime.date(2026, 3, 31))
        # 2,000 × 5% on 15 March, 1,000 × 10% on 20 March
        assert expected == {people.rep.id: {datetime.date(2026, 3, 15): 100}, people.colleague.id: {datetime.date(2026, 3, 20): 100}}
        assert metrics["pipeline.won_revenue"].amount_of == "pipeline.deals_won"
        assert metrics["pipeline.calls"].leads_to == "pipeline.visits"
    shanghai = make_app(TIMEZONE="Asia/Shanghai")
    with shanghai.test_request_context():
        calls = registry.metrics()["pipeline.calls"].daily(user_ids=[people.rep.id], start=datetime.date(2026, 1, 1),
                                                           end=datetime.date(2026, 12, 31))
        assert calls == {people.rep.id: {datetime.date(2026, 2, 1): 1, datetime.date(2026, 2, 2): 1}}


def test_remembered_numbers_follow_the_next_change_to_a_deal_or_its_history(known, people):
    """Sales numbers are counted once and remembered: a move, a deleted deal or a deal given to
    someone out of the manager's team is on the next view."""
    assert cells(known.manager.get(f"/pipeline/numbers?{PERIOD}").text, "First contact")[0] == "3"
    with known.app.app_context():
        waiting = Deal.get(Deal.name == "Waiting").id
    history(known, waiting, [("development", day(1, 1)), ("first_contact", day(2, 1))])
    assert cells(known.manager.get(f"/pipeline/numbers?{PERIOD}").text, "First contact")[0] == "4"
    with known.app.app_context():
        Deal.update(owner=people.outsider.id).where(Deal.id == waiting).execute()
    assert cells(known.manager.get(f"/pipeline/numbers?{PERIOD}").text, "First contact")[0] == "3"
