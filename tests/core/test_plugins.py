"""The plugin contract: loading, every hook, failures that stay contained, the admin's switch.

`salesdeck-hello` (tests/fixtures/salesdeck-hello) is a real third-party plugin, pip-installed into
the test environment by `make test`; it adds a model, a page, a navigation entry and a card
without any change to the core.
"""
import datetime

import click
import pytest
from playhouse.reflection import Introspector

from core import registry
from core.contributions import DefaultProcess, DefaultStage, Entity, FieldType, NavItem
from core.db import db
from core.demo import create_demo
from core.hookspecs import hookimpl
from core.models import User
from core.plugins import PluginFailure, host_of


@pytest.fixture
def hello_app(make_app):
    return make_app(LOAD_ENTRYPOINTS=True)


def _greetings():
    from salesdeck_hello.models import Greeting

    return Greeting


# -- the third-party plugin ----------------------------------------------------------------------


def test_a_pip_installed_plugin_loads_from_its_entry_point(hello_app, login, people):
    plugin = host_of(hello_app).plugins["hello"]
    assert (plugin.source, plugin.version, plugin.loaded) == ("pip", "0.3.0", True)
    page = login(people.admin, to=hello_app).get("/admin/plugins").text
    assert "Greetings between colleagues: the sample third-party plugin" in page
    assert "Installed with pip" in page and "0.3.0" in page


def test_pip_plugins_are_not_loaded_when_entry_points_are_off(app):
    assert "hello" not in host_of(app).plugins


# users and teams point at each other
@pytest.mark.filterwarnings("ignore:Possible reference cycle found between core_(user|team) and core_(user|team)")
def test_hook_register_models_and_register_migrations_create_the_plugin_tables(hello_app):
    host = host_of(hello_app)
    models = host.collect("register_models", include_disabled=True)
    assert _greetings() in models and User in models
    with hello_app.app_context():
        introspector = Introspector.from_database(db.obj)
        database_models = introspector.generate_models()
        for model in models:  # what the migrations built is what the models declare
            table = database_models[model._meta.table_name]
            assert set(table._meta.columns) == set(model._meta.columns), model._meta.table_name


def test_hook_register_blueprints_serves_the_plugin_page(hello_app, login, people):
    client = login(people.rep, to=hello_app)
    response = client.post("/hello/", data={"text": "早上好 <b>team</b>"}, follow_redirects=True)
    assert response.status_code == 200
    assert "早上好 &lt;b&gt;team&lt;/b&gt;" in response.text


def test_hook_nav_items_adds_entries_in_order(hello_app, login, people):
    page = login(people.rep, to=hello_app).get("/").text
    labels = [label for label in ("My day", "Goals", "Pipeline", "Incentives", "Hello") if label in page]
    assert labels == ["My day", "Goals", "Pipeline", "Incentives", "Hello"]
    assert [page.index(f"<span>{label}</span>") for label in labels] == sorted(
        page.index(f"<span>{label}</span>") for label in labels
    )
    assert 'href="/hello/"' in page
    assert "Users" not in page  # admin entries only for admins


def test_hook_dashboard_widgets_shows_the_plugin_card(hello_app, login, people):
    client = login(people.rep, to=hello_app)
    client.post("/hello/", data={"text": "hi"})
    home = client.get("/").text
    assert "<h2>Greetings</h2>" in home and "You have sent 1 greeting(s)." in home


def test_hook_agenda_items_fill_the_daily_plan(hello_app, login, people):
    assert "Greet a colleague" in login(people.rep, to=hello_app).get("/timemgmt/").text


def test_hook_register_metrics_computes_for_many_users_in_one_query(hello_app, people):
    with hello_app.test_request_context():
        Greeting = _greetings()
        Greeting.create(owner=people.rep.id, text="a")
        Greeting.create(owner=people.rep.id, text="b")
        Greeting.create(owner=people.colleague.id, text="c")
        metric = registry.metrics()["hello.greetings"]
        today = datetime.date.today()
        assert metric.compute(user_ids=[people.rep.id, people.colleague.id, people.manager.id], start=today, end=today) == {
            people.rep.id: 2, people.colleague.id: 1,
        }


def test_hook_register_commands_adds_a_subcommand(hello_app):
    from flask.cli import ScriptInfo

    from core.cli import cli

    result = click.testing.CliRunner().invoke(cli, ["hello-count"], obj=ScriptInfo(create_app=lambda: hello_app))
    assert result.exit_code == 0 and "0 greeting(s)" in result.output


def test_hook_demo_data_lets_each_plugin_add_records(hello_app):
    with hello_app.app_context():
        create_demo(host_of(hello_app), "demo-password-1")
        assert _greetings().select().count() == 3  # one per demo rep


