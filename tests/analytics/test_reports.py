"""Reports built in the browser: previewed, saved, shared, drilled into, exported, pinned to the home
page; two people saving at once; who may open and change a report."""
import re
from io import BytesIO
from urllib.parse import urlencode

from openpyxl import load_workbook

from core.lowcode import records
from core.lowcode.entities import get_entity
from plugins.analytics.models import Pin, Report

BUILD = {"entity": "pipeline.deal", "g1": "owner", "agg": "sum", "measure": "amount", "chart": "bar", "sort": "value", "top": "10"}


def deals(app, people):
    with app.test_request_context():
        for owner, amount in ((people.rep, 100), (people.rep, 250), (people.colleague, 40), (people.outsider, 999)):
            customer, _ = records.save(get_entity("pipeline.customer"), owner, {"name": f"Buyer {amount}"})
            records.save(get_entity("pipeline.deal"), owner, {"name": f"Deal {amount}", "customer": customer.id, "amount": amount})


def save(client, **changes) -> int:
    response = client.post("/analytics/reports", data={**BUILD, "name-en": "Revenue by rep", "shared": "team", **changes})
    assert response.status_code == 302, re.findall(r'class="error">([^<]+)', response.text)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def test_preview_save_drill_export_and_pin(app, people, login):
    deals(app, people)
    manager = login(people.manager)
    preview = manager.get("/analytics/build?" + urlencode(BUILD))
    assert preview.status_code == 200 and 'class="report-chart"' in preview.text
    assert "Rita Rep" in preview.text and "350" in preview.text and "Olga Outsider" not in preview.text  # the manager's team only
    swapped = manager.get("/analytics/build?" + urlencode({**BUILD, "chart": "pie"}), headers={"HX-Request": "true"})
    assert swapped.status_code == 200 and swapped.text.lstrip().startswith('<div id="builder"') and "report-chart" in swapped.text
    report = save(manager)
    page = manager.get(f"/analytics/reports/{report}").text
    link = re.search(r'<a href="(/records/pipeline\.deal/\?[^"]+)">350</a>', page)
    assert link, "the rep's row links to their deals"
    listed = manager.get(link.group(1).replace("&amp;", "&")).text
    assert "Deal 100" in listed and "Deal 250" in listed and "Deal 40" not in listed
    rows = list(load_workbook(BytesIO(manager.get(f"/analytics/reports/{report}/export.xlsx").data)).active.iter_rows(values_only=True))
    assert rows[0] == ("Owner", "Sum") and ("Rita Rep", 350) in rows
    assert "Rita Rep,350" in manager.get(f"/analytics/reports/{report}/export.csv").data.decode("utf-8-sig")
    assert manager.post(f"/analytics/reports/{report}/pin").status_code == 302
    home = manager.get("/").text
    assert "Revenue by rep" in home and f'data-widget="analytics:report-{report}"' in home
    manager.post(f"/analytics/reports/{report}/pin")
    assert f'data-widget="analytics:report-{report}"' not in manager.get("/").text


def test_a_rep_sees_a_team_report_with_their_own_numbers_and_cannot_change_it(app, people, login):
    deals(app, people)
    report = save(login(people.manager))
    rep = login(people.rep)
    page = rep.get(f"/analytics/reports/{report}").text
    assert "Rita Rep" in page and "Carl Colleague" not in page  # the row scope applies to the reader
    assert rep.get(f"/analytics/reports/{report}/edit").status_code == 403
    assert rep.post(f"/analytics/reports/{report}/delete").status_code == 403
    outsider = login(people.outsider)
    for url in (f"/analytics/reports/{report}", f"/analytics/reports/{report}/export.csv"):
        assert outsider.get(url).status_code == 404
    assert outsider.post(f"/analytics/reports/{report}/pin").status_code == 404
    mine = save(rep, shared="private", **{"name-en": "Mine"})
    assert login(people.manager).get(f"/analytics/reports/{mine}").status_code == 404


def test_two_people_saving_at_once_and_bad_input(app, people, login):
    admin, manager = login(people.admin), login(people.manager)
    report = save(manager)
    form = manager.get(f"/analytics/reports/{report}/edit").text
    version = re.search(r'name="version" value="(\d+)"', form).group(1)
    assert admin.post(f"/analytics/reports/{report}/edit", data={**BUILD, "name-en": "Admin's", "shared": "team",
                                                                  "version": version}).status_code == 302
    late = manager.post(f"/analytics/reports/{report}/edit", data={**BUILD, "name-en": "Manager's", "shared": "team", "version": version})
    assert late.status_code == 409 and "Someone saved this report" in late.text
    with app.app_context():
        assert Report.get_by_id(report).name == "Admin's"
    for changes, message in (({"name-en": ""}, "Give the report a name"), ({"shared": "world"}, "Choose who sees the report"),
                             ({"g1": "", "chart": "bar"}, "Group by at least one field"),
                             ({"measure": ""}, "Choose a number field to add up.")):
        response = manager.post("/analytics/reports", data={**BUILD, "name-en": "x", "shared": "team", **changes})
        assert response.status_code == 400 and message in response.text, changes
    hostile = manager.get("/analytics/build?" + urlencode({**BUILD, "entity": "nope", "g1": "x" * 5000, "top": "1e99", "agg": "drop",
                                                            "fk": "amount", "fo": "gt", "fv": "abc"}))
    assert hostile.status_code == 200
    with app.app_context():
        assert Report.select().count() == 1 and Pin.select().count() == 0
