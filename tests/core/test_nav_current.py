"""The navigation marks one entry as the current page: the one whose address the page's is under
most closely (Data health under Reports' /analytics/, Sales numbers under the board's /pipeline/)."""
import re

import pytest


@pytest.mark.parametrize("path, current", [("/analytics/health", "/analytics/health"), ("/analytics/", "/analytics/"),
                                           ("/analytics/trend", "/analytics/"), ("/pipeline/numbers", "/pipeline/numbers"),
                                           ("/pipeline/numbers/products", "/pipeline/numbers")])
def test_one_entry_is_the_current_page(app, people, login, path, current):
    page = login(people.manager).get(path).text
    assert re.findall(r'<a href="([^"]+)" aria-current="page"', page) == [current]
