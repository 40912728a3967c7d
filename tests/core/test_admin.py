"""An admin manages users and teams in the browser."""
import re

import pytest

from core.models import Team, User

from ..conftest import PASSWORD

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _count(app, model):
    with app.app_context():
        return model.select().count()


def test_an_admin_creates_a_user_who_can_sign_in_with_the_generated_password(app, login, people):
    admin = login(people.admin)
    response = admin.post(
        "/admin/users/new",
        data={"name": "Nina New", "email": " Nina@Example.com", "role": "rep", "team": str(people.team.id)},
    )
    assert response.status_code == 200
    password = re.search(r'<p class="secret"><code>([^<]+)</code>', response.text).group(1)
    with app.app_context():
        nina = User.get(User.email == "nina@example.com")
        assert nina.team_id == people.team.id and nina.role == "rep"
    login("nina@example.com", password=password)


def test_a_new_user_is_a_rep_unless_the_admin_chooses_otherwise(login, people):
    form = login(people.admin).get("/admin/users/new").text
    assert '<option selected value="rep">Sales rep</option>' in form


def test_an_admin_edits_role_and_team(app, login, people):
    admin = login(people.admin)
    page = admin.get(f"/admin/users/{people.rep.id}")
    assert f'<option selected value="{people.team.id}">East</option>' in page.text
    response = admin.post(
        f"/admin/users/{people.rep.id}",
        data={"name": "Rita Lead", "email": people.rep.email, "role": "manager", "team": ""},
    )
    assert response.status_code == 302
    with app.app_context():
        rita = User.get_by_id(people.rep.id)
    assert (rita.name, rita.role, rita.team_id) == ("Rita Lead", "manager", None)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"name": ""}, "This field is required."),
        ({"name": "x" * 81}, "Field cannot be longer than 80 characters."),
        ({"email": "not-an-email"}, "Invalid email address."),
        ({"email": "REP@example.com"}, "Another user already has this email."),
        ({"role": "superuser"}, "Not a valid choice."),
        ({"team": "99999"}, "Not a valid choice."),
        ({"team": "abc"}, "Invalid Choice: could not coerce."),
        ({"password": "short"}, "Field must be between 8 and 256 characters long."),
    ],
)
def test_the_user_form_refuses_bad_input_and_saves_nothing(app, login, people, change, message):
    data = {"name": "Valid Name", "email": "valid@example.com", "role": "rep", "team": "", **change}
    before = _count(app, User)
    response = login(people.admin).post("/admin/users/new", data=data)
    assert response.status_code == 400
    assert message in response.text
    assert _count(app, User) == before


def test_hostile_text_is_shown_as_text(app, login, people):
    admin = login(people.admin)
    admin.post(f"/admin/users/{people.rep.id}", data={"name": HOSTILE[:80], "email": people.rep.email, "role": "rep", "team": ""})
    admin.post("/admin/teams/new", data={"name": HOSTILE[:80], "manager": "", "members": []})
    for url in ("/admin/users", "/admin/teams", f"/admin/users/{people.rep.id}"):
        text = admin.get(url).text
        assert "<script>alert" not in text and "<img src=x" not in text, url
        assert "&lt;script&gt;alert" in text, url
    rep_home = login(people.rep).get("/").text  # the rep's own name in the shell
    assert "<script>alert" not in rep_home and "&lt;script&gt;" in rep_home


def test_an_admin_cannot_lock_everyone_out(app, login, people):
    admin = login(people.admin)
    response = admin.post(f"/admin/users/{people.admin.id}/active", follow_redirects=True)
    assert "You cannot deactivate yourself." in response.text
    response = admin.post(
        f"/admin/users/{people.admin.id}", data={"name": "Ada", "email": people.admin.email, "role": "rep", "team": ""}
    )
    assert response.status_code == 400 and "Keep at least one active admin." in response.text
    with app.app_context():
        assert User.get_by_id(people.admin.id).role == "admin" and User.get_by_id(people.admin.id).active


def test_deactivating_a_user_signs_them_out_and_keeps_them_listed(app, login, people):
    rep = login(people.rep)
    admin = login(people.admin)
    response = admin.post(f"/admin/users/{people.rep.id}/active", follow_redirects=True)
    assert "is deactivated and signed out" in response.text
    assert rep.get("/").status_code == 302  # their open session ended
    assert "Deactivated" in admin.get("/admin/users").text
    admin.post(f"/admin/users/{people.rep.id}/active")
    login(people.rep)


