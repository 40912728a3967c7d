"""The upload size limit in Chromium: a file over it is refused with a message before anything is
sent (the server would answer 413 and the browser might show a broken connection)."""
import re

import pytest
from playwright.sync_api import expect

from .test_shell import sign_in

pytestmark = pytest.mark.browser


def test_an_oversized_file_is_refused_before_it_is_sent(page, live_server):
    live_server.app.config["MAX_CONTENT_LENGTH"] = 2048
    sign_in(page, "rep@example.com")
    page.goto("/records/pipeline.customer/import")
    expect(page.locator("#file-help")).to_contain_text("Files up to 2 KB.")
    sent = []
    page.on("request", lambda request: sent.append(request.url) if request.method == "POST" else None)

    page.set_input_files("#file", files=[{"name": "big.csv", "mimeType": "text/csv", "buffer": b"Name\n" + b"x" * 4096}])
    message = page.get_by_role("alert").filter(has_text="too large")
    expect(message).to_have_text("This file is too large. Files up to 2 KB can be uploaded.")
    page.get_by_role("button", name="Upload").click()
    expect(message).to_be_visible()

    page.set_input_files("#file", files=[{"name": "small.csv", "mimeType": "text/csv", "buffer": b"Name\nAcme\n"}])
    expect(message).to_be_hidden()
    page.get_by_role("button", name="Upload").click()
    expect(page).to_have_url(re.compile(r"/records/pipeline\.customer/import/[0-9a-f]+$"))
    assert len(sent) == 1, sent  # the small file's; the big one never left the browser
