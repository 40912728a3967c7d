"""Signing in and out, throttling, sessions, CSRF and the security headers."""
import datetime
import re

import pytest

from core.db import utcnow
from core.models import LoginFailure, User

from ..conftest import PASSWORD

CSRF_TOKEN = re.compile(r"[\w-]{20,}\.[\w-]+\.[\w-]+")


def test_a_visitor_is_sent_to_sign_in_and_comes_back_after(client, people):
    response = client.get("/admin/users?role=rep")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/admin/users?role%3Drep"

    response = client.post(
        "/login?next=/admin/users?role%3Drep", data={"email": "ADMIN@example.com ", "password": PASSWORD}
    )
    assert response.headers["Location"] == "/admin/users?role=rep"
    home = client.get("/")
    assert "Ada Admin" in home.text and ">Admin<" in home.text  # the name and the role in the shell


def test_signing_out_ends_the_session(login, people):
    client = login(people.rep)
    response = client.post("/logout")
    assert response.headers["Location"] == "/login"
    assert client.get("/").status_code == 302
    assert client.get("/logout").status_code == 405


def test_sign_in_only_returns_to_a_local_page(client, people):
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        response = client.post(f"/login?next={target}", data={"email": people.rep.email, "password": PASSWORD})
        assert response.headers["Location"] == "/", target
        client.post("/logout")


def _answer(client, email, password):
    response = client.post("/login", data={"email": email, "password": password})
    return response.status_code, CSRF_TOKEN.sub("TOKEN", response.text).replace(email, "EMAIL")


def test_a_wrong_user_and_a_wrong_password_get_the_same_answer(client, people):
    unknown = _answer(client, "nobody@example.com", "whatever-password")
    wrong = _answer(client, people.rep.email, "whatever-password")
    assert unknown == wrong
    assert unknown[0] == 200
    assert "The email or the password is not right." in unknown[1]


def test_a_deactivated_account_cannot_sign_in(client, people, app):
    with app.app_context():
        User.update(active=False).where(User.id == people.rep.id).execute()
    status, text = _answer(client, people.rep.email, PASSWORD)
    assert "The email or the password is not right." in text


def test_five_failures_for_an_account_make_it_wait(client, people, app):
    for _ in range(5):
        assert _answer(client, people.rep.email, "not-the-password")[0] == 200
    response = client.post("/login", data={"email": people.rep.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed sign-ins. Wait 15 minute(s)" in response.text
    assert int(response.headers["Retry-After"]) > 800
    # Another account from another address is not affected.
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.0.0.9"
    assert other.post("/login", data={"email": people.colleague.email, "password": PASSWORD}).status_code == 302
    # Once the failures are older than the window, the right password works again.
    with app.app_context():
        LoginFailure.update(at=utcnow() - datetime.timedelta(minutes=16)).execute()
    assert client.post("/login", data={"email": people.rep.email, "password": PASSWORD}).status_code == 302


def test_failures_from_an_address_slow_it_down_without_locking_others_out(client, people, app):
    # Failures for other accounts from one address (an office behind NAT) never lock an account
    # out; past LOGIN_SLOWDOWN_AFTER they only slow the address down (tests/core/test_accounts_security.py).
    for number in range(5):
        _answer(client, f"guess{number}@example.com", "not-the-password")
    response = client.post("/login", data={"email": people.colleague.email, "password": PASSWORD})
    assert response.status_code == 302


def test_passwords_are_stored_as_argon2id_hashes(people, app):
    with app.app_context():
        stored = User.get_by_id(people.rep.id).password_hash
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_an_htmx_request_without_a_session_is_redirected_by_htmx(htmx_client, people):
    response = htmx_client.get("/admin/users", headers={"HX-Current-URL": "http://localhost/admin/users?q=x"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/login?next=/admin/users?q%3Dx"
    assert "<html" not in response.text


def test_every_state_change_requires_the_csrf_token(app, login, people):
    client = login(people.admin)
    posts = [rule for rule in app.url_map.iter_rules() if "POST" in rule.methods]
    assert len(posts) >= 8
    for rule in posts:
        url = re.sub(r"<int:[^>]+>", "1", rule.rule)
        url = re.sub(r"<[^>]+>", "pipeline", url)
        response = client.post(url, data={}, csrf=False)
        assert response.status_code == 400, f"{rule.rule} accepted a POST without a CSRF token"
        assert "This form has expired" in response.text
    assert client.get("/").status_code == 200  # still signed in: nothing was changed


def test_the_session_cookie_is_httponly_and_samesite_lax(client, people):
    response = client.post("/login", data={"email": people.rep.email, "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_the_session_cookie_is_secure_behind_https(make_app, people):
    client = make_app(SECURE_COOKIES=True).test_client()
    page = client.get("/login", base_url="https://localhost")
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page.text).group(1)
    response = client.post("/login", data={"email": people.rep.email, "password": PASSWORD, "csrf_token": token},
                           base_url="https://localhost", headers={"Referer": "https://localhost/login"})
    assert response.status_code == 302  # signed in, over HTTPS (a browser sends its Referer there)
    assert "Secure" in response.headers["Set-Cookie"]


def test_pages_allow_only_their_own_scripts(login, people):
    response = login(people.rep).get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", response.text))  # no inline scripts
    assert not re.search(r"<[^>]+\son[a-z]+=", response.text)  # no inline event handlers
    assert '"allowEval": false' in response.text


@pytest.mark.parametrize("url", ["/admin/users", "/admin/users/new", "/admin/teams", "/admin/teams/new", "/admin/plugins"])
def test_reps_and_managers_get_403_on_admin_pages(login, people, url):
    for user in (people.rep, people.manager):
        assert login(user).get(url).status_code == 403


def test_reps_cannot_change_users_or_plugins(login, people, app):
    client = login(people.rep)
    assert client.post(f"/admin/users/{people.colleague.id}/active").status_code == 403
    assert client.post(f"/admin/users/{people.rep.id}", data={"name": "x", "email": people.rep.email, "role": "admin"}).status_code == 403
    assert client.post("/admin/plugins/pipeline", data={"action": "disable"}).status_code == 403
    with app.app_context():
        assert User.get_by_id(people.rep.id).role == "rep"
        assert User.get_by_id(people.colleague.id).active


def test_the_403_page_is_inside_the_shell(login, people):
    response = login(people.rep).get("/admin/users")
    assert "You do not have permission to open this page." in response.text
    assert 'class="sidebar"' in response.text


def test_unknown_pages_get_a_404_inside_the_shell(login, people, htmx_client):
    response = login(people.rep).get("/no/such/page")
    assert response.status_code == 404 and 'class="sidebar"' in response.text
    htmx_client.login(people.rep)
    fragment = htmx_client.get("/no/such/page")
    assert fragment.status_code == 404 and "<html" not in fragment.text


def test_a_crash_shows_the_500_page_and_logs_the_traceback(make_app, people, caplog):
    app = make_app(PROPAGATE_EXCEPTIONS=False)  # as in production: the error page, not the exception

    @app.route("/boom")
    def boom():
        raise RuntimeError("kaboom")

    client = app.test_client().login(people.rep)
    response = client.get("/boom")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.text and 'class="sidebar"' in response.text
    assert "kaboom" in caplog.text and "Traceback" in caplog.text
