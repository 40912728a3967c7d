"""The pipeline's numbers: funnel, time in stage, where deals are lost, reps' win rates, forecast.

Every figure is aggregated in SQL (grouped queries over indexed ranges), once per page view.
Charts are SVG drawn by pygal on the server from those same figures and embedded in the page as
images (data URLs), with the numbers in a table beside each; each chart also has its own URL.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass

import peewee
import pygal
from flask import abort, request
from flask_babel import format_decimal
from flask_babel import gettext as _

from core.api import (
    Process,
    Stage,
    StageMove,
    Translated,
    User,
    get_entity,
    id_from,
    is_sqlite,
    local_sql,
    new_chart,
    processes_of,
    remembered,
    render_page,
    room_for,
    scope,
    stages_of,
    svg_data_url,
    svg_response,
    team_today,
    utc_time,
)

from .entities import DEAL
from .models import Deal, reason_labels
from .views import _teams, bp


def month_of(column, timestamp: bool = False):
    """'2026-03' for a date column, or for a timestamp (UTC) in the team's timezone, on SQLite and
    PostgreSQL."""
    if timestamp:
        column = local_sql(column)
    if is_sqlite():
        return peewee.fn.strftime("%Y-%m", column)
    return peewee.fn.to_char(column, "YYYY-MM")


def days_between(start, end):
    if is_sqlite():
        return peewee.fn.julianday(end) - peewee.fn.julianday(start)
    return peewee.fn.date_part("epoch", end - start) / 86400.0


@dataclass
class Period:
    start: datetime.date
    end: datetime.date  # inclusive
    team: int | None

    @classmethod
    def read(cls, args) -> Period:
        today = team_today()

        def day(name, default):
            try:
                chosen = datetime.date.fromisoformat(args.get(name, "")[:10])
            except ValueError:
                return default
            return chosen if 1970 <= chosen.year <= 2999 else default

        start, end = day("from", datetime.date(today.year, 1, 1)), day("to", datetime.date(today.year, 12, 31))
        if end < start:
            start, end = end, start
        team = args.get("team", "")
        return cls(start, end, id_from(team))

    @property
    def start_time(self) -> datetime.datetime:
        """The period's first moment, in the team's timezone, as stored (UTC)."""
        return utc_time(datetime.datetime.combine(self.start, datetime.time.min))

    @property
    def end_time(self) -> datetime.datetime:
        return utc_time(datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time.min))

    def args(self) -> dict:
        return {"from": self.start.isoformat(), "to": self.end.isoformat(), **({"team": self.team} if self.team else {})}


def scoped_deals(period: Period):
    """The deals the user may see, of the chosen team."""
    query = get_entity(DEAL).visible()
    if period.team:
        query = query.where(Deal.owner.in_(User.select(User.id).where(User.team == period.team)))
    return query


def scoped_moves(query, period: Period):
    """Stage moves of the deals the user may see, of the chosen team: joined to their deal (read
    from a small covering index), so the moves' indexed time range leads, not a list of every deal."""
    query = query.join(Deal, on=(StageMove.record_id == Deal.id)).where(Deal.deleted_at.is_null())
    if period.team:
        query = query.where(Deal.owner.in_(User.select(User.id).where(User.team == period.team)))
    return scope(query, Deal.owner)


NUMBERS_TABLES = ("pipeline_deal", "core_stage_move")  # what the page counts (and who sees what)


def remember(part: str, process: Process, period: Period, count):
    """A part of the page as counted for this process and period, remembered until a deal or a
    stage move changes (each is a walk over a year of deals or moves)."""
    return remembered(f"pipeline.numbers.{part}", (process.id, period.start, period.end, period.team), NUMBERS_TABLES, count)


def _process():
    processes = processes_of(get_entity(DEAL))
    chosen = request.args.get("process", "")
    return next((p for p in processes if str(p.id) == chosen), processes[0] if processes else None)


def funnel(process: Process, period: Period) -> list[dict]:
    """How many deals reached each open or won stage in the period (a deal that skips a stage
    still counts as having passed it), and the conversion from the stage before."""
    stages = [s for s in stages_of(process) if s.kind != "lost"]
    moves = (StageMove.select(StageMove.record_id, peewee.fn.MAX(Stage.position).alias("furthest"))
             .join(Stage, on=(StageMove.to_stage == Stage.id)).switch(StageMove)
             .where(StageMove.entity == DEAL, StageMove.at >= period.start_time, StageMove.at < period.end_time,
                    Stage.process == process, Stage.kind != "lost"))
    furthest = scoped_moves(moves, period).group_by(StageMove.record_id)
    reached_at = remember("funnel", process, period, lambda: dict(
        peewee.Select([furthest], [furthest.c.furthest, peewee.fn.COUNT(peewee.SQL("*"))])
        .group_by(furthest.c.furthest).tuples().execute(Deal._meta.database)))
    rows, previous = [], None
    for stage in stages:
        reached = sum(n for position, n in reached_at.items() if position is not None and position >= stage.position)
        rows.append({"stage": stage, "reached": reached,
                     "conversion": round(100 * reached / previous) if previous else None})
        previous = reached
    return rows


