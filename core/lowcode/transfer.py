"""Import and export of any entity's records, as CSV or Excel (.xlsx).

An import goes: upload (the file is read at once, so a wrong encoding or broken quoting is
reported before anything else), map columns to fields, check every row, then import, all rows or
none. The check and the import are jobs on the task queue (`imports`), not work inside a request;
their progress is kept on the job's row, so the browser's progress bar works whichever server
answers it.
"""
from __future__ import annotations

import csv
import datetime
import decimal
import io
import math
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms.validators import StopValidation, ValidationError

from ..db import db, utcnow
from ..downloads import xlsx_response
from ..shell import render_page
from . import import_choices, imports, records, types
from . import query as list_query
from .entities import EntitySchema, FieldSpec, entity_or_404, get_entity
from .models import ImportJob
from .spreadsheets import ENCODINGS, MAX_ROWS, FileProblem, Table, decode, read_upload  # noqa: F401 - read there, used here
from .views import editable_or_403

bp = Blueprint("transfer", __name__, url_prefix="/records")
PREVIEW_ERRORS = 100
EXPORT_CHUNK = 1000
UPLOAD_LIFETIME = datetime.timedelta(days=1)
EXPIRED = "expired"


# -- the stored upload ----------------------------------------------------------------------------


def _folder() -> Path:
    folder = Path(current_app.config["INSTANCE_PATH"]) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _file_of(job: ImportJob) -> Path:
    return _folder() / f"{job.uid}.upload"


def _original_of(job: ImportJob) -> Path:
    """The file as uploaded, kept once its user chose an encoding: `_file_of` then holds its text
    re-encoded as UTF-8 (what the check and import jobs read), `_encoding_of` the choice."""
    return _folder() / f"{job.uid}.original"


def _encoding_of(job: ImportJob) -> Path:
    return _folder() / f"{job.uid}.encoding"


def _progress_path(job: ImportJob) -> Path:
    return _folder() / f"{job.uid}.progress.json"


def discard_upload(job: ImportJob) -> None:
    """Delete a job's uploaded file and its progress file: call it when the import is done, has
    failed, is cancelled or has expired. Deleting what is already gone is harmless."""
    progress = _progress_path(job)
    for path in (_file_of(job), _original_of(job), _encoding_of(job), progress, progress.with_suffix(".tmp")):
        path.unlink(missing_ok=True)


def expire_uploads() -> None:
    """Files of uploads older than a day are deleted (orphans too), and their jobs that could still
    start (uploaded, checked, failed) are marked expired; a job at work keeps its file. Runs on each
    new upload."""
    stale = time.time() - UPLOAD_LIFETIME.total_seconds()
    old = {}
    for path in _folder().iterdir():
        try:
            if path.stat().st_mtime < stale:
                old.setdefault(path.name.split(".", 1)[0], []).append(path)
        except OSError:
            continue  # deleted meanwhile by another process's sweep
    if not old:
        return
    waiting = (imports.UPLOADED, imports.CHECKED, imports.FAILED)  # could still start: expire them
    over = (imports.DONE, imports.CANCELLED, EXPIRED)  # a job being checked or run keeps its file
    with db.atomic():
        (ImportJob.update(status=EXPIRED, finished_at=utcnow())
         .where(ImportJob.uid.in_(list(old)), ImportJob.status.in_(waiting)).execute())
    busy = {job.uid for job in ImportJob.select(ImportJob.uid)  # after: a job cannot start once expired
            .where(ImportJob.uid.in_(list(old)), ImportJob.status.not_in(over))}
    for uid, paths in old.items():
        if uid not in busy:
            for path in paths:
                path.unlink(missing_ok=True)


def job_or_404(schema: EntitySchema, uid: str) -> ImportJob:
    job = ImportJob.get_or_none(ImportJob.uid == uid, ImportJob.entity == schema.key, ImportJob.user == current_user.id)
    if job is None:
        abort(404)
    return job


# -- mapping and checking -------------------------------------------------------------------------


def importable(schema: EntitySchema) -> list[FieldSpec]:
    return [spec for spec in schema.active_fields if spec.in_form and spec.type.in_form]


def guess_mapping(schema: EntitySchema, header: list[str]) -> dict[str, str]:
    by_name = {}
    for spec in importable(schema):
        by_name.setdefault(str(spec.label).strip().lower(), spec.key)
        by_name.setdefault(spec.key.lower(), spec.key)
    return {column: by_name.get(column.strip().lower(), "") for column in header}


