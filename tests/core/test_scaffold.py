"""`salesdeck new-plugin`: the plugin it writes installs with pip and passes its own tests, run by
the pytest of another environment (core.testing's fixtures); and the names it refuses."""
import ast
import importlib.util
import os
import re
import site
import subprocess
import sys
from pathlib import Path

import pytest
import setuptools
from click.testing import CliRunner
from flask.cli import ScriptInfo
from packaging.version import Version

from core.cli import cli


def new_plugin(*args):
    def refuse_an_app():
        raise AssertionError("new-plugin needs no app and no database")

    return CliRunner().invoke(cli, ["new-plugin", *args], obj=ScriptInfo(create_app=refuse_an_app))


def python_files(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*.py") if "build" not in path.parts)


def test_a_new_plugin_installs_with_pip_and_passes_its_own_tests(tmp_path):
    if importlib.util.find_spec("wheel") is None and Version(setuptools.__version__) < Version("70.1"):
        pytest.fail("this environment cannot build a wheel offline: pip install 'setuptools>=70.1' (the test extra)")
    target = tmp_path / "salesdeck-field-visits"
    result = new_plugin("field_visits", "--directory", str(target))
    assert result.exit_code == 0, result.output
    assert f"pip install -e {target}" in result.output
    package = target / "salesdeck_field_visits"
    assert (package / "translations/zh_Hans_CN/LC_MESSAGES/messages.mo").stat().st_size > 0
    assert 'field_visits = "salesdeck_field_visits.plugin"' in (target / "pyproject.toml").read_text()

    # An environment of its own that sees salesdeck and its dependencies (those of this one).
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                             check=True, capture_output=True, text=True).stdout.strip()
    lines = [f"import site; site.addsitedir({folder!r})" for folder in site.getsitepackages()]
    Path(purelib, "salesdeck-test-parent.pth").write_text("\n".join(lines) + "\n")
    install = subprocess.run([python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", "--no-build-isolation",
                              str(target)], capture_output=True, text=True)
    assert install.returncode == 0, install.stdout + install.stderr
    assert list(Path(purelib).glob("salesdeck_field_visits-0.1.0.dist-info"))  # installed there, not here
    assert importlib.util.find_spec("salesdeck_field_visits") is None

    # Every test on SQLite; on PostgreSQL (when this suite runs there too) one, to keep this under a minute.
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_")}
    run = subprocess.run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", "sqlite or (postgres and htmx)"],
                         cwd=target, capture_output=True, text=True, env=environment, timeout=240)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    passed = re.search(r"(\d+) passed", run.stdout)
    assert passed and int(passed.group(1)) >= 7 and " failed" not in run.stdout and " error" not in run.stdout, run.stdout


def test_a_new_plugin_imports_salesdeck_only_through_core_api(tmp_path):
    assert new_plugin("visits", "--directory", str(tmp_path / "visits")).exit_code == 0
    for path in python_files(tmp_path / "visits"):
        tree = ast.parse(path.read_text())
        modules = [node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module]
        modules += [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
        allowed = {"core.api", "core.testing"} if path.parts[-2] == "tests" or path.name == "conftest.py" else {"core.api"}
        salesdeck = [module for module in modules if module == "core" or module.startswith(("core.", "plugins."))]
        assert set(salesdeck) <= allowed, f"{path.name} imports {salesdeck}"
    text = (tmp_path / "visits/salesdeck_visits/plugin.py").read_text()
    assert 'salesdeck_api = ">=1.0,<2"' in text
    assert 'table_name = "visits_item"' in (tmp_path / "visits/salesdeck_visits/models.py").read_text()


@pytest.mark.parametrize(("name", "message"), [
    ("Visits", "use a lower-case Python identifier"),
    ("field-visits", "use a lower-case Python identifier"),
    ("2visits", "use a lower-case Python identifier"),
    ("class", "is a Python keyword"),
    ("v" * 31, "at most 30 characters"),
    ("sqlite_notes", "which SQLite keeps for its own tables"),
    ("pipeline", "already taken: a built-in plugin"),
    ("hello", "already taken: an installed plugin"),
    ("records", "already taken: the name of salesdeck's own pages"),
])
def test_new_plugin_refuses_a_name_it_cannot_use(tmp_path, name, message):
    result = new_plugin(name, "--directory", str(tmp_path / "plugin"))
    assert result.exit_code == 1 and message in result.output, result.output
    assert not (tmp_path / "plugin").exists()


def test_new_plugin_refuses_a_directory_that_exists(tmp_path):
    (tmp_path / "plugin").mkdir()
    (tmp_path / "plugin" / "notes.txt").write_text("mine")
    result = new_plugin("visits", "--directory", str(tmp_path / "plugin"))
    assert result.exit_code == 1 and "already exists: choose another --directory" in result.output
    assert [path.name for path in (tmp_path / "plugin").iterdir()] == ["notes.txt"]


def test_new_plugin_writes_into_salesdeck_name_by_default(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert new_plugin("visits").exit_code == 0
    assert (tmp_path / "salesdeck-visits" / "salesdeck_visits" / "migrations" / "0001_initial.py").exists()
    assert new_plugin("visits").exit_code == 1  # not twice


def test_the_documented_extraction_finds_every_string_of_a_new_plugin(tmp_path):
    """The README's `pybabel extract` reads the templates and the lazy strings, not only `_()`."""
    assert new_plugin("visits", "--directory", str(tmp_path / "visits")).exit_code == 0
    folder = tmp_path / "visits"
    readme = (folder / "README.md").read_text()
    command = re.search(r"`(pybabel extract [^`]*)`", readme).group(1).split()
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run([str(pybabel), *command[1:]], cwd=folder, check=True, capture_output=True)
    extracted = (folder / "messages.pot").read_text()
    assert 'msgid "All items"' in extracted  # from a template
    plugin = (folder / "salesdeck_visits/plugin.py").read_text()
    lazy = re.findall(r'_l\("([^"]+)"\)', plugin)
    assert lazy and all(f'msgid "{text}"' in extracted for text in lazy)
