"""Fixtures of the goals tests: signed-in clients, and pipeline records on known days for the
metrics goals measure."""
import datetime
from types import SimpleNamespace

import pytest

from core.lowcode import records
from core.lowcode.entities import get_entity
from core.lowcode.models import Process, Stage
from core.lowcode.processes import ensure_defaults
from plugins.goals import periods
from plugins.goals.models import Goal
from plugins.pipeline.models import Activity, Customer, Deal

TODAY = datetime.datetime.now(datetime.UTC).date()  # the tests' team works in UTC
QUARTER = periods.containing("quarter", TODAY)
LAST_QUARTER, NEXT_QUARTER = periods.shifted(QUARTER, -1), periods.shifted(QUARTER, 1)
MONTH = periods.containing("month", TODAY)


def key(period: periods.Period) -> str:
    return f"{period.kind}:{period.start.isoformat()}"


class Goals(SimpleNamespace):
    def won(self, owner, amount, on: datetime.date):
        """A deal `owner` won on that day (noon UTC)."""
        with self.app.test_request_context():
            ensure_defaults()
            won = Stage.select().join(Process).where(Process.key == "pipeline.sales", Stage.kind == "won").get()
            customer, _ = records.save(get_entity("pipeline.customer"), owner, {"name": f"Customer {amount} {on}"})
            deal, _ = records.save(get_entity("pipeline.deal"), owner, {"name": "Deal", "customer": customer.id, "amount": amount})
            moment = datetime.datetime.combine(on, datetime.time(12))
            Deal.update(stage=won.id, closed_at=moment).where(Deal.id == deal.id).execute()
            Customer.update(created_at=moment).where(Customer.id == customer.id).execute()
            return deal.id

    def did(self, owner, kind, on: datetime.date, count=1):
        with self.app.app_context():
            for _n in range(count):
                Activity.create(kind=kind, subject=kind, owner=owner.id, done_at=datetime.datetime.combine(on, datetime.time(10)),
                                search_text="")

    def post_goal(self, client, **fields):
        data = {"owner": f"team:{self.people.team.id}", "metric": "pipeline.won_revenue", "mode": "number", "target": "",
                "growth": "", "period": "", "start": "", "end": "", "parent": "", "description": "", "reason": "A reason."}
        data.update({key: str(value) for key, value in fields.items()})
        return client.post("/goals/new", data=data)

    def goal(self, goal_id) -> Goal:
        with self.app.app_context():
            return Goal.get_by_id(goal_id)

    def count(self) -> int:
        with self.app.app_context():
            return Goal.select().count()


@pytest.fixture
def goals(app, people, login):
    return Goals(app=app, people=people, admin=login(people.admin), manager=login(people.manager), rep=login(people.rep),
                 colleague=login(people.colleague), outsider=login(people.outsider))


def made(response) -> int:
    """The id of the goal a successful form post created."""
    assert response.status_code == 302, response.status_code
    return int(response.headers["Location"].rsplit("/", 1)[1])
