"""Fixtures of the pipeline tests: signed-in clients for each role and a way to make records
through the records service, as the pages do."""
from types import SimpleNamespace

import pytest

from core.lowcode import records
from core.lowcode.entities import get_entity
from core.lowcode.models import Process, Stage
from core.lowcode.processes import ensure_defaults
from plugins.pipeline.entities import ACTIVITY, CONTACT, CUSTOMER, DEAL, PRODUCT


class Pipeline(SimpleNamespace):
    def make(self, entity, owner, **values):
        """Save a record as `owner` through the records service; returns its id."""
        with self.app.test_request_context():
            record, _changes = records.save(get_entity(entity), owner, values)
            return record.id

    def customer(self, owner, name="Acme Trading", **values):
        return self.make(CUSTOMER, owner, name=name, **values)

    def deal(self, owner, customer, name="Rollout", amount=1000, **values):
        return self.make(DEAL, owner, name=name, customer=customer, amount=amount, **values)

    def activity(self, owner, subject="Call the buyer", **values):
        return self.make(ACTIVITY, owner, subject=subject, **values)

    def contact(self, owner, customer, name="Wang Fang", **values):
        return self.make(CONTACT, owner, customer=customer, name=name, **values)

    def product(self, name="CRM Pro", list_price=100, **values):
        return self.make(PRODUCT, self.people.admin, name=name, list_price=list_price, **values)

    def stage(self, key) -> int:
        with self.app.test_request_context():
            ensure_defaults()
            return Stage.select().join(Process).where(Process.key == "pipeline.sales", Stage.key == key).get().id

    def get(self, model, record_id):
        with self.app.app_context():
            return model.get_by_id(record_id)


@pytest.fixture
def pipe(app, people, login):
    return Pipeline(
        app=app, people=people,
        admin=login(people.admin), manager=login(people.manager), rep=login(people.rep),
        colleague=login(people.colleague), outsider=login(people.outsider),
    )
