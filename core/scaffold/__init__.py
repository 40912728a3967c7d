"""`salesdeck new-plugin NAME`: a working, pip-installable plugin to start from.

It has every part a plugin usually needs (a customisable model and its migration, a page with an
htmx form, a navigation entry, a home-page card, a metric for goals, demo records, a Chinese
catalogue, tests on salesdeck's fixtures), and imports salesdeck only through `core.api`. The
files are `string.Template`s in `files/`: `$name`, `$package`, `$dist`, `$title`, `$table`.
"""
from __future__ import annotations

import importlib.metadata
import keyword
import re
from pathlib import Path
from string import Template

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import write_po

FILES = Path(__file__).parent / "files"
# The plugin's files: where they go (formatted with the names) and their template in FILES.
LAYOUT = {
    "pyproject.toml": "pyproject.toml.tmpl",
    "README.md": "README.md.tmpl",
    "babel.cfg": "babel.cfg.tmpl",
    "conftest.py": "conftest.py.tmpl",
    "tests/test_{name}.py": "test_plugin.py.tmpl",
    "{package}/__init__.py": "__init__.py.tmpl",
    "{package}/plugin.py": "plugin.py.tmpl",
    "{package}/models.py": "models.py.tmpl",
    "{package}/forms.py": "forms.py.tmpl",
    "{package}/views.py": "views.py.tmpl",
    "{package}/metrics.py": "metrics.py.tmpl",
    "{package}/demo.py": "demo.py.tmpl",
    "{package}/migrations/0001_initial.py": "migration_0001.py.tmpl",
    "{package}/templates/{name}/index.html": "index.html.tmpl",
    "{package}/templates/{name}/widget.html": "widget.html.tmpl",
}
CATALOGUE = "{package}/translations/zh_Hans_CN/LC_MESSAGES/messages"
# The Chinese of the texts the templates use; the plugin's own name is left for its author.
CHINESE = {
    "Item": "条目",
    "Items": "条目",
    "Title": "标题",
    "Owner": "负责人",
    "Created": "创建时间",
    "All items": "全部条目",
    "Add item": "添加条目",
    "No items yet: add the first one above.": "还没有条目:在上方添加第一条。",
    "Open the list": "打开列表",
    "Items created": "新建条目数",
    "Items each person created in the period.": "每人在该期间新建的条目数。",
    ("You have %(num)d item.", "You have %(num)d items."): ("你有 %(num)d 个条目。",),
}
MAX_NAME = 30  # it starts table and index names (PostgreSQL's limit is 63)


class Refused(ValueError):
    """A name or a directory the scaffold will not use, with the reason."""


def taken_names() -> dict[str, str]:
    """{name: where it comes from} of the names a new plugin cannot have."""
    from .. import defaults
    from ..plugins import BUILTIN_PLUGINS, ENTRY_POINT_GROUP

    taken = {name: "a built-in plugin" for name, _module in BUILTIN_PLUGINS}
    for blueprint in defaults.register_blueprints():  # a plugin's blueprint and URLs are named after it
        taken.setdefault(blueprint.name, "the name of salesdeck's own pages")
        taken.setdefault((blueprint.url_prefix or "").strip("/"), "the address of salesdeck's own pages")
    taken.setdefault("static", "the address of salesdeck's own files")
    for entry_point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        taken.setdefault(entry_point.name, f"an installed plugin ({entry_point.value})")
    taken.pop("", None)
    return taken


def check_name(name: str) -> None:
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name) or not name.isidentifier():
        raise Refused(f"{name!r} cannot name a plugin: use a lower-case Python identifier (letters a-z, digits and _, "
                      "starting with a letter), such as visits or field_visits. It names the package, tables, URLs and templates.")
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        raise Refused(f"{name!r} is a Python keyword: choose another name.")
    if len(name) > MAX_NAME:
        raise Refused(f"{name!r} is too long: at most {MAX_NAME} characters (it starts table and index names).")
    if name.startswith("sqlite"):
        raise Refused(f"{name!r} starts with 'sqlite', which SQLite keeps for its own tables: choose another name.")
    taken = taken_names()
    if name in taken:
        raise Refused(f"{name!r} is already taken: {taken[name]}. Choose another name.")


def names(name: str) -> dict[str, str]:
    return {
        "name": name,
        "package": f"salesdeck_{name}",
        "dist": f"salesdeck-{name.replace('_', '-')}",
        "title": name.replace("_", " ").capitalize(),
        "table": f"{name}_item",
    }


def create(name: str, directory: Path | None = None) -> tuple[Path, list[Path]]:
    """Write the plugin `name` into `directory` (default ./salesdeck-NAME, which must not exist);
    return the directory and the files written."""
    check_name(name)
    values = names(name)
    target = Path(directory) if directory is not None else Path.cwd() / values["dist"]
    if target.exists():
        raise Refused(f"{target} already exists: choose another --directory, or remove it first.")
    written = []
    for path, template in LAYOUT.items():
        destination = target / path.format(**values)
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_text(Template((FILES / template).read_text(encoding="utf-8")).substitute(values), encoding="utf-8")
        written.append(destination)
    written += _catalogue(target / CATALOGUE.format(**values), values)
    return target, written


def _catalogue(stem: Path, values: dict) -> list[Path]:
    """The Chinese catalogue, as a .po to edit and compiled to the .mo salesdeck reads."""
    catalog = Catalog(locale="zh_Hans_CN", project=values["dist"], version="0.1.0", fuzzy=False)
    catalog.add(values["title"], "", auto_comments=["The plugin's name: translate it."])
    for message, chinese in CHINESE.items():
        catalog.add(message, chinese)
    stem.parent.mkdir(parents=True, exist_ok=True)
    po, mo = stem.with_suffix(".po"), stem.with_suffix(".mo")
    with po.open("wb") as file:
        write_po(file, catalog, width=100)
    with mo.open("wb") as file:
        write_mo(file, catalog)
    return [po, mo]
