"""English and Simplified Chinese."""
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from core.models import User

ROOT = Path(__file__).parents[2]
CATALOGUE = ROOT / "core" / "translations" / "zh_Hans_CN" / "LC_MESSAGES"
KEYWORDS = {"_": None, "_l": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}


def _extracted_messages() -> set:
    found = set()
    method_map = [("core/**.py", "python"), ("plugins/**.py", "python"),
                  ("templates/**.html", "jinja2"), ("plugins/**/templates/**.html", "jinja2")]
    options = {"**.html": {"extensions": "jinja2.ext.do"}}
    for _filename, _lineno, message, _comments, context in extract_from_dir(
        ROOT, method_map=method_map, options_map=options, keywords=KEYWORDS
    ):
        found.add((context, message if isinstance(message, str) else message[0]))
    return found


def test_every_string_the_user_reads_is_translated_into_chinese():
    with open(CATALOGUE / "messages.po", "rb") as handle:
        catalogue = read_po(handle, locale="zh_Hans_CN")
    translated = {
        (m.context, m.id if isinstance(m.id, str) else m.id[0])
        for m in catalogue
        if m.id and not m.fuzzy and all(m.string if isinstance(m.string, tuple) else [m.string])
    }
    missing = sorted(_extracted_messages() - translated)
    assert not missing, f"untranslated (run `make translations`, then translate): {missing}"


def test_the_compiled_catalogue_matches_its_source():
    with open(CATALOGUE / "messages.po", "rb") as source, open(CATALOGUE / "messages.mo", "rb") as compiled:
        po, mo = read_po(source), read_mo(compiled)
    def pairs(catalogue):
        return {
            (m.context, m.id if isinstance(m.id, str) else tuple(m.id)): (m.string if isinstance(m.string, str) else tuple(m.string))
            for m in catalogue
            if m.id
        }

    assert pairs(po) == pairs(mo), "the .mo is stale: run `make translations`"


def test_the_language_switch_is_remembered_per_user(app, login, people):
    client = login(people.rep)
    response = client.post("/language", data={"locale": "zh_Hans_CN"}, headers={"Referer": "http://localhost/timemgmt/"})
    assert response.headers["Location"] == "/timemgmt/"
    page = client.get("/timemgmt/").text
    assert '<html lang="zh-Hans-CN">' in page and "我的一天" in page and "退出" in page
    with app.app_context():
        assert User.get_by_id(people.rep.id).locale == "zh_Hans_CN"
    # A new session on another device speaks Chinese from the first page after sign-in.
    assert "销售管道" in login(people.rep).get("/").text
    # Form errors from WTForms itself come in Chinese too.
    errors = login(people.admin)
    errors.post("/language", data={"locale": "zh_Hans_CN"})
    assert "该字段是必填字段。" in errors.post("/admin/teams/new", data={"name": ""}).text


def test_visitors_get_their_browser_language(client):
    assert "登录" in client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}).text
    assert "Sign in" in client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.8"}).text
    assert "Sign in" in client.get("/login", headers={"Accept-Language": "fr"}).text


def test_an_unknown_language_is_refused(login, people):
    assert login(people.rep).post("/language", data={"locale": "xx"}).status_code == 400


def test_templates_follow_a_language_forced_for_a_moment(app):
    """Jinja's `_` finds the catalogue once per request and language (core.i18n.translations),
    and follows force_locale there and back."""
    from flask import render_template_string
    from flask_babel import force_locale

    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert render_template_string("{{ _('Home') }}") == "Home"
        with force_locale("zh_Hans_CN"):
            assert render_template_string("{{ _('Home') }}") == "首页"
        assert render_template_string("{{ _('Home') }}") == "Home"
