"""Mistakes a plugin author makes are refused when the plugin loads, with a message on the plugins
page, instead of a feature that silently does nothing or fails on a later page."""
from flask import Blueprint

from core.contributions import NavItem
from core.hookspecs import hookimpl
from core.plugins import host_of


def test_a_hook_wrapper_is_refused_at_load_not_silently_skipped(make_app, people):
    class Wrapping:
        @hookimpl(wrapper=True)
        def nav_items(self, user):
            items = yield
            return items

    app = make_app(EXTRA_PLUGINS={"wrapping": Wrapping()})
    error = host_of(app).plugins["wrapping"].load_error
    assert error and "hook wrappers are not part of the contract: nav_items" in error
    admin = app.test_client().login(people.admin)
    assert "hook wrappers are not part of the contract" in admin.get("/admin/plugins").text
    assert admin.get("/").status_code == 200


def test_a_blueprint_not_named_after_its_plugin_is_refused_at_load(make_app, people):
    greet = Blueprint("hello_world", __name__, url_prefix="/greet")

    @greet.route("/")
    def index():
        return "hi"

    class Greet:
        @hookimpl
        def register_blueprints(self):
            return [greet]

        @hookimpl
        def nav_items(self, user):
            return [NavItem("Greet", "greet.index")]

    app = make_app(EXTRA_PLUGINS={"greet": Greet()})
    error = host_of(app).plugins["greet"].load_error
    assert error and "blueprint 'hello_world' must be named 'greet' or start with 'greet_'" in error
    admin = app.test_client().login(people.admin)
    assert admin.get("/").status_code == 200
    assert admin.get("/greet/").status_code == 404


def test_a_blueprint_named_after_its_plugin_loads(make_app, people):
    greet = Blueprint("greet_admin", __name__, url_prefix="/greet")

    @greet.route("/")
    def index():
        return "hi"

    class Greet:
        @hookimpl
        def register_blueprints(self):
            return [greet]

    app = make_app(EXTRA_PLUGINS={"greet": Greet()})
    assert host_of(app).plugins["greet"].load_error is None
    assert app.test_client().login(people.admin).get("/greet/").text == "hi"
