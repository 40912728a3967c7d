"""A metric that raises, or whose plugin is off, leaves its goals standing and the pages working:
"metric unavailable", left out of the status counts, the failure shown on the plugins page."""
import datetime

import pytest

from core.contributions import Metric
from core.hookspecs import hookimpl
from core.plugins import PluginFailure
from plugins.goals.models import Goal

TODAY = datetime.datetime.now(datetime.UTC).date()


class Broken:
    """A plugin whose metric fails, as a plugin's bug or a database error would."""

    def __init__(self):
        self.fail = False

    def compute(self, user_ids, start, end):
        if self.fail:
            raise RuntimeError("the metric's query broke")
        return {user_id: 3 for user_id in user_ids}

    @hookimpl
    def register_metrics(self):
        return [Metric("broken.calls", "Broken calls", self.compute)]


@pytest.fixture
def broken(make_app, people_factory):
    plugin = Broken()
    app = make_app(EXTRA_PLUGINS={"broken": plugin})
    people = people_factory(app)
    with app.app_context():
        goal = Goal.create(owner_user=people.rep.id, metric="broken.calls", target=10, period_kind="month",
                           start=TODAY.replace(day=1), end=TODAY.replace(day=28) if TODAY.day <= 28 else TODAY)
    return app, plugin, people, goal


@pytest.fixture
def people_factory():
    from tests.conftest import create_people

    def make(app):
        with app.app_context():
            return create_people()

    return make


def test_a_metric_that_raises_leaves_goal_pages_working(broken):
    app, plugin, people, goal = broken
    manager = app.test_client().login(people.manager)
    assert "Broken calls" in manager.get(f"/goals/{goal.id}").text  # working: the goal measures
    plugin.fail = True
    for url in ("/goals/", f"/goals/{goal.id}", "/"):
        page = manager.get(url)
        assert page.status_code == 200, url
    assert "Metric unavailable" in manager.get(f"/goals/{goal.id}").text
    with app.app_context():
        failure = PluginFailure.get(PluginFailure.plugin == "broken")
        assert failure.hook == "metric broken.calls" and "the metric's query broke" in failure.message
    admin = app.test_client().login(people.admin)
    assert "the metric&#39;s query broke" in admin.get("/admin/plugins").text


def test_a_goal_whose_metric_is_gone_says_so_instead_of_a_key_and_behind(make_app, people_factory):
    app = make_app()  # no plugin registers "gone.visits" (as when its plugin is turned off)
    people = people_factory(app)
    with app.app_context():
        goal = Goal.create(owner_user=people.rep.id, metric="gone.visits", target=10, period_kind="month",
                           start=TODAY.replace(day=1), end=TODAY.replace(day=28) if TODAY.day <= 28 else TODAY)
    rep = app.test_client().login(people.rep)
    page = rep.get(f"/goals/{goal.id}").text
    assert "gone.visits" not in page
    assert "Metric unavailable" in page and "Behind" not in page
    listing = rep.get("/goals/?period=month:" + TODAY.replace(day=1).isoformat()).text
    assert "gone.visits" not in listing and "Metric unavailable" in listing


class BrokenDimensions:
    """A plugin whose metric's dimensions (or their choices) fail."""

    def __init__(self):
        self.fail_in = ""

    def dimensions(self):
        from core.contributions import Dimension

        if self.fail_in == "dimensions":
            raise RuntimeError("dimensions broke")
        return [Dimension("tone", "Tone", self.choices)]

    def choices(self):
        if self.fail_in == "choices":
            raise RuntimeError("choices broke")
        return [("warm", "Warm")]

    def compute(self, user_ids, start, end, filters=None):
        return {user_id: 5 if filters else 7 for user_id in user_ids}

    @hookimpl
    def register_metrics(self):
        return [Metric("moody.greetings", "Greetings", self.compute, dimensions=self.dimensions)]


@pytest.mark.parametrize("fail_in", ["dimensions", "choices"])
def test_dimensions_that_raise_leave_the_goal_form_and_goals_working(make_app, people_factory, fail_in):
    plugin = BrokenDimensions()
    app = make_app(EXTRA_PLUGINS={"moody": plugin})
    people = people_factory(app)
    with app.app_context():
        goal = Goal.create(owner_user=people.rep.id, metric="moody.greetings", filters={"tone": "warm"}, target=10, period_kind="month",
                           start=TODAY.replace(day=1), end=TODAY.replace(day=28) if TODAY.day <= 28 else TODAY)
    manager = app.test_client().login(people.manager)
    assert "Greetings (Tone: Warm)" in manager.get(f"/goals/{goal.id}").text and "50%" in manager.get(f"/goals/{goal.id}").text
    plugin.fail_in = fail_in
    for url in ("/goals/new?metric=moody.greetings", "/goals/new/filters?metric=moody.greetings", f"/goals/{goal.id}", "/goals/"):
        assert manager.get(url).status_code == 200, url
    with app.app_context():
        assert PluginFailure.get(PluginFailure.plugin == "moody").hook == "metric moody.greetings"
