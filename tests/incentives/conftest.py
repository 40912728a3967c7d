"""Fixtures of the incentives tests: deals won on known days, goals, and a plan made through the page."""
import datetime
import re
from types import SimpleNamespace

import pytest

from core.lowcode import records
from core.lowcode.entities import get_entity
from core.lowcode.models import Process, Stage
from core.lowcode.processes import ensure_defaults
from plugins.goals.models import Goal
from plugins.incentives import services
from plugins.incentives.models import Plan
from plugins.pipeline.models import Deal

TODAY = datetime.datetime.now(datetime.UTC).date()  # the tests' team works in UTC
MONTH = services.period_of("month", TODAY)
LAST_MONTH = services.period_of("month", MONTH[0] - datetime.timedelta(days=1))
KEY, LAST_KEY = services.period_key("month", MONTH[0]), services.period_key("month", LAST_MONTH[0])

PLAN_FORM = {"name-en": "Monthly commission", "name-zh_Hans_CN": "月度提成", "metric": "pipeline.won_revenue", "period": "month",
             "currency": "CNY", "starts": "2020-01-01", "roles": "rep", "on_goal": "y", "mode": "marginal", "priority": "0",
             "tier-0-start": "0", "tier-0-rate": "0", "tier-1-start": "80", "tier-1-rate": "3", "tier-2-start": "100",
             "tier-2-rate": "5", "bonus-0-at": "120", "bonus-0-amount": "2000"}


class Incentives(SimpleNamespace):
    def won(self, owner, amount, on: datetime.date, currency="CNY") -> int:
        """A deal `owner` won on that day (noon UTC)."""
        with self.app.test_request_context():
            ensure_defaults()
            won = Stage.select().join(Process).where(Process.key == "pipeline.sales", Stage.kind == "won").get()
            customer, _ = records.save(get_entity("pipeline.customer"), owner, {"name": f"Customer {amount} {on}"})
            deal, _ = records.save(get_entity("pipeline.deal"), owner, {"name": f"Deal {amount}", "customer": customer.id,
                                                                          "amount": amount, "currency": currency})
            Deal.update(stage=won.id, closed_at=datetime.datetime.combine(on, datetime.time(12))).where(Deal.id == deal.id).execute()
            return deal.id

    def open_deal(self, owner, amount, close: datetime.date) -> int:
        with self.app.test_request_context():
            customer, _ = records.save(get_entity("pipeline.customer"), owner, {"name": f"Prospect {amount}"})
            deal, _ = records.save(get_entity("pipeline.deal"), owner, {"name": f"Open {amount}", "customer": customer.id,
                                                                          "amount": amount, "expected_close": close})
            return deal.id

    def goal(self, owner, target, period=MONTH):
        with self.app.app_context():
            Goal.create(owner_user=owner.id, metric="pipeline.won_revenue", target=target, period_kind="month",
                        start=period[0], end=period[1])

    def plan(self, **changes) -> int:
        response = self.admin.post("/incentives/plans/new", data={**PLAN_FORM, **changes})
        assert response.status_code == 302, re.findall(r'class="error">([^<]+)', response.text)
        with self.app.app_context():
            return Plan.select().order_by(Plan.id.desc()).first().id


@pytest.fixture
def pay(app, people, login):
    return Incentives(app=app, people=people, login=login, admin=login(people.admin), manager=login(people.manager), rep=login(people.rep),
                      colleague=login(people.colleague), outsider=login(people.outsider))
