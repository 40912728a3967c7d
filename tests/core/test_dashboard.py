"""The home page each user arranges: cards reordered, widened, removed and added back, reset to the
default; a card whose plugin is switched off disappears and comes back in its place."""
import re

from core.dashboard import DashboardLayout


def cards(client) -> list[str]:
    page = client.get("/")
    assert page.status_code == 200
    return re.findall(r'data-widget="([^"]+)"', page.text)


def arrange(client, action, key="", expect=302, **extra):
    response = client.post("/home/layout", data={"action": action, "key": key, **extra})
    assert response.status_code == expect, response.status_code
    return response


def test_a_manager_reorders_widens_removes_adds_back_and_resets(app, people, login):
    manager = login(people.manager)
    default = cards(manager)
    assert len(default) >= 3 and "core:core/widgets/team.html" in default
    first, second, third = default[:3]
    arrange(manager, "order", key=[third, first, second])
    assert cards(manager)[:3] == [third, first, second]
    arrange(manager, "wide", first)
    assert re.search(rf'class="card widget widget-wide" data-sortable-item data-widget="{re.escape(first)}"', manager.get("/").text)
    arrange(manager, "remove", second)
    assert second not in cards(manager)
    arranging = manager.get("/?arrange=1").text
    assert "Add a card" in arranging and f'<option value="{second}">' in arranging
    arrange(manager, "add", second)
    assert cards(manager)[-1] == second
    arrange(manager, "reset")
    assert cards(manager) == default
    with app.app_context():
        assert DashboardLayout.select().count() == 0


def test_each_user_has_their_own_and_bad_changes_are_refused(app, people, login):
    manager, rep = login(people.manager), login(people.rep)
    rep_default = cards(rep)
    arrange(manager, "remove", cards(manager)[0])
    assert cards(rep) == rep_default
    arrange(rep, "explode", expect=400)
    arrange(rep, "remove", "pipeline:no-such-card")  # not offered to them: nothing changes
    arrange(rep, "remove", "x" * 100_000)
    assert cards(rep) == rep_default
    assert rep.post("/home/layout", data={"action": "remove", "key": "a\x00b"}).status_code == 400
    htmx = rep.post("/home/layout", data={"action": "order", "key": rep_default[::-1]}, headers={"HX-Request": "true"})
    assert htmx.status_code == 204 and cards(rep) == rep_default[::-1]


def test_a_switched_off_plugins_cards_leave_and_come_back_in_place(app, people, login):
    admin, manager = login(people.admin), login(people.manager)
    default = cards(manager)
    mine = [default[-1]] + default[:-1]
    arrange(manager, "order", key=mine)
    goals = [key for key in mine if key.startswith("goals:")]
    assert goals
    assert admin.post("/admin/plugins/goals", data={"action": "disable"}).status_code == 302
    assert not [key for key in cards(manager) if key.startswith("goals:")]
    assert admin.post("/admin/plugins/goals", data={"action": "enable"}).status_code == 302
    assert cards(manager) == mine
