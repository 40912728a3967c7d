"""The process review (issue 15): per stage of a process and quarter, read from the stage history
within the reader's row scope, how many records entered, how many went on, how long they stayed
(median and 90th percentile), how many skipped it, came back to it or are stuck in it; and the
stages that look like candidates to merge or to simplify, with the numbers that flag them.

Everything is counted in SQL: one statement whatever the number of records or stages.
"""
from __future__ import annotations

import datetime
import re
from dataclasses import asdict, dataclass, field

from flask_babel import gettext as _
from peewee import SQL

from core.api import Process, Stage, StageMove, db, ensure_defaults, get_entity, is_sqlite, team_today, utc_time, utcnow

STALL_DAYS = 14  # a stage without follow-up days: a stay longer than this is stuck
MIN_STAYS = 5  # fewer entries than this: too few to flag the stage
PASS_THROUGH_DAYS = 1.0  # a stage left within this (median) ...
PASS_THROUGH_SHARE = 80  # ... by at least this share going on to the next stage is a candidate to merge
QUARTERS_BACK = 8  # quarters offered in the picker

QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


# -- quarters ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int

    @property
    def key(self) -> str:
        return f"{self.year}-Q{self.number}"

    @property
    def first_day(self) -> datetime.date:
        return datetime.date(self.year, 3 * self.number - 2, 1)

    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """The quarter as stored timestamps (UTC) of its first moment and of the next quarter's."""
        start = datetime.datetime.combine(self.first_day, datetime.time())
        end = datetime.datetime.combine(self.next().first_day, datetime.time())
        return utc_time(start), utc_time(end)

    def label(self) -> str:
        return _("Q%(number)d %(year)d", number=self.number, year=self.year)

    def started(self) -> bool:
        return self.first_day <= team_today()

    def over(self) -> bool:
        return self.next().first_day <= team_today()


