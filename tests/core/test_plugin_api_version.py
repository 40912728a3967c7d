"""A plugin may declare the plugin API versions it works with; on any other it is set aside with
a message on the plugins page, as a plugin that fails to import is."""
import pytest

from core.contributions import NavItem
from core.hookspecs import hookimpl
from core.plugins import API_VERSION, host_of


def plugin(api):
    class Declared:
        salesdeck_api = api

        @hookimpl
        def nav_items(self, user):
            return [NavItem("Declared", "core.home")]

    return Declared()


def test_the_api_version_is_one_point_six():
    # 1.6 keeps the navigation per user; 1.4 added count_changes, stop_counting and remembered; 1.5 kept_rows and counting
    # 1.3 added report_pages and add_field; 1.2 meeting_topics, award_prizes, AgendaItem flags, the report and chart helpers
    assert API_VERSION == "1.6"


@pytest.mark.parametrize("api", [">=1.0,<2", "~=1.0", "==1.*"])
def test_a_compatible_plugin_loads(make_app, api):
    app = make_app(EXTRA_PLUGINS={"declared": plugin(api)})
    assert host_of(app).plugins["declared"].load_error is None


def test_an_incompatible_plugin_is_set_aside_with_a_message(make_app, people):
    app = make_app(EXTRA_PLUGINS={"declared": plugin(">=2.0")})
    error = host_of(app).plugins["declared"].load_error
    assert "it needs plugin API >=2.0; this salesdeck offers 1.6" in error
    admin = app.test_client().login(people.admin)
    assert "it needs plugin API &gt;=2.0; this salesdeck offers 1.6" in admin.get("/admin/plugins").text
    assert "Declared" not in admin.get("/").text


def test_a_range_that_is_not_one_is_explained(make_app):
    app = make_app(EXTRA_PLUGINS={"declared": plugin("one point oh")})
    assert "salesdeck_api = 'one point oh' is not a version range" in host_of(app).plugins["declared"].load_error
