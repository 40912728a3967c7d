"""Two people editing the same record, field definition or stage: no save silently reverts another's
(issue 8, data safety). A form carries the version it was made from; only what the user changed is
written; the same field changed by both is refused with who changed what, and what the user typed
is kept. The check and the write are one locked step: real parallel requests against a served app
on SQLite and PostgreSQL cannot both win."""
from __future__ import annotations

import html
import http.cookiejar
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from types import SimpleNamespace

import pytest

from core.lowcode.entities import get_entity
from core.lowcode.models import AuditEntry
from core.testing import serve_over_http

from ..conftest import PASSWORD
from .conftest import make_entity

FIELDS = [{"type": "text", "label": "Next step"}, {"type": "integer", "label": "Amount"},
          {"type": "checkbox", "label": "Hot"}]


@pytest.fixture
def lead(app, people, create):
    key = make_entity(app, people.admin, label="Lead", fields=FIELDS)
    record_id = create(key, people.rep, name="Acme", next_step="Call", amount=100)
    return SimpleNamespace(key=key, id=record_id, edit=f"/records/{key}/{record_id}/edit")


def form_of(text: str) -> dict:
    """The hidden and typed values of the record form, as a browser would send them back."""
    values = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', text):
        values[name] = html.unescape(value)
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', text, re.S):
        values[name] = html.unescape(body).lstrip("\n")
    for attributes in re.findall(r"<input([^>]*)>", text):
        name = re.search(r'name="([^"]+)"', attributes)
        if 'type="checkbox"' in attributes and name:
            if re.search(r"\schecked\b", attributes):
                values.setdefault(name.group(1), "y")
            else:
                values.pop(name.group(1), None)
    values.pop("csrf_token", None)
    return values


def stored(app, lead) -> dict:
    with app.test_request_context():
        schema = get_entity(lead.key)
        record = schema.model.get_by_id(lead.id)
        return dict(record.custom)


def test_the_edit_form_carries_its_version(app, people, login, lead):
    page = login(people.rep).get(lead.edit)
    form = form_of(page.text)
    assert form["record-version"].isdigit() and int(form["record-version"]) > 0
    assert '"next_step":"Call"' in form["record-base"]


def test_two_people_changing_different_fields_both_keep_their_change(app, people, login, lead):
    rep, manager = login(people.rep), login(people.manager)
    mine, theirs = form_of(rep.get(lead.edit).text), form_of(manager.get(lead.edit).text)
    assert manager.post(lead.edit, data={**theirs, "next_step": "Send the quote"}).status_code == 302
    assert rep.post(lead.edit, data={**mine, "amount": "250"}).status_code == 302
    assert stored(app, lead)["next_step"] == "Send the quote"  # the rep's stale "Call" is not written back
    assert stored(app, lead)["amount"] == 250


def test_the_same_field_changed_by_both_is_refused_with_who_and_what(app, people, login, lead):
    rep, manager = login(people.rep), login(people.manager)
    mine, theirs = form_of(rep.get(lead.edit).text), form_of(manager.get(lead.edit).text)
    assert manager.post(lead.edit, data={**theirs, "next_step": "Send the quote", "hot": "y"}).status_code == 302
    refused = rep.post(lead.edit, data={**mine, "next_step": "Visit on Monday", "amount": "300"})
    assert refused.status_code == 409
    assert "Someone saved this record while you were editing it" in refused.text
    assert "Max Manager" in refused.text and "Send the quote" in refused.text  # who, and what
    again = form_of(refused.text)
    assert again["next_step"] == "Visit on Monday" and again["amount"] == "300"  # what the rep typed
    assert again.get("hot") == "y"  # the manager's change of a field the rep left alone
    assert stored(app, lead)["next_step"] == "Send the quote" and stored(app, lead)["amount"] == 100
    # Saving the form again keeps what the rep typed, and the manager's other change with it.
    assert rep.post(lead.edit, data=again).status_code == 302
    assert stored(app, lead) | {} == {**stored(app, lead), "next_step": "Visit on Monday", "amount": 300, "hot": True}


