"""Imports as jobs on the task queue: the check of a file and its import run in a worker (`core.jobs`),
never inside a web request, and survive the death of the web worker that asked for them.

An import stays all or nothing for the user while other people keep saving: new records are written
in batches of `IMPORT_BATCH_SIZE`, each its own short transaction, marked pending (their
`deleted_at` is `IMPORT_PENDING`, so every list, search and total skips them) and listed in
`ImportedRecord`; one short last transaction makes them live together, or they are deleted when a
row fails, the author cancels, or a retry starts over. On SQLite a pause between batches lets the
writers waiting for the lock in.

A job's worker writes a heartbeat on its `ImportJob` row; a job without one for
`JOB_STALL_SECONDS` (its worker died) is shown as stalled, and its author may retry or cancel it.
Every write of a worker is tied to the job's `attempt`: a cancelled or retried job's old worker
stops at its next heartbeat.
"""
from __future__ import annotations

import datetime
import logging
import time

import peewee
from flask import current_app
from flask_babel import gettext as _

from .. import jobs
from ..contributions import PeriodicTask
from ..db import db, is_sqlite, utcnow
from . import import_choices, records
from .entities import EntitySchema, get_entity
from .models import IMPORT_PENDING, AuditEntry, ImportedRecord, ImportJob, StageMove
from .processes import processes_of, stages_of
from .spreadsheets import FileProblem

log = logging.getLogger(__name__)

UPLOADED, CHECKING, CHECKED, RUNNING = "uploaded", "checking", "checked", "running"
DONE, FAILED, CANCELLED = "done", "failed", "cancelled"
WORKING = (CHECKING, RUNNING)
OPEN = (UPLOADED, CHECKING, CHECKED, RUNNING)
CHECK_TASK, IMPORT_TASK = "salesdeck.import_check", "salesdeck.import_run"
PREVIEW_ERRORS = 100  # problems shown on the page
KEPT_ERRORS = 5000  # problems kept for the downloadable list
CHUNK = 500  # ids per statement when deleting or checking pending records
DEFAULTS = {
    "IMPORT_BATCH_SIZE": 500,  # rows per short write transaction
    # Seconds between batches; by default 0.15 on SQLite (longer than a waiting writer's longest
    # sleep, so it gets the lock) and none on PostgreSQL, where writers do not wait for each other.
    "IMPORT_BATCH_PAUSE": None,
    "JOB_STALL_SECONDS": 120,  # a job without a heartbeat for this long has lost its worker
}


class Superseded(Exception):
    """The job was cancelled or started again: this worker stops and undoes its writes."""


class JobProblem(ValueError):
    """The job cannot go on; the message says why (shown to its author)."""


def setting(name: str):
    return current_app.config.get(name, DEFAULTS[name])


# -- the job's state ------------------------------------------------------------------------------


def stalled(job: ImportJob) -> bool:
    """A check or import whose worker has not reported for `JOB_STALL_SECONDS`."""
    if job.status not in WORKING:
        return False
    return (job.heartbeat_at or job.started_at or job.created_at) < _silent_since()


def _silent_since() -> datetime.datetime:
    return utcnow() - datetime.timedelta(seconds=setting("JOB_STALL_SECONDS"))


def start(job: ImportJob, status: str, expected: tuple[str, ...], stalled_only: bool = False) -> bool:
    """Move the job into `status` (a new attempt) and queue its task; False when the job was not
    in one of the `expected` states any more (a second click, a cancel, a retry someone else
    already made). The move and the attempt it gives are one transaction."""
    now = utcnow()
    condition = (ImportJob.id == job.id) & ImportJob.status.in_(expected)
    if stalled_only:
        condition &= ImportJob.heartbeat_at.is_null() | (ImportJob.heartbeat_at < _silent_since())
    with db.atomic():
        moved = (ImportJob.update(status=status, attempt=ImportJob.attempt + 1, done=0, message="", started_at=now,
                                  heartbeat_at=now, finished_at=None).where(condition).execute())
        attempt = ImportJob.select(ImportJob.attempt).where(ImportJob.id == job.id).scalar() if moved else None
    if not moved:
        return False
    jobs.enqueue(CHECK_TASK if status == CHECKING else IMPORT_TASK, job.id, attempt)
    return True


def check_file(job: ImportJob) -> bool:
    return start(job, CHECKING, (UPLOADED, CHECKING, CHECKED))  # a new mapping: checked again


