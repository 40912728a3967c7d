"""The process review: per stage, from a stage history built move by move, the exact numbers
(entered, went on, median and 90th percentile days, skipped, came back, stuck) on SQLite and
PostgreSQL alike, within the reader's row scope; the flags; and the quarterly review record."""
from __future__ import annotations

import datetime
import re
import statistics

from playhouse.test_utils import count_queries

from core.lowcode import records
from core.lowcode.entities import get_entity
from core.lowcode.models import AuditEntry, Process, Stage, StageMove
from core.lowcode.processes import close_stays, ensure_defaults
from plugins.analytics import process as service
from plugins.analytics.models import ProcessReview
from plugins.pipeline.models import Deal


def make_deal(app, owner, name) -> int:
    with app.test_request_context():
        ensure_defaults()
        customer, _ = records.save(get_entity("pipeline.customer"), owner, {"name": f"Buyer of {name}"})
        made, _ = records.save(get_entity("pipeline.deal"), owner, {"name": name, "customer": customer.id, "amount": 100})
        return made.id


def sales_process(app) -> int:
    with app.test_request_context():
        ensure_defaults()
        return Process.get(Process.key == "pipeline.sales").id


def stages(app) -> dict:
    with app.app_context():
        return {stage.key: stage.id for stage in Stage.select().join(Process).where(Process.key == "pipeline.sales")}


def write_history(app, deal_id: int, owner, steps) -> None:
    """Replace a deal's stage history with `steps` ([(stage key, moment)]) and close its stays."""
    ids = stages(app)
    with app.test_request_context():
        StageMove.delete().where(StageMove.entity == "pipeline.deal", StageMove.record_id == deal_id).execute()
        previous = None
        for key, moment in steps:
            StageMove.create(entity="pipeline.deal", record_id=deal_id, from_stage=previous, to_stage=ids[key], user=owner.id, at=moment)
            previous = ids[key]
        Deal.update(stage=previous).where(Deal.id == deal_id).execute()
        close_stays("pipeline.deal", [deal_id])


def last_quarter(app) -> service.Quarter:
    with app.test_request_context():
        return service.current_quarter().previous()


def build(app, people) -> tuple[service.Quarter, datetime.datetime]:
    """Seven deals of the manager's team and one of an outsider, moved through the last quarter."""
    quarter = last_quarter(app)
    with app.test_request_context():
        base = quarter.bounds()[0] + datetime.timedelta(days=1)

    def day(number: float) -> datetime.datetime:
        return base + datetime.timedelta(days=number)

    owners = [people.rep] * 3 + [people.colleague] * 3
    after = ["follow_up", "follow_up", "follow_up", "follow_up", "lost", None]
    for number, (owner, then) in enumerate(zip(owners, after), start=1):
        discovery = 2 + 0.1 * number
        steps = [("development", day(0)), ("first_contact", day(2)), ("discovery", day(discovery))]
        if then:
            steps.append((then, day(discovery + 10 * number)))
        write_history(app, make_deal(app, owner, f"Deal {number}"), owner, steps)
    # Skips first contact and approval, comes back from follow-up to discovery.
    write_history(app, make_deal(app, people.colleague, "Deal 7"), people.colleague,
                  [("development", day(1)), ("discovery", day(3)), ("follow_up", day(5)), ("discovery", day(6)), ("signing", day(8))])
    # Not the manager's to see: a long first contact that would change its numbers.
    write_history(app, make_deal(app, people.outsider, "Outsider's deal"), people.outsider,
                  [("development", day(0)), ("first_contact", day(0.5)), ("discovery", day(80))])
    return quarter, base


def numbers_of(app, user, quarter) -> dict:
    with app.test_request_context():
        process = Process.get(Process.key == "pipeline.sales")
        return {row.stage_id: row for row in service.numbers(process, quarter, user)}


def test_numbers_per_stage_are_exact_on_every_database(app, people):
    quarter, _base = build(app, people)
    ids = stages(app)
    found = numbers_of(app, people.manager, quarter)
    development, first, discovery, follow = (found[ids[key]] for key in ("development", "first_contact", "discovery", "follow_up"))
    assert (development.entered, development.went_on, development.finished, development.median_days) == (7, 7, 7, 2.0)
    assert (first.entered, first.went_on, first.conversion, first.median_days, first.p90_days) == (6, 6, 100, 0.35, 0.55)
    assert first.skipped == 1 and found[ids["approval"]].skipped == 1 and discovery.skipped == 0
    # Discovery: stays of 2, 2 (deal 7, twice), 10, 20, 30, 40, 50 days ended; deal 6 is still there.
    durations = [2, 2, 10, 20, 30, 40, 50]
    assert discovery.median_days == statistics.median(durations) == 20
    assert discovery.p90_days == round(statistics.quantiles(durations, n=10, method="inclusive")[8], 2) == 44.0
    assert (discovery.entered, discovery.went_on, discovery.conversion, discovery.went_back, discovery.stalled) == (7, 5, 71, 1, 1)
    assert (follow.entered, follow.went_on, follow.stalled, follow.finished) == (5, 0, 4, 1)  # follow-up's limit: 5 days
    assert found[ids["signing"]].stalled == 1 and found[ids["lost"]].entered == 1 and found[ids["lost"]].conversion is None


