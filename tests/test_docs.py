"""The plugin contract is documented and tested: a hook without either fails here."""
import ast
import inspect
import re
from pathlib import Path

import pytest

from core import hookspecs

ROOT = Path(__file__).parents[1]
DOCS = (ROOT / "docs" / "plugins.md").read_text()
HOOKS = sorted(
    name for name, function in vars(hookspecs).items()
    if inspect.isfunction(function) and hasattr(function, "salesdeck_spec")
)


def _test_names() -> set[str]:
    names = set()
    for path in (ROOT / "tests").rglob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_hook_"):
                names.add(node.name)
    return names


def test_the_contract_has_the_hooks_of_the_design():
    assert {
        "register_models", "register_blueprints", "register_entities", "register_field_types",
        "register_processes", "register_metrics", "nav_items", "dashboard_widgets", "agenda_items",
        "on_record_saved", "on_stage_changed", "demo_data", "register_commands",
    } <= set(HOOKS)


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_has_a_section_with_an_example_in_the_docs(hook):
    section = re.search(rf"^### {hook}\n(.*?)(?=^### |\Z)", DOCS, re.S | re.M)
    assert section, f"docs/plugins.md has no '### {hook}' section"
    assert "```python" in section.group(1) and f"def {hook}(" in section.group(1), f"{hook}: no example"


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_has_a_full_docstring(hook):
    function = getattr(hookspecs, hook)
    doc = inspect.getdoc(function) or ""
    assert doc.split("\n")[0].strip(), f"{hook}: no summary line"
    assert "Called" in doc, f"{hook}: the docstring does not say when it is called and how results combine"
    assert ":returns:" in doc or "ignored" in doc, f"{hook}: the docstring does not say what it returns"
    for parameter in inspect.signature(function).parameters:
        assert f":param {parameter}:" in doc, f"{hook}: parameter {parameter} is not documented"


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_has_a_test_of_its_own(hook):
    assert any(hook in name for name in _test_names()), f"no test named test_hook_...{hook}..."
