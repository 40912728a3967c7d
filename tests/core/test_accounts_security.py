"""Accounts under attack: sign-out, password throttling without a lock-out button, cache and
transport headers, hostile `next=`, a database outage, failing plugins, and the audit of admins'
changes to people, teams and plugins."""
import datetime
import json
import logging
import re
from pathlib import Path

import peewee
import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo

from core.auth import safe_next
from core.cli import cli
from core.db import db, open_database, release, utcnow
from core.hookspecs import hookimpl
from core.lowcode.models import AuditEntry
from core.models import LoginFailure, User

from ..conftest import PASSWORD

README = Path(__file__).resolve().parents[2] / "README.md"


def _sign_in(client, email, password=PASSWORD, **extra):
    return client.post("/login", data={"email": email, "password": password, **extra})


def _from(app, address):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


class Clock:
    """A frozen clock for the throttle: tests move it instead of waiting."""

    def __init__(self):
        self.now = utcnow()

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += datetime.timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr("core.throttle.utcnow", clock)
    return clock


# -- 1. signing out ends the session on the server ----------------------------------------------


def test_signing_out_invalidates_the_old_session_and_remember_cookies(app, people):
    client = app.test_client()
    assert _sign_in(client, people.rep.email, remember="y").status_code == 302
    session_cookie = client.get_cookie("session").value
    remember_cookie = client.get_cookie("remember_token").value
    assert client.post("/logout").status_code == 302

    replay = app.test_client()
    replay.set_cookie("session", session_cookie)
    response = replay.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")

    replay = app.test_client()
    replay.set_cookie("remember_token", remember_cookie)
    response = replay.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    # The user can sign in again at once.
    assert _sign_in(app.test_client(), people.rep.email).status_code == 302


# -- 2. the current password on the account page is throttled -----------------------------------


def _change_password(client, current):
    return client.post("/account", data={"name": "Rita Rep", "locale": "en", "current_password": current,
                                         "new_password": "a-brand-new-one", "confirm": "a-brand-new-one"})


def test_guessing_the_current_password_on_the_account_page_is_throttled(app, login, people):
    rep = login(people.rep)
    for number in range(app.config["LOGIN_MAX_FAILURES"]):
        response = _change_password(rep, f"guess-number-{number}")
        assert response.status_code == 400 and "This is not your current password." in response.text
    response = _change_password(rep, PASSWORD)  # even the right one is not tried any more
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 60
    assert "Too many wrong passwords" in response.text
    login(people.rep)  # the password did not change
    with app.app_context():
        LoginFailure.update(at=utcnow() - datetime.timedelta(seconds=app.config["LOGIN_WINDOW_SECONDS"] + 1)).execute()
    assert _change_password(rep, PASSWORD).status_code == 302


# -- 3. throttling without a lock-out button -----------------------------------------------------


def _attack(app, email, addresses, times=5):
    for address in addresses:
        attacker = _from(app, address)
        for number in range(times):
            _sign_in(attacker, email, f"guess-{number}-{address}")


def test_an_attacker_elsewhere_cannot_lock_out_the_user_on_a_device_they_used(app, people, clock):
    user = _from(app, "10.0.0.2")
    assert _sign_in(user, people.admin.email).status_code == 302
    user.post("/logout")
    _attack(app, people.admin.email, [f"10.6.6.{n}" for n in range(1, 5)])
    assert _sign_in(user, people.admin.email).status_code == 302
    # A device cookie is worth nothing when it is forged.
    forged = _from(app, "10.0.0.3")
    forged.set_cookie("salesdeck_device", user.get_cookie("salesdeck_device").value[:-2] + "xx")
    assert _sign_in(forged, people.admin.email).status_code == 429


def test_an_attacker_elsewhere_only_slows_down_a_new_device(app, people, clock):
    _attack(app, people.admin.email, [f"10.6.6.{n}" for n in range(1, 5)])
    newcomer = _from(app, "10.0.0.4")
    response = _sign_in(newcomer, people.admin.email)
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= app.config["LOGIN_SLOWDOWN_MAX_SECONDS"]
    assert "second(s)" in response.text
    clock.advance(app.config["LOGIN_SLOWDOWN_MAX_SECONDS"])
    assert _sign_in(newcomer, people.admin.email).status_code == 302