def test_flags_name_the_pass_through_stage_and_the_longest_wait(app, people):
    quarter, _base = build(app, people)
    ids = stages(app)
    with app.test_request_context():
        process = Process.get(Process.key == "pipeline.sales")
        review = service.review(process, quarter, people.manager)
    assert [(flag.stage_id, flag.kind, flag.into) for flag in review.flags] == [
        (ids["first_contact"], "merge", ids["discovery"]), (ids["discovery"], "simplify", None)]
    assert "100% of 6 records went on; half left within 0.35 days." in review.flags[0].reason
    assert "20.0 days" in review.flags[1].reason and "44.0 days" in review.flags[1].reason


def test_rep_sees_the_numbers_of_their_own_deals_only(app, people, login):
    quarter, _base = build(app, people)
    ids = stages(app)
    found = numbers_of(app, people.rep, quarter)
    assert (found[ids["first_contact"]].entered, found[ids["discovery"]].entered, found[ids["follow_up"]].entered) == (3, 3, 3)
    outsider = numbers_of(app, people.outsider, quarter)
    assert outsider[ids["first_contact"]].entered == 1 and outsider[ids["first_contact"]].median_days == 79.5
    page = login(people.rep).get(f"/analytics/process?quarter={quarter.key}")
    assert page.status_code == 200
    assert "Save the review" not in page.text  # reps read the numbers, managers write reviews


def test_manager_page_shows_the_flags_and_links_admins_to_the_merge(app, people, login):
    quarter, _base = build(app, people)
    ids = stages(app)
    process = sales_process(app)
    page = login(people.manager).get(f"/analytics/process?quarter={quarter.key}").text
    row = re.search(rf'<tr id="process-stage-{ids["first_contact"]}"[^>]*>(.*?)</tr>', page, re.S).group(1)
    assert "Candidate to merge" in row and "<td class=\"amount\">6</td>" in row
    assert "An admin changes stages in the process editor." in page  # a manager cannot merge
    admin = login(people.admin).get(f"/analytics/process?quarter={quarter.key}").text
    link = f"/admin/processes/{process}?stage={ids['first_contact']}&amp;into={ids['discovery']}"
    assert link in admin
    editor = login(people.admin).get(link.replace("&amp;", "&")).text
    assert re.search(rf'<option value="{ids["discovery"]}" selected>', editor)


def test_the_page_costs_the_same_queries_however_many_deals(app, people, login):
    quarter = last_quarter(app)
    manager = login(people.manager)
    manager.get(f"/analytics/process?quarter={quarter.key}")
    with app.app_context(), count_queries() as few:
        assert manager.get(f"/analytics/process?quarter={quarter.key}").status_code == 200
    build(app, people)
    with app.app_context(), count_queries() as many:
        assert manager.get(f"/analytics/process?quarter={quarter.key}").status_code == 200
    assert many.count == few.count


def test_bad_choices_get_a_clear_4xx(app, people, login):
    manager = login(people.manager)
    assert manager.get("/analytics/process?quarter=2999-Q1").status_code == 400
    assert "Choose a quarter that has begun" in manager.get("/analytics/process?quarter=last").text
    assert manager.get("/analytics/process?process=999999").status_code == 404
    assert manager.get("/analytics/process?process=abc").status_code == 404
    assert manager.post("/analytics/process/reviews", data={"process": "999999", "quarter": "2026-Q1"}).status_code == 400
    with app.app_context():
        assert ProcessReview.select().count() == 0