def current_quarter() -> Quarter:
    today = team_today()
    return Quarter(today.year, (today.month - 1) // 3 + 1)


def quarter_from(text: str | None) -> Quarter | None:
    """A quarter from "2026-Q3"; None unless valid and not in the future."""
    found = QUARTER.match((text or "").strip())
    if not found or not 2000 <= int(found.group(1)) <= 2100:
        return None
    quarter = Quarter(int(found.group(1)), int(found.group(2)))
    return quarter if quarter.started() else None


def recent_quarters() -> list[Quarter]:
    quarter, found = current_quarter(), []
    for _step in range(QUARTERS_BACK):
        found.append(quarter)
        quarter = quarter.previous()
    return found


# -- processes --------------------------------------------------------------------------------------


def reviewable() -> list[Process]:
    """The processes with stages whose records the app knows (the sales process first)."""
    ensure_defaults()
    with_stages = Stage.select(Stage.process).where(Stage.archived_at.is_null())
    found = [process for process in Process.select().where(Process.archived_at.is_null(), Process.id.in_(with_stages))
             .order_by(Process.id) if (schema := get_entity(process.entity)) is not None and schema.stage_field]
    return sorted(found, key=lambda process: process.key != "pipeline.sales")


# -- the numbers ------------------------------------------------------------------------------------


@dataclass
class StageNumbers:
    stage_id: int
    label: str
    kind: str
    entered: int = 0
    went_on: int = 0  # of those who entered, records whose stay ended in a later stage (not lost)
    finished: int = 0  # stays begun in the quarter that ended (the times are theirs)
    median_days: float | None = None
    p90_days: float | None = None
    skipped: int = 0
    went_back: int = 0
    stalled: int = 0
    stall_days: int = STALL_DAYS

    @property
    def conversion(self) -> int | None:
        """The share (%) of those who entered that went on; None for a won or lost stage."""
        if self.kind != "open" or not self.entered:
            return None
        return round(100 * self.went_on / self.entered)

    def stored(self) -> dict:
        return asdict(self)


@dataclass
class Flag:
    stage_id: int
    kind: str  # "merge" or "simplify"
    reason: str
    into: int | None = None  # the stage to merge into (the next one)


@dataclass
class Review:
    process: Process
    quarter: Quarter
    stages: list[StageNumbers]
    flags: list[Flag] = field(default_factory=list)

    def flags_of(self, stage_id: int) -> list[Flag]:
        return [flag for flag in self.flags if flag.stage_id == stage_id]


def _days(later: str, earlier: str) -> str:
    """SQL: the days (a fraction) between two timestamps."""
    if is_sqlite():
        return f"(julianday({later}) - julianday({earlier}))"
    return f"(EXTRACT(EPOCH FROM ({later} - {earlier})) / 86400.0)"


def _moment(value: datetime.datetime):
    """A timestamp parameter as the column stores it (SQLite: its text)."""
    return value.isoformat(sep=" ") if is_sqlite() else value


def _percentiles(number: str) -> str:
    """SQL: per stage, the ended stays' count, median and 90th percentile of `days` (from `stays`),
    interpolated as PostgreSQL's percentile_cont (SQLite has none: the rows at the quantile)."""
    if not is_sqlite():
        return (f"SELECT 2, stage, CAST(COUNT(*) AS {number}), percentile_cont(0.5) WITHIN GROUP (ORDER BY days), "
                f"percentile_cont(0.9) WITHIN GROUP (ORDER BY days), NULL FROM stays WHERE days IS NOT NULL GROUP BY stage")
    at = "(n - 1) * {q}"
    low = f"CAST({at} AS INTEGER)"
    pick = (f"SUM(CASE WHEN rn = {low} THEN days * (1 - ({at} - {low})) "
            f"WHEN rn = {low} + 1 THEN days * ({at} - {low}) ELSE 0 END)")
    return (f"SELECT 2, stage, CAST(MAX(n) AS {number}), {pick.format(q=0.5)}, {pick.format(q=0.9)}, NULL FROM ("
            f"SELECT stage, days, ROW_NUMBER() OVER (PARTITION BY stage ORDER BY days) - 1 AS rn, "
            f"COUNT(*) OVER (PARTITION BY stage) AS n FROM stays WHERE days IS NOT NULL) AS ranked GROUP BY stage")


def numbers(process: Process, quarter: Quarter, user) -> list[StageNumbers]:
    """Each active stage's numbers for the quarter, among the records `user` may see (row scope).

    - entered: records with a move into the stage in the quarter; went on: those whose stay there
      ended with a move to a later stage that is not lost (at any time since);
    - times: stays begun in the quarter that have ended (stays still open are left out: they
      show as stalled once longer than the stage's follow-up days);
    - skipped: records that reached a later stage (not lost) in the quarter without ever having
      entered this one; went back: moves into it in the quarter from a later stage;
    - stalled: records that entered it in the quarter and were still in it at the quarter's end
      (or now, while it runs) after more than its follow-up days (STALL_DAYS without them).
    """
    schema = get_entity(process.entity)
    stages = list(Stage.select().where(Stage.process == process).order_by(Stage.position, Stage.id))
    active = [stage for stage in stages if stage.archived_at is None]
    found = {stage.id: StageNumbers(stage.id, str(stage.label), stage.kind, stall_days=stage.followup_days or STALL_DAYS)
             for stage in active}
    if schema is None or not active:
        return list(found.values())
    start, end = quarter.bounds()
    cutoff = min(end, utcnow())
    param = db.param
    move_table, stage_table = StageMove._meta.table_name, Stage._meta.table_name
    # The row scope, as a test on each move's record (a lookup by its id, not a list of every id).
    scope_sql, scope_params = schema.visible(user).select(SQL("1")).where(schema.model.id == SQL("m.record_id")).sql()
    all_ids = ", ".join(str(stage.id) for stage in stages)
    active_ids = ", ".join(str(stage.id) for stage in active)
    in_quarter = f"m.at >= {param} AND m.at < {param}"
    quarter_params = [_moment(start), _moment(end)]

    open_ids = ", ".join(str(stage.id) for stage in active if stage.kind == "open") or "0"
    number = "DOUBLE PRECISION"
    # One statement. `cohort`: the records (within the row scope) with a move in the quarter;
    # `history`: all their moves in the process, each with the stage before and after it;
    # `stays`: those begun in the quarter, with their stage's position, kind and stall limit.
    rows = db.execute_sql(
        f"WITH cohort AS (SELECT DISTINCT m.record_id FROM {move_table} m WHERE m.entity = {param} AND {in_quarter} "
        f"AND m.to_stage_id IN ({active_ids}) AND EXISTS ({scope_sql})), "
        f"history AS (SELECT m.record_id, m.to_stage_id AS stage, m.at, m.left_at, "
        f"LAG(m.to_stage_id) OVER (PARTITION BY m.record_id ORDER BY m.at, m.id) AS before_stage, "
        f"LEAD(m.to_stage_id) OVER (PARTITION BY m.record_id ORDER BY m.at, m.id) AS after_stage "
        f"FROM {move_table} m JOIN cohort c ON c.record_id = m.record_id WHERE m.entity = {param} AND m.to_stage_id IN ({all_ids})), "
        f"stays AS (SELECT h.*, cur.position, cur.kind, "
        f"CASE WHEN h.left_at IS NOT NULL THEN {_days('h.left_at', 'h.at')} END AS days, "
        f"CASE WHEN cur.kind = 'open' AND (h.left_at IS NULL OR h.left_at > {param}) "
        f"AND {_days(param, 'h.at')} > COALESCE(cur.followup_days, {STALL_DAYS}) THEN h.record_id END AS stuck "
        f"FROM history h JOIN {stage_table} cur ON cur.id = h.stage WHERE h.at >= {param} AND h.at < {param} "
        f"AND h.stage IN ({active_ids})), "
        # skipped: the records that reached a later stage (not lost) in the quarter, less those of them that had entered it by its end
        f"reach AS (SELECT record_id, MAX(CASE WHEN kind <> 'lost' THEN position END) AS top FROM stays GROUP BY record_id), "
        f"been AS (SELECT DISTINCT record_id, stage FROM history WHERE at < {param} AND stage IN ({open_ids})) "
        # 1. entered, went on, went back, stuck
        f"SELECT 1, s.stage, CAST(COUNT(DISTINCT s.record_id) AS {number}), "
        f"CAST(COUNT(DISTINCT CASE WHEN nx.position > s.position AND nx.kind <> 'lost' THEN s.record_id END) AS {number}), "
        f"CAST(SUM(CASE WHEN pv.position > s.position THEN 1 ELSE 0 END) AS {number}), CAST(COUNT(DISTINCT s.stuck) AS {number}) "
        f"FROM stays s LEFT JOIN {stage_table} nx ON nx.id = s.after_stage LEFT JOIN {stage_table} pv ON pv.id = s.before_stage "
        f"GROUP BY s.stage "
        # 2. the ended stays: how many, their median and 90th percentile
        f"UNION ALL {_percentiles(number)} "
        # 3. skipped
        f"UNION ALL SELECT 3, st.id, CAST(COUNT(*) - COUNT(b.stage) AS {number}), NULL, NULL, NULL FROM reach r "
        f"JOIN {stage_table} st ON st.id IN ({open_ids}) AND st.position < r.top "
        f"LEFT JOIN been b ON b.record_id = r.record_id AND b.stage = st.id GROUP BY st.id",
        [schema.key, *quarter_params, *scope_params, schema.key, _moment(cutoff), _moment(cutoff), *quarter_params,
         _moment(end)]).fetchall()
    for part, stage_id, first, second, third, fourth in rows:
        row = found[stage_id]
        if part == 1:
            row.entered, row.went_on, row.went_back, row.stalled = int(first), int(second), int(third or 0), int(fourth)
        elif part == 2:
            row.finished = int(first)
            row.median_days = round(float(second), 2) if second is not None else None
            row.p90_days = round(float(third), 2) if third is not None else None
        else:
            row.skipped = int(first)
    return [found[stage.id] for stage in active]


def flags(stages: list[StageNumbers]) -> list[Flag]:
    """Candidates to merge: open stages (not the last open one) most records leave within
    PASS_THROUGH_DAYS (median) with at least PASS_THROUGH_SHARE % going on. The candidate to
    simplify: the open stage with the longest median stay (of those not flagged to merge)."""
    found = []
    open_stages = [stage for stage in stages if stage.kind == "open"]
    for number, stage in enumerate(open_stages):
        if stage.entered < MIN_STAYS or stage.finished < MIN_STAYS or stage.median_days is None:
            continue
        following = open_stages[number + 1] if number + 1 < len(open_stages) else None
        if following is None:
            continue
        if stage.median_days < PASS_THROUGH_DAYS and (stage.conversion or 0) >= PASS_THROUGH_SHARE:
            found.append(Flag(stage.stage_id, "merge", _(
                "%(share)d%% of %(entered)d records went on; half left within %(days)s days.",
                share=stage.conversion, entered=stage.entered, days=days_text(stage.median_days)), into=following.stage_id))
    merged = {flag.stage_id for flag in found}
    waits = [stage for stage in open_stages if stage.stage_id not in merged and stage.finished >= MIN_STAYS
             and stage.median_days is not None]
    if waits:
        slowest = max(waits, key=lambda stage: stage.median_days)
        if slowest.median_days >= PASS_THROUGH_DAYS:
            found.append(Flag(slowest.stage_id, "simplify", _(
                "The longest wait: half of the records stayed %(median)s days or more, one in ten %(p90)s days or more.",
                median=days_text(slowest.median_days), p90=days_text(slowest.p90_days))))
    return found


def days_text(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.2f}" if value < 1 else f"{value:.1f}"


def review(process: Process, quarter: Quarter, user) -> Review:
    stages = numbers(process, quarter, user)
    return Review(process, quarter, stages, flags(stages))


def from_stored(rows: list) -> list[StageNumbers]:
    """The numbers as a saved review keeps them."""
    known = set(StageNumbers.__dataclass_fields__)
    return [StageNumbers(**{key: value for key, value in row.items() if key in known}) for row in rows or [] if isinstance(row, dict)]


def stored_numbers(stages: list[StageNumbers]) -> list[dict]:
    return [stage.stored() for stage in stages]
