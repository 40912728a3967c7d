"""Import and export of any entity's records, as CSV or Excel (.xlsx).

An import goes: upload (the file is read at once, so a wrong encoding or broken quoting is
reported before anything else), map columns to fields, check every row, then import in one
transaction (all rows or none). The import runs in a background thread of the server process;
its progress is written to a small file in the instance folder, which every process can read, so
the browser's progress bar works whichever worker answers it.
"""
from __future__ import annotations

import csv
import datetime
import io
import json
import os
import secrets
import threading
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, flash, redirect, request, send_file, stream_with_context, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..db import db, utcnow
from ..shell import render_page
from . import query as Q
from . import records as R
from . import types as T
from .entities import EntityView, FieldSpec, entity_or_404, get_entity
from .models import ImportJob
from .processes import processes_of, stages_of

bp = Blueprint("transfer", __name__, url_prefix="/records")
MAX_ROWS = 50_000
MAX_COLUMNS = 200
MAX_CELL = 5000
PREVIEW_ERRORS = 100
PROGRESS_EVERY = 200
EXPORT_CHUNK = 1000


class FileProblem(ValueError):
    """The file cannot be read at all; the message says why and what to do."""


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]  # each row as text cells, padded to the header's length
    problems: list[tuple[int, str]] = field(default_factory=list)  # (line, message) of rows of the wrong width


# -- reading files --------------------------------------------------------------------------------


def decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030, which reads GBK and GB2312 too."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileProblem(_("The file is neither UTF-8 nor GBK text. Save it as “CSV UTF-8” and upload it again."))


def read_csv(raw: bytes) -> Table:
    text = decode(raw)
    if not text.strip():
        raise FileProblem(_("The file is empty."))
    if "\x00" in text:
        raise FileProblem(_("This does not look like a CSV file."))
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=dialect.delimiter, quotechar='"',
                        doublequote=True, skipinitialspace=False, strict=True)
    lines = []
    try:
        for row in reader:
            lines.append((reader.line_num, row))
            if len(lines) > MAX_ROWS + 1:
                raise FileProblem(_("The file has more than %(count)d rows; split it into smaller files.", count=MAX_ROWS))
    except csv.Error as error:
        raise FileProblem(_("Line %(line)d: the quotes do not match (%(error)s). Check that every opening quote is closed.",
                            line=reader.line_num, error=str(error)))
    return _table(lines)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M") if value.time() != datetime.time() else value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_xlsx(raw: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise FileProblem(_("This is not an Excel .xlsx file, or it is damaged. Save it again as .xlsx or CSV."))
    sheet = workbook.worksheets[0]
    lines = []
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        lines.append((number, [_cell_text(value) for value in row]))
        if len(lines) > MAX_ROWS + 1:
            raise FileProblem(_("The file has more than %(count)d rows; split it into smaller files.", count=MAX_ROWS))
    workbook.close()
    return _table(lines)


def _table(lines: list[tuple[int, list[str]]]) -> Table:
    lines = [(number, row) for number, row in lines if any(cell.strip() for cell in row)]  # blank rows are skipped
    if not lines:
        raise FileProblem(_("The file is empty."))
    header = [cell.strip() for cell in lines[0][1]]
    while header and not header[-1]:
        header.pop()
    if not header:
        raise FileProblem(_("The first row must name the columns."))
    if len(header) > MAX_COLUMNS:
        raise FileProblem(_("The file has more than %(count)d columns.", count=MAX_COLUMNS))
    if len(set(h.lower() for h in header if h)) != len([h for h in header if h]):
        raise FileProblem(_("Two columns have the same name in the first row; rename one of them."))
    table = Table(header=header, rows=[])
    for number, row in lines[1:]:
        cells = [cell[:MAX_CELL] for cell in row]
        while len(cells) > len(header) and not cells[-1].strip():
            cells.pop()
        if len(cells) > len(header):
            table.problems.append((number, _("This row has %(count)d values but the first row names %(columns)d columns.",
                                             count=len(cells), columns=len(header))))
        cells += [""] * (len(header) - len(cells))
        table.rows.append(cells)
    return table


