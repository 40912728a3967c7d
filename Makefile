# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
TEST_VENV := .venv-test
# The suite runs on every core (pytest-xdist); `make test PYTEST_ARGS=tests/core` runs a part.
PYTEST_ARGS ?= -n auto
# The third-party plugins of the tests, installed with pip like any real one.
FIXTURE_PLUGINS := tests/fixtures/salesdeck-hello tests/fixtures/salesdeck-contracts
FIXTURE_FILES := $(shell find $(FIXTURE_PLUGINS) -type f -not -path '*/build/*' -not -path '*.egg-info*' -not -name '*.pyc')

.PHONY: run test install translations clean

# -- run: install, create the database with a demo team on first start, serve on 127.0.0.1:5000 --
$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "salesdeck needs Python 3.11 or newer (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e .
	@touch $@

install: $(VENV)/.installed

run: $(VENV)/.installed
	$(VENV)/bin/salesdeck init --demo
	$(VENV)/bin/salesdeck serve

# -- test: a separate environment, so the test plugin never shows up in `make run` --
$(TEST_VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "salesdeck needs Python 3.11 or newer (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(TEST_VENV)
	$(TEST_VENV)/bin/pip install --quiet --upgrade pip
	$(TEST_VENV)/bin/pip install --quiet -e '.[test]'
	@touch $@

$(TEST_VENV)/.plugins-installed: $(TEST_VENV)/.installed $(FIXTURE_FILES)
	$(TEST_VENV)/bin/pip install --quiet --no-deps --force-reinstall $(addprefix ./,$(FIXTURE_PLUGINS))
	@rm -rf $(addsuffix /build,$(FIXTURE_PLUGINS))
	@touch $@

# Chromium and CJK fonts for the browser tests, installed when missing.
test: $(TEST_VENV)/.plugins-installed
	bash tools/ensure-browser.sh
	$(TEST_VENV)/bin/ruff check .
	$(TEST_VENV)/bin/python -m pytest $(PYTEST_ARGS)

# -- translations: extract the strings, merge them into the catalogues, compile --
translations: $(VENV)/.installed
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -o core/translations/messages.pot --no-location --sort-output .
	$(VENV)/bin/pybabel update -i core/translations/messages.pot -d core/translations --no-fuzzy-matching --ignore-obsolete
	$(VENV)/bin/pybabel compile -d core/translations

clean:
	rm -rf $(VENV) $(TEST_VENV) build *.egg-info
