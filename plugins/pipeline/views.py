"""The pipeline's blueprint and its board: one column per stage, cards dragged between them.

A drop is one call of `board.drop_card` (the low-code layer's move, with its stage rules, approvals
and history, and the card's place, in one transaction); the board refreshes itself on the
`record-moved` event.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import NamedTuple

import peewee
from flask import Blueprint, abort, get_template_attribute, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.api import (
    Process,
    Stage,
    User,
    cell,
    current_stage,
    get_entity,
    id_from,
    kept_rows,
    list_url,
    locale_code,
    managed_teams,
    managed_user_ids,
    missing_fields,
    processes_of,
    records,
    remembered,
    render_fragment,
    render_page,
    stages_of,
    utcnow,
)

from . import services
from .board import drop_card
from .entities import DEAL
from .models import Deal, DealLine, Product

bp = Blueprint("pipeline", __name__, url_prefix="/pipeline", template_folder="templates")
CARDS_PER_COLUMN = 20  # a column shows this many cards, and this many more each time it is asked


@dataclass
class BoardFilter:
    owner: int | None = None
    team: int | None = None
    product: int | None = None
    close_from: datetime.date | None = None
    close_to: datetime.date | None = None
    selects: dict | None = None  # {custom select field: value}

    @classmethod
    def read(cls, args, schema) -> BoardFilter:
        def number(name):
            return id_from(args.get(name))

        def day(name):
            try:
                return datetime.date.fromisoformat(args.get(name, "")[:10])
            except ValueError:
                return None

        selects = {spec.key: args.get(f"f_{spec.key}") for spec in select_fields(schema) if args.get(f"f_{spec.key}")}
        return cls(number("owner"), number("team"), number("product"), day("close_from"), day("close_to"), selects)

    def key(self) -> tuple:
        """The filter as a key of what the board remembers."""
        return (self.owner, self.team, self.product, self.close_from, self.close_to, tuple(sorted((self.selects or {}).items())))

    def apply(self, schema, query):
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
            query = query.where(schema.expression(schema.field(key)) == value)
        return query


BOARD_FILTERS = ("process", "owner", "team", "product", "close_from", "close_to")  # and f_<select field>
BOARD_TABLES = ("pipeline_deal", "pipeline_deal_line")  # what the column totals read (and who sees what)
STAGE_MARK = -7_000_000_001  # stands for a stage id in the column query written once (never an id)


def first_cards(deals, stages, shown: int = 0):
    """The ids of the cards of each column after the first `shown`, in one statement: a LIMIT per stage, each read
    from the board's index (stage, rank, id), however many deals a column holds. The column's
    query is written to SQL once and repeated with each stage's id (writing it anew for each of a
    dozen stages cost more than running it)."""
    column = (deals.select(Deal.id).where(Deal.stage == STAGE_MARK).order_by(Deal.rank, Deal.id)
              .limit(CARDS_PER_COLUMN).offset(shown or None))
    sql, params = column.sql()
    parts, values = [], []
    for number, stage in enumerate(stages or [None]):
        parts.append(f"SELECT * FROM ({sql}) AS column_{number}")
        values += [(stage.id if stage else 0) if value == STAGE_MARK else value for value in params]
    return peewee.SQL("(" + " UNION ALL ".join(parts) + ")", values)


def select_fields(schema):
    return [spec for spec in schema.custom_fields if spec.type.key == "select" and not spec.archived and not spec.hidden]


def _process(schema, process_id: str | None) -> tuple[Process | None, list[Process]]:
    processes = processes_of(schema)
    if not processes:
        return None, []
    chosen = next((p for p in processes if str(p.id) == process_id), processes[0])
    return chosen, processes


def people_in_scope():
    """Whom a user may filter the board by: a manager their team, an admin everyone (kept until
    people or teams change)."""
    query = User.select(User.id, User.name).where(User.active == True).order_by(User.name)  # noqa: E712
    if current_user.may("see_everything"):
        return kept_rows("pipeline.people", "all", (), query)
    if current_user.may("lead_teams"):
        query = query.where((User.id == current_user.id) | User.id.in_(managed_user_ids(current_user)))
    else:
        query = query.where(User.id == current_user.id)
    return kept_rows("pipeline.people", (current_user.id, current_user.role), (), query)


@dataclass
class Column:
    stage: Stage
    count: int
    total: float
    weighted: float
    cards: list


@bp.route("/")
def board():
    schema = get_entity(DEAL)
    process, processes = _process(schema, request.args.get("process"))
    if process is None:  # an admin archived every process of deals
        return render_page("pipeline/board.html", schema=schema, process=None)
    stages = stages_of(process)
    wanted = BoardFilter.read(request.args, schema)
    in_scope = wanted.apply(schema, schema.visible())
    deals = in_scope.where(Deal.stage.in_([stage.id for stage in stages] or [0]))

    probability = peewee.fn.COALESCE(Deal.probability, Stage.probability)

    def count():  # every deal in scope is read: counted once, then remembered until a deal changes
        return {stage_id: (n, float(total or 0), float(weighted or 0)) for stage_id, n, total, weighted in (
            deals.select(Deal.stage, peewee.fn.COUNT(Deal.id), peewee.fn.SUM(Deal.amount),
                         peewee.fn.SUM(Deal.amount * probability / 100.0))
            .join(Stage, on=(Deal.stage == Stage.id)).group_by(Deal.stage).order_by().tuples())}

    totals = remembered("pipeline.board", (tuple(stage.id for stage in stages), wanted.key()), BOARD_TABLES, count)
    by_stage = _cards(schema, in_scope, stages, wanted.key())
    columns = [Column(stage, *totals.get(stage.id, (0, 0.0, 0.0)), by_stage.get(stage.id, DrawnCards())) for stage in stages]
    return render_page(
        "pipeline/board.html", "board", schema=schema, process=process, processes=processes, columns=columns,
        wanted=wanted, people=people_in_scope(), teams=_teams(), products=_products(),
        selects=select_fields(schema), **_card_context(),
    )


@bp.route("/board/cards")
def board_cards():
    """The next cards of one column, for its "Show more" button (htmx): the board's filters, the
    cards after the `shown` ones, and the button again (out of band) while more are left."""
    schema = get_entity(DEAL)
    stage = Stage.get_or_none(Stage.id == (id_from(request.args.get("stage")) or 0))
    if stage is None or stage.archived_at is not None or stage.process_id not in {p.id for p in processes_of(schema)}:
        abort(404)
    shown = min(id_from(request.args.get("shown")) or 0, 10**6)
    wanted = BoardFilter.read(request.args, schema)
    in_scope = wanted.apply(schema, schema.visible())
    cards = _cards(schema, in_scope, [stage], wanted.key(), shown).get(stage.id, DrawnCards())
    column = Column(stage, in_scope.where(Deal.stage == stage.id).count(), 0, 0, cards)
    return render_fragment("pipeline/_more_cards.html", "more_cards", schema=schema, column=column, shown=shown + len(cards),
                           **_card_context())


def _card_context() -> dict:
    """What a column's "Show more" reads (its links made once, not once per column)."""
    table_url = url_for("records.index", entity=DEAL, fk="stage", fo="is", fv=0).removesuffix("0")
    return {"limit": CARDS_PER_COLUMN, "table_url": table_url,
            "more_url": list_url("pipeline.board_cards", [name for name in request.args if name in BOARD_FILTERS or name.startswith("f_")])}


