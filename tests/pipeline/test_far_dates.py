"""Dates at the ends of the calendar, typed in a team's time zone, are refused, never a 500."""
import datetime

import pytest

from core.db import utcnow
from plugins.pipeline.models import Activity


@pytest.mark.parametrize("zone, typed", [("Pacific/Kiritimati", "0001-01-01T00:00"),
                                         ("Pacific/Pago_Pago", "9999-12-31T23:59")])
def test_rescheduling_to_the_end_of_the_calendar_is_refused(pipe, people, zone, typed):
    pipe.app.config["TIMEZONE"] = zone
    acme = pipe.customer(people.rep)
    planned = pipe.activity(people.rep, "Visit", customer=acme, due_at=utcnow() + datetime.timedelta(days=2))
    before = pipe.get(Activity, planned).due_at
    answer = pipe.rep.post(f"/pipeline/activities/{planned}/reschedule", data={"due_at": typed})
    assert 400 <= answer.status_code < 500
    assert pipe.get(Activity, planned).due_at == before
