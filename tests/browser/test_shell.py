"""What a person does in the shell, in real Chromium: sign in, navigate, switch language, search."""
import re

import pytest
from playwright.sync_api import expect

from core.models import User

from ..conftest import PASSWORD

pytestmark = pytest.mark.browser


def sign_in(page, email, password=PASSWORD):
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_sign_in_and_open_a_plugin_page_from_the_navigation(page, live_server):
    page.goto("/pipeline/")
    expect(page).to_have_url(re.compile(r"/login\?next=/pipeline/$"))
    page.get_by_label("Email").fill("rep@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/pipeline/$"))  # back where they wanted to go

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My day").click()
    expect(page).to_have_url(re.compile(r"/timemgmt/$"))
    expect(page.get_by_role("heading", name="My day")).to_be_visible()
    expect(page.locator('.sidebar a[aria-current="page"]')).to_have_text("My day")
    expect(page.locator(".topbar")).to_contain_text("Rita Rep")
    expect(page.locator(".topbar")).to_contain_text("Sales rep")

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()


def test_a_failed_sign_in_says_so_and_keeps_the_email(page, live_server):
    sign_in(page, "rep@example.com", "a-wrong-password")
    expect(page.get_by_role("alert")).to_have_text("The email or the password is not right.")
    expect(page.get_by_label("Email")).to_have_value("rep@example.com")
    expect(page).to_have_url(re.compile(r"/login$"))


def test_switching_language_is_remembered_for_the_user(page, live_server):
    sign_in(page, "manager@example.com")
    page.get_by_role("button", name="简体中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans-CN")
    nav = page.get_by_role("navigation")
    expect(nav.get_by_role("link", name="销售管道")).to_be_visible()
    expect(page.get_by_role("button", name="退出")).to_be_visible()

    page.get_by_role("button", name="退出").click()
    page.get_by_label("邮箱").fill("manager@example.com")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="欢迎，Max Manager")).to_be_visible()
    with live_server.app.app_context():
        assert User.get(User.email == "manager@example.com").locale == "zh_Hans_CN"


def test_searching_users_updates_the_table_in_place(page, live_server):
    sign_in(page, "admin@example.com")
    page.goto("/admin/users")
    page.evaluate("window.stillTheSamePage = true")
    page.get_by_placeholder("Search by name or email").fill("carl")
    expect(page.locator("#admin-user-table tbody tr")).to_have_count(1)
    expect(page.locator("#admin-user-table")).to_contain_text("Carl Colleague")
    expect(page).to_have_url(re.compile(r"/admin/users\?q=carl"))
    assert page.evaluate("window.stillTheSamePage") is True  # htmx swapped the table, no reload

    page.get_by_label("Role").select_option("manager")
    expect(page.locator("#admin-user-table")).to_contain_text("No user matches this search.")


@pytest.mark.expect_console(r"status of 401")  # the answer to the search is 401 + HX-Redirect
def test_an_expired_session_sends_htmx_requests_to_sign_in(page, live_server):
    sign_in(page, "admin@example.com")
    page.goto("/admin/users")
    page.context.clear_cookies()
    page.get_by_placeholder("Search by name or email").fill("olga")
    expect(page).to_have_url(re.compile(r"/login\?next=/admin/users$"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_deactivating_asks_first(page, live_server):
    sign_in(page, "admin@example.com")
    page.goto(f"/admin/users/{live_server.people.outsider.id}")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Deactivate").click()
    expect(page.get_by_role("button", name="Deactivate")).to_be_visible()
    with live_server.app.app_context():
        assert User.get_by_id(live_server.people.outsider.id).active

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Deactivate").click()
    expect(page.get_by_text("Olga Outsider is deactivated and signed out.")).to_be_visible()
    expect(page.get_by_role("button", name="Reactivate")).to_be_visible()


def test_the_shell_fits_a_phone(page, live_server):
    page.set_viewport_size({"width": 390, "height": 780})
    sign_in(page, "admin@example.com")
    page.goto("/admin/users")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Pipeline", exact=True)).to_be_attached()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