def test_htmx_gets_the_refused_form_as_a_fragment(app, people, login, lead):
    rep, manager = login(people.rep), login(people.manager)
    mine, theirs = form_of(rep.get(lead.edit).text), form_of(manager.get(lead.edit).text)
    manager.post(lead.edit, data={**theirs, "amount": "1"})
    rep.environ_base["HTTP_HX_REQUEST"] = "true"
    refused = rep.post(lead.edit, data={**mine, "amount": "2"})
    assert refused.status_code == 200 and "HX-Redirect" not in refused.headers
    assert refused.text.lstrip().startswith('<form id="record-form"')
    assert "Max Manager" in refused.text
    assert stored(app, lead)["amount"] == 1


def test_the_same_change_made_by_both_is_no_conflict(app, people, login, lead):
    rep, manager = login(people.rep), login(people.manager)
    mine, theirs = form_of(rep.get(lead.edit).text), form_of(manager.get(lead.edit).text)
    manager.post(lead.edit, data={**theirs, "amount": "7"})
    assert rep.post(lead.edit, data={**mine, "amount": "7"}).status_code == 302


def test_a_tampered_version_is_a_bad_request(app, people, login, lead):
    rep = login(people.rep)
    form = form_of(rep.get(lead.edit).text)
    assert rep.post(lead.edit, data={**form, "record-base": "[not json"}).status_code == 400
    assert rep.post(lead.edit, data={**form, "record-base": "[1, 2]"}).status_code == 400


def test_a_form_with_errors_keeps_the_version_it_was_made_from(app, people, login, lead):
    rep, manager = login(people.rep), login(people.manager)
    mine = form_of(rep.get(lead.edit).text)
    manager.post(lead.edit, data={**form_of(manager.get(lead.edit).text), "next_step": "Theirs"})
    wrong = rep.post(lead.edit, data={**mine, "name": "", "next_step": "Mine"})  # the name is required
    assert wrong.status_code == 400
    kept = form_of(wrong.text)
    assert kept["record-base"] == mine["record-base"] and kept["record-version"] == mine["record-version"]
    assert rep.post(lead.edit, data={**kept, "name": "Acme"}).status_code == 409


# -- real parallel requests against a served app ---------------------------------------------------