def time_in_stage(process: Process, period: Period) -> dict[int, float]:
    """Average days a deal stayed in each stage, over stays that ended in the period (each move
    keeps when its stay ended: an indexed range, not a window over the whole history)."""
    query = (StageMove.select(StageMove.to_stage, peewee.fn.AVG(days_between(StageMove.at, StageMove.left_at)))
             .join(Stage, on=(StageMove.to_stage == Stage.id)).switch(StageMove)
             .where(StageMove.entity == DEAL, StageMove.left_at >= period.start_time, StageMove.left_at < period.end_time,
                    Stage.process == process))
    return remember("stays", process, period, lambda: {
        stage: float(days or 0) for stage, days in scoped_moves(query, period).group_by(StageMove.to_stage).tuples()})


def where_lost(process: Process, period: Period) -> tuple[list, list]:
    """Deals lost in the period: the stage they were lost from, and the reasons given."""
    deals = scoped_deals(period)
    lost_ids = (deals.select(Deal.id).join(Stage, on=(Deal.stage == Stage.id))
                .where(Stage.kind == "lost", Stage.process == process,
                       Deal.closed_at >= period.start_time, Deal.closed_at < period.end_time))
    from_stage = Stage.alias()
    to_stage = Stage.alias()
    def count():  # as stored: the labels are put in the reader's language below
        by_stage = [(getattr(label, "source", label), labels, n) for label, labels, n in (
            StageMove.select(from_stage.label, from_stage.labels, peewee.fn.COUNT(StageMove.id).alias("n"))
            .join(to_stage, on=(StageMove.to_stage == to_stage.id))
            .switch(StageMove).join(from_stage, on=(StageMove.from_stage == from_stage.id))
            .where(StageMove.entity == DEAL, to_stage.kind == "lost", StageMove.record_id.in_(lost_ids),
                   StageMove.at >= period.start_time, StageMove.at < period.end_time)
            .group_by(from_stage.id, from_stage.label).order_by(peewee.fn.COUNT(StageMove.id).desc()).tuples())]
        reasons = [(getattr(reason, "source", reason), n) for reason, n in (
            Deal.select(Deal.lost_reason, peewee.fn.COUNT(Deal.id)).where(Deal.id.in_(lost_ids))
            .group_by(Deal.lost_reason).order_by(peewee.fn.COUNT(Deal.id).desc()).tuples())]
        return by_stage, reasons

    by_stage, reasons = remember("lost", process, period, count)
    by_stage = [(Translated(label, labels), n) for label, labels, n in by_stage]  # in the reader's language
    named = reason_labels()
    reasons = [(Translated(getattr(reason, "source", reason), named.get(getattr(reason, "source", reason))) if reason else reason, n)
               for reason, n in reasons]
    return by_stage, reasons


def per_rep(process: Process, period: Period) -> list[dict]:
    """Deals each rep closed in the period: won, lost, win rate, average won deal size."""
    won = peewee.fn.SUM(peewee.Case(None, [(Stage.kind == "won", 1)], 0))
    lost = peewee.fn.SUM(peewee.Case(None, [(Stage.kind == "lost", 1)], 0))
    won_amount = peewee.fn.SUM(peewee.Case(None, [(Stage.kind == "won", Deal.amount)], 0))
    rows = remember("reps", process, period, lambda: [tuple(row) for row in (
        scoped_deals(period).select(User.name, won, lost, won_amount)
        .join(Stage, on=(Deal.stage == Stage.id)).switch(Deal).join(User, on=(Deal.owner == User.id))
        .where(Stage.process == process, Stage.kind.in_(["won", "lost"]),
               Deal.closed_at >= period.start_time, Deal.closed_at < period.end_time)
        .group_by(User.id, User.name).order_by(User.name).tuples())])
    result = []
    for name, won_count, lost_count, amount in rows:
        won_count, lost_count = int(won_count or 0), int(lost_count or 0)
        closed = won_count + lost_count
        result.append({"name": name, "won": won_count, "lost": lost_count,
                       "rate": round(100 * won_count / closed) if closed else None,
                       "average": float(amount or 0) / won_count if won_count else None})
    return result


