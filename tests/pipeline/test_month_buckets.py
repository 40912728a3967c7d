"""Timestamps bucketed by month and by day in SQL, in the team's timezone: exact on PostgreSQL
across daylight saving (AT TIME ZONE), an approximation at today's offset on SQLite (documented
in core.i18n.local_sql)."""
import datetime
from zoneinfo import ZoneInfo

import peewee
import pytest

from core.i18n import _offset_minutes, local_day_sql
from plugins.pipeline.models import Deal
from plugins.pipeline.numbers import month_of

BERLIN = ZoneInfo("Europe/Berlin")


def stored(local: datetime.datetime) -> datetime.datetime:
    """Berlin wall time as the database keeps it (naive UTC)."""
    return local.replace(tzinfo=BERLIN).astimezone(datetime.UTC).replace(tzinfo=None)


# Berlin changes to summer time on 29 March 2026 and back on 25 October 2026. Whatever today's
# offset is (+1 in winter, +2 in summer), one of these rows is an hour off when every row is
# shifted by it: the first is 22:30 UTC (+1 makes it 31 March), the second 22:30 UTC (+2 makes it
# 1 November).
ROWS = {
    "just after midnight in summer": (datetime.datetime(2026, 4, 1, 0, 30), "2026-04", "2026-04-01"),
    "just before midnight in winter": (datetime.datetime(2026, 10, 31, 23, 30), "2026-10", "2026-10-31"),
    "just after the change to summer time": (datetime.datetime(2026, 3, 29, 3, 15), "2026-03", "2026-03-29"),
}


@pytest.fixture
def berlin_app(make_app):
    return make_app(TIMEZONE="Europe/Berlin")


def buckets(app, people, database_url):
    from core.lowcode import records
    from core.lowcode.entities import get_entity
    from plugins.pipeline.entities import CUSTOMER, DEAL

    with app.test_request_context():
        customer, _changes = records.save(get_entity(CUSTOMER), people.rep, {"name": "Acme"})
        ids = {}
        for name, (local, _month, _day) in ROWS.items():
            deal, _changes = records.save(get_entity(DEAL), people.rep, {"name": name, "customer": customer.id})
            Deal.update(closed_at=stored(local)).where(Deal.id == deal.id).execute()
            ids[deal.id] = name
        month, day = month_of(Deal.closed_at, timestamp=True), local_day_sql(Deal.closed_at)
        rows = Deal.select(Deal.id, month.alias("month"), peewee.Cast(day, "TEXT").alias("day")).where(Deal.id.in_(list(ids)))
        return {ids[row.id]: (row.month, str(row.day)[:10]) for row in rows}, _offset_minutes()


def test_months_and_days_are_the_teams_across_daylight_saving(berlin_app, database_url):
    from tests.conftest import create_people

    with berlin_app.app_context():
        people = create_people()
    found, offset = buckets(berlin_app, people, database_url)
    if database_url.startswith("postgresql"):
        assert found == {name: (month, day) for name, (_local, month, day) in ROWS.items()}
    else:  # SQLite: every row at today's offset, as documented
        shifted = {name: stored(local) + datetime.timedelta(minutes=offset) for name, (local, _m, _d) in ROWS.items()}
        assert found == {name: (moment.strftime("%Y-%m"), moment.date().isoformat()) for name, moment in shifted.items()}