@dataclass
class RowError:
    line: int
    column: str
    value: str
    message: str


def check(schema: EntitySchema, table: Table, mapping: dict[str, str], progress=None,
          key_field: str | None = None) -> tuple[list[dict], list[RowError]]:
    """Every row as stored values, and every problem with the line it is on (the header is line 1).

    A row is read as its fields' types read text, then passes the record form's own validators
    (one validation for forms and imports) and the length of the database column; a unique field's
    value, and the value of the duplicate key (`key_field`), may appear once in the file.
    `progress(rows done)` is called after each row."""
    specs = {spec.key: spec for spec in importable(schema)}
    used = {key: column for column, key in mapping.items() if key in specs}
    errors: list[RowError] = [RowError(line, "", "", message) for line, message in table.problems]
    for spec in specs.values():
        if spec.required and spec.key not in used:
            errors.append(RowError(0, "", "", _("%(field)s is required: choose the column that holds it.", field=spec.label)))
    positions = {column: index for index, column in enumerate(table.header)}
    validator = RowValidator(schema, [specs[key] for key in used])
    seen: dict[str, set] = {key: set() for key in used if specs[key].unique or key == key_field}
    rows = []
    for offset, cells in enumerate(table.rows):
        line = offset + 2
        values, texts, refused = {}, {}, set()
        for key, column in used.items():
            spec = specs[key]
            text = texts[key] = cells[positions[column]]
            try:
                value = spec.type.parse_text(text, spec)
            except types.Conversion as problem:
                errors.append(RowError(line, column, text, str(problem)))
                refused.add(key)
                continue
            if value in (None, "", []) and spec.required:
                errors.append(RowError(line, column, text, _("%(field)s cannot be empty.", field=spec.label)))
                refused.add(key)
            values[key] = value
        for key, message in validator.problems(values, texts, refused):
            errors.append(RowError(line, used[key], texts[key], message))
        for key, values_seen in seen.items():
            value = values.get(key)
            if value in (None, "") or key in refused:
                continue
            if value in values_seen:
                errors.append(RowError(line, used[key], texts[key], _("Another row of the file has this %(field)s.",
                                                                      field=specs[key].label)))
            values_seen.add(value)
        rows.append(values)
        if progress is not None:
            progress(offset + 1)
    return rows, errors


class RowValidator:
    """The record form's validators (`records.make_form`), run on each row's values: one form is
    built for the whole file, its fields filled row after row, so no query runs per row."""

    def __init__(self, schema: EntitySchema, specs: list[FieldSpec]):
        self.form = records.make_form(schema, submitted=False, only=set())
        self.specs = [spec for spec in specs if spec.key in self.form]

    def problems(self, values: dict, texts: dict, skip: set) -> list[tuple[str, str]]:
        checked = [spec for spec in self.specs if spec.key in values and spec.key not in skip]
        for spec in checked:  # every field first: a validator may read another field
            field = self.form[spec.key]
            try:
                field.data = spec.type.to_form(values[spec.key], spec)
            except (TypeError, ValueError, ArithmeticError):
                field.data = values[spec.key]
            text = texts.get(spec.key) or ""
            field.raw_data = [text] if text.strip() else []
        found = []
        for spec in checked:
            field = self.form[spec.key]
            inline = getattr(type(self.form), f"validate_{spec.key}", None)
            found += [(spec.key, message) for message in _run_validators(self.form, field,
                                                                         list(field.validators) + ([inline] if inline else []))]
            longest = getattr(spec.column, "max_length", None) if spec.base else None
            value = values[spec.key]
            if longest and isinstance(value, str) and len(value) > longest and not field.errors:
                found.append((spec.key, _("Longer than %(count)d characters.", count=longest)))
        return found


def _run_validators(form, field, validators) -> list[str]:
    """As WTForms runs a field's validation chain: a StopValidation ends it."""
    field.errors = []
    for validator in validators:
        try:
            validator(form, field)
        except StopValidation as stop:
            if stop.args and stop.args[0]:
                field.errors.append(str(stop.args[0]))
            break
        except ValidationError as error:
            field.errors.append(str(error.args[0]))
    return list(field.errors)


