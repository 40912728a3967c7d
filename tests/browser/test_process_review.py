"""The process review in Chromium, on SQLite and PostgreSQL: the manager reads it and sees the
stage it flags; following the flag's link opens the process editor with the merge chosen, and
the stage is merged."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from core.lowcode.models import Stage
from tests.analytics.test_process_review import build, stages

from .test_shell import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def live_server(served):
    """This module's pages run on both databases."""
    return served


def test_a_manager_reads_the_review_and_the_flagged_stage_is_merged(page, served):
    people = served.people
    quarter, _base = build(served.app, people)
    ids = stages(served.app)
    sign_in(page, "manager@example.com")
    page.goto("/analytics/process")
    page.get_by_label("Quarter").select_option(quarter.key)
    page.get_by_role("button", name="Show the review").click()
    flagged = page.locator(f"#process-stage-{ids['first_contact']}")
    expect(flagged).to_contain_text("Candidate to merge")
    expect(page.locator("#process-flags")).to_contain_text("100% of 6 records went on")
    expect(page.locator("#process-flags")).to_contain_text("An admin changes stages in the process editor.")
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(served.url + "/login")
    sign_in(page, "admin@example.com")  # the admin leads teams too, and edits processes
    page.goto(f"/analytics/process?quarter={quarter.key}")
    expect(page.locator(f"#process-stage-{ids['first_contact']}")).to_contain_text("Candidate to merge")
    page.locator("#process-flags").get_by_role("link", name="Merge it in the process editor").click()
    expect(page.get_by_label("Merge into")).to_have_value(str(ids["discovery"]))
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Merge", exact=True).click()
    expect(page.locator(".flash-success")).to_contain_text("is merged into")
    with served.app.app_context():
        merged = Stage.get_by_id(ids["first_contact"])
        assert merged.archived_at is not None and merged.merged_into_id == ids["discovery"]
    page.goto(f"/analytics/process?quarter={quarter.key}")
    expect(page.locator(f"#process-stage-{ids['discovery']}")).to_be_visible()
    expect(page.locator(f"#process-stage-{ids['first_contact']}")).to_have_count(0)