def forecast(process: Process, period: Period) -> list[dict]:
    """By month: open deals' weighted amount (amount × probability) by expected close, and the
    amount won (by the day deals were won)."""
    month = month_of(Deal.expected_close)
    probability = peewee.fn.COALESCE(Deal.probability, Stage.probability)
    closed_month = month_of(Deal.closed_at, timestamp=True)

    def count():
        weighted = {row.month: float(row.weighted or 0) for row in
                    scoped_deals(period).select(month.alias("month"), peewee.fn.SUM(Deal.amount * probability / 100.0).alias("weighted"))
                    .join(Stage, on=(Deal.stage == Stage.id))
                    .where(Stage.process == process, Stage.kind == "open", Deal.expected_close >= period.start,
                           Deal.expected_close <= period.end)
                    .group_by(month)}
        won = {row.month: float(row.won or 0) for row in
               scoped_deals(period).select(closed_month.alias("month"), peewee.fn.SUM(Deal.amount).alias("won"))
               .join(Stage, on=(Deal.stage == Stage.id))
               .where(Stage.process == process, Stage.kind == "won", Deal.closed_at >= period.start_time,
                      Deal.closed_at < period.end_time)
               .group_by(closed_month)}
        return weighted, won

    weighted, won = remember("forecast", process, period, count)
    months, cursor = [], period.start.replace(day=1)
    while cursor <= period.end and len(months) < 36:
        key = cursor.strftime("%Y-%m")
        months.append({"month": key, "weighted": weighted.get(key, 0.0), "won": won.get(key, 0.0)})
        cursor = (cursor + datetime.timedelta(days=32)).replace(day=1)
    return months


@bp.route("/numbers")
def numbers():
    process = _process()
    if process is None:
        return render_page("pipeline/numbers.html", process=None, period=Period.read(request.args), teams=_teams())
    period = Period.read(request.args)
    lost_stages, reasons = where_lost(process, period)
    stays = time_in_stage(process, period)
    rows, reps, months = funnel(process, period), per_rep(process, period), forecast(process, period)
    pictures = {name: svg_data_url(drawn)
                for name, drawn in (("funnel", _funnel_chart(rows)), ("forecast", _forecast_chart(months)),
                                    ("reps", _reps_chart(reps)))}
    return render_page(
        "pipeline/numbers.html", process=process, period=period, teams=_teams(), funnel=rows,
        stays=[(row["stage"], stays.get(row["stage"].id)) for row in rows], lost_stages=lost_stages, reasons=reasons,
        reps=reps, months=months, pictures=pictures,
    )


# -- charts ---------------------------------------------------------------------------------------




@bp.route("/charts/<name>.svg")
def chart(name: str):
    process = _process()
    if process is None:
        return svg_response(new_chart(pygal.Bar))
    period = Period.read(request.args)
    if name == "funnel":
        drawn = _funnel_chart(funnel(process, period))
    elif name == "forecast":
        drawn = _forecast_chart(forecast(process, period))
    elif name == "reps":
        drawn = _reps_chart(per_rep(process, period))
    else:
        abort(404)
    return svg_response(drawn)


def _number(value) -> str:
    return format_decimal(value, format="#,##0")


def _funnel_chart(rows: list[dict]):
    labels = [row["stage"].label for row in reversed(rows)]
    drawn = new_chart(pygal.HorizontalBar, show_legend=False, value_formatter=_number, margin_left=room_for(labels))
    drawn.x_labels = labels
    drawn.add(_("Deals"), [row["reached"] for row in reversed(rows)])
    return drawn


def _forecast_chart(months: list[dict]):
    drawn = new_chart(pygal.Bar, value_formatter=_number, x_label_rotation=0)
    drawn.x_labels = [month["month"][5:] for month in months]
    drawn.add(_("Weighted forecast"), [round(month["weighted"]) for month in months])
    drawn.add(_("Won"), [round(month["won"]) for month in months])
    return drawn


def _reps_chart(reps: list[dict]):
    labels = [rep["name"] for rep in reps]
    drawn = new_chart(pygal.HorizontalBar, value_formatter=lambda v: f"{v:.0f}%", range=(0, 100), show_legend=False,
                   margin_left=room_for(labels))
    drawn.x_labels = labels
    drawn.add(_("Win rate"), [rep["rate"] or 0 for rep in reps])
    return drawn

