"""Plugins import salesdeck only through `core.api`, its stable surface: every built-in plugin, the
sample plugin of the docs and the contracts plugin written on the scaffold, file by file (their
migrations are frozen scripts and may name peewee alone)."""
import ast
from pathlib import Path

import pytest

import core.api

ROOT = Path(__file__).parents[1]
PLUGIN_FOLDERS = [*sorted(path.parent for path in (ROOT / "plugins").glob("*/plugin.py")),
                  ROOT / "tests/fixtures/salesdeck-hello/salesdeck_hello", ROOT / "tests/fixtures/salesdeck-contracts/salesdeck_contracts"]


def salesdeck_imports(path: Path) -> list[tuple[int, str]]:
    """(line, what) for every import of the core or of another plugin in a file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "core":
                found += [(node.lineno, f"core.{alias.name}") for alias in node.names]
            elif node.module.startswith(("core.", "plugins.")):
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names if alias.name.split(".")[0] in ("core", "plugins")]
    return found


@pytest.mark.parametrize("folder", PLUGIN_FOLDERS, ids=lambda folder: folder.name)
def test_a_plugin_imports_the_core_only_through_core_api(folder):
    outside = [f"{path.relative_to(ROOT)}:{line} imports {module}"
               for path in sorted(folder.rglob("*.py")) if "migrations" not in path.parts
               for line, module in salesdeck_imports(path) if module != "core.api"]
    assert outside == [], "import these from core.api (add them there, documented, if they belong to the contract):\n" + "\n".join(outside)


def test_every_name_of_the_surface_is_documented():
    docs = (ROOT / "docs/plugins.md").read_text(encoding="utf-8")
    section = docs.split("## Internals for plugins", 1)[1].split("\n## ", 1)[0]
    missing = [name for name in core.api.__all__ if f"`{name}" not in section]
    assert missing == [], f"docs/plugins.md, Internals for plugins, does not document {missing}"
