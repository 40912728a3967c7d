"""Fixtures of the low-code tests: a form made in the browser with a field of most types, and the
sample plugin's customisable entity."""
import re
from types import SimpleNamespace

import pytest

from core.lowcode import definitions, records
from core.lowcode.entities import get_entity

COMPETITOR_FIELDS = [
    {"type": "select", "label": "Level", "options": {"choices": [{"label": "A", "color": "green"}, {"label": "B"}, {"label": "C",
                                                                                                                    "color": "red"}]}},
    {"type": "currency", "label": "Revenue", "options": {"min": "0", "currency": "CNY"}},
    {"type": "percent", "label": "Share", "options": {"min": "0", "max": "100"}},
    {"type": "computed", "label": "Weighted", "options": {"formula": "revenue * share / 100"}},
    {"type": "date", "label": "Founded"},
    {"type": "multiselect", "label": "Regions", "options": {"choices": [{"label": "North"}, {"label": "South"}, {"label": "华东"}]}},
    {"type": "user", "label": "Watcher"},
    {"type": "text", "label": "Code", "unique": True, "options": {"pattern": "[A-Z]{2}[0-9]{3}",
                                                                  "pattern_message": "Two capitals, three digits."}},
    {"type": "checkbox", "label": "Active"},
    {"type": "url", "label": "Site"},
    {"type": "integer", "label": "Staff"},
]


def mapping_form(page_text: str) -> dict:
    """The mapping an import page proposes, as the browser would send it back."""
    form = {}
    for index, selected in re.findall(r'<select name="map-(\d+)"[^>]*>(.*?)</select>', page_text, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', selected)
        form[f"map-{index}"] = chosen.group(1) if chosen else ""
    return form


def make_entity(app, admin, label="Competitor", fields=COMPETITOR_FIELDS) -> str:
    with app.test_request_context():
        key = definitions.create_entity(label, "chart", admin).key
        for field in fields:
            definitions.add_field(get_entity(key), {"required": False, "unique": False, "hidden": False, **field}, admin)
    return key


@pytest.fixture
def competitor(app, people) -> str:
    """The key of a form made in the browser, "Competitor", with a field of most types."""
    return make_entity(app, people.admin)


@pytest.fixture
def create(app):
    """create(entity, owner, **values) -> record id, saved through the records service."""

    def make(entity, owner, **values):
        with app.test_request_context():
            record, _changes = records.save(get_entity(entity), owner, values)
            return record.id

    return make


@pytest.fixture
def hello(make_app, people, login):
    """The sample plugin's app, with signed-in clients for each role."""
    app = make_app(LOAD_ENTRYPOINTS=True)
    return SimpleNamespace(
        app=app,
        admin=login(people.admin, to=app), manager=login(people.manager, to=app),
        rep=login(people.rep, to=app), colleague=login(people.colleague, to=app),
    )