def test_a_quarterly_review_keeps_its_numbers_and_shows_the_next_quarter_beside_them(app, people, login):
    quarter, _base = build(app, people)
    ids = stages(app)
    process = sales_process(app)
    manager = login(people.manager)
    saved = manager.post("/analytics/process/reviews", data={"process": process, "quarter": quarter.key,
                                                             "decisions": "Merge first contact into discovery."})
    assert saved.status_code == 302
    review_id = int(saved.headers["Location"].rsplit("/", 1)[1])
    again = manager.post("/analytics/process/reviews", data={"process": process, "quarter": quarter.key, "decisions": "Twice"})
    assert again.status_code == 400 and "You already reviewed this process" in again.text
    with app.app_context():
        review = ProcessReview.get_by_id(review_id)
        kept = {row["stage_id"]: row for row in review.numbers}
        assert kept[ids["first_contact"]]["entered"] == 6 and kept[ids["discovery"]]["median_days"] == 20.0
        assert AuditEntry.select().where(AuditEntry.entity == "analytics.process_review", AuditEntry.record_id == review_id).count() == 1
    make_deal(app, people.rep, "This quarter's deal")  # enters the first stage now: the next quarter's numbers
    page = manager.get(f"/analytics/process/reviews/{review_id}").text
    development = re.search(r"<tr><td>Customer development</td>(.*?)</tr>", page, re.S).group(1)
    entered = re.findall(r'<td class="amount">(.*?)</td>', development)[0]
    assert re.sub(r"<[^>]+>", "", entered) == "7 → 1 (-6)"
    assert "Merge first contact into discovery." in page


def test_saving_decisions_carries_the_version_and_refuses_a_stale_one(app, people, login):
    quarter = last_quarter(app)
    process = sales_process(app)
    manager = login(people.manager)
    review_id = int(manager.post("/analytics/process/reviews", data={"process": process, "quarter": quarter.key, "decisions": ""})
                    .headers["Location"].rsplit("/", 1)[1])
    url = f"/analytics/process/reviews/{review_id}"
    assert manager.post(url, data={"decisions": "First", "version": "1"}).status_code == 302
    stale = manager.post(url, data={"decisions": "Second", "version": "1"})
    assert stale.status_code == 409 and "Someone saved this review after you opened it" in stale.text
    too_long = manager.post(url, data={"decisions": "x" * 5001, "version": "2"})
    assert too_long.status_code == 400
    with app.app_context():
        review = ProcessReview.get_by_id(review_id)
        assert (review.decisions, review.version) == ("First", 2)


def test_only_those_who_lead_teams_write_reviews_and_others_cannot_read_them(app, people, login):
    quarter = last_quarter(app)
    process = sales_process(app)
    assert login(people.rep).post("/analytics/process/reviews", data={"process": process, "quarter": quarter.key}).status_code == 403
    review_id = int(login(people.manager).post("/analytics/process/reviews", data={"process": process, "quarter": quarter.key,
                                                                                     "decisions": "Ours"})
                    .headers["Location"].rsplit("/", 1)[1])
    for person in (people.rep, people.outsider):
        assert login(person).get(f"/analytics/process/reviews/{review_id}").status_code == 404
        changed = login(person).post(f"/analytics/process/reviews/{review_id}", data={"decisions": "Theirs", "version": "1"})
        assert changed.status_code == 404
    assert login(people.admin).get(f"/analytics/process/reviews/{review_id}").status_code == 200
    with app.app_context():
        assert ProcessReview.get_by_id(review_id).decisions == "Ours"


def test_a_review_of_the_running_quarter_waits_for_the_next_one(app, people, login):
    process = sales_process(app)
    make_deal(app, people.rep, "Now")
    with app.test_request_context():
        quarter = service.current_quarter()
    manager = login(people.manager)
    review_id = int(manager.post("/analytics/process/reviews", data={"process": process, "quarter": quarter.key, "decisions": "Wait"})
                    .headers["Location"].rsplit("/", 1)[1])
    page = manager.get(f"/analytics/process/reviews/{review_id}").text
    assert f"{quarter.next().label()} has not begun" in page
    development = re.search(r"<tr><td>Customer development</td>(.*?)</tr>", page, re.S).group(1)
    assert re.findall(r'<td class="amount">(.*?)</td>', development)[0] == "1"
    assert login(people.manager).get("/analytics/process").status_code == 200  # the current quarter by default


def test_a_stage_without_follow_up_days_counts_stuck_after_the_default(app, people):
    quarter = last_quarter(app)
    sales_process(app)
    ids = stages(app)
    with app.test_request_context():
        Stage.update(followup_days=None).where(Stage.id == ids["development"]).execute()
        end = quarter.bounds()[1]
    long_ago = datetime.timedelta(days=service.STALL_DAYS + 1)
    recently = datetime.timedelta(days=service.STALL_DAYS - 1)
    write_history(app, make_deal(app, people.rep, "Stuck"), people.rep, [("development", end - long_ago)])
    write_history(app, make_deal(app, people.rep, "Fresh"), people.rep, [("development", end - recently)])
    write_history(app, make_deal(app, people.rep, "Moved on"), people.rep,
                  [("development", end - long_ago), ("first_contact", end - datetime.timedelta(days=1))])
    development = numbers_of(app, people.manager, quarter)[ids["development"]]
    assert (development.entered, development.stalled, development.stall_days) == (3, 1, service.STALL_DAYS)
