"""The pipeline's blueprint and its board: one column per stage, cards dragged between them.

Moves go through the low-code layer's move endpoint (stage rules, approvals, history); the board
refreshes itself on the `record-moved` event.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass

import peewee
from flask import Blueprint, abort, request
from flask_login import current_user

from core.auth import managed_user_ids
from core.db import db, utcnow
from core.lowcode import records as R
from core.lowcode.entities import get_entity
from core.lowcode.models import Process, Stage
from core.lowcode.processes import processes_of, stages_of
from core.lowcode.views import cell
from core.models import ADMIN, MANAGER, REP, Team, User
from core.shell import id_from, render_page

from . import services
from .entities import DEAL
from .models import Deal, DealLine, Product

bp = Blueprint("pipeline", __name__, url_prefix="/pipeline", template_folder="templates")
CARDS_PER_COLUMN = 50


@dataclass
class BoardFilter:
    owner: int | None = None
    team: int | None = None
    product: int | None = None
    close_from: datetime.date | None = None
    close_to: datetime.date | None = None
    selects: dict | None = None  # {custom select field: value}

    @classmethod
    def read(cls, args, view) -> "BoardFilter":
        def number(name):
            return id_from(args.get(name))

        def day(name):
            try:
                return datetime.date.fromisoformat(args.get(name, "")[:10])
            except ValueError:
                return None

        selects = {spec.key: args.get(f"f_{spec.key}") for spec in select_fields(view) if args.get(f"f_{spec.key}")}
        return cls(number("owner"), number("team"), number("product"), day("close_from"), day("close_to"), selects)

    def apply(self, view, query):
        if self.owner:
            query = query.where(Deal.owner == self.owner)
        if self.team:
            query = query.where(Deal.owner.in_(User.select(User.id).where(User.team == self.team)))
        if self.product:
            query = query.where(Deal.id.in_(DealLine.select(DealLine.deal).where(DealLine.product == self.product)))
        if self.close_from:
            query = query.where(Deal.expected_close >= self.close_from)
        if self.close_to:
            query = query.where(Deal.expected_close <= self.close_to)
        for key, value in (self.selects or {}).items():
            query = query.where(view.expression(view.field(key)) == value)
        return query


def select_fields(view):
    return [spec for spec in view.custom_fields if spec.type.key == "select" and not spec.archived and not spec.hidden]


def _process(view, process_id: str | None) -> tuple[Process | None, list[Process]]:
    processes = processes_of(view)
    if not processes:
        return None, []
    chosen = next((p for p in processes if str(p.id) == process_id), processes[0])
    return chosen, processes


def people_in_scope():
    """Whom a user may filter the board by: a manager their team, an admin everyone."""
    query = User.select(User.id, User.name).where(User.active == True).order_by(User.name)  # noqa: E712
    if current_user.role == MANAGER:
        query = query.where((User.id == current_user.id) | User.id.in_(managed_user_ids(current_user)))
    elif current_user.role != ADMIN:
        query = query.where(User.id == current_user.id)
    return list(query)


@dataclass
class Column:
    stage: Stage
    count: int
    total: float
    weighted: float
    cards: list


@bp.route("/")
def board():
    view = get_entity(DEAL)
    process, processes = _process(view, request.args.get("process"))
    if process is None:  # an admin archived every process of deals
        return render_page("pipeline/board.html", view=view, process=None)
    stages = stages_of(process)
    wanted = BoardFilter.read(request.args, view)
    deals = wanted.apply(view, view.visible().where(Deal.stage.in_([stage.id for stage in stages] or [0])))

    probability = peewee.fn.COALESCE(Deal.probability, Stage.probability)
    totals = {row.stage_id: row for row in (
        deals.select(Deal.stage, peewee.fn.COUNT(Deal.id).alias("n"), peewee.fn.SUM(Deal.amount).alias("total"),
                     peewee.fn.SUM(Deal.amount * probability / 100.0).alias("weighted"))
        .join(Stage, on=(Deal.stage == Stage.id)).group_by(Deal.stage).order_by())}
    ranked = deals.select(Deal.id, peewee.fn.ROW_NUMBER().over(partition_by=[Deal.stage], order_by=[Deal.rank, Deal.id]).alias("rn")).order_by()
    top = peewee.Select([ranked], [ranked.c.id]).where(ranked.c.rn <= CARDS_PER_COLUMN)
    columns = [field for field in Deal._meta.sorted_fields if field is not Deal.search_text]
    cards = list(Deal.select(*columns).where(Deal.id.in_(top)).order_by(Deal.rank, Deal.id))

    card_specs = [view.field(key) for key in services.setting("card_fields") if view.field(key) is not None]
    if current_user.role == REP:  # every card on a rep's board is theirs
        card_specs = [spec for spec in card_specs if spec.key != view.owner_field]
    names = R.lookups(view, cards, card_specs)
    now = utcnow()
    by_stage: dict[int, list] = {}
    stage_of = {stage.id: stage for stage in stages}
    labels = [str(spec.label) for spec in card_specs]  # translated once, not once per card
    for deal in cards:
        stale = services.is_stale(deal, stage_of.get(deal.stage_id), now)
        fields = [(label, cell(view, deal, spec, names)) for label, spec in zip(labels, card_specs)]
        by_stage.setdefault(deal.stage_id, []).append((deal, fields, stale))
    columns = [Column(stage, getattr(totals.get(stage.id), "n", 0), float(getattr(totals.get(stage.id), "total", 0) or 0),
                      float(getattr(totals.get(stage.id), "weighted", 0) or 0), by_stage.get(stage.id, []))
               for stage in stages]
    return render_page(
        "pipeline/board.html", "board", view=view, process=process, processes=processes, columns=columns,
        wanted=wanted, people=people_in_scope(), teams=_teams(), products=list(Product.select(Product.id, Product.name).order_by(Product.name)),
        selects=select_fields(view), limit=CARDS_PER_COLUMN,
    )


def _teams():
    if current_user.role == ADMIN:
        return list(Team.select().order_by(Team.name))
    if current_user.role == MANAGER:
        return list(Team.select().where(Team.manager == current_user.id).order_by(Team.name))
    return []


@bp.route("/board/move", methods=["POST"])
def board_move():
    """A card dropped on the board: its place in the column, then (for another column) the move,
    through the low-code layer's endpoint so the stage's rules apply."""
    from core.lowcode.views import move_record

    view = get_entity(DEAL)
    deal_id, stage_id = id_from(request.form.get("deal")), id_from(request.form.get("stage"))
    if deal_id is None or stage_id is None:
        abort(400)
    deal = view.visible().where(Deal.id == deal_id).first()
    if deal is None:
        abort(404)
    neighbours = {}
    for side in ("before", "after"):
        if id_from(request.form.get(side)) is not None:
            other = view.visible().where(Deal.id == id_from(request.form.get(side))).first()
            neighbours[side] = other.rank if other is not None else None
    rank = _rank_between(neighbours.get("before"), neighbours.get("after"))
    with db.atomic():
        Deal.update(rank=rank).where(Deal.id == deal.id).execute()
    if stage_id == deal.stage_id:
        return "", 204
    response = move_record(DEAL, deal.id)
    # A move that did not happen yet (fields asked for) puts the card back where it belongs.
    response.headers.setdefault("HX-Trigger", "board-refresh")
    return response


def _rank_between(before: float | None, after: float | None) -> float:
    if before is not None and after is not None:
        return (before + after) / 2
    if before is not None:
        return before + 1
    if after is not None:
        return after - 1
    return 0.0