def _form_mapping(schema: EntitySchema, header: list[str]) -> dict[str, str]:
    known = {spec.key for spec in importable(schema)}
    mapping = {}
    for index, column in enumerate(header):
        key = request.form.get(f"map-{index}", "")
        mapping[column] = key if key in known else ""
    return mapping


# -- pages ----------------------------------------------------------------------------------------


@bp.before_request
def _imports_are_for_editors():
    """One guard for every import page (upload, mapping, run, progress, errors file and any page
    added under /<entity>/import): the entity's editors only. An expired upload sends its user
    back to upload the file again."""
    rule = request.url_rule
    if rule is None or not rule.rule.startswith(f"{bp.url_prefix}/<entity>/import"):
        return None
    schema = entity_or_404(request.view_args["entity"])
    editable_or_403(schema)
    uid = request.view_args.get("uid")
    if uid and (ImportJob.select().where(ImportJob.uid == uid, ImportJob.entity == schema.key,
                                         ImportJob.user == current_user.id, ImportJob.status == EXPIRED).exists()):
        flash(_("This upload has expired: files are kept for a day. Upload the file again."), "error")
        return redirect(url_for("transfer.upload", entity=schema.key))
    return None


def _size_text(size: int) -> str:
    megabytes = size / (1024 * 1024)
    if megabytes >= 1:
        return f"{megabytes:.0f} MB" if size % (1024 * 1024) == 0 else f"{megabytes:.1f} MB"
    return f"{max(size // 1024, 1)} KB"


def _upload_page(schema: EntitySchema, problem: str | None, status: int):
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    return render_page("records/import.html", status=status, schema=schema, problem=problem, max_rows=MAX_ROWS,
                       max_bytes=limit, max_size=_size_text(limit) if limit else None)


