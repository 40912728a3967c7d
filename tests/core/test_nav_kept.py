"""The navigation is asked of the plugins once per user and language (docs/plugins.md, nav_items),
and again when a user or team, the schema or the plugins change."""
from core.api import NavItem, hookimpl
from core.models import ADMIN, User
from core.plugins import host_of


class Counted:
    calls: list = []

    @hookimpl
    def nav_items(self, user):
        Counted.calls.append(user.id)
        return [NavItem("Counted page", "core.account", icon="dot", order=55)]


def test_the_navigation_is_asked_once_per_user_and_language_and_again_after_a_change(make_app, people):
    Counted.calls = []
    app = make_app(EXTRA_PLUGINS={"counted": Counted()})
    rep, manager = app.test_client().login(people.rep), app.test_client().login(people.manager)
    for _ in range(3):
        assert "Counted page" in rep.get("/").text
    assert Counted.calls == [people.rep.id]
    assert "Counted page" in manager.get("/").text and "Counted page" in manager.get("/account").text
    assert Counted.calls == [people.rep.id, people.manager.id]  # each user their own, whatever the page

    assert 'aria-current="page"' in manager.get("/account").text  # the current page is still marked
    page = rep.post("/language", data={"locale": "zh_Hans_CN"}, follow_redirects=True).text
    assert "首页" in page and len(Counted.calls) == 3  # in the new language, asked again

    with app.app_context():  # the rep becomes an admin: their navigation gains the admin's entries
        User.update(role=ADMIN).where(User.id == people.rep.id).execute()
    assert "/admin/users" in rep.get("/").text and len(Counted.calls) == 4

    with app.app_context():
        host_of(app).set_enabled("counted", False)
    assert "Counted page" not in rep.get("/").text  # switched off: gone at once
