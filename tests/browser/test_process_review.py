"""The process review in Chromium, on SQLite and PostgreSQL: the manager reads it and sees the
stage it flags; following the flag's link opens the process editor with the merge chosen, and
the stage is merged."""
from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from core.lowcode.models import Stage
from tests.analytics.test_process_review import build, stages

from .test_shell import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def served(app, people):
    """The test's app (on each database of the `app` fixture) over real HTTP."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield SimpleNamespace(url=f"http://127.0.0.1:{server.server_port}", app=app, people=people)
    server.shutdown()
    thread.join()


@pytest.fixture
def tab(browser, served):
    context = browser.new_context(base_url=served.url, viewport={"width": 1280, "height": 800})
    found = context.new_page()
    problems: list[str] = []
    found.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    found.on("pageerror", lambda error: problems.append(str(error)))
    yield found
    context.close()
    assert not problems, f"the browser reported errors: {problems}"


def test_a_manager_reads_the_review_and_the_flagged_stage_is_merged(tab, served):
    people = served.people
    quarter, _base = build(served.app, people)
    ids = stages(served.app)
    sign_in(tab, "manager@example.com")
    tab.goto("/analytics/process")
    tab.get_by_label("Quarter").select_option(quarter.key)
    tab.get_by_role("button", name="Show the review").click()
    flagged = tab.locator(f"#process-stage-{ids['first_contact']}")
    expect(flagged).to_contain_text("Candidate to merge")
    expect(tab.locator("#process-flags")).to_contain_text("100% of 6 records went on")
    expect(tab.locator("#process-flags")).to_contain_text("An admin changes stages in the process editor.")
    tab.get_by_role("button", name="Sign out").click()
    expect(tab).to_have_url(served.url + "/login")
    sign_in(tab, "admin@example.com")  # the admin leads teams too, and edits processes
    tab.goto(f"/analytics/process?quarter={quarter.key}")
    expect(tab.locator(f"#process-stage-{ids['first_contact']}")).to_contain_text("Candidate to merge")
    tab.locator("#process-flags").get_by_role("link", name="Merge it in the process editor").click()
    expect(tab.get_by_label("Merge into")).to_have_value(str(ids["discovery"]))
    tab.once("dialog", lambda dialog: dialog.accept())
    tab.get_by_role("button", name="Merge", exact=True).click()
    expect(tab.locator(".flash-success")).to_contain_text("is merged into")
    with served.app.app_context():
        merged = Stage.get_by_id(ids["first_contact"])
        assert merged.archived_at is not None and merged.merged_into_id == ids["discovery"]
    tab.goto(f"/analytics/process?quarter={quarter.key}")
    expect(tab.locator(f"#process-stage-{ids['discovery']}")).to_be_visible()
    expect(tab.locator(f"#process-stage-{ids['first_contact']}")).to_have_count(0)