def import_file(job: ImportJob) -> bool:
    return start(job, RUNNING, (CHECKED,))


def retry(job: ImportJob) -> bool:
    """Start a stalled job again from the beginning (what its dead worker wrote is removed)."""
    if not stalled(job):
        return False
    discard_pending(job, through=job.attempt)  # a new attempt's records are never this one's to remove
    return start(job, job.status, (job.status,), stalled_only=True)


def cancel(job: ImportJob) -> bool:
    """Stop the job for good: nothing of it is saved, its file is deleted."""
    stopped = (ImportJob.update(status=CANCELLED, attempt=ImportJob.attempt + 1, finished_at=utcnow())
               .where(ImportJob.id == job.id, ImportJob.status.in_(OPEN)).execute())
    if stopped:
        discard_pending(job)
        _discard_upload(job)
    return bool(stopped)


def _beat(job: ImportJob, done: int | None = None) -> None:
    """The worker is alive; raise Superseded when the job is no longer this worker's."""
    fields = {ImportJob.heartbeat_at: utcnow()}
    if done is not None:
        fields[ImportJob.done] = done
    alive = (ImportJob.update(fields)
             .where(ImportJob.id == job.id, ImportJob.attempt == job.attempt, ImportJob.status.in_(WORKING)).execute())
    if not alive:
        raise Superseded()


def _finish(job: ImportJob, status: str, **fields) -> bool:
    """Record the outcome, if the job is still this worker's."""
    return bool(ImportJob.update(status=status, finished_at=utcnow(), **fields)
                .where(ImportJob.id == job.id, ImportJob.attempt == job.attempt, ImportJob.status.in_(WORKING)).execute())


def _discard_upload(job: ImportJob) -> None:
    from . import transfer

    discard = getattr(transfer, "discard_upload", None)  # helper "files" adds it: the file goes when the job ends
    if discard is not None:
        discard(job)


# -- the tasks ------------------------------------------------------------------------------------


def _claim(job_id: int, attempt: int, status: str) -> ImportJob | None:
    job = ImportJob.get_or_none(ImportJob.id == job_id)
    if job is None or job.attempt != attempt or job.status != status:
        return None  # cancelled, retried or finished meanwhile: an old message in the queue
    return job


def _table(job: ImportJob):
    from . import transfer

    try:
        raw = transfer._file_of(job).read_bytes()
    except OSError:
        raise JobProblem(_("The uploaded file is no longer here; upload it again.")) from None
    return transfer.read_upload(job.filename, raw)


def _checked(job: ImportJob, schema: EntitySchema, done_counts: bool):
    from . import transfer

    every = 1000

    def progress(done: int) -> None:
        if done % every == 0:
            _beat(job, done if done_counts else None)

    return transfer.check(schema, _table(job), job.mapping, progress=progress, key_field=job.key_field)


def run_check(job_id: int, attempt: int) -> None:
    """The task that checks every row of an uploaded file and keeps what it found on the job."""
    job = _claim(job_id, attempt, CHECKING)
    if job is None:
        return
    with jobs.as_user(job.user):
        try:
            schema = get_entity(job.entity)
            if schema is None:
                raise JobProblem(_("This form is no longer available."))
            rows, errors = _checked(job, schema, done_counts=True)
            report = {
                "rows": len(rows), "error_count": len(errors),
                "errors": [{"line": e.line, "column": e.column, "value": e.value, "message": str(e.message)} for e in errors[:KEPT_ERRORS]],
                "sample": rows[:5], "duplicate_count": 0, "duplicates": [],
                **(import_choices.check_report(schema, job.user, rows, job.key_field) if not errors else {}),
            }
            _finish(job, CHECKED, report=report, done=len(rows), total=len(rows))
        except Superseded:
            return
        except Exception as error:  # noqa: BLE001 - any failure ends the job with a message for its author
            _failed(job, error)


def run_import(job_id: int, attempt: int) -> None:
    """The task that imports a checked file, as the user who asked for it."""
    job = _claim(job_id, attempt, RUNNING)
    if job is None:
        return
    with jobs.as_user(job.user):
        schema = get_entity(job.entity)
        try:
            if schema is None:
                raise JobProblem(_("This form is no longer available."))
            rows, errors = _checked(job, schema, done_counts=False)
            if errors:
                raise JobProblem(_("The file changed since it was checked."))
            import_rows(schema, job.user, rows, job, lambda done: _beat(job, done))
        except Superseded:
            discard_pending(job, attempt=attempt)
            return
        except Exception as error:  # noqa: BLE001
            discard_pending(job, attempt=attempt)
            _failed(job, error)
            return
        _discard_upload(job)


