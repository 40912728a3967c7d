"""Follow-ups after this week: listed soonest first, a page at a time, and narrowed to a range of
days (the range narrows the other lists too)."""
import datetime
import re

from core.db import utcnow
from plugins.pipeline.followups import LATER_PAGE_SIZE


def section(page: str, key: str) -> str:
    start = page.index(f"followups-{key}")
    end = page.find('<section class="card followups-', start + 1)
    return page[start:end if end > 0 else None]


def subjects(html: str) -> list[str]:
    return re.findall(r'<a href="/pipeline/customers/\d+">([^<]+)</a>', html)


def test_follow_ups_after_this_week_are_listed_a_page_at_a_time(pipe, people):
    acme = pipe.customer(people.rep, "Acme")
    now = utcnow()
    for n in range(LATER_PAGE_SIZE + 2):
        pipe.activity(people.rep, f"Later {n:02d}", customer=acme, due_at=now + datetime.timedelta(days=10 + n))
    pipe.activity(people.rep, "Next year", customer=acme, due_at=now + datetime.timedelta(days=400))
    pipe.activity(people.colleague, "Colleague's", customer=pipe.customer(people.colleague, "Beta"),
                  due_at=now + datetime.timedelta(days=12))

    first = pipe.rep.get("/pipeline/followups").text
    later = section(first, "later")
    assert f"({LATER_PAGE_SIZE + 3})" in later
    assert subjects(later) == [f"Later {n:02d}" for n in range(LATER_PAGE_SIZE)]
    assert "Colleague" not in first
    assert 'href="/pipeline/followups?page=2"' in later
    second = section(pipe.rep.get("/pipeline/followups?page=2").text, "later")
    assert subjects(second) == [f"Later {n:02d}" for n in range(LATER_PAGE_SIZE, LATER_PAGE_SIZE + 2)] + ["Next year"]
    # A manager's team list has them too.
    assert "Colleague&#39;s" in section(pipe.manager.get("/pipeline/followups?who=team").text, "later")


def test_follow_ups_are_narrowed_to_a_range_of_days(pipe, people):
    acme = pipe.customer(people.rep, "Acme")
    pipe.activity(people.rep, "In March", customer=acme, due_at=datetime.datetime(2031, 3, 10, 9, 0))
    pipe.activity(people.rep, "In April", customer=acme, due_at=datetime.datetime(2031, 4, 2, 9, 0))
    pipe.activity(people.rep, "Late call", customer=acme, due_at=utcnow() - datetime.timedelta(days=3))

    page = pipe.rep.get("/pipeline/followups?from=2031-03-01&to=2031-03-31").text
    assert subjects(section(page, "later")) == ["In March"]
    assert "Late call" not in section(page, "overdue")  # the range narrows every list
    assert 'name="from" value="2031-03-01"' in page and 'name="to" value="2031-03-31"' in page
    # Reversed, open-ended, or nonsense: still a page, never an error.
    assert subjects(section(pipe.rep.get("/pipeline/followups?from=2031-03-31&to=2031-03-01").text, "later")) == ["In March"]
    assert subjects(section(pipe.rep.get("/pipeline/followups?from=2031-04-01").text, "later")) == ["In April"]
    for query in ("from=yesterday&to=", "from=0001-01-01", "to=99999-01-01", "page=-3", "page=abc"):
        response = pipe.rep.get(f"/pipeline/followups?{query}")
        assert response.status_code == 200 and "In April" in response.text, query