@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(_error):
    """A file over MAX_CONTENT_LENGTH: the limit, said plainly (the upload page says it before too).
    A blueprint's handler, so it wins over the shell's generic 413 for these pages."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    message = _("The upload is too large. Files up to %(size)s can be uploaded.", size=_size_text(limit))
    if request.htmx:
        return make_response(message, 413)
    schema = get_entity((request.view_args or {}).get("entity", ""))
    if (request.endpoint == "transfer.upload" and schema is not None and current_user.is_authenticated
            and schema.may_edit(current_user)):
        return _upload_page(schema, message, 413)
    return make_response(render_template("errors/error.html", code=413, message=message), 413)


@bp.route("/<entity>/import", methods=["GET", "POST"])
def upload(entity: str):
    schema = entity_or_404(entity)
    problem = None
    if request.method == "POST":
        upload_file = request.files.get("file")
        expire_uploads()
        if upload_file is None or not upload_file.filename:
            problem = _("Choose a file to upload.")
        else:
            raw = upload_file.read()
            try:
                table = read_upload(upload_file.filename, raw)
            except FileProblem as error:
                problem = str(error)
            else:
                job = ImportJob.create(uid=secrets.token_hex(8), entity=schema.key, user=current_user.id,
                                       filename=upload_file.filename[:255], total=len(table.rows),
                                       mapping=guess_mapping(schema, table.header))
                _file_of(job).write_bytes(raw)
                return redirect(url_for("transfer.mapping", entity=schema.key, uid=job.uid))
    return _upload_page(schema, problem, 400 if problem else 200)


def _load(job: ImportJob, encoding: str | None = None) -> Table:
    """The upload as a table: read as `encoding`, else as its user chose before, else as detected."""
    try:
        original = _original_of(job)
        if not original.exists():
            return read_upload(job.filename, _file_of(job).read_bytes(), encoding)
        return read_upload(job.filename, original.read_bytes(), encoding or _encoding_of(job).read_text().strip())
    except OSError:
        abort(404)


def _reread(schema: EntitySchema, job: ImportJob, encoding: str) -> Table:
    """Read the upload again as `encoding` (a FileProblem when it cannot be), and keep that choice:
    the jobs read the file's text as UTF-8 from then on. Columns are matched again and an earlier
    check is forgotten."""
    if job.status == imports.CHECKING:
        raise FileProblem(_("The file is being checked; wait for the check to finish, then choose another encoding."))
    table = _load(job, encoding)
    original = _original_of(job)
    if not original.exists():
        original.write_bytes(_file_of(job).read_bytes())
    _file_of(job).write_bytes(decode(original.read_bytes(), encoding)[0].encode("utf-8-sig"))
    _encoding_of(job).write_text(encoding)
    job.mapping = guess_mapping(schema, table.header)
    job.total = len(table.rows)
    job.status, job.report = imports.UPLOADED, None
    job.save(only=[ImportJob.mapping, ImportJob.total, ImportJob.status, ImportJob.report])
    return table


def _check_state(schema: EntitySchema, job: ImportJob) -> dict | None:
    """What the check job found, as the mapping page shows it (None before it has finished); the
    flagged rows set to `?all=` (skip or create), else to skip."""
    if job.status != imports.CHECKED or not job.report:
        return None
    report = job.report
    every = request.args.get("all") if request.args.get("all") in import_choices.DEFAULTS else import_choices.SKIP
    return {**report, "errors": report.get("errors", [])[:PREVIEW_ERRORS], "every": every,
            "every_label": import_choices.default_label(every), "flagged": import_choices.preview(schema, report, every)}


@bp.route("/<entity>/import/<uid>", methods=["GET", "POST"])
def mapping(entity: str, uid: str):
    """Map columns to fields, choose what to do with duplicates, and have every row checked (a
    job: the page follows it and shows what it found)."""
    schema = entity_or_404(entity)
    job = job_or_404(schema, uid)
    fragment = request.method == "GET" and request.htmx and not request.htmx.boosted
    if not fragment and job.status in (imports.RUNNING, imports.DONE, imports.FAILED, imports.CANCELLED):
        return redirect(url_for("transfer.progress", entity=schema.key, uid=job.uid))  # its file may be gone
    table = None if fragment else _load(job)
    problem = None
    choice = None if fragment else request.values.get("encoding")
    if table is not None and table.encoding and choice and choice != table.encoding:
        try:
            table = _reread(schema, job, choice)
        except FileProblem as error:
            problem = str(error)
    if problem:
        return render_page("records/import_mapping.html", status=400, schema=schema, job=job, table=table,
                           fields=importable(schema), checked=_check_state(schema, job), stalled=imports.stalled(job),
                           sample=table.rows[:3], encodings=ENCODINGS, problem=problem,
                           chosen=_original_of(job).exists())
    if request.method == "POST":
        job.mapping = _form_mapping(schema, table.header)
        key_field = request.form.get("key_field", "")
        job.key_field = key_field if key_field in job.mapping.values() and key_field else None
        job.on_duplicate = "update" if request.form.get("on_duplicate") == "update" else "skip"
        job.save(only=[ImportJob.mapping, ImportJob.key_field, ImportJob.on_duplicate])
        imports.check_file(job)
        job = ImportJob.get_by_id(job.id)  # the check may be over already (a quick worker, or tests)
    return render_page("records/import_mapping.html", "check", schema=schema, job=job, table=table,
                       fields=importable(schema), checked=_check_state(schema, job), stalled=imports.stalled(job),
                       sample=table.rows[:3] if table else [], encodings=ENCODINGS, problem=None,
                       chosen=table is not None and _original_of(job).exists())


@bp.route("/<entity>/import/<uid>/errors.csv")
def errors_file(entity: str, uid: str):
    schema = entity_or_404(entity)
    job = job_or_404(schema, uid)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Line"), _("Column"), _("Value"), _("Problem")])
    for error in (job.report or {}).get("errors", []):
        writer.writerow([error["line"] or "", error["column"], error["value"], error["message"]])
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename=import-errors-{job.uid}.csv"})


@bp.route("/<entity>/import/<uid>/run", methods=["POST"])
def run(entity: str, uid: str):
    """Import a checked file: a job; the progress page follows it."""
    schema = entity_or_404(entity)
    job = job_or_404(schema, uid)
    if job.status != imports.CHECKED:
        if job.status in (imports.UPLOADED, imports.CHECKING):
            flash(_("Check the file first."), "error")
            return redirect(url_for("transfer.mapping", entity=schema.key, uid=job.uid))
        return redirect(url_for("transfer.progress", entity=schema.key, uid=job.uid))
    if (job.report or {}).get("error_count"):
        flash(_("The file still has problems; nothing was imported."), "error")
        return redirect(url_for("transfer.mapping", entity=schema.key, uid=job.uid))
    choices = import_choices.read_choices(schema, job.report or {}, request.form)  # a 400 when one is not a choice
    # Kept with the job for its worker; a new check meanwhile (a new report) forgets them.
    (ImportJob.update(report={**job.report, "choices": choices})
     .where(ImportJob.id == job.id, ImportJob.attempt == job.attempt, ImportJob.status == imports.CHECKED).execute())
    imports.import_file(job)
    return redirect(url_for("transfer.progress", entity=schema.key, uid=job.uid))


@bp.route("/<entity>/import/<uid>/progress")
def progress(entity: str, uid: str):
    schema = entity_or_404(entity)
    job = job_or_404(schema, uid)
    return render_page("records/import_progress.html", "progress", schema=schema, job=job, stalled=imports.stalled(job))


@bp.route("/<entity>/import/<uid>/retry", methods=["POST"])
def retry(entity: str, uid: str):
    """Start a stalled check or import again (its worker died)."""
    schema = entity_or_404(entity)
    job = job_or_404(schema, uid)
    checking = job.status == imports.CHECKING
    if not imports.retry(job):
        flash(_("This import is not stalled; there is nothing to retry."), "error")
    if checking:
        return redirect(url_for("transfer.mapping", entity=schema.key, uid=job.uid))
    return redirect(url_for("transfer.progress", entity=schema.key, uid=job.uid))


@bp.route("/<entity>/import/<uid>/cancel", methods=["POST"])
def cancel(entity: str, uid: str):
    """Give up an import: nothing of it is saved and its file is deleted."""
    schema = entity_or_404(entity)
    job = job_or_404(schema, uid)
    if imports.cancel(job):
        flash(_("The import is cancelled; nothing was saved."), "success")
    return redirect(url_for("transfer.progress", entity=schema.key, uid=job.uid))


# -- export ---------------------------------------------------------------------------------------


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")  # full-width ones too: Excel reads them
PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
SHEET_TITLE_REFUSES = re.compile(r"[\\/?*\[\]:]")


def _is_number(value) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, decimal.Decimal):
        return value.is_finite()
    return isinstance(value, int) and not isinstance(value, bool)


def _safe_cell(value):
    """Every cell of every export passes here, whatever its field's type (an owner's name, a linked
    record's title and a stage's name are text anyone may have typed): numbers stay numbers, text a
    spreadsheet would run as a formula (=HYPERLINK(...)) gets a leading '."""
    if _is_number(value):
        return value
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def _export_value(schema: EntitySchema, record, spec: FieldSpec, names):
    """A number field's number as a number (a sheet can sum it); anything else as its text."""
    stored = schema.value(record, spec)
    if spec.type.kind == types.NUMBER and _is_number(stored):
        return stored
    return spec.type.to_text(stored, spec, names)


