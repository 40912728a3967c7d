"""Labels in both languages in Chromium: an admin names a field and its options in English and
Chinese in the designer, and a Chinese reader's form shows the Chinese."""
import pytest
from playwright.sync_api import expect

from core.models import User

from ..conftest import htmx_settled
from ..lowcode.conftest import make_entity
from .test_shell import sign_in

pytestmark = pytest.mark.browser


def test_an_admin_names_a_field_in_both_languages_and_a_chinese_reader_sees_chinese(page, live_server):
    competitor = make_entity(live_server.app, live_server.people.admin, fields=[{"type": "text", "label": "Code"}])
    with live_server.app.app_context():
        User.update(locale="zh_Hans_CN").where(User.id == live_server.people.rep.id).execute()
    sign_in(page, "admin@example.com")
    page.goto(f"/admin/entities/{competitor}/fields")
    with htmx_settled(page):
        page.get_by_role("link", name="+ Add a field").click()
    with htmx_settled(page):
        page.locator("#field-editor").get_by_role("link", name="Choice from a list").click()
    english, chinese = page.get_by_label("Label (English)"), page.get_by_label("Label (Chinese)")
    expect(page.locator("#field-editor-form input[name^='label-']").first).to_have_attribute("name", "label-en")  # the admin's first
    english.press_sequentially("Threat level", delay=20)
    chinese.fill("威胁等级")
    expect(page.locator("#form-preview")).to_contain_text("Threat level")  # the preview reads the admin's language
    page.get_by_label("Option 1 (English)").fill("High")
    page.get_by_label("Option 1 (Chinese)").fill("高")
    page.get_by_label("Option 2 (English)").fill("Low")
    page.get_by_label("Option 2 (Chinese)").fill("低")
    page.get_by_role("button", name="Save field").click()
    expect(page.locator("#field-editor")).to_contain_text("Threat level is added.")
    expect(page.locator("#field-list")).to_contain_text("Threat level")

    page.context.clear_cookies()
    sign_in(page, "rep@example.com")
    page.goto(f"/records/{competitor}/new")
    form = page.locator("main form").first
    expect(form).to_contain_text("威胁等级")
    expect(form).not_to_contain_text("Threat level")
    options = page.locator("select[name='threat_level'] option")
    expect(options).to_have_text(["—", "高", "低"])
