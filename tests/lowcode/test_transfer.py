"""Import and export: CSV (UTF-8, GBK) and Excel, mapping, checks, all or nothing, progress."""
import csv
import io
import re
import time

import pytest
from openpyxl import Workbook, load_workbook

from core.lowcode.models import CustomRecord, ImportJob

from .conftest import mapping_form

GOOD = ("Name,Level,Revenue,Founded,Regions,Code\nACME 中国,A,1200,2019-03-01,\"North, 华东\",AC001\n"
        "Beta,b,\"1,500.50\",2020/5/6,South,BE002\n")


def upload(client, entity, data: bytes, filename="people.csv"):
    return client.post(f"/records/{entity}/import", data={"file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def job_uid(response) -> str:
    return re.search(r"/import/([0-9a-f]+)$", response.headers["Location"]).group(1)


def finish(client, entity, uid, timeout=60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        page = client.get(f"/records/{entity}/import/{uid}/progress").text
        if "every 1s" not in page:
            return page
        time.sleep(0.05)
    raise AssertionError("the import did not finish")


def import_file(client, entity, data, filename="people.csv", **choices):
    uid = job_uid(upload(client, entity, data, filename))
    page = client.get(f"/records/{entity}/import/{uid}").text
    form = {**mapping_form(page), **choices}
    checked = client.post(f"/records/{entity}/import/{uid}", data=form)
    return uid, checked


def names(app) -> set:
    with app.app_context():
        return {record.custom.get("name") for record in CustomRecord.select()}


@pytest.mark.parametrize("encoding, delimiter", [("utf-8", ","), ("utf-8-sig", ","), ("gbk", ","), ("gb18030", ";"), ("utf-8", "\t")])
def test_a_csv_is_imported_whatever_its_encoding_and_delimiter(app, login, people, competitor, encoding, delimiter):
    rep = login(people.rep)
    text = GOOD.replace(",", delimiter) if delimiter != "," else GOOD
    if delimiter != ",":
        text = text.replace(f'"North{delimiter} 华东"', '"North, 华东"').replace(f'"1{delimiter}500.50"', '"1,500.50"')
    uid, checked = import_file(rep, competitor, text.encode(encoding))
    assert "2 rows are ready to import." in checked.text, re.findall(r"<td>([^<]*)</td>", checked.text)[:12]
    rep.post(f"/records/{competitor}/import/{uid}/run")
    done = finish(rep, competitor, uid)
    assert "Imported: 2 created, 0 updated, 0 skipped." in done
    with app.app_context():
        acme = CustomRecord.select().where(CustomRecord.custom["name"] == "ACME 中国").get()
        assert acme.custom["regions"] == ["north", "华东"] and acme.custom["revenue"] == 1200
        assert acme.owner_id == people.rep.id
        beta = CustomRecord.select().where(CustomRecord.custom["name"] == "Beta").get()
        assert beta.custom["revenue"] == 1500.5 and beta.custom["founded"] == "2020-05-06"
        assert ImportJob.get(ImportJob.uid == uid).status == "done"
    assert "imported it" in rep.get(f"/records/{competitor}/{acme.id}").text


@pytest.mark.parametrize("data, message", [
    (b"", "The file is empty."),
    (b"Name,Code\n\"ACME,AC001\n", "the quotes do not match"),
    (b"Name,Code\nACME\"x\"y,AC001\n\"a\"b,c\n", "the quotes do not match"),
    ("名称\n张三\n".encode("utf-16"), "neither UTF-8 nor GBK"),
    (bytes(range(128, 256)) * 20, "neither UTF-8 nor GBK"),
    (b",,,\n\n ,,\n", "The file is empty."),
    (b"Name,name\nA,B\n", "Two columns have the same name"),
])
def test_unreadable_files_get_a_clear_message_and_create_nothing(app, login, people, competitor, data, message):
    response = upload(login(people.rep), competitor, data)
    assert response.status_code == 400 and message in response.text
    with app.app_context():
        assert ImportJob.select().count() == 0 and CustomRecord.select().count() == 0


def test_bad_values_are_listed_by_line_downloadable_and_nothing_is_imported(app, login, people, competitor):
    rep = login(people.rep)
    text = ("Name,Level,Revenue,Founded,Code,Extra\nGood,A,10,2020-01-01,GO001,\nBad,Z,ten,31/31/2020,bad code,\n,A,5,,,\n"
            "Long,A,1,2020-01-01,LO001,x,y\n")
    uid, checked = import_file(rep, competitor, text.encode())
    assert "problems: nothing can be imported yet" in checked.text
    for expected in ("z is not one of the options.", "Not a number.", "Not a date", "Two capitals, three digits.",
                     "Name cannot be empty.", "This row has 7 values but the first row names 6 columns."):
        assert expected in checked.text.replace("Z is not", "z is not"), expected
    errors = list(csv.reader(io.StringIO(rep.get(f"/records/{competitor}/import/{uid}/errors.csv").data.decode("utf-8-sig"))))
    assert errors[0] == ["Line", "Column", "Value", "Problem"]
    assert ["3", "Revenue", "ten", "Not a number."] in errors
    refused = rep.post(f"/records/{competitor}/import/{uid}/run", follow_redirects=True)
    assert "nothing was imported" in refused.text
    assert names(app) == set()


def test_a_required_field_must_be_mapped(app, login, people, competitor):
    rep = login(people.rep)
    uid, checked = import_file(rep, competitor, b"Code,Level\nAB123,A\n")
    assert "Name is required: choose the column that holds it." in checked.text


def test_duplicates_are_updated_or_skipped_by_the_chosen_key(app, login, people, competitor, create):
    create(competitor, people.rep, name="ACME 中国", code="AC001", staff=1)
    rep = login(people.rep)
    file = "Name,Code,Staff\nACME 中国,AC001,99\nNewco,NE001,5\n".encode()
    uid, _checked = import_file(rep, competitor, file, key_field="code", on_duplicate="skip")
    rep.post(f"/records/{competitor}/import/{uid}/run")
    assert "1 created, 0 updated, 1 skipped" in finish(rep, competitor, uid)
    uid, _checked = import_file(rep, competitor, file, key_field="code", on_duplicate="update")
    rep.post(f"/records/{competitor}/import/{uid}/run")
    page = finish(rep, competitor, uid)
    assert "Imported:" in page
    with app.app_context():
        acme = CustomRecord.select().where(CustomRecord.custom["code"] == "AC001").get()
        assert acme.custom["staff"] == 99
        assert CustomRecord.select().count() == 2  # the second import updated both


def test_an_import_that_breaks_a_rule_midway_saves_nothing(app, login, people, competitor, create):
    create(competitor, people.colleague, name="Taken", code="TA001")  # not visible to the rep
    rep = login(people.rep)
    uid, checked = import_file(rep, competitor, b"Name,Code\nFirst,FI001\nClash,TA001\n")
    assert "2 rows are ready" in checked.text  # the clash only shows on save (the code is unique)
    rep.post(f"/records/{competitor}/import/{uid}/run")
    page = finish(rep, competitor, uid)
    assert "The import stopped and nothing was saved" in page and "already has this Code" in page
    assert names(app) == {"Taken"}


def test_an_excel_file_is_imported(app, login, people, competitor):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Name", "Revenue", "Founded", "Active"])
    import datetime

    sheet.append(["Excel Co", 300.0, datetime.datetime(2021, 4, 5), "是"])
    out = io.BytesIO()
    workbook.save(out)
    rep = login(people.rep)
    uid, checked = import_file(rep, competitor, out.getvalue(), filename="book.xlsx")
    assert "1 row is ready to import." in checked.text
    rep.post(f"/records/{competitor}/import/{uid}/run")
    assert "1 created" in finish(rep, competitor, uid)
    with app.app_context():
        record = CustomRecord.get()
        assert record.custom == {**record.custom, "name": "Excel Co", "revenue": 300, "founded": "2021-04-05", "active": True}


def test_a_damaged_excel_file_is_refused(login, people, competitor):
    response = upload(login(people.rep), competitor, b"PK\x03\x04 not really a zip", filename="book.xlsx")
    assert response.status_code == 400 and "not an Excel .xlsx file" in response.text


def test_imports_belong_to_their_uploader(login, people, competitor):
    rep = login(people.rep)
    uid = job_uid(upload(rep, competitor, GOOD.encode()))
    other = login(people.colleague)
    assert other.get(f"/records/{competitor}/import/{uid}").status_code == 404
    assert other.post(f"/records/{competitor}/import/{uid}/run").status_code == 404


def test_a_large_import_runs_in_many_batches_with_progress(app, login, people, competitor):
    """3,000 rows in 30 batches: the shape of a 100,000-row import (bench/ measures its speed)."""
    app.config["IMPORT_BATCH_SIZE"] = 100
    lines = ["Name,Staff,Level"] + [f"Company {n},{n},{'ABC'[n % 3]}" for n in range(3_000)]
    rep = login(people.rep)
    uid, checked = import_file(rep, competitor, "\n".join(lines).encode())
    assert "3000 rows are ready to import." in checked.text
    running = rep.post(f"/records/{competitor}/import/{uid}/run", follow_redirects=True)
    assert "import-progress" in running.text
    assert "Imported: 3000 created" in finish(rep, competitor, uid, timeout=240)
    with app.app_context():
        assert CustomRecord.select().count() == 3_000


def test_the_export_is_the_filtered_list_in_csv_and_excel(app, login, people, competitor, create):
    create(competitor, people.rep, name="华为", level="a", revenue=10, regions=["华东"])
    create(competitor, people.rep, name="Other", level="b")
    create(competitor, people.colleague, name="Not mine", level="a")
    rep = login(people.rep)
    exported = rep.get(f"/records/{competitor}/export.csv?fk=level&fo=is&fv=a")
    assert exported.headers["Content-Type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(exported.data.decode("utf-8-sig"))))
    assert table[0][:3] == ["Name", "Level", "Revenue"] and len(table) == 2
    assert table[1][:3] == ["华为", "A", "10"] and "华东" in table[1]
    workbook = load_workbook(io.BytesIO(rep.get(f"/records/{competitor}/export.xlsx?q=other").data))
    sheet = list(workbook.active.values)
    assert sheet[0][0] == "Name" and [row[0] for row in sheet[1:]] == ["Other"]


def test_an_oversized_upload_is_refused_politely(make_app, people, competitor):
    app = make_app(MAX_CONTENT_LENGTH=1024)
    client = app.test_client().login(people.rep)
    response = upload(client, competitor, b"Name\n" + b"x" * 4096)
    assert response.status_code == 413 and "The upload is too large." in response.text
