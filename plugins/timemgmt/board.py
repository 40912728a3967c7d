"""Task boards: a personal one and one per team. Columns are to do, doing, done and those the
team adds; cards are the same tasks as in My day, moved by drag and drop (the core's board script)."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.api import Team, User, db, utcnow

from .models import BoardColumn, Task
from .services import Refused, clean_text, team_ids

FIXED = {"todo": _l("To do"), "doing": _l("Doing"), "done": _l("Done")}


def team_or_none(user: User, team_id) -> Team | None:
    """A team whose board the user may open; None for anyone else's (the view answers 404)."""
    if not team_id or team_id not in team_ids(user):
        return None
    return Team.get_or_none(Team.id == team_id)


def columns(user: User, team: Team | None) -> list[tuple[str, str]]:
    """[(stage, label)]: the fixed columns, with the added ones between doing and done."""
    added = BoardColumn.select().where(BoardColumn.team == team.id) if team else BoardColumn.select().where(
        BoardColumn.owner == user.id, BoardColumn.team.is_null())
    extra = [(f"col-{column.id}", column.label) for column in added.order_by(BoardColumn.position, BoardColumn.id)]
    return [("todo", str(FIXED["todo"])), ("doing", str(FIXED["doing"]))] + extra + [("done", str(FIXED["done"]))]


def cards(user: User, team: Team | None):
    query = Task.select().where(Task.dropped_at.is_null(), Task.in_inbox == False)  # noqa: E712
    query = query.where(Task.team == team.id) if team else query.where(Task.owner == user.id, Task.team.is_null())
    return list(query.order_by(Task.position, Task.id).limit(500))


def add_column(user: User, team: Team | None, label) -> BoardColumn:
    label = clean_text(label, 60, _("The column's name"), required=True)
    with db.atomic():
        return BoardColumn.create(team=team.id if team else None, owner=None if team else user.id, label=label,
                                  position=BoardColumn.select().count())


def members(team: Team) -> list[User]:
    """Who a team card may be given to: the team's active members and its manager."""
    return list(User.select().where(((User.team == team.id) | (User.id == team.manager_id)), User.active == True)  # noqa: E712
                .order_by(User.name))


def add_card(user: User, team: Team | None, title, assignee_id=None) -> Task:
    title = clean_text(title, 200, _("Title"), required=True)
    owner = user.id
    if team is not None and assignee_id:
        if assignee_id not in {member.id for member in members(team)}:
            raise Refused(_("Give the card to someone in the team."))
        owner = assignee_id
    with db.atomic():
        return Task.create(title=title, owner=owner, created_by=user.id, team=team.id if team else None, stage="todo")


def move(user: User, task: Task, stage: str, before_id, board: list[tuple[str, str]]) -> None:
    """Into column `stage`, right after the card `before_id` (or first); done sets the task done."""
    if stage not in {key for key, _label in board}:
        raise Refused(_("Drop it on a column of this board."))
    with db.atomic():
        ordered = [card for card in Task.select(Task.id).where(Task.stage == stage, Task.id != task.id, Task.dropped_at.is_null(),
                                                               (Task.team == task.team_id) if task.team_id else
                                                               (Task.owner == task.owner_id) & Task.team.is_null())
                   .order_by(Task.position, Task.id)]
        ids = [card.id for card in ordered]
        at = ids.index(before_id) + 1 if before_id in ids else 0
        ids.insert(at, task.id)
        for position, card_id in enumerate(ids):
            Task.update(position=position).where(Task.id == card_id).execute()
        done = stage == "done"
        Task.update(stage=stage, done_at=(task.done_at or utcnow()) if done else None).where(Task.id == task.id).execute()