def _failed(job: ImportJob, error: Exception) -> None:
    if not isinstance(error, (JobProblem, FileProblem, records.UniqueViolation)):
        current_app.logger.exception("import %s failed", job.uid)
    _finish(job, FAILED, message=str(error)[:500])
    _discard_upload(job)


def cancel_abandoned() -> int:
    """Cancel the jobs stalled for over a day, nobody having retried or cancelled them (what
    their dead workers wrote is removed), and the files checked a day ago but never imported;
    their files are deleted. Runs every hour."""
    limit = utcnow() - datetime.timedelta(days=1)
    abandoned = list(ImportJob.select().where(ImportJob.status.in_(WORKING + (CHECKED,)), ImportJob.heartbeat_at < limit))
    return sum(cancel(job) for job in abandoned)


TASKS = {CHECK_TASK: run_check, IMPORT_TASK: run_import}
PERIODIC = [PeriodicTask("salesdeck.cancel_abandoned_imports", cancel_abandoned, minute="17")]


# -- writing in batches ---------------------------------------------------------------------------


def import_rows(schema: EntitySchema, user, rows: list[dict], job: ImportJob, report) -> tuple[int, int, int]:
    """Write the rows: new records in short batches, pending; then, in one short transaction, the
    updates of existing records and the switch that makes the new ones live. Returns (created,
    updated, skipped); raises (after which `discard_pending` removes what was written)."""
    processes = processes_of(schema) if schema.has_process else []
    first = (stages_of(processes[0]) or [None])[0] if processes else None
    key_spec = schema.field(job.key_field) if job.key_field else None
    size = max(1, int(setting("IMPORT_BATCH_SIZE")))
    pause = setting("IMPORT_BATCH_PAUSE")
    pause = float(pause) if pause is not None else (0.15 if is_sqlite() else 0.0)
    created = updated = skipped = 0
    updates: list[tuple[int, dict]] = []
    # Rows that look like existing records: the user's choice for each (import_choices).
    choices = (job.report or {}).get("choices") or {}
    flagged = import_choices.flag(schema, user, rows, job.key_field)
    chosen_updates: list[tuple[int, int, dict]] = []
    outcome = import_choices.Outcome()
    for start_at in range(0, len(rows), size):
        with db.atomic():
            new_ids = []
            for offset, values in enumerate(rows[start_at:start_at + size], start=start_at):
                existing = None
                if key_spec is not None and values.get(key_spec.key) not in (None, ""):
                    existing = schema.visible(user).where(schema.expression(key_spec) == values[key_spec.key]).first()
                choice = import_choices.choice_for(choices, offset + 2, bool(flagged[offset])) if existing is None else None
                # A match the user may only see (the pool's) is left as it is, never updated.
                if existing is not None and (job.on_duplicate == "skip" or not schema.may_change(existing, user)):
                    skipped += 1
                elif existing is not None:
                    updates.append((existing.id, values))
                    updated += 1
                elif choice == import_choices.SKIP:
                    skipped += 1
                    outcome.add(import_choices.SKIP, offset + 2, import_choices.row_name(schema, values))
                elif import_choices.update_target(choice) is not None:
                    chosen_updates.append((offset + 2, import_choices.update_target(choice), values))
                else:
                    record, _changes = records.save(schema, user, values, action="import", stage=first)
                    new_ids.append(record.id)
                    created += 1
                    if choice is not None:
                        outcome.add(import_choices.CREATE, offset + 2, import_choices.row_name(schema, values))
            if new_ids:
                marks = {schema.model.deleted_at: IMPORT_PENDING}
                if schema.declared.import_field:  # the entity keeps which import created a record
                    marks[schema.model._meta.fields[schema.declared.import_field]] = job.id
                schema.model.update(marks).where(schema.model.id.in_(new_ids)).execute()
                ImportedRecord.insert_many([{"job": job.id, "attempt": job.attempt, "entity": schema.key, "record_id": record_id}
                                            for record_id in new_ids]).execute()
        report(min(start_at + size, len(rows)))
        if pause:
            time.sleep(pause)
    with db.atomic():
        _check_unique_against_live(schema, job)
        for record_id, values in updates:
            record = schema.changeable(user).where(schema.model.id == record_id).first()
            if record is not None:
                records.save(schema, user, values, record=record, action="import")
        updated += _apply_chosen_updates(schema, user, chosen_updates, outcome)
        schema.model.update(deleted_at=None).where(schema.model.id.in_(_pending(job, job.attempt)),
                                                   schema.model.deleted_at == IMPORT_PENDING).execute()
        ImportedRecord.delete().where(ImportedRecord.job == job.id, ImportedRecord.attempt == job.attempt).execute()
        if not _finish(job, DONE, message="", created=created, updated=updated, skipped=skipped, done=len(rows),
                       report={**(job.report or {}), "outcome": outcome.as_report()}):
            raise Superseded()  # cancelled at the last moment: nothing goes live
    return created, updated, skipped


