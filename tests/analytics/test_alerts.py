"""Alerts on saved reports: added, changed and deleted on the report's page; checked as their owner
by the periodic task and `salesdeck check-alerts`; fired once when they become true (two checks at
once fire once), silently false again, able to fire again; a rep's win rate as a share in SQL; a
pace towards a target; read in the app, on My day and in the morning mail."""
import datetime
import decimal
import re

import pytest

from core import jobs
from core.lowcode import records
from core.lowcode.entities import get_entity
from core.lowcode.models import Process, Stage
from core.lowcode.processes import ensure_defaults
from core.models import User
from plugins.analytics import alerts
from plugins.analytics.models import Alert, AlertEvent, Report
from plugins.pipeline.models import Deal

COUNT_BY_OWNER = {"entity": "pipeline.deal", "g1": "owner", "agg": "count", "chart": "bar", "sort": "value", "top": "10"}


def deal(app, owner, amount, stage=None, closed=None, expected=None):
    with app.test_request_context():
        customer, _ = records.save(get_entity("pipeline.customer"), owner, {"name": f"Buyer {amount}"})
        found, _ = records.save(get_entity("pipeline.deal"), owner, {"name": f"Deal {amount}", "customer": customer.id, "amount": amount,
                                                                         **({"expected_close": expected} if expected else {})})
        if stage:
            ensure_defaults()
            stage_id = Stage.select().join(Process).where(Process.key == "pipeline.sales", Stage.kind == stage).get().id
            Deal.update(stage=stage_id, closed_at=closed or datetime.datetime(2026, 12, 1, 9)).where(Deal.id == found.id).execute()
        return found.id


def save_report(client, **changes) -> int:
    response = client.post("/analytics/reports", data={**COUNT_BY_OWNER, "name-en": "Deals by rep", "shared": "team", **changes})
    assert response.status_code == 302, re.findall(r'class="error">([^<]+)', response.text)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def add_alert(client, report, **form):
    data = {"name": "Too many deals", "number": "value", "over": "total", "comparison": "gt", "threshold": "2", **form}
    return client.post(f"/analytics/reports/{report}/alerts", data=data)


def check(app):
    with app.test_request_context():
        return alerts.check_all()


def test_an_alert_fires_once_when_it_becomes_true_and_again_after_being_false(app, people, login):
    manager = login(people.manager)
    report = save_report(manager)
    assert add_alert(manager, report).status_code == 302
    page = manager.get(f"/analytics/reports/{report}").text
    assert "Too many deals" in page and "The report&#39;s total &gt; 2" in page and "Not checked yet" in page
    deal(app, people.rep, 10)
    deal(app, people.colleague, 20)
    assert check(app) == (1, 0)  # 2 deals: not > 2
    first = deal(app, people.rep, 30)
    deal(app, people.outsider, 40)  # outside the manager's team: not counted
    assert check(app) == (1, 1)
    assert check(app) == (1, 0)  # still true: no second notice
    with app.app_context():
        assert AlertEvent.select().count() == 1 and AlertEvent.get().value == 3
        Deal.update(deleted_at=datetime.datetime(2026, 12, 1)).where(Deal.id == first).execute()
    assert check(app) == (1, 0)  # false again, silently
    with app.app_context():
        assert not Alert.get().is_true and AlertEvent.select().count() == 1
        Deal.update(deleted_at=None).where(Deal.id == first).execute()
    assert check(app) == (1, 1)  # true again: a second notice
    fired = manager.get("/analytics/alerts").text
    assert fired.count("Too many deals: 3 (&gt; 2)") == 2 and "2 unread" in fired


def test_two_checks_at_once_claim_the_change_once(app, people, login):
    manager = login(people.manager)
    report = save_report(manager)
    add_alert(manager, report, threshold="0")
    deal(app, people.rep, 10)
    with app.test_request_context():
        alert = Alert.get()
        reading = alerts.evaluate(alert, alert.report, people.manager)
        assert reading.holds
        # Both checks loaded the alert as false before either wrote: only the first claim fires.
        assert alerts.record(alert, reading) is True
        assert alerts.record(alert, reading) is False
        assert AlertEvent.select().count() == 1 and Alert.get().fired == 1


