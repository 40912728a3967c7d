"""Issue 9: "New customers" counts customers created in the period except those an import brought
in (an import of 50 old customers must not lift the month's goal); "New customers, imports
included" counts them all; the goal form says what each counts."""
from __future__ import annotations

import datetime
import importlib.util
import io
import re
from pathlib import Path

from core import registry
from core.lowcode import records
from core.lowcode.entities import get_entity
from core.lowcode.models import ImportJob
from plugins.goals.models import Goal
from plugins.goals.progress import measure
from plugins.pipeline.models import Customer

CUSTOMER = "pipeline.customer"
ROOT = Path(__file__).resolve().parents[2]
TODAY = datetime.datetime.now(datetime.UTC).date()  # the tests' team works in UTC
MONTH_START = TODAY.replace(day=1)
MONTH_END = (MONTH_START + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)


def create_by_hand(client, name: str) -> int:
    response = client.post(f"/records/{CUSTOMER}/new", data={"name": name})
    assert response.status_code == 302, response.text[:800]
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def import_csv(client, text: str, **choices) -> str:
    """Upload, keep the proposed mapping, check and import, as the import pages do; the job's uid."""
    uploaded = client.post(f"/records/{CUSTOMER}/import", data={"file": (io.BytesIO(text.encode()), "customers.csv")},
                           content_type="multipart/form-data")
    assert uploaded.status_code == 302, uploaded.text[:800]
    uid = re.search(r"/import/([0-9a-f]+)$", uploaded.headers["Location"]).group(1)
    page = client.get(f"/records/{CUSTOMER}/import/{uid}").text
    mapping = {}
    for index, options in re.findall(r'<select name="map-(\d+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', options)
        mapping[f"map-{index}"] = chosen.group(1) if chosen else ""
    checked = client.post(f"/records/{CUSTOMER}/import/{uid}", data={**mapping, **choices})
    assert "ready to import" in checked.text, checked.text[:2000]
    client.post(f"/records/{CUSTOMER}/import/{uid}/run")
    assert "created" in client.get(f"/records/{CUSTOMER}/import/{uid}/progress").text
    return uid


def month_of(app, key: str, user_ids: list[int]) -> dict:
    with app.test_request_context():
        return registry.metrics()[key].compute(user_ids=user_ids, start=MONTH_START, end=MONTH_END)


def test_imported_customers_are_not_new_customers_and_hand_made_ones_are(app, people, login):
    rep = login(people.rep)
    made = [create_by_hand(rep, "Acme Trading"), create_by_hand(rep, "北京华信科技")]
    uid = import_csv(rep, "Name,Region\nOld One,East\nOld Two,North\nOld Three,South\n")
    with app.app_context():
        job = ImportJob.get(ImportJob.uid == uid)
        assert job.created == 3
        imported = {c.name: c.import_job for c in Customer.select().where(Customer.name.startswith("Old"))}
        assert imported == {"Old One": job.id, "Old Two": job.id, "Old Three": job.id}
        assert {c.import_job for c in Customer.select().where(Customer.id.in_(made))} == {None}
    ids = [people.rep.id, people.colleague.id]
    assert month_of(app, "pipeline.new_customers", ids) == {people.rep.id: 2}
    assert month_of(app, "pipeline.new_customers_all", ids) == {people.rep.id: 5}
    with app.test_request_context():
        daily = registry.metrics()["pipeline.new_customers"].daily(user_ids=ids, start=MONTH_START, end=MONTH_END)
    assert sum(daily[people.rep.id].values()) == 2


def test_an_import_that_updates_existing_customers_leaves_them_counted(app, people, login):
    rep = login(people.rep)
    acme = create_by_hand(rep, "Acme Trading")
    import_csv(rep, "Name,Region\nAcme Trading,West\nNew Import Co,East\n", key_field="name", on_duplicate="update")
    with app.app_context():
        updated = Customer.get_by_id(acme)
        assert (updated.region, updated.import_job) == ("West", None)
        assert Customer.get(Customer.name == "New Import Co").import_job is not None
    assert month_of(app, "pipeline.new_customers", [people.rep.id]) == {people.rep.id: 1}
    assert month_of(app, "pipeline.new_customers_all", [people.rep.id]) == {people.rep.id: 2}


def test_goal_progress_leaves_the_import_out(app, people, login):
    rep, manager = login(people.rep), login(people.manager)
    for name in ("Acme Trading", "Beta Logistics"):
        create_by_hand(rep, name)
    import_csv(rep, "Name\n" + "".join(f"Old customer {n}\n" for n in range(6)))
    made = {}
    for metric in ("pipeline.new_customers", "pipeline.new_customers_all"):
        response = manager.post("/goals/new", data={
            "owner": f"user:{people.rep.id}", "metric": metric, "mode": "number", "target": "50", "growth": "",
            "period": "custom", "start": MONTH_START.isoformat(), "end": MONTH_END.isoformat(), "parent": "",
            "description": "", "reason": "Grow the book."})
        assert response.status_code == 302, response.text[:800]
        made[metric] = int(response.headers["Location"].rsplit("/", 1)[1])
    with app.test_request_context():
        goals = [Goal.get_by_id(goal_id) for goal_id in made.values()]
        found = measure(goals, today=TODAY)
    assert found[made["pipeline.new_customers"]].actual == 2
    assert found[made["pipeline.new_customers_all"]].actual == 8


def test_the_goal_form_says_what_each_customer_metric_counts(app, people, login):
    manager = login(people.manager)
    form = {"owner": f"user:{people.rep.id}", "mode": "number", "target": "50", "period": "custom",
            "start": MONTH_START.isoformat(), "end": MONTH_END.isoformat(), "reason": "Grow the book."}
    page = manager.post("/goals/check", data={**form, "metric": "pipeline.new_customers"}, headers={"HX-Request": "true"})
    assert page.status_code == 200
    assert "except those brought in by an import" in page.text
    page = manager.post("/goals/check", data={**form, "metric": "pipeline.new_customers_all"}, headers={"HX-Request": "true"})
    assert "imported ones included" in page.text
    choices = manager.get("/goals/new").text
    assert "New customers, imports included" in choices


def test_customers_imported_before_the_upgrade_are_found_in_the_audit_log(app, people):
    """The migration marks customers whose history starts with an import, and only those."""
    schema_key = CUSTOMER
    with app.test_request_context():
        schema = get_entity(schema_key)
        old_import, _changes = records.save(schema, people.rep, {"name": "Imported long ago"}, action="import")
        by_hand, _changes = records.save(schema, people.rep, {"name": "Typed in"})
        records.save(schema, people.rep, {"region": "East"}, record=by_hand, action="import")  # updated by an import later
        Customer.update(import_job=None).execute()  # as the rows were before the column existed
    spec = importlib.util.spec_from_file_location("customer_import_job", ROOT / "plugins/pipeline/migrations/0003_customer_import_job.py")
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    with app.app_context():
        from core.db import db

        db.execute_sql(migration.IMPORTED_BEFORE)
        assert Customer.get_by_id(old_import.id).import_job == 0  # no import job is left to name
        assert Customer.get_by_id(by_hand.id).import_job is None
    assert month_of(app, "pipeline.new_customers", [people.rep.id]) == {people.rep.id: 1}
