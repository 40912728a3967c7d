"""The built-in reports: the sales trend beside the year before, each rep against their goals with
their activity, KPI cards against the period before; listed through the `report_pages` hook."""
import datetime
import decimal
import re

from werkzeug.datastructures import MultiDict

from core.lowcode import records
from core.lowcode.entities import get_entity
from core.lowcode.models import Process, Stage
from core.lowcode.processes import ensure_defaults
from plugins.analytics import builtin
from plugins.goals.models import Goal
from plugins.pipeline.models import Deal

TODAY = datetime.datetime.now(datetime.UTC).date()  # the tests' team works in UTC


def won(app, owner, amount, on: datetime.date) -> int:
    with app.test_request_context():
        ensure_defaults()
        stage = Stage.select().join(Process).where(Process.key == "pipeline.sales", Stage.kind == "won").get()
        customer, _ = records.save(get_entity("pipeline.customer"), owner, {"name": f"Customer {amount} {on}"})
        deal, _ = records.save(get_entity("pipeline.deal"), owner, {"name": f"Deal {amount}", "customer": customer.id, "amount": amount})
        moment = datetime.datetime.combine(on, datetime.time(12))
        Deal.update(stage=stage.id, closed_at=moment, created_at=moment).where(Deal.id == deal.id).execute()
        return deal.id


def cells(page: str, label: str) -> list[str]:
    found = re.search(rf"<tr[^>]*><td>{re.escape(label)}</td>(.*?)</tr>", page, re.S)
    assert found, label
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", found.group(1), re.S)]


def test_hook_report_pages_lists_the_built_in_reports_of_every_plugin(app, people, login):
    page = login(people.rep).get("/analytics/").text
    for label, url in (("Sales trend", "/analytics/trend"), ("Sales performance", "/analytics/reps"),
                       ("Sales numbers", "/pipeline/numbers"), ("Product sales", "/pipeline/numbers/products"),
                       ("Customer segments", "/pipeline/numbers/customers")):
        assert f'href="{url}">{label}</a>' in page


def test_the_trend_sets_each_month_beside_the_same_month_a_year_before_for_the_people_seen(app, people, login):
    this_month = builtin.month_start(TODAY)
    won(app, people.rep, 1000, this_month)
    won(app, people.rep, 400, builtin.month_start(TODAY, 12))  # the same month a year before
    won(app, people.rep, 50, builtin.month_start(TODAY, 3))
    won(app, people.outsider, 7000, this_month)  # another team's
    with app.test_request_context():
        (revenue, deals, _customers) = builtin.trends(people.manager)
    assert revenue.metric.key == "pipeline.won_revenue" and deals.metric.key == "pipeline.new_deals"
    assert revenue.months[-1] == this_month and len(revenue.months) == 12
    assert revenue.values[-1] == 1000 and revenue.before[-1] == 400 and revenue.values[-4] == 50
    assert revenue.total == 1050 and revenue.total_before == 400
    assert deals.values[-1] == 1 and deals.before[-1] == 1
    page = login(people.manager).get("/analytics/trend").text
    assert cells(page, "Last twelve months")[-2:] == ["1,000", "1,050"]
    assert "<img" in page and "7,000" not in page
    admin = login(people.admin).get("/analytics/trend").text
    assert cells(admin, "Last twelve months")[-1] == "8,050"
    assert cells(login(people.colleague).get("/analytics/trend").text, "Last twelve months")[-1] == "0"


def test_each_rep_against_their_goal_with_their_activity_beside(app, people, login):
    period = builtin.period_of("month", TODAY)
    won(app, people.rep, 800, period.start)
    won(app, people.colleague, 300, period.start)
    with app.app_context():
        Goal.create(owner_user=people.rep.id, metric="pipeline.won_revenue", target=1000, period_kind="month", start=period.start,
                    end=period.end)
    with app.test_request_context():
        columns, rows = builtin.reps(people.manager, period)
    keys = [column.metric.key for column in columns]
    assert keys[0] == "pipeline.won_revenue" and "pipeline.calls" in keys and "pipeline.activities" in keys
    assert "pipeline.deals_won" not in keys  # no goal for it, and it is a result, not an activity
    by_person = {row.person.id: row.cells for row in rows}
    assert set(by_person) == {people.rep.id, people.colleague.id}  # the manager leads them and is not ranked among them
    assert by_person[people.rep.id][0] == (800, decimal.Decimal("1000"), 80)
    assert by_person[people.colleague.id][0] == (300, None, None)
    page = login(people.manager).get("/analytics/reps").text
    assert "80% of 1,000" in page
    assert "Olga Outsider" not in page
    assert "Olga Outsider" not in login(people.rep).get("/analytics/reps?period=last_quarter").text
    assert login(people.rep).get("/analytics/reps?period=nonsense").status_code == 200