def test_two_checks_racing_on_their_own_connections_fire_once(app, people, login):
    import threading

    manager = login(people.manager)
    add_alert(manager, save_report(manager), threshold="0")
    deal(app, people.rep, 10)
    with app.test_request_context():
        alert = Alert.get()
        reading = alerts.evaluate(alert, alert.report, people.manager)
    ready, fired = threading.Barrier(2), []

    def racer():
        with app.app_context():
            loaded = Alert.get_by_id(alert.id)  # both load it as false
            ready.wait()
            fired.append(alerts.record(loaded, reading))

    racers = [threading.Thread(target=racer) for _ in range(2)]
    for thread in racers:
        thread.start()
    for thread in racers:
        thread.join()
    assert sorted(fired) == [False, True]
    with app.app_context():
        assert AlertEvent.select().count() == 1 and Alert.get().fired == 1


def test_any_rep_whose_win_rate_is_below_20_percent_in_sql(app, people, login):
    manager = login(people.manager)
    report = save_report(manager, **{"fk": "stage", "fo": "closed", "fv": ""})  # closed deals
    response = add_alert(manager, report, name="Win rate low", number="share", over="any", comparison="lt", threshold="20",
                         share_field="stage", share_operator="won", share_value="")
    assert response.status_code == 302, response.text[-3000:]
    assert "the share of records where Stage is won &lt; 20%" in manager.get(f"/analytics/reports/{report}").text
    for _ in range(4):
        deal(app, people.colleague, 5, "lost")
    deal(app, people.colleague, 6, "won")  # Carl: 1 won of 5 closed = 20%: not below
    deal(app, people.rep, 7, "won")  # Rita: 100%
    deal(app, people.rep, 8)  # open: not closed, not counted
    assert check(app) == (1, 0)
    deal(app, people.colleague, 9, "lost")  # Carl: 1 of 6 = 16.67%
    assert check(app) == (1, 1)
    with app.app_context():
        event = AlertEvent.get()
        assert event.row == "Carl Colleague" and round(event.value, 2) == decimal.Decimal("16.67")
    assert "Win rate low: Carl Colleague 16.67 (&lt; 20)" in manager.get("/analytics/alerts").text
    closed = manager.get("/records/pipeline.deal/?fk=stage&fo=closed&fv=").text  # the list's filter the report uses
    assert "Deal 9" in closed and "Deal 7" in closed and "Deal 8" not in closed


def test_a_share_of_no_records_is_no_number_not_an_error(app, people):
    from core.api import run_report

    with app.test_request_context():
        schema = get_entity("pipeline.deal")
        result = run_report(schema, people.manager, [], [], share=[("stage", "won", "")])
        assert result.problems == [] and [row.value for row in result.rows] == [None]  # 0 ÷ 0: NULL, on PostgreSQL too
        refused = run_report(schema, people.manager, [], [], share=[("amount", "won", "")])
        assert "Amount cannot be filtered that way." in refused.problems


def test_behind_pace_against_a_target_prorated_over_the_month(app, people, login):
    manager = login(people.manager)
    report = save_report(manager, agg="sum", measure="amount")
    response = add_alert(manager, report, name="Behind pace", number="pace", target="3000", period="month", date_field="expected_close")
    assert response.status_code == 302, re.findall(r'class="error">([^<]+)', response.text)
    deal(app, people.rep, 900, expected="2026-06-05")
    deal(app, people.rep, 5000, expected="2026-05-30")  # last month: not counted
    with app.test_request_context():
        alert = Alert.get()
        assert alerts.pace_target(decimal.Decimal(3000), "month", datetime.date(2026, 6, 10)) == 1000  # 10 of 30 days
        on_the_10th = alerts.evaluate(alert, alert.report, people.manager, today=datetime.date(2026, 6, 10))
        assert on_the_10th.holds and on_the_10th.value == 900 and on_the_10th.compared_with == 1000
        assert not alerts.evaluate(alert, alert.report, people.manager, today=datetime.date(2026, 6, 9)).holds  # 900 of 900
    page = manager.get(f"/analytics/reports/{report}").text
    assert "The report&#39;s total behind the pace of 3,000 for this month (by Expected close)" in page