class Recorder:
    """A plugin that writes down what it is told."""

    def __init__(self):
        self.calls = []

    @hookimpl
    def on_record_saved(self, entity, record, created, changes, user):
        self.calls.append(("saved", entity, record.id, created, changes, user.id))

    @hookimpl
    def on_stage_changed(self, entity, record, from_stage, to_stage, user):
        self.calls.append(("moved", entity, record, from_stage, to_stage, user))


def test_hook_on_record_saved_tells_every_plugin(make_app, login, people):
    recorder = Recorder()
    app = make_app(LOAD_ENTRYPOINTS=True, EXTRA_PLUGINS={"recorder": recorder})
    app.test_client().login(people.rep).post("/hello/", data={"text": "hi"})
    saved = [call for call in recorder.calls if call[0] == "saved"]
    assert len(saved) == 1
    _saved, entity, record_id, created, changes, user_id = saved[0]
    assert (entity, record_id, created, user_id) == ("hello.greeting", 1, True, people.rep.id)
    assert changes["text"] == (None, "hi") and changes["owner"] == (None, people.rep.id)


def test_hook_on_stage_changed_reaches_plugins_even_when_one_fails(make_app, caplog):
    recorder = Recorder()

    class Broken:
        @hookimpl
        def on_stage_changed(self, entity, record, from_stage, to_stage, user):
            raise RuntimeError("cannot follow that move")

    app = make_app(EXTRA_PLUGINS={"broken": Broken(), "recorder": recorder})
    with app.app_context():
        with db.atomic():  # a failing subscriber leaves the caller's transaction usable
            host_of(app).notify("on_stage_changed", entity="x.deal", record=7, from_stage="a", to_stage="b", user=None)
            failure = PluginFailure.get(PluginFailure.plugin == "broken")  # each hook's last failure
            assert (failure.hook, failure.message) == ("on_stage_changed", "RuntimeError: cannot follow that move")
    assert recorder.calls == [("moved", "x.deal", 7, "a", "b", None)]
    assert "Traceback" in caplog.text


class BetterText(FieldType):
    key, label = "text", "Better text"


class PlainText(FieldType):
    key, label = "text", "Plain text"


class Contributor:
    @hookimpl
    def register_entities(self):
        return [Entity(key="crm.lead", label="Lead", model=User)]

    @hookimpl
    def register_field_types(self):
        return [BetterText()]

    @hookimpl
    def register_processes(self):
        return [DefaultProcess(key="crm.leads", label="Leads", entity="crm.lead",
                               stages=(DefaultStage("new", "New"), DefaultStage("won", "Won", 100, "won")))]


class Copycat:
    @hookimpl
    def register_entities(self):
        return [Entity(key="crm.lead", label="Another lead", model=User)]

    @hookimpl
    def register_field_types(self):
        return [PlainText()]


def test_hook_register_entities_keys_are_unique(make_app):
    app = make_app(EXTRA_PLUGINS={"contributor": Contributor(), "copycat": Copycat()})
    with app.test_request_context():
        assert registry.entities()["crm.lead"].label == "Lead"
        assert "already registered" in PluginFailure.get(PluginFailure.plugin == "copycat").message


def test_hook_register_field_types_later_plugins_replace_types(make_app):
    app = make_app(EXTRA_PLUGINS={"contributor": Contributor(), "copycat": Copycat()})
    with app.test_request_context():
        assert registry.field_types()["text"].label == "Plain text"


def test_hook_register_processes_are_collected_from_enabled_plugins(make_app):
    app = make_app(EXTRA_PLUGINS={"contributor": Contributor()})
    host = host_of(app)
    with app.test_request_context():
        process = registry.processes()["crm.leads"]
        assert [stage.key for stage in process.stages] == ["new", "won"]
        host.set_enabled("contributor", False)
        assert "crm.leads" not in registry.processes()


# -- failures stay contained ---------------------------------------------------------------------