def test_key_numbers_against_as_many_days_of_the_period_before(app, people, login):
    period = builtin.period_of("month", TODAY)
    before = period.before()
    won(app, people.rep, 300, period.start)
    won(app, people.rep, 200, before.start)
    won(app, people.rep, 999, before.end if (before.end - before.start).days > (TODAY - period.start).days else before.end)
    with app.test_request_context():
        found = {kpi.metric.key: kpi for kpi in builtin.kpis(people.rep, period)}
    revenue = found["pipeline.won_revenue"]
    assert revenue.value == 300
    # Only the same days of the month before count: its last day is past how far this month has run (unless today is the 31st).
    if (before.end - before.start).days > (TODAY - period.start).days:
        assert revenue.before == 200 and revenue.change == 50
    home = login(people.rep).get("/").text
    assert "Key numbers" in home and "against the period before" in home
    assert found["pipeline.new_customers"].change is None or isinstance(found["pipeline.new_customers"].change, int)


def test_periods_are_whole_months_and_quarters():
    day = datetime.date(2026, 2, 14)
    assert builtin.period_of("month", day).end == datetime.date(2026, 2, 28)
    quarter = builtin.period_of("quarter", day)
    assert (quarter.start, quarter.end) == (datetime.date(2026, 1, 1), datetime.date(2026, 3, 31))
    last = builtin.period_of("last_quarter", day)
    assert (last.start, last.end) == (datetime.date(2025, 10, 1), datetime.date(2025, 12, 31))
    assert quarter.before().start == last.start and quarter.before().end == last.end
    assert builtin.period_of("last_month", datetime.date(2026, 1, 5)).start == datetime.date(2025, 12, 1)


def test_a_report_compared_with_the_month_before_and_a_year_before_on_every_cell(app, people, login):
    from plugins.analytics import services

    this_month = builtin.month_start(TODAY)
    for amount, on in ((300, this_month), (100, builtin.month_start(TODAY, 1)), (200, builtin.month_start(TODAY, 12)),
                       (999, builtin.month_start(TODAY, 2))):  # two months back: in no period compared
        won(app, people.rep, amount, on)
    manager = login(people.manager)
    query = "entity=pipeline.deal&g1=owner&agg=sum&measure=amount&chart=bar&cmp=month&cmpf=closed_at"
    page = manager.get(f"/analytics/build?{query}").text
    with app.app_context():
        name = people.rep.name
    row = cells(page, name)
    assert row == ["300", "100", "+200%", "200", "+50%"]
    # Drilling into the cell lists exactly this month's deals.
    link = re.search(rf"<td>{re.escape(name)}</td>\s*<td class=\"amount\"><a href=\"([^\"]+)\"", page).group(1).replace("&amp;", "&")
    listed = manager.get(link).text
    assert "Deal 300" in listed and "Deal 100" not in listed and "Deal 999" not in listed
    saved = manager.post("/analytics/reports", data={**dict(item.split("=") for item in query.split("&")), "name-en": "Monthly revenue",
                                                      "shared": "private"})
    assert saved.status_code == 302
    report_page = manager.get(saved.headers["Location"]).text
    assert cells(report_page, name) == ["300", "100", "+200%", "200", "+50%"]
    with app.test_request_context():  # an alert on it reads the number the report shows: this month's so far
        from plugins.analytics import alerts
        from plugins.analytics.models import Alert, Report

        report = Report.get(Report.name == "Monthly revenue")
        reading = alerts.evaluate(Alert(report=report, owner=people.manager.id, name="Big month", number="value", over="total",
                                        comparison="gt", threshold=1), report, people.manager)
        assert reading.value == 300 and reading.holds
    exported = manager.get(saved.headers["Location"] + "/export.csv").text
    assert "The period before" in exported and "300" in exported
    assert manager.get("/analytics/build?entity=pipeline.deal&g1=owner&cmp=decade&cmpf=%3Cscript%3E").status_code == 200
    with app.test_request_context():
        spec = services.read(MultiDict({"entity": "pipeline.deal", "cmp": "quarter", "cmpf": "closed_at"}))
        spans = services.periods(spec, datetime.date(2026, 2, 10))
    # So far this quarter (41 days), against as many days of the quarter before and of this one a year before.
    assert spans == [(datetime.date(2026, 1, 1), datetime.date(2026, 2, 10)), (datetime.date(2025, 10, 1), datetime.date(2025, 11, 10)),
                     (datetime.date(2025, 1, 1), datetime.date(2025, 2, 10))]
    with app.test_request_context():
        late = services.periods(services.read(MultiDict({"entity": "pipeline.deal", "cmp": "month", "cmpf": "closed_at"})),
                                datetime.date(2026, 3, 31))
    assert late[1] == (datetime.date(2026, 2, 1), datetime.date(2026, 2, 28))  # February has fewer days than March so far