@pytest.mark.parametrize("form, message", [
    ({"threshold": "1e400"}, "below a quadrillion"),
    ({"threshold": "99999999999999999999"}, "below a quadrillion"),
    ({"threshold": "NaN"}, "below a quadrillion"),
    ({"threshold": "1\x002"}, "NUL character"),
    ({"comparison": "drop table"}, "Choose a comparison."),
    ({"number": "share", "share_field": "amount", "share_operator": "won"}, "cannot be filtered that way"),
    ({"number": "share", "share_field": "nope", "share_operator": "is"}, "Choose which records the share counts"),
    ({"number": "pace", "target": "100", "period": "decade", "date_field": "expected_close"}, "Choose the period"),
    ({"name": ""}, "Give the alert a name"),
])
def test_bad_alerts_are_refused_with_a_message_and_nothing_saved(app, people, login, form, message):
    manager = login(people.manager)
    report = save_report(manager)
    response = add_alert(manager, report, **form)
    assert response.status_code == 400 and message in response.text
    with app.app_context():
        assert Alert.select().count() == 0


def test_edit_with_its_version_and_delete_on_the_reports_page(app, people, login, htmx_client):
    manager = login(people.manager)
    report = save_report(manager)
    swapped = manager.post(f"/analytics/reports/{report}/alerts", data={"name": "Many deals", "number": "value", "over": "total",
                                                                         "comparison": "gte", "threshold": "5"},
                           headers={"HX-Request": "true"})
    assert swapped.status_code == 200 and swapped.text.lstrip().startswith(f'<section class="card" id="analytics-alerts-{report}"')
    assert "Many deals" in swapped.text
    refused = manager.post(f"/analytics/reports/{report}/alerts", data={"name": "Huge", "number": "value", "over": "total",
                                                                         "comparison": "gt", "threshold": "9" * 30},
                           headers={"HX-Request": "true"})  # the form again, where htmx swaps it, with what to fix
    assert refused.status_code == 200 and "below a quadrillion" in refused.text and 'value="Huge"' in refused.text
    assert "<details class=\"alert-new\" open>" in refused.text
    with app.app_context():
        alert = Alert.get()
    form = manager.get(f"/analytics/alerts/{alert.id}/edit").text
    assert 'name="version" value="1"' in form and 'value="Many deals"' in form
    changed = {"name": "Lots of deals", "number": "value", "over": "any", "comparison": "gt", "threshold": "7", "version": "1"}
    assert manager.post(f"/analytics/alerts/{alert.id}/edit", data=changed).status_code == 302
    stale = manager.post(f"/analytics/alerts/{alert.id}/edit", data={**changed, "name": "Stale"})
    assert stale.status_code == 409 and "Someone saved this alert" in stale.text
    with app.app_context():
        assert Alert.get().name == "Lots of deals" and Alert.get().version == 2 and Alert.get().over == "any"
    rep = login(people.rep)  # sees the team report, not the manager's alert
    assert "Lots of deals" not in rep.get(f"/analytics/reports/{report}").text
    assert rep.get(f"/analytics/alerts/{alert.id}/edit").status_code == 404
    assert rep.post(f"/analytics/alerts/{alert.id}/delete").status_code == 404
    assert manager.post(f"/analytics/alerts/{alert.id}/delete").status_code == 302
    with app.app_context():
        assert Alert.select().count() == 0


def test_an_alert_on_a_report_no_longer_shared_is_not_checked(app, people, login):
    manager = login(people.manager)
    report = save_report(manager)
    rep = login(people.rep)
    assert add_alert(rep, report, threshold="0").status_code == 302
    deal(app, people.rep, 10)
    with app.app_context():
        Report.update(shared="private").where(Report.id == report).execute()
    assert check(app) == (0, 0)
    assert rep.post(f"/analytics/reports/{report}/alerts", data={"name": "x"}).status_code == 404


