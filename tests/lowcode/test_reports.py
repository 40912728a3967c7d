"""Reports in SQL over a form made in the browser: grouped by a choice, a person, the owner's team
and a date bucket, counted or summed, within the row scope; every row's drill-down filters select
exactly its records on the record list."""
import datetime
import re
from decimal import Decimal

from core.api import Grouping, run_report
from core.lowcode.entities import get_entity
from core.lowcode.models import CustomRecord


def report(app, user, entity, groups, aggregate="count", measure=None, filters=(), **options):
    with app.test_request_context():
        return run_report(get_entity(entity), user, list(filters), groups, aggregate, measure, **options)


def test_grouped_counted_and_summed_within_the_row_scope(app, people, competitor, create):
    level, revenue = "level", "revenue"
    for owner, chosen, amount in ((people.rep, "A", 100), (people.rep, "A", 50), (people.rep, "B", 10),
                                  (people.colleague, "A", 1000), (people.outsider, "C", 7)):
        create(competitor, owner, name=f"{owner.name} {chosen} {amount}", **{level: chosen.lower(), revenue: amount})  # stored values
    with app.test_request_context():
        spec = get_entity(competitor).field(level)
        a_value = spec.options["choices"][0]["value"]
    counted = report(app, people.manager, competitor, [Grouping(level)])
    assert [(row.labels[0], row.value) for row in counted.rows] == [("A", 3), ("B", 1)]  # the manager's team: not the outsider's C
    summed = report(app, people.rep, competitor, [Grouping(level)], "sum", revenue)
    assert [(row.labels[0], row.value) for row in summed.rows] == [("A", 150), ("B", 10)]  # the rep's own only
    by_owner = report(app, people.admin, competitor, [Grouping("owner"), Grouping(level)], "sum", revenue, order="group")
    assert ("Carl Colleague", "A", 1000) in [(*row.labels, row.value) for row in by_owner.rows]
    assert ("Olga Outsider", "C", 7) in [(*row.labels, row.value) for row in by_owner.rows]
    teams = report(app, people.admin, competitor, [Grouping("_team")], "sum", revenue)
    assert [(row.labels[0], row.value) for row in teams.rows] == [("East", 1160), ("West", 7)]
    averaged = report(app, people.admin, competitor, [Grouping(level)], "avg", revenue, filters=[(level, "is", a_value)])
    assert [(row.labels[0], Decimal(str(row.value)).quantize(Decimal("0.01"))) for row in averaged.rows] == [("A", Decimal("383.33"))]
    top = report(app, people.admin, competitor, [Grouping(level)], limit=1)
    assert len(top.rows) == 1 and top.truncated


def test_dates_by_month_and_the_drill_down_selects_the_same_records(app, people, competitor, create, login):
    founded = "founded"
    for day in ("2025-11-03", "2025-11-30", "2025-12-01", "2026-02-14"):
        create(competitor, people.rep, name=f"Founded {day}", **{founded: day})
    create(competitor, people.rep, name="Never founded")
    months = report(app, people.rep, competitor, [Grouping(founded, "month")], order="group")
    assert [(row.labels[0], row.value) for row in months.rows] == [("(empty)", 1), ("2025-11", 2), ("2025-12", 1), ("2026-02", 1)] or \
        [(row.labels[0], row.value) for row in months.rows] == [("2025-11", 2), ("2025-12", 1), ("2026-02", 1), ("(empty)", 1)]
    quarters = report(app, people.rep, competitor, [Grouping(founded, "quarter")], order="group")
    assert ("2025-Q4", 3) in [(row.labels[0], row.value) for row in quarters.rows]
    client = login(people.rep)
    for row in months.rows:
        query = "&".join(f"fk={fk}&fo={fo}&fv={fv}" for fk, fo, fv in row.drill)
        listed = client.get(f"/records/{competitor}/?{query}")
        assert listed.status_code == 200
        shown = len(re.findall(r"Founded 20|Never founded", listed.text))
        assert shown == row.value, (row.labels, query)


def test_bad_groups_and_measures_are_said_and_nothing_breaks(app, people, competitor, create):
    create(competitor, people.rep, name="One")
    result = report(app, people.rep, competitor, [Grouping("nope"), Grouping("name")], "sum", "name")
    assert result.problems and [row.value for row in result.rows] == [1]
    hostile = report(app, people.rep, competitor, [Grouping("level")], filters=[("revenue", "gt", "1e999"), ("x" * 500, "is", "1")])
    assert hostile.problems
    with app.app_context():
        assert CustomRecord.select().count() == 1


def test_the_week_bucket_starts_on_monday(app, people, competitor, create):
    create(competitor, people.rep, name="Sunday", founded="2026-11-29")
    create(competitor, people.rep, name="Monday", founded="2026-11-30")
    weeks = report(app, people.rep, competitor, [Grouping("founded", "week")], order="group")
    assert [(row.labels[0], row.value) for row in weeks.rows] == [("2026-11-23", 1), ("2026-11-30", 1)]
    assert datetime.date.fromisoformat("2026-11-23").weekday() == 0