def sheet_title(label) -> str:
    """The sheet's title as Excel takes it: none of \\ / ? * [ ] :, at most 31 characters, no ' at either end."""
    title = " ".join(SHEET_TITLE_REFUSES.sub(" ", str(label)).split())[:31]
    return title.strip("' ") or "records"


def _export_specs(schema: EntitySchema) -> list[FieldSpec]:
    return [spec for spec in schema.active_fields if not spec.hidden]


def _export_rows(schema: EntitySchema):
    wanted = list_query.read(schema, request.args)
    query = list_query.apply(schema, schema.visible(), wanted)
    specs = _export_specs(schema)
    yield [_safe_cell(str(spec.label)) for spec in specs]
    offset = 0
    while True:
        chunk = list(query.limit(EXPORT_CHUNK).offset(offset))
        if not chunk:
            return
        names = records.lookups(schema, chunk, specs)
        for record in chunk:
            yield [_safe_cell(_export_value(schema, record, spec, names)) for spec in specs]
        offset += EXPORT_CHUNK


@bp.route("/<entity>/export.csv")
def export_csv(entity: str):
    schema = entity_or_404(entity)

    def lines():
        yield "\ufeff"  # so Excel opens UTF-8 (Chinese included) correctly
        for row in _export_rows(schema):
            out = io.StringIO()
            csv.writer(out).writerow(row)
            yield out.getvalue()

    stamp = datetime.date.today().isoformat()
    return Response(stream_with_context(lines()), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename={schema.key}-{stamp}.csv"})


@bp.route("/<entity>/export.xlsx")
def export_xlsx(entity: str):
    schema = entity_or_404(entity)
    return xlsx_response(_export_rows(schema), sheet_title(schema.label), f"{schema.key}-{datetime.date.today().isoformat()}.xlsx")