class CardDeal(NamedTuple):
    """A board card as the board remembers it (plain data, its texts in one reader's language)."""

    id: int
    name: str
    stage_id: int
    last_activity_at: datetime.datetime | None
    stage_entered_at: datetime.datetime | None
    fields: tuple  # ((label, text, ((tag label, color), ...) or None), ...): one per card field
    stale: bool  # as it was when the card was drawn
    html: str  # the card drawn by the (autoescaped) template `deal_card`


def _cards(schema, in_scope, stages, wanted_key, shown: int = 0) -> dict[int, DrawnCards]:
    """{stage id: its cards' HTML}: the cards after the first `shown` of each column,
    CARDS_PER_COLUMN of them at most. They are read and drawn once, then remembered until a deal, a
    linked record or a stage changes, per filter (`wanted_key`) and language. Whether a card is
    stale is worked out on each view (it changes with the time): a card that became stale or
    fresh since it was drawn is drawn again."""
    card_specs = [schema.field(key) for key in services.setting("card_fields") if schema.field(key) is not None]
    if not current_user.may("lead_teams"):  # every card on a rep's board is theirs
        card_specs = [spec for spec in card_specs if spec.key != schema.owner_field]
    stage_of = {stage.id: stage for stage in stages}
    drawing = {"deals_url": url_for("pipeline.deal", deal_id=0).removesuffix("0"), "stale_badge": _("Stale"),
               "stale_hint": _("No activity for longer than this stage allows")}
    deal_card = get_template_attribute("pipeline/_cards.html", "deal_card")

    def build():
        # A card reads its title, place and staleness, and the columns of the fields it shows (not
        # the whole row with every custom value unless one of them is shown).
        wanted_columns = {Deal.id, Deal.name, Deal.stage, Deal.rank, Deal.last_activity_at, Deal.stage_entered_at,
                          *(spec.column if spec.base else Deal.custom for spec in card_specs)}
        columns = [field for field in Deal._meta.sorted_fields if field in wanted_columns]
        deals = list(Deal.select(*columns).where(Deal.id.in_(first_cards(in_scope, stages, shown))).order_by(Deal.rank, Deal.id))
        names = records.lookups(schema, deals, card_specs)
        labels = [str(spec.label) for spec in card_specs]  # translated once, not once per card
        now, cards = utcnow(), []
        for deal in deals:
            values = (cell(schema, deal, spec, names) for spec in card_specs)
            fields = tuple((label, value.text, tuple(value.tags) if value.tags else None) for label, value in zip(labels, values))
            stale = services.is_stale(deal, stage_of.get(deal.stage_id), now)
            cards.append(CardDeal(deal.id, deal.name, deal.stage_id, deal.last_activity_at, deal.stage_entered_at, fields, stale,
                                  str(deal_card(deal.id, deal.name, fields, stale, **drawing))))
        return tuple(cards)  # nothing in it can change: the board shares what it keeps, no copy per view

    linked = {target.model._meta.table_name for target in (get_entity(records.reference_kind(spec) or "") for spec in card_specs)
              if target is not None}
    key = (tuple(stage.id for stage in stages), shown, wanted_key, tuple(spec.key for spec in card_specs), locale_code())
    now, by_stage = utcnow(), {}
    for card in remembered("pipeline.cards", key, (*BOARD_TABLES, "core_stage", *sorted(linked)), build):
        stale = services.is_stale(card, stage_of.get(card.stage_id), now)
        html = card.html if stale == card.stale else str(deal_card(card.id, card.name, card.fields, stale, **drawing))
        by_stage.setdefault(card.stage_id, DrawnCards()).append(html)
    return by_stage