def test_fired_alerts_are_on_my_day_until_read(app, people, login):
    manager = login(people.manager)
    report = save_report(manager)
    add_alert(manager, report, threshold="0")
    deal(app, people.rep, 10)
    check(app)
    with app.test_request_context():
        from core.api import agenda_items

        items = [item for item in agenda_items(people.manager, datetime.date(2026, 12, 3)) if item.kind == "Report alert"]
        assert [item.title for item in items] == ["Too many deals: 1 (> 0)"] and items[0].important and items[0].urgent
        assert not [item for item in agenda_items(people.rep, datetime.date(2026, 12, 3)) if item.kind == "Report alert"]
    with app.app_context():
        event = AlertEvent.get()
    assert login(people.rep).post(f"/analytics/alerts/fired/{event.id}/read").status_code == 404  # not theirs
    assert manager.post(f"/analytics/alerts/fired/{event.id}/read").status_code == 302
    with app.test_request_context():
        assert not [item for item in agenda_items(people.manager, datetime.date(2026, 12, 3)) if item.kind == "Report alert"]
    assert "Already read" in manager.get("/analytics/alerts").text


def test_the_command_and_the_periodic_task_check_alerts(app, people, login):
    manager = login(people.manager)
    report = save_report(manager)
    add_alert(manager, report, threshold="0")
    deal(app, people.rep, 10)
    result = app.test_cli_runner().invoke(args=["check-alerts"])
    assert result.exit_code == 0 and "1 alert(s) checked, 1 fired." in result.output
    result = app.test_cli_runner().invoke(args=["check-alerts"])
    assert "1 alert(s) checked, 0 fired." in result.output
    with app.app_context():
        Alert.update(is_true=False).execute()
    huey = jobs.huey_of(app)
    due = [task for task in huey.read_periodic(datetime.datetime(2026, 3, 2, 5, 15)) if task.name == "analytics.check_alerts"]
    assert due and not [task for task in huey.read_periodic(datetime.datetime(2026, 3, 2, 5, 16)) if task.name == "analytics.check_alerts"]
    huey.execute(due[0])
    with app.app_context():
        assert AlertEvent.select().count() == 2
        from core.plugins import host_of

        host_of(app).set_enabled("analytics", False)
        Alert.update(is_true=False).execute()
    huey.execute(due[0])
    with app.app_context():
        assert AlertEvent.select().count() == 2  # a plugin switched off checks nothing


def test_an_inactive_owner_is_not_checked(app, people, login):
    manager = login(people.manager)
    add_alert(manager, save_report(manager), threshold="0")
    deal(app, people.rep, 10)
    with app.app_context():
        User.update(active=False).where(User.id == people.manager.id).execute()
    assert check(app) == (0, 0)


def test_a_fired_alert_is_in_its_owners_morning_mail_in_their_language(app, people, login, smtp):
    import email
    import email.policy

    admin = login(people.admin)
    assert admin.post("/timemgmt/mail", data={"enabled": "y", "host": "127.0.0.1", "port": str(smtp.port), "security": "none",
                                              "sender": "plan@example.com", "hour": "0", "username": "", "password": ""}).status_code == 302
    manager = login(people.manager)
    add_alert(manager, save_report(manager), name="商机太多", threshold="0")
    deal(app, people.rep, 10)
    with app.app_context():
        User.update(locale="zh_Hans_CN").where(User.id == people.manager.id).execute()
    assert "1 alert(s) checked, 1 fired." in app.test_cli_runner().invoke(args=["check-alerts"]).output
    assert app.test_cli_runner().invoke(args=["remind"]).exit_code == 0
    mails = {envelope.rcpt_tos[0]: email.message_from_bytes(envelope.content, policy=email.policy.default) for envelope in smtp.messages}
    body = mails["manager@example.com"].get_content()
    assert "[立即做] 商机太多：1（> 0）" in body  # important and urgent: do now
    assert "商机太多" not in mails["rep@example.com"].get_content()


