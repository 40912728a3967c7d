"""A plugin's catalogue translates its own words; it cannot rename the core's or the built-in
plugins' (a plugin translating "Won" as 中标 left the pipeline's board saying 中标)."""
import importlib.util
import sys

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from flask_babel import gettext

PLUGIN = '''
from flask_babel import lazy_gettext as _l

from core.api import NavItem, hookimpl


@hookimpl
def nav_items(user):
    return [NavItem(_l("Tenders"), "core.home")]
'''


def plugin_with_catalogue(tmp_path):
    package = tmp_path / "tenders"
    (package / "translations" / "zh_Hans_CN" / "LC_MESSAGES").mkdir(parents=True)
    (package / "__init__.py").write_text(PLUGIN)
    catalog = Catalog(locale="zh_Hans_CN")
    catalog.add("Won", "中标")  # the plugin's own sense of the word
    catalog.add("Tenders", "招标")
    with open(package / "translations" / "zh_Hans_CN" / "LC_MESSAGES" / "messages.mo", "wb") as mo:
        write_mo(mo, catalog)
    spec = importlib.util.spec_from_file_location("tenders", package / "__init__.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["tenders"] = module
    spec.loader.exec_module(module)
    return module


def test_a_plugins_catalogue_cannot_rename_the_words_of_others(make_app, people, tmp_path):
    app = make_app(EXTRA_PLUGINS={"tenders": plugin_with_catalogue(tmp_path)})
    client = app.test_client().login(people.manager)
    client.post("/language", data={"locale": "zh_Hans_CN"})
    home = client.get("/").text
    assert "招标" in home  # the plugin's own word is translated
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert gettext("Won") == "赢单"  # the pipeline's word stays the pipeline's
        assert gettext("Tenders") == "招标"

