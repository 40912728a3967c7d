"""Processes and stages: moving a record, the stage rules, approvals, merging stages.

A plugin's default processes (the `register_processes` hook) are copied into the database the
first time they are needed; from then on admins edit them in the browser.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import peewee
from flask import current_app
from flask_babel import gettext as _

from .. import registry, versions
from ..changes import kept_rows
from ..db import db, utcnow
from ..plugins import host_of
from .entities import EntitySchema, FieldSpec, schema_changed
from .models import APPROVED, PENDING, REJECTED, Approval, AuditEntry, Process, Stage, StageMove, source_text

KINDS = ("open", "won", "lost")


def ensure_defaults() -> None:
    """Copy the enabled plugins' default processes that are not in the database yet: looked at once
    per version of the schema and the plugins (a process is copied or archived with a new schema
    version, a plugin enabled with a new plugins version)."""
    declared = registry.processes()
    if not declared:
        return
    counters = versions.current()
    stamp = (counters.get(versions.SCHEMA, 0), counters.get(versions.PLUGINS, 0))
    state = current_app.extensions.setdefault("salesdeck.processes", {})
    if state.get("ensured") == stamp:
        return
    known = {key for (key,) in Process.select(Process.key).tuples()}
    for key, process in declared.items():
        if key in known:
            continue
        try:
            with db.atomic():
                row = Process.create(key=key, label=source_text(process.label), entity=process.entity)
                for position, stage in enumerate(process.stages):
                    Stage.create(
                        process=row, key=stage.key, label=source_text(stage.label), color=stage.color, position=position,
                        probability=stage.probability, kind=stage.kind, required_fields=list(stage.required_fields),
                        needs_approval=stage.needs_approval, followup_days=stage.followup_days,
                    )
                schema_changed()
        except peewee.IntegrityError:
            continue  # another process copied it at the same moment
    if versions.committed():  # every one is in the database now, at this version (read afresh after a copy)
        counters = versions.current()
        state["ensured"] = (counters.get(versions.SCHEMA, 0), counters.get(versions.PLUGINS, 0))


def processes_of(schema: EntitySchema) -> list[Process]:
    """The entity's processes in use (kept until a process changes: no query on most pages)."""
    ensure_defaults()
    return kept_rows("core.processes", schema.key, ("core_process",),
                     Process.select().where(Process.entity == schema.key, Process.archived_at.is_null()).order_by(Process.id))


def stages_of(process: Process | int, archived: bool = False) -> list[Stage]:
    """The process's (or process id's) stages in order, with the archived ones if asked (kept until
    a stage changes)."""
    process_id = getattr(process, "id", process)
    query = Stage.select().where(Stage.process == process_id)
    if not archived:
        query = query.where(Stage.archived_at.is_null())
    return kept_rows("core.stages", (process_id, archived), ("core_stage",), query.order_by(Stage.position, Stage.id))


def current_stage(schema: EntitySchema, record) -> Stage | None:
    stage_id = getattr(record, schema.model._meta.fields[schema.stage_field].column_name)
    return Stage.get_or_none(Stage.id == stage_id) if stage_id else None


def _set_stage(schema: EntitySchema, record, stage: Stage | None) -> None:
    from .records import compute

    setattr(record, schema.stage_field, stage.id if stage else None)
    written = [schema.model._meta.fields[schema.stage_field]]
    if schema.computed_order:  # formulas may read what the stage gives (a deal's probability)
        compute(schema, record)
        written.append(schema.model.custom)
    record.save(only=written)


def first_stage(schema: EntitySchema) -> Stage | None:
    """The first stage of the entity's first process in use (outside a transaction, from what the
    server process keeps: no query)."""
    processes = processes_of(schema)
    stages = stages_of(processes[0]) if processes else []
    return stages[0] if stages else None


def enter_first_stage(schema: EntitySchema, record, user, stage: Stage | None = None) -> None:
    """Put a new record in the first stage of its process (or the stage given). A record saved with
    that stage already (`records.save` sets it before the INSERT) is not written again."""
    stage = stage or first_stage(schema)
    if stage is None:
        return
    if getattr(record, schema.model._meta.fields[schema.stage_field].column_name) != stage.id:
        _set_stage(schema, record, stage)
    # A new record has no stay to end: the move alone (record_moves would look for one)
    StageMove.insert(entity=schema.key, record_id=record.id, from_stage=None, to_stage=stage.id, user=getattr(user, "id", user),
                     at=utcnow()).execute()
    host_of(current_app).notify("on_stage_changed", entity=schema.key, record=record, from_stage=None, to_stage=stage, user=user)


def record_moves(entity: str, moves: list[dict], at=None) -> None:
    """Write moves ({record_id, from_stage, to_stage, user}, all at `at`, default now) and end the
    stays they close: two statements however many records move."""
    at = at or utcnow()
    for start in range(0, len(moves), 500):
        chunk = moves[start:start + 500]
        StageMove.update(left_at=at).where(StageMove.entity == entity, StageMove.record_id.in_([m["record_id"] for m in chunk]),
                                           StageMove.left_at.is_null()).execute()
        StageMove.insert_many([{"entity": entity, "at": at, **move} for move in chunk]).execute()