def test_a_check_runs_a_fixed_number_of_queries_per_alert(app, people, login):
    from playhouse.test_utils import count_queries

    manager = login(people.manager)
    report = save_report(manager)
    add_alert(manager, report, name="Busy rep", over="any", threshold="0")
    for amount in (1, 2, 3):
        deal(app, people.rep, amount)

    def queries(now) -> int:
        with app.test_request_context(), count_queries() as counter:
            alerts.check_all(now)
        return counter.count

    def fresh_check() -> int:
        with app.app_context():
            Alert.update(is_true=False).execute()  # so every alert fires: the most a check does
        return queries(None)

    queries(None)  # fills the caches
    one = fresh_check()
    add_alert(manager, report, name="Busy rep 2", over="any", threshold="0")
    each = fresh_check() - one
    for number in range(3):
        add_alert(manager, report, name=f"Busy rep {number + 3}", over="any", threshold="0")
    deal(app, people.colleague, 4)  # more records and rows: the same queries
    assert fresh_check() == one + 4 * each and each <= 6, (one, each)


def test_the_migration_makes_the_models_tables(app):
    from core.db import db

    with app.app_context():
        for model in (Alert, AlertEvent):
            columns = {column.name for column in db.get_columns(model._meta.table_name)}
            assert columns == {field.column_name for field in model._meta.sorted_fields}
            indexes = {tuple(index.columns) for index in db.get_indexes(model._meta.table_name) if not index.name.endswith("pkey")}
            declared = {tuple(model._meta.fields[name].column_name for name in names) for names, _unique in model._meta.indexes}
            assert declared <= indexes


def test_a_number_past_what_a_column_holds_is_kept_as_unknown_not_a_crash(app, people, login):
    manager = login(people.manager)
    add_alert(manager, save_report(manager), threshold="0")
    with app.test_request_context():
        alert = Alert.get()
        huge = alerts.Reading(holds=True, value=decimal.Decimal("1e20"), compared_with=decimal.Decimal("1.23456"), row="Rita Rep")
        assert alerts.record(alert, huge) is True
        event = AlertEvent.get()
        assert event.value is None and event.compared_with == decimal.Decimal("1.2346") and Alert.get().last_value is None
    assert "Too many deals: Rita Rep — (&gt; 1.23)" in manager.get("/analytics/alerts").text


def test_the_reports_page_asks_the_same_queries_for_one_alert_or_many(app, people, login):
    from playhouse.test_utils import count_queries

    manager = login(people.manager)
    report = save_report(manager)
    add_alert(manager, report, name="Win rate low", number="share", over="any", comparison="lt", threshold="20", share_field="stage",
              share_operator="won")

    def queries() -> int:
        with app.app_context(), count_queries() as counter:
            assert manager.get(f"/analytics/reports/{report}").status_code == 200
        return counter.count

    queries()
    one = queries()
    add_alert(manager, report, name="Behind pace", number="pace", target="100", period="month", date_field="expected_close")
    add_alert(manager, report, name="Busy", threshold="3")
    assert queries() == one


def test_an_alert_the_database_refuses_does_not_stop_the_others(app, people, login, monkeypatch):
    import peewee

    manager = login(people.manager)
    report = save_report(manager)
    add_alert(manager, report, name="Broken", threshold="0")
    add_alert(manager, report, name="Fine", threshold="0")
    deal(app, people.rep, 10)
    evaluate = alerts.evaluate

    def refuse_the_first(alert, *args, **kwargs):
        if alert.name == "Broken":
            raise peewee.DatabaseError("refused")
        return evaluate(alert, *args, **kwargs)

    monkeypatch.setattr(alerts, "evaluate", refuse_the_first)
    assert check(app) == (1, 1)
    with app.app_context():
        assert [event.alert.name for event in AlertEvent.select(AlertEvent, Alert).join(Alert)] == ["Fine"]


def test_deleting_an_alert_with_htmx_swaps_the_reports_alerts(app, people, login):
    manager = login(people.manager)
    report = save_report(manager)
    add_alert(manager, report, name="Going")
    with app.app_context():
        alert = Alert.get().id
    swapped = manager.post(f"/analytics/alerts/{alert}/delete", headers={"HX-Request": "true"})
    assert swapped.status_code == 200 and swapped.text.lstrip().startswith(f'<section class="card" id="analytics-alerts-{report}"')
    assert "Going" not in swapped.text and "No alert yet" in swapped.text
