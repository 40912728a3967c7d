"""Imports as jobs on the task queue (huey, stored in the app's own database): run as their author,
checked with the record form's own validators, checked and imported outside the request, written
in batches other people's saves slip between, stalled jobs retried or cancelled, periodic tasks."""
from __future__ import annotations

import datetime
import io
import os
import re
import threading
import time
from types import SimpleNamespace

import pytest

from core import jobs
from core.db import utcnow
from core.lowcode import imports
from core.lowcode.entities import get_entity
from core.lowcode.models import IMPORT_PENDING, AuditEntry, CustomRecord, ImportedRecord, ImportJob
from core.testing import serve_over_http

from .conftest import make_entity, mapping_form

PIPELINE_CUSTOMER, PIPELINE_CONTACT, PIPELINE_DEAL = "pipeline.customer", "pipeline.contact", "pipeline.deal"
TOWN_FIELDS = [{"type": "text", "label": "Code", "unique": True}, {"type": "integer", "label": "Staff"}]


# -- helpers --------------------------------------------------------------------------------------


def upload(client, entity, data: bytes, filename="file.csv"):
    return client.post(f"/records/{entity}/import", data={"file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")



def check_file(client, entity, data: bytes, **choices):
    """Upload, keep the proposed mapping, ask for the check: (uid, the answer to the check)."""
    response = upload(client, entity, data)
    assert response.status_code == 302, response.text[:500]
    uid = re.search(r"/import/([0-9a-f]+)$", response.headers["Location"]).group(1)
    page = client.get(f"/records/{entity}/import/{uid}").text
    return uid, client.post(f"/records/{entity}/import/{uid}", data={**mapping_form(page), **choices})


def wait_for(condition, timeout=120.0, message="the job did not finish"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(message)


def job_of(app, uid) -> ImportJob:
    with app.app_context():
        return ImportJob.get(ImportJob.uid == uid)


def customer(app, owner, name, **values):
    from core.lowcode import records

    with app.test_request_context():
        record, _changes = records.save(get_entity(PIPELINE_CUSTOMER), owner, {"name": name, **values})
        return record.id


class Browser:
    """A signed-in HTTP client of a served app (requests-free: urllib with a cookie jar)."""

    def __init__(self, url, email, password="correct-horse-battery"):
        import http.cookiejar
        import urllib.request

        self.url = url
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  _NoRedirect())
        self.post("/login", {"email": email, "password": password})

    def token(self) -> str:
        for path in ("/", "/login"):  # signed in, /login redirects; signed out, / does
            found = re.search(r'<meta name="csrf-token" content="([^"]+)"', self.get(path)[1])
            if found:
                return found.group(1)
        raise AssertionError("no page carries a CSRF token")

    def get(self, path):
        import urllib.error

        try:
            with self.opener.open(self.url + path, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def post(self, path, data: dict):
        import urllib.error
        import urllib.parse

        body = urllib.parse.urlencode({"csrf_token": self.token(), **data}).encode()
        try:
            with self.opener.open(self.url + path, data=body, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


def _NoRedirect():
    import urllib.request

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    return NoRedirect()


# -- 1. the run has its author: link columns --------------------------------------------------------


def test_deals_and_contacts_with_a_customer_column_are_imported(app, login, people):
    from plugins.pipeline.models import Contact, Deal

    acme = customer(app, people.rep, "Acme Ltd")
    rep = login(people.rep)
    uid, checked = check_file(rep, PIPELINE_DEAL, b"Deal,Customer,Amount\nBig order,Acme Ltd,1200\n")
    assert "1 row is ready to import." in checked.text, checked.text
    rep.post(f"/records/{PIPELINE_DEAL}/import/{uid}/run")
    assert "1 created" in rep.get(f"/records/{PIPELINE_DEAL}/import/{uid}/progress").text
    uid, checked = check_file(rep, PIPELINE_CONTACT, b"Name,Customer,Email\nAnn Lee,Acme Ltd,ann@acme.example\n")
    assert "1 row is ready to import." in checked.text, checked.text
    rep.post(f"/records/{PIPELINE_CONTACT}/import/{uid}/run")
    assert "1 created" in rep.get(f"/records/{PIPELINE_CONTACT}/import/{uid}/progress").text
    with app.app_context():
        deal = Deal.get(Deal.name == "Big order")
        contact = Contact.get(Contact.name == "Ann Lee")
        assert (deal.customer_id, deal.owner_id, contact.customer_id) == (acme, people.rep.id, acme)


def test_a_link_to_a_record_the_author_cannot_see_is_a_row_error(app, login, people):
    customer(app, people.outsider, "Hidden Co")
    rep = login(people.rep)
    _uid, checked = check_file(rep, PIPELINE_DEAL, b"Deal,Customer\nSneaky,Hidden Co\n")
    assert "No record is called Hidden Co." in checked.text


# -- 2. one validation for forms and imports --------------------------------------------------------


def test_the_check_uses_the_record_forms_validators_and_writes_nothing(app, login, people):
    from plugins.pipeline.models import Customer

    rep = login(people.rep)
    long_name = "N" * 500
    data = f"Company name,Email\nGood Co,good@example.com\n{long_name},ok@example.com\nBad Mail,not-an-email\nDots,a@example..com\n"
    uid, checked = check_file(rep, PIPELINE_CUSTOMER, data.encode())
    assert "3 problems: nothing can be imported yet" in checked.text, checked.text
    lines = {(int(line), column) for line, column in
             re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td>", checked.text)}
    assert lines == {(3, "Company name"), (4, "Email"), (5, "Email")}
    assert "Field cannot be longer than 200 characters." in checked.text
    assert "Invalid email address." in checked.text
    refused = rep.post(f"/records/{PIPELINE_CUSTOMER}/import/{uid}/run", follow_redirects=True)
    assert "nothing was imported" in refused.text
    with app.app_context():
        assert Customer.select().count() == 0
    # The record form refuses the same values with the same messages.
    form = rep.post(f"/records/{PIPELINE_CUSTOMER}/new", data={"name": "Bad Mail", "email": "not-an-email"})
    assert form.status_code == 400 and "Invalid email address." in form.text


def test_a_base_column_longer_than_its_database_column_is_refused(app, login, people):
    from plugins.pipeline.models import Customer

    rep = login(people.rep)
    _uid, checked = check_file(rep, PIPELINE_CUSTOMER, f"Company name,Tags\nTagged,{'t' * 300}\n".encode())
    assert "1 problem: nothing can be imported yet" in checked.text
    with app.app_context():
        assert Customer.select().count() == 0


def test_a_unique_value_twice_in_one_file_is_a_row_error(app, login, people):
    town = make_entity(app, people.admin, "Town", TOWN_FIELDS)
    rep = login(people.rep)
    _uid, checked = check_file(rep, town, b"Name,Code,Staff\nAlpha,AA1,1\nBeta,AA1,2\n")
    assert "Another row of the file has this Code." in checked.text


# -- 3. jobs on the queue: the check and the import leave the request --------------------------------


def test_a_large_check_is_a_job_not_part_of_the_request(make_app, people, login):
    app = make_app(JOBS_IMMEDIATE=False)
    rep = login(people.rep, to=app)
    town = make_entity(app, people.admin, "Town", TOWN_FIELDS)
    lines = ["Name,Code,Staff"] + [f"Town {n},C{n},{n}" for n in range(50_000)]
    uid, answer = check_file(rep, town, "\n".join(lines).encode())
    assert answer.status_code == 200
    assert "Checking the file" in answer.text and "ready to import" not in answer.text
    job = job_of(app, uid)
    assert job.status == imports.CHECKING and job.report == {}
    with app.app_context():
        assert jobs.huey_of(app).pending_count() == 1  # waiting for a worker, in the database


def test_check_and_import_run_in_a_worker_subprocess(make_app, people, login, database_url, tmp_path):
    import subprocess
    import sys

    app = make_app(JOBS_IMMEDIATE=False)
    rep = login(people.rep, to=app)
    acme = customer(app, people.rep, "Acme Ltd")
    env = {**os.environ, "SALESDECK_DATABASE_URL": database_url, "SALESDECK_INSTANCE_PATH": str(tmp_path / "instance"),
           "SALESDECK_SECRET_KEY": "test-secret", "SALESDECK_LOAD_ENTRYPOINTS": "false"}
    worker = subprocess.Popen([sys.executable, "-m", "core.cli", "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        uid, answer = check_file(rep, PIPELINE_DEAL, b"Deal,Customer\nFirst,Acme Ltd\nSecond,Acme Ltd\n")
        assert "Checking the file" in answer.text
        wait_for(lambda: job_of(app, uid).status == imports.CHECKED)
        assert "2 rows are ready to import." in rep.get(f"/records/{PIPELINE_DEAL}/import/{uid}").text
        rep.post(f"/records/{PIPELINE_DEAL}/import/{uid}/run")
        wait_for(lambda: job_of(app, uid).status == imports.DONE)
        assert "2 created" in rep.get(f"/records/{PIPELINE_DEAL}/import/{uid}/progress").text
    finally:
        worker.terminate()
        _out, errors = worker.communicate(timeout=30)
    from plugins.pipeline.models import Deal

    with app.app_context():
        assert sorted((d.name, d.customer_id) for d in Deal.select()) == [("First", acme), ("Second", acme)]
    assert worker.returncode is not None and b"Traceback" not in errors, errors.decode()[-2000:]


def _children(pid: int) -> dict[int, str]:
    """The child processes of `pid` and their command lines (Linux /proc)."""
    found = {}
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as handle:
            for child in handle.read().split():
                with open(f"/proc/{child}/cmdline", "rb") as cmdline:
                    found[int(child)] = cmdline.read().replace(b"\0", b" ").decode()
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(") ", 1)[1][0] != "Z"
    except FileNotFoundError:
        return False


def test_serve_runs_a_job_worker_beside_the_web_server_and_both_stop_together(make_app, people, login, database_url, tmp_path):
    import signal
    import socket
    import subprocess
    import sys
    import urllib.request

    app = make_app(JOBS_IMMEDIATE=False)
    rep = login(people.rep, to=app)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "SALESDECK_DATABASE_URL": database_url, "SALESDECK_INSTANCE_PATH": str(tmp_path / "instance"),
           "SALESDECK_SECRET_KEY": "test-secret", "SALESDECK_LOAD_ENTRYPOINTS": "false"}
    server = subprocess.Popen([sys.executable, "-m", "core.cli", "serve", "--port", str(port), "--workers", "1"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: _answers(urllib.request, f"http://127.0.0.1:{port}/login"), message="the server did not start")
        workers = wait_for(lambda: [pid for pid, line in _children(server.pid).items() if " worker" in line],
                           message="serve started no job worker")
        town = make_entity(app, people.admin, "Town", TOWN_FIELDS)
        uid, answer = check_file(rep, town, b"Name,Code,Staff\nAlpha,AA1,1\n")
        assert "Checking the file" in answer.text
        wait_for(lambda: job_of(app, uid).status == imports.CHECKED)  # done by serve's worker
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    wait_for(lambda: not any(_alive(pid) for pid in workers), timeout=60, message="the job worker outlived the server")


def _answers(urllib_request, url) -> bool:
    try:
        with urllib_request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def _stall(app, uid, status=imports.RUNNING):
    """What a worker that died leaves behind: the job running, an old heartbeat, a record written
    but not made live."""
    with app.app_context():
        job = ImportJob.get(ImportJob.uid == uid)
        old = utcnow() - datetime.timedelta(hours=1)
        ImportJob.update(status=status, attempt=ImportJob.attempt + 1, heartbeat_at=old,
                         started_at=old).where(ImportJob.id == job.id).execute()
        job = ImportJob.get_by_id(job.id)
        ghost = CustomRecord.create(entity=job.entity, owner=job.user_id, custom={"name": "Ghost", "code": "GHOST"},
                                    deleted_at=IMPORT_PENDING)
        ImportedRecord.create(job=job, attempt=job.attempt, entity=job.entity, record_id=ghost.id)
        return ghost.id


def test_a_stalled_import_can_be_retried_by_its_author(app, login, people):
    town = make_entity(app, people.admin, "Town", TOWN_FIELDS)
    rep = login(people.rep)
    uid, checked = check_file(rep, town, b"Name,Code,Staff\nAlpha,AA1,1\nBeta,BB2,2\n")
    assert "2 rows are ready to import." in checked.text
    ghost = _stall(app, uid)
    page = rep.get(f"/records/{town}/import/{uid}/progress").text
    assert "stopped responding" in page and "every 1s" not in page
    assert f"/records/{town}/import/{uid}/retry" in page and f"/records/{town}/import/{uid}/cancel" in page
    other = login(people.colleague)
    assert other.post(f"/records/{town}/import/{uid}/retry").status_code == 404
    rep.post(f"/records/{town}/import/{uid}/retry")
    assert "2 created" in rep.get(f"/records/{town}/import/{uid}/progress").text
    with app.app_context():
        assert sorted(r.custom["code"] for r in CustomRecord.select()) == ["AA1", "BB2"]  # the ghost is gone
        assert not AuditEntry.select().where(AuditEntry.record_id == ghost, AuditEntry.title == "Ghost").exists()
        assert ImportedRecord.select().count() == 0


def test_a_stalled_import_can_be_cancelled_and_leaves_nothing(app, login, people):
    town = make_entity(app, people.admin, "Town", TOWN_FIELDS)
    rep = login(people.rep)
    uid, _checked = check_file(rep, town, b"Name,Code,Staff\nAlpha,AA1,1\n")
    ghost = _stall(app, uid)
    assert login(people.colleague).post(f"/records/{town}/import/{uid}/cancel").status_code == 404
    rep.post(f"/records/{town}/import/{uid}/cancel")
    page = rep.get(f"/records/{town}/import/{uid}/progress").text
    assert "cancelled" in page and "/retry" not in page
    with app.app_context():
        assert job_of(app, uid).status == imports.CANCELLED
        assert CustomRecord.select().count() == 0  # the ghost included
        assert not AuditEntry.select().where(AuditEntry.record_id == ghost).exists()
    assert rep.post(f"/records/{town}/import/{uid}/run").status_code in (302, 303)
    with app.app_context():
        assert CustomRecord.select().count() == 0  # a cancelled job does not start again


def test_records_an_import_has_not_made_live_show_nowhere(app, login, people):
    town = make_entity(app, people.admin, "Town", TOWN_FIELDS)
    rep = login(people.rep)
    uid, _checked = check_file(rep, town, b"Name,Code,Staff\nAlpha,AA1,1\n")
    ghost = _stall(app, uid)
    admin = login(people.admin)
    for page in (admin.get(f"/records/{town}/").text, admin.get(f"/records/{town}/?deleted=1").text,
                 rep.get(f"/records/{town}/").text):
        assert "Ghost" not in page
    assert admin.get(f"/records/{town}/{ghost}").status_code == 404
    assert admin.get(f"/records/{town}/{ghost}?deleted=1").status_code == 404


def test_a_stalled_check_is_shown_and_can_be_retried(app, login, people):
    town = make_entity(app, people.admin, "Town", TOWN_FIELDS)
    rep = login(people.rep)
    uid, _checked = check_file(rep, town, b"Name,Code,Staff\nAlpha,AA1,1\n")
    _stall(app, uid, status=imports.CHECKING)
    page = rep.get(f"/records/{town}/import/{uid}").text
    assert "stopped responding" in page and f"/records/{town}/import/{uid}/retry" in page
    rep.post(f"/records/{town}/import/{uid}/retry")
    page = rep.get(f"/records/{town}/import/{uid}").text
    assert "1 row is ready to import." in page, page[page.find("<main"):]


def test_jobs_abandoned_for_a_day_are_cancelled_by_the_hourly_task(app, login, people):
    town = make_entity(app, people.admin, "Town", TOWN_FIELDS)
    rep = login(people.rep)
    uid, _checked = check_file(rep, town, b"Name,Code,Staff\nAlpha,AA1,1\n")
    _stall(app, uid)
    huey = jobs.huey_of(app)
    hourly = [task for task in huey.read_periodic(datetime.datetime(2026, 3, 2, 5, 17))
              if task.name == "salesdeck.cancel_abandoned_imports"]
    huey.execute(hourly[0])
    assert job_of(app, uid).status == imports.RUNNING  # an hour of silence: still the author's to decide
    with app.app_context():
        ImportJob.update(heartbeat_at=utcnow() - datetime.timedelta(days=2)).where(ImportJob.uid == uid).execute()
    huey.execute(hourly[0])
    assert job_of(app, uid).status == imports.CANCELLED
    with app.app_context():
        assert CustomRecord.select().count() == 0


def test_a_duplicate_key_twice_in_one_file_is_a_row_error(app, login, people):
    town = make_entity(app, people.admin, "Town", [{"type": "text", "label": "Code"}])
    rep = login(people.rep)
    _uid, checked = check_file(rep, town, b"Name,Code\nAlpha,AA1\nBeta,AA1\n", key_field="code", on_duplicate="update")
    assert "Another row of the file has this Code." in checked.text


def test_a_check_that_fails_tells_its_author_why(app, login, people):
    from core.lowcode import transfer

    town = make_entity(app, people.admin, "Town", TOWN_FIELDS)
    rep = login(people.rep)
    uid = re.search(r"/import/([0-9a-f]+)$", upload(rep, town, b"Name,Code\nAlpha,AA1\n").headers["Location"]).group(1)
    with app.test_request_context():
        transfer._file_of(job_of(app, uid)).unlink()  # lost between the upload and the check
        job = job_of(app, uid)
        imports.check_file(job)
    assert job_of(app, uid).status == imports.FAILED
    shown = rep.get(f"/records/{town}/import/{uid}", follow_redirects=True).text
    assert "The uploaded file is no longer here; upload it again." in shown


def test_a_running_job_with_a_fresh_heartbeat_is_not_stalled(app, login, people):
    town = make_entity(app, people.admin, "Town", TOWN_FIELDS)
    rep = login(people.rep)
    uid, _checked = check_file(rep, town, b"Name,Code,Staff\nAlpha,AA1,1\n")
    with app.app_context():
        ImportJob.update(status=imports.RUNNING, heartbeat_at=utcnow()).where(ImportJob.uid == uid).execute()
    page = rep.get(f"/records/{town}/import/{uid}/progress").text
    assert "every 1s" in page and "stopped responding" not in page
    assert rep.post(f"/records/{town}/import/{uid}/retry").status_code in (302, 303)
    assert job_of(app, uid).status == imports.RUNNING  # nothing to retry


# -- 4. batches: other people's saves go through while an import runs --------------------------------


@pytest.fixture
def served(make_app, people):
    """The app served over real HTTP on a free port, with a real huey consumer thread."""
    app = make_app(JOBS_IMMEDIATE=False, IMPORT_BATCH_SIZE=40, IMPORT_BATCH_PAUSE=0.2)
    consumer = jobs.consumer(app, workers=1)
    consumer._set_signal_handlers = lambda: None  # the test runner keeps its own signals
    consumer.start()
    with serve_over_http(app) as url:
        try:
            yield SimpleNamespace(app=app, url=url)
        finally:
            consumer.stop(graceful=True)


def _import_while_saving(served, people, rows: list[str], prepare=None):
    """Run an import of `rows` on the served app while a colleague saves records through HTTP in
    three threads. Returns (entity, job, the saves' statuses, for each save whether the import was
    still running when it came back, the imported records anyone could list while it ran)."""
    app = served.app
    town = make_entity(app, people.admin, "Town", TOWN_FIELDS)
    if prepare is not None:
        prepare(town)
    with app.app_context():
        schema = get_entity(town)
    client = app.test_client()  # the upload and the mapping: multipart is simpler with Flask's client
    client.login(people.rep)
    uid, _checked = check_file(client, town, ("Name,Code,Staff\n" + "\n".join(rows)).encode())
    wait_for(lambda: job_of(app, uid).status == imports.CHECKED)
    saves: list[int] = []
    during: list[bool] = []
    seen_while_running: list[int] = []

    def colleague_saves(number):
        browser = Browser(served.url, people.colleague.email)
        for index in range(4):
            status, _text = browser.post(f"/records/{town}/new", {"name": f"Saved {number}-{index}", "code": f"S{number}-{index}",
                                                                  "staff": "1"})
            saves.append(status)
            during.append(job_of(app, uid).status == imports.RUNNING)

    client.post(f"/records/{town}/import/{uid}/run")
    wait_for(lambda: job_of(app, uid).done > 0 or job_of(app, uid).status != imports.RUNNING)
    with app.app_context():
        visible = schema.query().where(schema.expression(schema.field("code")).startswith("I")).count()
    if job_of(app, uid).status == imports.RUNNING:
        seen_while_running.append(visible)
    threads = [threading.Thread(target=colleague_saves, args=(number,)) for number in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    job = wait_for(lambda: (found := job_of(app, uid)).status not in imports.WORKING and found)
    return town, job, saves, during, seen_while_running


def test_saves_go_through_while_a_large_import_runs(served, people):
    rows = [f"Imported {n},I{n},{n}" for n in range(1200)]
    town, job, saves, during, seen = _import_while_saving(served, people, rows)
    assert saves == [302] * 12  # every save of the colleague went through
    assert any(during), "no save came back while the import was running: each waited for all of it"
    assert seen in ([], [0])  # nothing of a running import shows
    assert job.status == imports.DONE and job.created == 1200
    with served.app.app_context():
        assert get_entity(town).query().count() == 1200 + 12
        assert ImportedRecord.select().count() == 0


def test_a_bad_row_near_the_end_leaves_nothing_while_others_save(served, people):
    from core.lowcode import records

    def taken(town):  # the last row's code belongs to a record the rep cannot see: it clashes on save
        with served.app.test_request_context():
            records.save(get_entity(town), people.outsider, {"name": "Taken", "code": "TAKEN"})

    rows = [f"Imported {n},I{n},{n}" for n in range(1200)] + ["Last,TAKEN,1"]
    town, job, saves, _during, _seen = _import_while_saving(served, people, rows, prepare=taken)
    assert saves == [302] * 12
    assert job.status == imports.FAILED and "already has this Code" in job.message
    with served.app.app_context():
        codes = [record.custom.get("code") for record in CustomRecord.select().where(CustomRecord.entity == town)]
        assert [code for code in codes if code.startswith("I")] == []  # pending ones included
        assert len(codes) == 1 + 12 and get_entity(town).query().count() == 13
        assert ImportedRecord.select().count() == 0


# -- 5. periodic work -------------------------------------------------------------------------------


def test_hook_register_periodic_tasks(make_app, monkeypatch, people):
    from plugins.pipeline import services

    calls = []
    monkeypatch.setattr(services, "return_stale_to_pool", lambda: calls.append("ran") or 0)
    app = make_app()
    huey = jobs.huey_of(app)
    def pool_task(when):  # the pipeline's nightly task among those due (the alerts' check runs every quarter of an hour)
        return [task for task in huey.read_periodic(when) if task.name.startswith("pipeline.")]

    due = pool_task(datetime.datetime(2026, 3, 2, 2, 30))
    assert [task.name for task in due] == ["pipeline.return_to_pool"]
    assert pool_task(datetime.datetime(2026, 3, 2, 3, 30)) == []
    huey.execute(due[0])
    assert calls == ["ran"]
    with app.app_context():
        from core.plugins import host_of

        host_of(app).set_enabled("pipeline", False)
    huey.execute(pool_task(datetime.datetime(2026, 3, 2, 2, 30))[0])
    assert calls == ["ran"]  # a plugin turned off does no periodic work