class Browser:
    """A person's browser over real HTTP: cookies, the CSRF token, no redirects followed."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  self._NoRedirect)

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=60) as response:
            text = response.read().decode()
        self.token = re.search(r'<meta name="csrf-token" content="([^"]+)"', text).group(1)
        return text

    def post(self, path: str, data: dict) -> int:
        body = urllib.parse.urlencode({**data, "csrf_token": self.token}, doseq=True).encode()
        try:
            with self.opener.open(self.base + path, body, timeout=60) as response:
                return response.status
        except urllib.error.HTTPError as answer:
            return answer.code

    def sign_in(self, email: str) -> Browser:
        self.get("/login")
        assert self.post("/login", {"email": email, "password": PASSWORD}) == 302
        return self


@pytest.fixture
def served(app):
    with serve_over_http(app) as url:
        yield url


def in_parallel(calls) -> list:
    results = [None] * len(calls)
    start = threading.Barrier(len(calls))

    def run(index, call):
        start.wait()
        results[index] = call()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_parallel_saves_of_the_same_field_let_exactly_one_win(app, people, lead, served):
    browsers = [Browser(served).sign_in(user.email) for user in (people.rep, people.manager, people.admin)]
    forms = [form_of(b.get(lead.edit)) for b in browsers]
    answers = in_parallel([lambda b=b, f=f, n=n: b.post(lead.edit, {**f, "next_step": f"Step {n}"})
                           for n, (b, f) in enumerate(zip(browsers, forms))])
    assert sorted(answers) == [302, 409, 409]
    winner = answers.index(302)
    assert stored(app, lead)["next_step"] == f"Step {winner}"
    with app.app_context():
        saved = AuditEntry.select().where(AuditEntry.entity == lead.key, AuditEntry.record_id == lead.id,
                                          AuditEntry.action == "update")
        assert [entry.changes["next_step"][1] for entry in saved] == [f"Step {winner}"]


def test_parallel_saves_of_different_fields_all_land(app, people, lead, served):
    browsers = [Browser(served).sign_in(user.email) for user in (people.rep, people.manager, people.admin)]
    forms = [form_of(b.get(lead.edit)) for b in browsers]
    changes = [{"next_step": "Demo"}, {"amount": "999"}, {"hot": "y"}]
    answers = in_parallel([lambda b=b, f=f, c=c: b.post(lead.edit, {**f, **c}) for b, f, c in zip(browsers, forms, changes)])
    assert answers == [302, 302, 302]
    assert {k: stored(app, lead).get(k) for k in ("next_step", "amount", "hot")} == {"next_step": "Demo", "amount": 999, "hot": True}


# -- stages and field definitions -----------------------------------------------------------------


@pytest.fixture
def two_admins(app, people, login):
    from core.auth import hash_password
    from core.models import ADMIN, User

    with app.app_context():
        other = User.create(email="admin2@example.com", name="Bea Admin", role=ADMIN, password_hash=hash_password(PASSWORD))
    return login(people.admin), login(other)


@pytest.fixture
def stage(app, people, two_admins):
    from core.lowcode.models import Process, Stage

    key = make_entity(app, people.admin, label="Lead", fields=FIELDS)
    assert two_admins[0].post("/admin/processes/new", data={"label": "Sales", "entity": key}).status_code == 302
    with app.app_context():
        process = Process.get(Process.entity == key)
        new = Stage.get(Stage.process == process, Stage.key == "new")
    return SimpleNamespace(id=new.id, editor=f"/admin/processes/{process.id}?stage={new.id}",
                           save=f"/admin/processes/{process.id}/stages/{new.id}")


def stage_form(text: str) -> dict:
    form = form_of(text)
    form["kind"] = re.search(r'name="kind">.*?<option value="(\w+)" selected', text, re.S).group(1)
    form["color"] = re.search(r'name="color">.*?<option value="(\w+)" selected', text, re.S).group(1)
    form.pop("needs_approval", None)
    return {name: value for name, value in form.items() if name not in ("order", "restore", "into")}


def stage_now(app, stage):
    from core.lowcode.models import Stage

    with app.app_context():
        return Stage.get_by_id(stage.id)


def test_two_admins_changing_different_settings_of_a_stage_both_keep_them(app, two_admins, stage):
    ada, bea = two_admins
    mine, theirs = stage_form(ada.get(stage.editor).text), stage_form(bea.get(stage.editor).text)
    assert "stage-version" in mine and "stage-base" in mine
    assert bea.post(stage.save, data={**theirs, "label-en": "Qualified"}).status_code == 302
    assert ada.post(stage.save, data={**mine, "probability": "35"}).status_code == 302
    now = stage_now(app, stage)
    assert now.label == "Qualified" and now.probability == 35  # Ada's stale "New" is not written back


def test_a_stage_renamed_by_both_is_refused_with_who_and_what(app, two_admins, stage):
    ada, bea = two_admins
    mine, theirs = stage_form(ada.get(stage.editor).text), stage_form(bea.get(stage.editor).text)
    assert bea.post(stage.save, data={**theirs, "label-en": "Qualified", "probability": "20"}).status_code == 302
    refused = ada.post(stage.save, data={**mine, "label-en": "Contacted"})
    assert refused.status_code == 409
    assert "Someone saved this stage while you were editing it" in refused.text
    assert "Bea Admin" in refused.text and "Qualified" in refused.text
    again = stage_form(refused.text)
    assert again["label-en"] == "Contacted" and again["probability"] == "20"
    assert stage_now(app, stage).label == "Qualified"
    assert ada.post(stage.save, data=again).status_code == 302
    now = stage_now(app, stage)
    assert now.label == "Contacted" and now.probability == 20


def test_two_admins_renaming_a_field_the_second_is_refused(app, people, two_admins):
    key = make_entity(app, people.admin, label="Lead", fields=FIELDS)
    ada, bea = two_admins
    editor = f"/admin/entities/{key}/fields?field=next_step"

    def field_form(text):
        return form_of(re.search(r'<form id="field-editor-form".*?</form>', text, re.S).group(0))

    mine, theirs = field_form(ada.get(editor).text), field_form(bea.get(editor).text)
    assert "field-version" in mine and "field-base" in mine
    save = f"/admin/entities/{key}/fields/next_step"
    assert bea.post(save, data={**theirs, "label-en": "Next action"}).status_code == 302
    assert ada.post(save, data={**mine, "help": "What happens next"}).status_code == 302  # another setting: kept
    refused = ada.post(save, data={**mine, "label-en": "Next move"})
    assert refused.status_code == 409
    assert "Someone saved this field while you were editing it" in refused.text and "Bea Admin" in refused.text
    with app.test_request_context():
        spec = get_entity(key).field("next_step")
        assert str(spec.label) == "Next action" and spec.help == "What happens next"