def test_failures_for_one_account_behind_a_nat_do_not_lock_out_the_others(app, people, clock):
    nat = "192.0.2.10"
    _attack(app, people.colleague.email, [nat])
    assert _sign_in(_from(app, nat), people.rep.email).status_code == 302  # no wait at all
    # Many more failures from the address, for many accounts: a slowdown, never a 15-minute wait.
    for number in range(6):
        _attack(app, f"guess{number}@example.com", [nat])
    clock.advance(1)
    response = _sign_in(_from(app, nat), people.outsider.email)
    assert response.status_code in (302, 429)
    if response.status_code == 429:
        assert int(response.headers["Retry-After"]) <= app.config["LOGIN_SLOWDOWN_MAX_SECONDS"]
        clock.advance(app.config["LOGIN_SLOWDOWN_MAX_SECONDS"])
        assert _sign_in(_from(app, nat), people.outsider.email).status_code == 302


def test_brute_force_from_one_address_is_still_refused(app, people, clock):
    attacker = _from(app, "10.6.6.6")
    for number in range(app.config["LOGIN_MAX_FAILURES"]):
        assert _sign_in(attacker, people.admin.email, f"guess-{number}").status_code == 200
    for password in ("guess-again", PASSWORD):
        response = _sign_in(attacker, people.admin.email, password)
        assert response.status_code == 429 and int(response.headers["Retry-After"]) > 600
        assert "Too many failed sign-ins. Wait 15 minute(s)" in response.text
    clock.advance(app.config["LOGIN_SLOWDOWN_MAX_SECONDS"] + 1)  # more than a slowdown
    assert _sign_in(attacker, people.admin.email).status_code == 429
    clock.advance(app.config["LOGIN_WINDOW_SECONDS"])
    assert _sign_in(attacker, people.admin.email).status_code == 302


def test_brute_force_from_many_addresses_is_slowed_down(app, people, clock):
    after = app.config["LOGIN_SLOWDOWN_AFTER"]
    for number in range(after):
        assert _sign_in(_from(app, f"10.7.0.{number}"), people.admin.email, "guess").status_code == 200
    response = _sign_in(_from(app, "10.7.1.1"), people.admin.email)
    assert response.status_code == 429 and int(response.headers["Retry-After"]) >= 1
    clock.advance(1)
    assert _sign_in(_from(app, "10.7.1.2"), people.admin.email, "guess").status_code == 200
    response = _sign_in(_from(app, "10.7.1.3"), people.admin.email, "guess")
    assert response.status_code == 429 and int(response.headers["Retry-After"]) >= 2  # the wait grows


def test_a_device_that_signed_in_before_is_still_limited_on_wrong_guesses(app, people, clock):
    user = _from(app, "10.0.0.2")
    _sign_in(user, people.rep.email)
    user.post("/logout")
    for number in range(app.config["LOGIN_MAX_FAILURES"]):
        assert _sign_in(user, people.rep.email, f"guess-{number}").status_code == 200
    assert _sign_in(user, people.rep.email).status_code == 429


# -- 4. cache and transport headers ---------------------------------------------------------------


def test_pages_of_a_signed_in_user_are_not_stored(client, people, login):
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")
    rep = login(people.rep)
    for url in ("/", "/account", "/no/such/page"):
        assert "no-store" in rep.get(url).headers.get("Cache-Control", ""), url
    assert "no-store" not in rep.get("/static/app.css").headers.get("Cache-Control", "")


def test_hsts_is_sent_when_salesdeck_is_served_over_https(make_app, app, people):
    assert "Strict-Transport-Security" not in app.test_client().get("/login").headers
    secure = make_app(SECURE_COOKIES=True).test_client()
    header = secure.get("/login", base_url="https://localhost").headers.get("Strict-Transport-Security", "")
    assert re.match(r"max-age=\d{7,}", header)


def test_the_readme_nginx_section_explains_https_headers():
    text = README.read_text()
    section = text[text.index("Behind nginx"):]
    section = section[: section.index("\n## ")]
    assert "Strict-Transport-Security" in section and "no-store" in section


# -- 5. next= with control characters -------------------------------------------------------------