def read_upload(filename: str, raw: bytes) -> Table:
    if filename.lower().endswith(".xlsx") or raw[:4] == b"PK\x03\x04":
        return read_xlsx(raw)
    if filename.lower().endswith((".xls", ".numbers", ".ods")):
        raise FileProblem(_("Save the sheet as .xlsx or CSV first; this format is not read."))
    return read_csv(raw)


# -- the stored upload ----------------------------------------------------------------------------


def _folder() -> Path:
    folder = Path(current_app.config["INSTANCE_PATH"]) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _file_of(job: ImportJob) -> Path:
    return _folder() / f"{job.uid}.upload"


def _progress_path(job: ImportJob) -> Path:
    return _folder() / f"{job.uid}.progress.json"


def write_progress(path: Path, **state) -> None:
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(state))
    os.replace(temporary, path)


def read_progress(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def job_or_404(view: EntityView, uid: str) -> ImportJob:
    job = ImportJob.get_or_none(ImportJob.uid == uid, ImportJob.entity == view.key, ImportJob.user == current_user.id)
    if job is None:
        abort(404)
    return job


# -- mapping and checking -------------------------------------------------------------------------


def importable(view: EntityView) -> list[FieldSpec]:
    return [spec for spec in view.active_fields if spec.in_form and spec.type.in_form]


def guess_mapping(view: EntityView, header: list[str]) -> dict[str, str]:
    by_name = {}
    for spec in importable(view):
        by_name.setdefault(str(spec.label).strip().lower(), spec.key)
        by_name.setdefault(spec.key.lower(), spec.key)
    return {column: by_name.get(column.strip().lower(), "") for column in header}


@dataclass
class RowError:
    line: int
    column: str
    value: str
    message: str


def check(view: EntityView, table: Table, mapping: dict[str, str]) -> tuple[list[dict], list[RowError]]:
    """Every row as stored values, and every problem with the line it is on (the header is line 1)."""
    specs = {spec.key: spec for spec in importable(view)}
    used = {key: column for column, key in mapping.items() if key in specs}
    errors: list[RowError] = [RowError(line, "", "", message) for line, message in table.problems]
    for spec in specs.values():
        if spec.required and spec.key not in used:
            errors.append(RowError(0, "", "", _("%(field)s is required: choose the column that holds it.", field=spec.label)))
    positions = {column: index for index, column in enumerate(table.header)}
    rows = []
    for offset, cells in enumerate(table.rows):
        line = offset + 2
        values = {}
        for key, column in used.items():
            spec = specs[key]
            text = cells[positions[column]]
            try:
                value = spec.type.parse_text(text, spec)
            except T.Conversion as problem:
                errors.append(RowError(line, column, text, str(problem)))
                continue
            if value in (None, "", []) and spec.required:
                errors.append(RowError(line, column, text, _("%(field)s cannot be empty.", field=spec.label)))
            values[key] = value
        rows.append(values)
    return rows, errors


def _form_mapping(view: EntityView, header: list[str]) -> dict[str, str]:
    known = {spec.key for spec in importable(view)}
    mapping = {}
    for index, column in enumerate(header):
        key = request.form.get(f"map-{index}", "")
        mapping[column] = key if key in known else ""
    return mapping


# -- pages ----------------------------------------------------------------------------------------


@bp.route("/<entity>/import", methods=["GET", "POST"])
def upload(entity: str):
    view = entity_or_404(entity)
    if not view.may_edit(current_user):
        abort(403)
    problem = None
    if request.method == "POST":
        upload_file = request.files.get("file")
        if upload_file is None or not upload_file.filename:
            problem = _("Choose a file to upload.")
        else:
            raw = upload_file.read()
            try:
                table = read_upload(upload_file.filename, raw)
            except FileProblem as error:
                problem = str(error)
            else:
                job = ImportJob.create(uid=secrets.token_hex(8), entity=view.key, user=current_user.id,
                                       filename=upload_file.filename[:255], total=len(table.rows),
                                       mapping=guess_mapping(view, table.header))
                _file_of(job).write_bytes(raw)
                return redirect(url_for("transfer.mapping", entity=view.key, uid=job.uid))
    return render_page("records/import.html", status=400 if problem else 200, view=view, problem=problem,
                       max_rows=MAX_ROWS)


def _load(job: ImportJob) -> Table:
    try:
        return read_upload(job.filename, _file_of(job).read_bytes())
    except OSError:
        abort(404)


@bp.route("/<entity>/import/<uid>", methods=["GET", "POST"])
def mapping(entity: str, uid: str):
    """Map columns to fields, choose what to do with duplicates, and check every row."""
    view = entity_or_404(entity)
    job = job_or_404(view, uid)
    table = _load(job)
    checked = None
    if request.method == "POST":
        job.mapping = _form_mapping(view, table.header)
        key_field = request.form.get("key_field", "")
        job.key_field = key_field if key_field in job.mapping.values() and key_field else None
        job.on_duplicate = "update" if request.form.get("on_duplicate") == "update" else "skip"
        job.save()
        rows, errors = check(view, table, job.mapping)
        # Likely duplicates of existing records are shown, not refused: the duplicate key decides.
        warnings = [(offset + 2, matches) for offset, matches in enumerate(view.duplicates(rows)) if matches]
        checked = {"rows": len(rows), "errors": errors[:PREVIEW_ERRORS], "error_count": len(errors),
                   "sample": rows[:5], "duplicates": warnings[:PREVIEW_ERRORS], "duplicate_count": len(warnings)}
    return render_page("records/import_mapping.html", view=view, job=job, table=table, fields=importable(view),
                       checked=checked, sample=table.rows[:3])


@bp.route("/<entity>/import/<uid>/errors.csv")
def errors_file(entity: str, uid: str):
    view = entity_or_404(entity)
    job = job_or_404(view, uid)
    _rows, errors = check(view, _load(job), job.mapping)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Line"), _("Column"), _("Value"), _("Problem")])
    for error in errors:
        writer.writerow([error.line or "", error.column, error.value, error.message])
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename=import-errors-{job.uid}.csv"})


@bp.route("/<entity>/import/<uid>/run", methods=["POST"])
def run(entity: str, uid: str):
    view = entity_or_404(entity)
    job = job_or_404(view, uid)
    if job.status in ("running", "done"):
        return redirect(url_for("transfer.progress", entity=view.key, uid=job.uid))
    _rows, errors = check(view, _load(job), job.mapping)
    if errors:
        flash(_("The file still has problems; nothing was imported."), "error")
        return redirect(url_for("transfer.mapping", entity=view.key, uid=job.uid))
    job.status = "running"
    job.save()
    write_progress(_progress_path(job), done=0, total=job.total, status="running")
    worker = threading.Thread(target=_import_in_background,
                              args=(current_app._get_current_object(), job.id, current_user.id), daemon=True)
    worker.start()
    current_app.extensions.setdefault("salesdeck.imports", {})[job.uid] = worker
    return redirect(url_for("transfer.progress", entity=view.key, uid=job.uid))


@bp.route("/<entity>/import/<uid>/progress")
def progress(entity: str, uid: str):
    view = entity_or_404(entity)
    job = job_or_404(view, uid)
    state = read_progress(_progress_path(job)) or {"done": 0, "total": job.total, "status": job.status}
    return render_page("records/import_progress.html", "progress", view=view, job=job, state=state)


def _import_in_background(app, job_id: int, user_id: int) -> None:
    from ..models import User

    with app.test_request_context():  # an app context, and gettext outside any browser request
        job = ImportJob.get_by_id(job_id)
        path = _progress_path(job)
        try:
            view = get_entity(job.entity)
            user = User.get_by_id(user_id)
            rows, errors = check(view, _load(job), job.mapping)
            if errors:
                raise FileProblem(_("The file changed since it was checked."))
            counts = import_rows(view, user, rows, job, lambda done: write_progress(path, done=done, total=len(rows), status="running"))
            job.status, job.message = "done", ""
            job.created, job.updated, job.skipped = counts
            state = {"done": len(rows), "total": len(rows), "status": "done"}
        except Exception as error:  # noqa: BLE001 - any failure: nothing imported, the user is told
            current_app.logger.exception("import %s failed", job.uid)
            job.status, job.message = "failed", str(error)[:500]
            state = {"done": 0, "total": job.total, "status": "failed", "message": job.message}
        job.finished_at = utcnow()
        job.save()  # before the progress file says it is over, so the page finds the counts
        write_progress(path, **state)
        db.close()


def import_rows(view: EntityView, user, rows: list[dict], job: ImportJob, report) -> tuple[int, int, int]:
    """All rows in one transaction: created, updated, skipped."""
    processes = processes_of(view) if view.has_process else []
    first = (stages_of(processes[0]) or [None])[0] if processes else None
    key_spec = view.field(job.key_field) if job.key_field else None
    created = updated = skipped = 0
    with db.atomic():
        for number, values in enumerate(rows, start=1):
            existing = None
            if key_spec is not None and values.get(key_spec.key) not in (None, ""):
                existing = view.visible(user).where(view.expression(key_spec) == values[key_spec.key]).first()
            if existing is not None and job.on_duplicate == "skip":
                skipped += 1
            elif existing is not None:
                R.save(view, user, values, record=existing, action="import")
                updated += 1
            else:
                R.save(view, user, values, action="import", stage=first)
                created += 1
            if number % PROGRESS_EVERY == 0:
                report(number)
    return created, updated, skipped


# -- export ---------------------------------------------------------------------------------------


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _safe_cell(spec: FieldSpec, text: str) -> str:
    """Text a spreadsheet would run as a formula (=HYPERLINK(...)) is exported with a leading '."""
    if spec.type.kind == T.TEXT and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _export_specs(view: EntityView) -> list[FieldSpec]:
    return [spec for spec in view.active_fields if not spec.hidden]


def _export_rows(view: EntityView):
    wanted = Q.read(view, request.args)
    query = Q.apply(view, view.visible(), wanted)
    specs = _export_specs(view)
    yield [str(spec.label) for spec in specs]
    offset = 0
    while True:
        chunk = list(query.limit(EXPORT_CHUNK).offset(offset))
        if not chunk:
            return
        names = R.lookups(view, chunk, specs)
        for record in chunk:
            yield [_safe_cell(spec, spec.type.to_text(view.value(record, spec), spec, names)) for spec in specs]
        offset += EXPORT_CHUNK


@bp.route("/<entity>/export.csv")
def export_csv(entity: str):
    view = entity_or_404(entity)

    def lines():
        yield "\ufeff"  # so Excel opens UTF-8 (Chinese included) correctly
        for row in _export_rows(view):
            out = io.StringIO()
            csv.writer(out).writerow(row)
            yield out.getvalue()

    stamp = datetime.date.today().isoformat()
    return Response(stream_with_context(lines()), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename={view.key}-{stamp}.csv"})


@bp.route("/<entity>/export.xlsx")
def export_xlsx(entity: str):
    from openpyxl import Workbook

    view = entity_or_404(entity)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(view.label)[:31] or "records")
    for row in _export_rows(view):
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    return send_file(out, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     as_attachment=True, download_name=f"{view.key}-{datetime.date.today().isoformat()}.xlsx")