def close_stays(entity: str, record_ids) -> None:
    """Work out when each stay of these records ended (its record's next move, by time then id),
    after moves were written directly with their own times (a demo, an import of history)."""
    later = StageMove.alias("later")
    next_move = (later.select(peewee.fn.MIN(later.at))
                 .where(later.entity == StageMove.entity, later.record_id == StageMove.record_id,
                        (later.at > StageMove.at) | ((later.at == StageMove.at) & (later.id > StageMove.id))))
    ids = list(record_ids)
    for start in range(0, len(ids), 500):
        StageMove.update(left_at=next_move).where(StageMove.entity == entity, StageMove.record_id.in_(ids[start:start + 500])).execute()


@dataclass
class MoveResult:
    status: str  # "moved", "needs_fields", "pending", "unchanged"
    missing: list[FieldSpec] = field(default_factory=list)
    approval: Approval | None = None


def missing_fields(schema: EntitySchema, record, stage: Stage, values: dict | None = None) -> list[FieldSpec]:
    """The fields the stage requires that the record (with `values` applied) leaves empty."""
    values = values or {}
    missing = []
    for key in stage.required_fields or []:
        spec = schema.field(key)
        if spec is None or spec.archived:
            continue
        value = values.get(key, schema.value(record, spec))
        if value is None or value == "" or value == []:
            missing.append(spec)
    return missing


def move(schema: EntitySchema, record, stage: Stage, user, values: dict | None = None) -> MoveResult:
    """Move a record into a stage, obeying its rules.

    Missing required fields: nothing happens, the caller asks for them (status "needs_fields").
    A stage that needs approval: a rep's move waits in the manager's queue ("pending"); managers
    and admins are the approvers, so their moves happen at once.
    """
    from .records import save

    before = current_stage(schema, record)
    if before is not None and before.id == stage.id:
        return MoveResult("unchanged")
    if stage.archived_at is not None or (before is not None and before.process_id != stage.process_id):
        raise ValueError("not a stage of this record's process")
    missing = missing_fields(schema, record, stage, values)
    if missing:
        return MoveResult("needs_fields", missing=missing)
    if stage.needs_approval and not user.may("approve"):
        with db.atomic():
            Approval.update(status=REJECTED, reason=_("Replaced by a newer request."), decided_at=utcnow()).where(
                Approval.entity == schema.key, Approval.record_id == record.id, Approval.status == PENDING
            ).execute()
            approval = Approval.create(entity=schema.key, record_id=record.id, from_stage=before, to_stage=stage,
                                       values=values or {}, requested_by=user.id)
        return MoveResult("pending", approval=approval)
    with db.atomic():
        if values:
            save(schema, user, values, record=record)
        _really_move(schema, record, before, stage, user)
    return MoveResult("moved")


def _really_move(schema: EntitySchema, record, before: Stage | None, stage: Stage, user, action: str = "move") -> None:
    from .records import audit

    _set_stage(schema, record, stage)
    record_moves(schema.key, [{"record_id": record.id, "from_stage": before.id if before else None, "to_stage": stage.id,
                               "user": user.id}])
    audit(action, schema, record.id, schema.title_of(record),
          {schema.stage_field: [before.id if before else None, stage.id]}, user)
    host_of(current_app).notify("on_stage_changed", entity=schema.key, record=record,
                                from_stage=before, to_stage=stage, user=user)


def decide(approval: Approval, schema: EntitySchema, record, user, approve: bool, reason: str = "") -> None:
    """A manager's answer: approving makes the move (with the values the rep gave); rejecting
    keeps the record where it is, with the reason."""
    from .records import audit, save

    with db.atomic():
        approval.status = APPROVED if approve else REJECTED
        approval.decided_by = user.id
        approval.decided_at = utcnow()
        approval.reason = reason
        approval.save()
        if approve:
            requester = approval.requested_by
            if approval.values:
                save(schema, requester, approval.values, record=record)
            _really_move(schema, record, current_stage(schema, record), approval.to_stage, user, action="approve")
        else:
            audit("reject", schema, record.id, schema.title_of(record),
                  {schema.stage_field: [None, approval.to_stage_id], "reason": [None, reason]}, user)


def merge(source: Stage, target: Stage, user) -> int:
    """Move every record of `source` into `target` and archive `source`. Each moved record's history
    gets the move (a StageMove and an audit entry, as a move writes), in one insert each."""
    from .entities import get_entity
    from .records import audit, recompute

    schema = get_entity(source.process.entity)
    host = host_of(current_app)
    with db.atomic():
        records = []
        if schema is not None:
            column = schema.model._meta.fields[schema.stage_field]
            records = list(schema.query().where(column == source.id))
            if records:
                now = utcnow()
                schema.model.update({column: target.id}).where(schema.model.id.in_([r.id for r in records])).execute()
                recompute(schema, schema.model.select().where(schema.model.id.in_([r.id for r in records])))
                record_moves(schema.key, [{"record_id": r.id, "from_stage": source.id, "to_stage": target.id, "user": user.id}
                                          for r in records], now)
                AuditEntry.insert_many([
                    {"action": "move", "entity": schema.key, "record_id": r.id, "title": (schema.title_of(r) or "")[:200],
                     "changes": {schema.stage_field: [source.id, target.id]}, "user": user.id, "at": now}
                    for r in records
                ]).execute()
            for record in records:
                host.notify("on_stage_changed", entity=schema.key, record=record, from_stage=source, to_stage=target, user=user)
        moved = len(records)
        source.archived_at = utcnow()
        source.merged_into = target
        source.save()
        audit("stage_merge", f"process:{source.process.key}", source.id, source.label,
              {"merged_into": [None, target.label], "records": [None, moved]}, user)
        schema_changed()
    return moved