@pytest.mark.parametrize("target", ["/%0d%0aSet-Cookie:%20x=y", "/a%0ab", "/a%09b", "/a%7fb", "/a%e2%80%a8b"])
def test_next_with_control_characters_goes_home(client, people, target):
    response = client.post(f"/login?next={target}", data={"email": people.rep.email, "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_safe_next_refuses_control_characters():
    for target in ("/a\r\nb", "/a\nb", "/a\tb", "/\x00", "/a\x7f", "/a\u2028b"):
        assert safe_next(target) is None, repr(target)
    assert safe_next("/deals?q=a%20b") == "/deals?q=a%20b"


# -- 6. the error page during a database outage --------------------------------------------------


@pytest.fixture
def outage():
    """outage(): the app's database becomes a PostgreSQL server that refuses connections."""
    original = []

    def start():
        release()
        original.append(db.obj)
        db.initialize(open_database("postgresql://salesdeck@127.0.0.1:9/unreachable"))

    yield start
    if original:
        db.initialize(original[0])


def test_a_database_outage_shows_the_shells_message_not_a_traceback(make_app, people, outage):
    app = make_app(PROPAGATE_EXCEPTIONS=False)
    rep = app.test_client().login(people.rep)
    visitor = app.test_client()
    fragment = app.test_client().login(people.rep)
    fragment.environ_base["HTTP_HX_REQUEST"] = "true"
    token = visitor.csrf_token()
    outage()
    answers = [rep.get("/"), rep.get("/account"),
               visitor.post("/login", data={"email": people.rep.email, "password": PASSWORD, "csrf_token": token})]
    for response in answers:
        assert response.status_code == 503, response.request.path
        assert "The database cannot be reached" in response.text and "<html" in response.text
        assert "Traceback" not in response.text
        assert 'class="sidebar"' not in response.text
    response = rep.post("/account", data={"name": "x", "locale": "en"}, csrf=False)
    assert response.status_code in (400, 503)
    response = fragment.get("/")
    assert response.status_code == 503 and "<html" not in response.text


def test_every_query_failing_gives_the_503_page(make_app, people, monkeypatch):
    app = make_app(PROPAGATE_EXCEPTIONS=False)
    rep = app.test_client().login(people.rep)

    def broken(*args, **kwargs):
        raise peewee.OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(type(db.obj), "execute_sql", broken)
    response = rep.get("/")
    assert response.status_code == 503 and "The database cannot be reached" in response.text


# -- 7. failing plugins: logged once per kind, each hook's last failure shown --------------------


def test_a_failing_plugin_is_logged_once_per_kind_and_each_hooks_last_failure_shown(make_app, people, caplog):
    class Faulty:
        calls = 0

        @hookimpl
        def nav_items(self, user):
            Faulty.calls += 1
            raise ZeroDivisionError(f"nav maths {min(Faulty.calls, 3)}")

        @hookimpl
        def dashboard_widgets(self, user):
            raise KeyError("widget data")

    app = make_app(EXTRA_PLUGINS={"faulty": Faulty()})
    admin = app.test_client().login(people.admin)
    caplog.set_level(logging.ERROR, logger="core.plugins")
    for _ in range(6):
        assert admin.get("/").status_code == 200
    tracebacks = [record for record in caplog.records if record.name == "core.plugins" and record.exc_info]
    assert len(tracebacks) == 4  # nav maths 1, 2, 3 and the widget's KeyError: once each
    page = admin.get("/admin/plugins").text
    assert "nav_items: ZeroDivisionError: nav maths 3" in page  # the last failure of the hook
    assert "nav maths 1" not in page and "nav maths 2" not in page
    assert "dashboard_widgets: KeyError: &#39;widget data&#39;" in page  # and the other hook's


def test_clearing_a_plugins_errors_empties_the_list_until_it_fails_again(make_app, people):
    class Faulty:
        @hookimpl
        def dashboard_widgets(self, user):
            raise KeyError("widget data")

    app = make_app(EXTRA_PLUGINS={"faulty": Faulty()})
    admin = app.test_client().login(people.admin)
    admin.get("/")
    assert "KeyError" in admin.get("/admin/plugins").text
    admin.post("/admin/plugins/faulty", data={"action": "clear"})
    assert "KeyError" not in admin.get("/admin/plugins").text
    admin.get("/")
    assert "KeyError" in admin.get("/admin/plugins").text


# -- 8. admins' changes are audited, without passwords --------------------------------------------


def _entries(app, entity):
    with app.app_context():
        return list(AuditEntry.select().where(AuditEntry.entity == entity).order_by(AuditEntry.id))


def _no_secrets(app, *secrets):
    with app.app_context():
        dump = json.dumps([[entry.title, entry.changes] for entry in AuditEntry.select()], default=str)
        hashes = [user.password_hash for user in User.select()]
    for secret in [*secrets, *hashes, "$argon2"]:
        assert secret not in dump


def test_an_admins_changes_to_users_are_audited(app, login, people):
    admin = login(people.admin)
    response = admin.post("/admin/users/new", data={"name": "Nia New", "email": "nia@example.com", "role": "rep",
                                                      "team": str(people.team.id), "password": "nias-first-password"})
    assert response.status_code == 302
    admin.post(f"/admin/users/{people.rep.id}", data={"name": "Rita Rep", "email": people.rep.email,
                                                       "role": "manager", "team": str(people.west.id)})
    reset = admin.post(f"/admin/users/{people.rep.id}/password")
    shown = re.search(r'<p class="secret"><code>([^<]+)</code>', reset.text).group(1)
    admin.post(f"/admin/users/{people.colleague.id}/active")
    entries = _entries(app, "core.user")
    assert [(entry.action, entry.title, entry.user_id) for entry in entries] == [
        ("create", "Nia New", people.admin.id), ("update", "Rita Rep", people.admin.id),
        ("password_reset", "Rita Rep", people.admin.id), ("deactivate", "Carl Colleague", people.admin.id),
    ]
    created, changed, _reset, deactivated = entries
    assert created.changes["email"] == [None, "nia@example.com"] and created.changes["team"] == [None, "East"]
    assert changed.record_id == people.rep.id
    assert changed.changes == {"role": ["rep", "manager"], "team": ["East", "West"]}
    assert deactivated.changes == {"active": [True, False]}
    _no_secrets(app, "nias-first-password", shown, PASSWORD)
    audit_page = admin.get("/admin/audit/?entity=core.user").text
    assert "Carl Colleague" in audit_page and "deactivated the account" in audit_page


def test_an_admins_changes_to_teams_and_plugins_are_audited(app, login, people):
    admin = login(people.admin)
    admin.post("/admin/teams/new", data={"name": "North", "manager": str(people.manager.id),
                                         "members": [str(people.outsider.id)]})
    admin.post(f"/admin/teams/{people.team.id}", data={"name": "East Coast", "manager": str(people.manager.id),
                                                       "members": [str(people.rep.id)]})
    created, changed = _entries(app, "core.team")
    assert created.action == "create" and created.title == "North" and created.user_id == people.admin.id
    assert created.changes["members"] == [None, ["Olga Outsider"]]
    assert changed.action == "update" and changed.changes == {
        "name": ["East", "East Coast"], "members": [["Carl Colleague", "Rita Rep"], ["Rita Rep"]]}

    admin.post("/admin/plugins/goals", data={"action": "disable"})
    admin.post("/admin/plugins/goals", data={"action": "enable"})
    entries = _entries(app, "core.plugin")
    assert [(entry.action, entry.title, entry.user_id) for entry in entries] == [
        ("plugin_off", "goals", people.admin.id), ("plugin_on", "goals", people.admin.id)]


def test_a_users_own_password_change_is_audited(app, login, people):
    rep = login(people.rep)
    assert _change_password(rep, PASSWORD).status_code == 302
    (entry,) = _entries(app, "core.user")
    assert entry.action == "password_change" and entry.user_id == people.rep.id
    _no_secrets(app, "a-brand-new-one", PASSWORD)


# -- salesdeck set-password -----------------------------------------------------------------------


def _run(app, *args, **kwargs):
    return CliRunner().invoke(cli, list(args), obj=ScriptInfo(create_app=lambda: app), **kwargs)


def test_set_password_resets_a_lost_password_from_the_command_line(app, login, people):
    signed_in = login(people.admin)
    result = _run(app, "set-password", "ADMIN@example.com", input="a-recovered-one\na-recovered-one\n")
    assert result.exit_code == 0, result.output
    assert "a-recovered-one" not in result.output
    assert signed_in.get("/").status_code == 302  # the old sessions end
    login(people.admin, password="a-recovered-one")
    (entry,) = _entries(app, "core.user")
    assert entry.action == "password_reset" and entry.user_id is None and entry.record_id == people.admin.id
    _no_secrets(app, "a-recovered-one")

    piped = _run(app, "set-password", people.rep.email, "--password-stdin", input="piped-password-1\n")
    assert piped.exit_code == 0, piped.output
    login(people.rep, password="piped-password-1")


def test_set_password_refuses_mistakes(app, people):
    short = _run(app, "set-password", people.rep.email, "--password-stdin", input="short\n")
    assert short.exit_code != 0 and "at least 8 characters" in short.output
    differ = _run(app, "set-password", people.rep.email, input="one-password\nanother-one\n" * 3)
    assert differ.exit_code != 0
    unknown = _run(app, "set-password", "nobody@example.com", "--password-stdin", input="long-enough-1\n")
    assert unknown.exit_code != 0 and "No user" in unknown.output
    with app.app_context():
        assert not AuditEntry.select().exists()