def test_a_plugin_that_fails_to_import_is_shown_as_failed(make_app, tmp_path, monkeypatch, login, people, caplog):
    site = tmp_path / "site"
    (site / "broken_plugin-1.0.dist-info").mkdir(parents=True)
    (site / "broken_plugin-1.0.dist-info" / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-plugin\nVersion: 1.0\n")
    (site / "broken_plugin-1.0.dist-info" / "entry_points.txt").write_text("[salesdeck.plugins]\nbroken = broken_plugin\n")
    (site / "broken_plugin.py").write_text("import a_module_that_is_not_installed\n")
    monkeypatch.syspath_prepend(str(site))

    app = make_app(LOAD_ENTRYPOINTS=True)
    assert not host_of(app).plugins["broken"].loaded
    assert "ModuleNotFoundError" in caplog.text and "Traceback" in caplog.text
    client = app.test_client().login(people.admin)
    assert client.get("/").status_code == 200 and client.get("/hello/").status_code == 200
    page = client.get("/admin/plugins").text
    assert "Could not be loaded:" in page and "No module named &#39;a_module_that_is_not_installed&#39;" in page


def test_a_plugin_with_a_misspelled_hook_is_set_aside(make_app):
    class Typo:
        @hookimpl
        def nav_item(self, user):  # the hook is nav_items
            return []

    app = make_app(EXTRA_PLUGINS={"typo": Typo()})
    assert "unknown hook(s): nav_item" in host_of(app).plugins["typo"].load_error


def test_a_plugin_raising_while_a_page_renders_does_not_take_the_page_down(make_app, people, caplog):
    class Faulty:
        @hookimpl
        def nav_items(self, user):
            raise ZeroDivisionError("nav maths")

        @hookimpl
        def dashboard_widgets(self, user):
            from core.contributions import DashboardWidget

            return [DashboardWidget("Broken card", "no/such/template.html"),
                    DashboardWidget("Unescaped card", "hello/widget.txt", {"count": "<script>"})]

    app = make_app(EXTRA_PLUGINS={"faulty": Faulty()})
    client = app.test_client().login(people.admin)
    home = client.get("/")
    assert home.status_code == 200
    assert "<span>Pipeline</span>" in home.text  # everyone else's entries are there
    assert "Broken card" in home.text and "This card could not be shown." in home.text
    assert "Unescaped card" in home.text and home.text.count("This card could not be shown.") == 2
    assert "ZeroDivisionError: nav maths" in caplog.text and "Traceback" in caplog.text
    page = client.get("/admin/plugins").text
    assert "nav_items: ZeroDivisionError: nav maths" in page and "Failed" in page
    client.post("/admin/plugins/faulty", data={"action": "disable"})
    assert "Broken card" not in client.get("/").text


def test_a_nav_item_pointing_nowhere_is_skipped_and_reported(make_app, people):
    class Lost:
        @hookimpl
        def nav_items(self, user):
            return [NavItem("Lost", "lost.index")]

    app = make_app(EXTRA_PLUGINS={"lost": Lost()})
    client = app.test_client().login(people.admin)
    assert ">Lost<" not in client.get("/").text
    assert "nav_items: werkzeug.routing.exceptions.BuildError: Could not build url for endpoint &#39;lost.index&#39;" in (
        client.get("/admin/plugins").text
    )


# -- the admin's switch --------------------------------------------------------------------------


def test_turning_a_plugin_off_takes_effect_in_every_process_and_keeps_its_data(make_app, people):
    first = make_app(LOAD_ENTRYPOINTS=True)  # two server processes on one database
    second = make_app(LOAD_ENTRYPOINTS=True)
    admin = first.test_client().login(people.admin)
    rep = second.test_client().login(people.rep)
    rep.post("/hello/", data={"text": "still here"})

    admin.post("/admin/plugins/hello", data={"action": "disable"})
    assert rep.get("/hello/").status_code == 404
    home = rep.get("/").text
    assert 'href="/hello/"' not in home and "Greetings" not in home and "Greet a colleague" not in rep.get("/timemgmt/").text
    assert "Off" in admin.get("/admin/plugins").text

    admin.post("/admin/plugins/hello", data={"action": "enable"})
    assert "still here" in rep.get("/hello/").text


def test_the_core_runs_with_every_built_in_plugin_off(app, login, people):
    admin = login(people.admin)
    for name in ("pipeline", "goals", "incentives", "timemgmt", "team"):
        assert admin.post(f"/admin/plugins/{name}", data={"action": "disable"}).status_code == 302
    home = admin.get("/")
    assert home.status_code == 200
    for label in ("Pipeline", "Goals", "Incentives", "My day", "Team"):
        assert f"<span>{label}</span>" not in home.text
    for url in ("/pipeline/", "/goals/", "/incentives/", "/timemgmt/", "/team/"):
        assert admin.get(url).status_code == 404
    assert admin.get("/admin/users").status_code == 200


def test_the_core_cannot_be_turned_off(login, people):
    assert login(people.admin).post("/admin/plugins/core", data={"action": "disable"}).status_code == 400


def test_the_plugin_switch_refuses_nonsense(login, people):
    admin = login(people.admin)
    assert admin.post("/admin/plugins/pipeline", data={"action": "explode"}).status_code == 400
