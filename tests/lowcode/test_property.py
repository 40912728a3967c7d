"""Random definitions and random submissions never make the server fail (no 500)."""
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.lowcode.types import BUILT_IN_TYPES

TYPES = [kind.key for kind in BUILT_IN_TYPES] + ["nosuchtype", ""]
# Text a browser could send: any printable unicode, markup, huge numbers, formula-ish text.
TEXT = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["<script>alert(1)</script>", "' OR 1=1 --", "1e999", "-0", "NaN", "(a|aa)+$", "[", "9" * 40,
                     "revenue * share / 100", "weighted ** 2", "__import__('os')", "２０２６-０１-０１", "\x00", "%(x)s"]),
)

DEFINITION = st.fixed_dictionaries({
    "type": st.sampled_from(TYPES), "label": TEXT, "key": st.one_of(st.just(""), TEXT), "help": TEXT,
    "placeholder": TEXT, "default": TEXT, "min": TEXT, "max": TEXT, "min_length": TEXT, "max_length": TEXT,
    "pattern": TEXT, "decimals": TEXT, "currency": TEXT, "formula": TEXT, "entity": TEXT,
    "required": st.sampled_from(["", "y", "yes"]), "unique": st.sampled_from(["", "y"]), "hidden": st.sampled_from(["", "y"]),
    "choice-0-label": TEXT, "choice-1-label": TEXT, "choice-0-color": TEXT, "choice-1-archived": st.sampled_from(["", "y"]),
})


def _no_nul(data: dict) -> dict:
    # Werkzeug's test client cannot even send NUL in form bodies we build; browsers percent-encode it.
    return {key: value.replace("\x00", "\\0") if isinstance(value, str) else value for key, value in data.items()}


@pytest.fixture
def designer_client(app, login, people, competitor):
    return login(people.admin), competitor


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(definition=DEFINITION)
def test_random_field_definitions_never_break_the_designer(designer_client, definition):
    client, entity = designer_client
    for url in (f"/admin/entities/{entity}/fields/new", f"/admin/entities/{entity}/fields/preview",
                f"/admin/entities/{entity}/fields/code"):
        response = client.post(url, data=_no_nul(definition))
        assert response.status_code < 500, (url, definition)
    assert client.get(f"/records/{entity}/new").status_code == 200  # whatever was saved still renders
    assert client.get(f"/records/{entity}/").status_code == 200


SUBMISSION = st.fixed_dictionaries({
    name: TEXT for name in ("name", "level", "revenue", "share", "founded", "watcher", "code", "active", "site", "staff")
}, optional={"regions": st.lists(TEXT, max_size=3)})


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(submission=SUBMISSION, query=st.dictionaries(st.sampled_from(["fk", "fo", "fv", "sort", "q", "page"]), TEXT, max_size=4))
def test_random_submissions_and_queries_never_break_record_pages(designer_client, submission, query):
    client, entity = designer_client
    response = client.post(f"/records/{entity}/new", data=_no_nul(submission))
    assert response.status_code in (302, 400), submission
    assert client.get(f"/records/{entity}/", query_string=_no_nul(query)).status_code == 200
    assert client.get(f"/records/{entity}/export.csv", query_string=_no_nul(query)).status_code == 200
