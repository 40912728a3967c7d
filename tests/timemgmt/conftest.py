"""Fixtures of the time plugin's tests: a signed-in client for each of the people, and tasks."""
from types import SimpleNamespace

import pytest

from plugins.timemgmt.models import Task


class Time(SimpleNamespace):
    def task(self, who, title="Call Acme", quadrant="schedule", **form) -> int:
        response = getattr(self, who).post("/timemgmt/tasks/new", data={"title": title, "quadrant": quadrant, **form})
        assert response.status_code == 302, response.text[:2000]
        with self.app.app_context():
            return Task.select().order_by(Task.id.desc()).first().id

    def get(self, task_id) -> Task:
        with self.app.app_context():
            return Task.get_by_id(task_id)


@pytest.fixture
def time(app, people, login):
    return Time(app=app, people=people, admin=login(people.admin), manager=login(people.manager), rep=login(people.rep),
                colleague=login(people.colleague), outsider=login(people.outsider))