def test_resetting_a_password_shows_it_once_and_signs_the_user_out(app, login, people):
    rep = login(people.rep)
    response = login(people.admin).post(f"/admin/users/{people.rep.id}/password")
    password = re.search(r'<p class="secret"><code>([^<]+)</code>', response.text).group(1)
    assert rep.get("/").status_code == 302
    with pytest.raises(AssertionError):
        login(people.rep, password=PASSWORD)
    login(people.rep, password=password)


def test_a_user_changes_their_own_password_and_language(app, login, people):
    rep = login(people.rep)
    other_device = login(people.rep)
    response = rep.post(
        "/account",
        data={"name": "Rita R.", "locale": "zh_Hans_CN", "current_password": "wrong-one-here",
              "new_password": "a-new-password", "confirm": "a-new-password"},
    )
    assert response.status_code == 400 and "This is not your current password." in response.text
    response = rep.post(
        "/account",
        data={"name": "Rita R.", "locale": "zh_Hans_CN", "current_password": PASSWORD,
              "new_password": "a-new-password", "confirm": "a-new-password"},
        follow_redirects=True,
    )
    assert "账户已保存" in response.text  # the page now speaks Chinese
    assert other_device.get("/").status_code == 302  # other devices are signed out
    login(people.rep, password="a-new-password")


def test_teams_have_a_manager_and_members(app, login, people):
    admin = login(people.admin)
    response = admin.post(
        "/admin/teams/new",
        data={"name": "North", "manager": str(people.manager.id), "members": [str(people.outsider.id), str(people.colleague.id)]},
    )
    assert response.status_code == 302
    with app.app_context():
        north = Team.get(Team.name == "North")
        assert north.manager_id == people.manager.id
        assert {u.id for u in north.members} == {people.outsider.id, people.colleague.id}
        assert User.get_by_id(people.colleague.id).team_id == north.id  # moved from East
    listing = admin.get("/admin/teams").text
    assert re.search(r"North</a></td>\s*<td>Max Manager</td>\s*<td>2</td>", listing)
    edit = admin.get(f"/admin/teams/{north.id}").text
    assert f'<option selected value="{people.manager.id}">' in edit
    assert 'checked id="members-' in edit and f'value="{people.outsider.id}"' in edit
    # Unticking a member takes them out of the team.
    admin.post(f"/admin/teams/{north.id}", data={"name": "North", "manager": "", "members": [str(people.outsider.id)]})
    with app.app_context():
        assert User.get_by_id(people.colleague.id).team_id is None


@pytest.mark.parametrize("name, message", [("", "This field is required."), ("East", "Another team already has this name."),
                                           ("y" * 81, "Field cannot be longer than 80 characters.")])
def test_the_team_form_refuses_bad_input(app, login, people, name, message):
    before = _count(app, Team)
    response = login(people.admin).post("/admin/teams/new", data={"name": name, "manager": "", "members": []})
    assert response.status_code == 400 and message in response.text
    assert _count(app, Team) == before


def test_unknown_ids_are_404(login, people):
    admin = login(people.admin)
    for url in ("/admin/users/999999", "/admin/teams/999999", "/admin/plugins/nosuch"):
        assert admin.get(url).status_code in (404, 405)
    assert admin.post("/admin/users/999999/active").status_code == 404
    assert admin.post("/admin/plugins/nosuch", data={"action": "disable"}).status_code == 404


def test_the_user_list_searches_and_pages_in_both_shapes(app, login, people, htmx_client):
    with app.app_context():
        User.insert_many(
            [{"email": f"user{n:03}@example.com", "name": f"Bulk User {n:03}", "password_hash": "x", "session_token": f"t{n}"}
             for n in range(120)]
        ).execute()
    admin = login(people.admin)
    first = admin.get("/admin/users")
    assert first.text.count('id="core-user-') == 50
    assert "Page 1 of 3" in first.text and "125 users" in first.text
    last = admin.get("/admin/users?page=3")
    assert last.text.count('id="core-user-') == 25
    beyond = admin.get("/admin/users?page=99")  # out of range: the last page, not an error
    assert beyond.status_code == 200 and "Page 3 of 3" in beyond.text

    htmx_client.login(people.admin)
    fragment = htmx_client.get("/admin/users?q=Bulk%20User%2007")
    assert fragment.text.lstrip().startswith('<div id="admin-user-table">')
    assert "<html" not in fragment.text and fragment.text.count('id="core-user-') == 10
    assert "Vary" in fragment.headers and "HX-Request" in fragment.headers["Vary"]
    assert "Bulk User 070" in admin.get("/admin/users?q=user070%40").text
    assert "No user matches this search." in admin.get("/admin/users?q=%25%27%3B--").text
