"""A card dropped on the board: the move (with the stage's rules) and the card's place in its
column, decided and written together in one transaction.

A card's place is its `rank` (ordered by rank, then id). A card dropped between two others takes
the midpoint of their ranks; when there is no room between them (cards never moved all have rank
0, or halving ran out of precision) the column is renumbered in its shown order in one UPDATE.
"""
from __future__ import annotations

import peewee

from core.api import MoveResult, db, is_sqlite, move

from .models import Deal


def drop_card(schema, deal: Deal, stage, user, before: int | None = None, after: int | None = None,
              values: dict | None = None) -> MoveResult:
    """Move `deal` into `stage` and place it after the card `before` / ahead of the card `after`
    (cards the user sees, or None). A move that does not happen now (fields missing, waiting for
    approval) leaves the card where it was, place included."""
    with db.atomic():
        if stage.id != deal.stage_id:
            result = move(schema, deal, stage, user, values)
            if result.status != "moved":
                return result
        else:
            result = MoveResult("unchanged")
        place(deal.id, stage.id, before, after)
    return result


def place(deal_id: int, stage_id: int, before: int | None, after: int | None) -> None:
    """Give the card a rank between its new neighbours in the column of `stage_id`."""
    query = (Deal.select(Deal.id, Deal.rank).where(Deal.stage == stage_id, Deal.id != deal_id, Deal.deleted_at.is_null())
             .order_by(Deal.rank, Deal.id))
    column = list((query if is_sqlite() else query.for_update()).tuples())  # SQLite: the write lock is held already
    ids = [card_id for card_id, _rank in column]
    if before in ids:
        index = ids.index(before) + 1
    elif after in ids:
        index = ids.index(after)
    else:
        return  # nothing to be placed against (an empty column): the card keeps its rank
    lower = column[index - 1][1] if index > 0 else None
    upper = column[index][1] if index < len(column) else None
    if lower is not None and upper is not None:
        rank = (lower + upper) / 2
        if not lower < rank < upper:  # equal neighbours, or no float left between them
            _renumber(ids[:index] + [deal_id] + ids[index:])
            return
    else:
        rank = lower + 1 if lower is not None else upper - 1
    Deal.update(rank=rank).where(Deal.id == deal_id).execute()


def _renumber(order: list[int]) -> None:
    """Ranks 0, 1, 2... in the given order, in one statement."""
    rank = peewee.Case(Deal.id, [(card_id, float(position)) for position, card_id in enumerate(order)], Deal.rank)
    Deal.update(rank=rank).where(Deal.id.in_(order)).execute()