class DrawnCards(list):
    """A column's cards, each drawn by the autoescaped template `deal_card`: a page puts them in
    all at once (`{{ cards }}`), not one by one."""

    def __html__(self) -> str:
        return "".join(self)


def _teams():
    return kept_rows("pipeline.teams", (current_user.id, current_user.role), (), managed_teams(current_user))


def _products():
    return kept_rows("pipeline.products", None, ("pipeline_product",), Product.select(Product.id, Product.name).order_by(Product.name))


@bp.route("/board/move", methods=["POST"])
def board_move():
    """A card dropped on the board (or the dialog that asked for a stage's fields, answered):
    the move and the card's place, in one service call. The answer goes into #board-dialog."""
    schema = get_entity(DEAL)
    deal_id, stage_id = id_from(request.form.get("deal")), id_from(request.form.get("stage"))
    if deal_id is None or stage_id is None:
        abort(400)
    deal = schema.changeable().where(Deal.id == deal_id).first()
    stage = Stage.get_or_none(Stage.id == stage_id)
    if deal is None or stage is None:
        abort(404)
    current = current_stage(schema, deal)
    if stage.archived_at is not None or (current is not None and stage.process_id != current.process_id):
        abort(404)
    neighbours = _visible_neighbours(schema, request.form)
    asked = [] if stage.id == deal.stage_id else [spec for spec in missing_fields(schema, deal, stage) if spec.in_form]
    values = {}
    if asked:
        answered = bool(request.form.get("asked"))
        form = records.make_form(schema, deal, submitted=answered, only={spec.key for spec in asked})
        if not answered:  # the drop itself: ask, and put the card back meanwhile
            return _fields_dialog(schema, deal, stage, form, asked, neighbours)
        for spec in asked:  # as the low-code layer's move page reads them
            if form[spec.key].validate(form):
                stored = form[spec.key].data if spec.base else spec.type.clean(form[spec.key].data, spec)
                if stored not in (None, "", []):
                    values[spec.key] = stored
        if any(form[spec.key].errors for spec in asked):
            return _fields_dialog(schema, deal, stage, form, asked, neighbours)
    result = drop_card(schema, deal, stage, current_user, *neighbours, values=values)
    if result.status == "unchanged":
        return "", 204
    if result.status == "needs_fields":
        form = records.make_form(schema, deal, only={spec.key for spec in result.missing if spec.in_form})
        for spec in result.missing:
            if spec.in_form and not form[spec.key].errors:
                form[spec.key].errors = [_("%(stage)s needs this field.", stage=stage.label)]
        return _fields_dialog(schema, deal, stage, form, [spec for spec in result.missing if spec.in_form], neighbours)
    if result.status == "pending":
        message, category = _("Moving to %(stage)s waits for a manager's approval.", stage=stage.label), "info"
    else:
        message, category = _("%(title)s is now in %(stage)s.", title=schema.title_of(deal), stage=stage.label), "success"
    response = render_fragment("records/move.html", "move_done", message=message, category=category)
    response.headers["HX-Trigger"] = "record-moved"
    return response


def _visible_neighbours(schema, form) -> tuple[int | None, int | None]:
    """The cards the drop landed between, when the user may see them (others are ignored)."""
    wanted = {side: id_from(form.get(side)) for side in ("before", "after")}
    ids = {card_id for card_id in wanted.values() if card_id is not None}
    seen = {row.id for row in schema.visible().select(Deal.id).where(Deal.id.in_(ids))} if ids else set()
    return tuple(wanted[side] if wanted[side] in seen else None for side in ("before", "after"))


def _fields_dialog(schema, deal, stage, form, asked, neighbours):
    """The question a stage asks before a card may enter it. Until it is answered the card
    belongs in its old column: the board refreshes behind the dialog."""
    before, after = neighbours
    response = render_fragment(
        "records/move.html", "move_form", schema=schema, record=deal, stage=stage, form=form, asked=asked, quiet=True,
        action=url_for("pipeline.board_move"),
        hidden={"deal": deal.id, "before": before or "", "after": after or "", "asked": 1})
    response.headers["HX-Trigger"] = "board-refresh"
    return response