def _apply_chosen_updates(schema: EntitySchema, user, chosen: list[tuple[int, int, dict]], outcome) -> int:
    """Update the records the user chose for flagged rows, through the records service (audit,
    versions), each only if the user may change it now; a row whose record they may not change (or
    that was deleted) is not imported and is reported. Returns how many were updated."""
    if not chosen:
        return 0
    ids = list({record_id for _line, record_id, _values in chosen})
    allowed = {}
    for offset in range(0, len(ids), CHUNK):
        allowed.update((record.id, record) for record in schema.changeable(user).where(schema.model.id.in_(ids[offset:offset + CHUNK])))
    updated = 0
    for line, record_id, values in chosen:
        name = import_choices.row_name(schema, values)
        record = allowed.get(record_id)
        if record is None:
            outcome.add("refused", line, name, _("You may not change the record it looks like, or it was deleted."))
            continue
        title = schema.title_of(record)  # as the user knew it, before the row's values
        records.save(schema, user, values, record=record, action="import")
        outcome.add(import_choices.UPDATE, line, name, title)
        updated += 1
    return updated


def _check_unique_against_live(schema: EntitySchema, job: ImportJob) -> None:
    """A unique value someone saved while the import ran refuses the import (as a save would)."""
    specs = [spec for spec in schema.active_fields if spec.unique]
    if not specs:
        return
    pending = _pending(job, job.attempt)
    for spec in specs:
        expression = schema.expression(spec)
        values = [value for (value,) in schema.model.select(expression).where(schema.model.id.in_(pending)).tuples()
                  if value not in (None, "")]
        for offset in range(0, len(values), CHUNK):
            if schema.query().where(expression.in_(values[offset:offset + CHUNK])).exists():
                raise records.UniqueViolation(spec)


def _pending(job: ImportJob, attempt: int | None = None, through: int | None = None):
    """The ids of the records the job wrote (in one attempt, in the attempts up to `through`, or
    in all), as a subquery."""
    query = ImportedRecord.select(ImportedRecord.record_id).where(ImportedRecord.job == job.id)
    if attempt is not None:
        query = query.where(ImportedRecord.attempt == attempt)
    if through is not None:
        query = query.where(ImportedRecord.attempt <= through)
    return query


def discard_pending(job: ImportJob, attempt: int | None = None, through: int | None = None) -> None:
    """Delete the records the job wrote (see `_pending`) but never made live, with their history,
    in short transactions."""
    ids = [row.record_id for row in _pending(job, attempt, through)]
    schema = get_entity(job.entity)
    if not ids or schema is None:
        return
    for offset in range(0, len(ids), CHUNK):
        chunk = ids[offset:offset + CHUNK]
        try:
            with db.atomic():
                AuditEntry.delete().where(AuditEntry.entity == schema.key, AuditEntry.record_id.in_(chunk)).execute()
                StageMove.delete().where(StageMove.entity == schema.key, StageMove.record_id.in_(chunk)).execute()
                schema.model.delete().where(schema.model.id.in_(chunk), schema.model.deleted_at == IMPORT_PENDING).execute()
                ImportedRecord.delete().where(ImportedRecord.job == job.id, ImportedRecord.record_id.in_(chunk)).execute()
        except peewee.IntegrityError:
            log.exception("import %s: pending records still referenced; they stay hidden", job.uid)
