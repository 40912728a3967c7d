"""Fixtures of the team tests: the people's clients, and deals, follow-ups and goals on known days."""
import datetime
from types import SimpleNamespace

import pytest

from core.db import utcnow
from core.lowcode import records
from core.lowcode.entities import get_entity
from core.lowcode.models import Process, Stage
from core.lowcode.processes import ensure_defaults
from plugins.goals.models import Goal
from plugins.pipeline.models import Activity, Deal

TODAY = datetime.datetime.now(datetime.UTC).date()  # the tests' team works in UTC


class TeamData(SimpleNamespace):
    def _stage(self, kind):
        ensure_defaults()
        return Stage.select().join(Process).where(Process.key == "pipeline.sales", Stage.kind == kind).order_by(Stage.position).first()

    def deal(self, owner, name, amount=1000, won_on=None, quiet_days=0) -> int:
        """A deal: won on a day, or open and untouched for `quiet_days`."""
        with self.app.test_request_context():
            customer, _ = records.save(get_entity("pipeline.customer"), owner, {"name": f"{name} Co"})
            deal, _ = records.save(get_entity("pipeline.deal"), owner, {"name": name, "customer": customer.id, "amount": amount})
            if won_on is not None:
                Deal.update(stage=self._stage("won").id, closed_at=datetime.datetime.combine(won_on, datetime.time(12))) \
                    .where(Deal.id == deal.id).execute()
            else:
                quiet = utcnow() - datetime.timedelta(days=quiet_days)
                Deal.update(stage=self._stage("open").id, stage_entered_at=quiet, last_activity_at=quiet) \
                    .where(Deal.id == deal.id).execute()
            return deal.id

    def overdue_call(self, owner, subject="Call back") -> int:
        with self.app.test_request_context():
            customer, _ = records.save(get_entity("pipeline.customer"), owner, {"name": f"{subject} Co"})
            activity, _ = records.save(get_entity("pipeline.activity"), owner, {"subject": subject, "customer": customer.id,
                                                                                "due_at": utcnow() - datetime.timedelta(days=2)})
            return activity.id

    def quotes(self, owner, count) -> None:
        """`count` quotes the owner sent five days ago."""
        with self.app.test_request_context():
            customer, _ = records.save(get_entity("pipeline.customer"), owner, {"name": f"Quoted by {owner.name}"})
            for number in range(count):
                activity, _ = records.save(get_entity("pipeline.activity"), owner, {"subject": f"Quote {number}", "kind": "quote",
                                                                                    "customer": customer.id})
                Activity.update(done_at=utcnow() - datetime.timedelta(days=5)).where(Activity.id == activity.id).execute()

    def goal(self, owner, target) -> int:
        with self.app.app_context():
            start = TODAY.replace(day=1)
            end = (start + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
            return Goal.create(owner_user=owner.id, metric="pipeline.won_revenue", target=target, period_kind="month",
                               start=start, end=end).id

    def open_meeting(self, day=TODAY, who=None) -> int:
        response = (who or self.manager).post(f"/team/teams/{self.people.team.id}/meetings", data={"day": day.isoformat()})
        assert response.status_code == 302, response.status_code
        return int(response.headers["Location"].rsplit("/", 1)[1])


@pytest.fixture
def team(app, people, login):
    return TeamData(app=app, people=people, admin=login(people.admin), manager=login(people.manager), rep=login(people.rep),
                    colleague=login(people.colleague), outsider=login(people.outsider))

