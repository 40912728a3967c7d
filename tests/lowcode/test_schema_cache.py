"""The schema cache of a server process holds only what the database committed: a definition change
that fails half-way leaves nothing behind in any process (issue 8, data safety)."""
import pytest

from core import versions
from core.lowcode import definitions
from core.lowcode.entities import get_entity

from .conftest import make_entity


def test_a_definition_change_that_fails_half_way_leaves_the_old_schema(app, people, login, monkeypatch):
    key = make_entity(app, people.admin, label="Lead",
                      fields=[{"type": "text", "label": "Source"}, {"type": "integer", "label": "Staff"}])
    admin = login(people.admin)
    assert admin.get(f"/records/{key}/new").status_code == 200

    def failing_recompute(schema):
        assert schema.field("double") is not None  # the picture was read inside the transaction
        raise RuntimeError("the database went away half-way")

    monkeypatch.setattr(definitions, "recompute_all", failing_recompute)
    with pytest.raises(RuntimeError):
        admin.post(f"/admin/entities/{key}/fields/new",
                   data={"type": "computed", "label": "Double", "formula": "staff * 2"})
    monkeypatch.undo()
    with app.app_context():
        versions.bump(versions.SCHEMA)  # another server process commits a change of its own

    page = admin.get(f"/admin/entities/{key}/fields")
    assert page.status_code == 200
    assert "Source" in page.text and "Double" not in page.text
    with app.test_request_context():
        assert get_entity(key).field("double") is None
        assert get_entity(key).field("source") is not None
