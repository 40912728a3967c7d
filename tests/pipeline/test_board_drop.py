"""A card dropped on the board: one service call, one transaction. The card lands where it was
dropped even between cards that were never moved (equal ranks), and a move that does not happen
(waiting for approval, fields asked for) leaves the card where it was."""
import re

from core.lowcode.models import Approval
from plugins.pipeline.models import Deal

from .test_board import board_move, column


def titles(html: str) -> list[str]:
    return re.findall(r'class="deal-title"[^>]*>([^<]+)<', html)


def test_a_card_dropped_between_two_cards_never_moved_lands_between_them(pipe, people):
    acme = pipe.customer(people.rep)
    first, second, third = (pipe.deal(people.rep, acme, name=name) for name in ("First", "Second", "Third"))
    stage = pipe.stage("development")
    assert {pipe.get(Deal, deal).rank for deal in (first, second, third)} == {0}  # never moved: all equal

    assert board_move(pipe.rep, third, stage, before=first, after=second).status_code == 204
    assert titles(pipe.rep.get("/pipeline/").text) == ["First", "Third", "Second"]
    # Again and again between the same two: the ranks run out of room and the column is renumbered.
    for _ in range(60):
        assert board_move(pipe.rep, second, stage, before=first, after=third).status_code == 204
        assert board_move(pipe.rep, third, stage, before=first, after=second).status_code == 204
    assert titles(pipe.rep.get("/pipeline/").text) == ["First", "Third", "Second"]


def test_a_card_dropped_into_another_column_between_two_cards_lands_between_them(pipe, people):
    acme = pipe.customer(people.rep)
    stage = pipe.stage("first_contact")
    upper, lower, moving = (pipe.deal(people.rep, acme, name=name) for name in ("Upper", "Lower", "Moving"))
    for deal in (upper, lower):
        assert board_move(pipe.rep, deal, stage).headers["HX-Trigger"] == "record-moved"
    with pipe.app.app_context():
        Deal.update(rank=0).execute()  # as a database from before ranks were kept has them
    response = board_move(pipe.rep, moving, stage, before=upper, after=lower)
    assert response.headers["HX-Trigger"] == "record-moved"
    assert titles(column(pipe.rep.get("/pipeline/").text, "First contact")) == ["Upper", "Moving", "Lower"]


def test_a_move_waiting_for_approval_leaves_the_card_in_its_place(pipe, people):
    acme = pipe.customer(people.rep, "Acme")
    import datetime
    soon = datetime.date(2027, 1, 1)
    top, bottom = (pipe.deal(people.rep, acme, name=name, expected_close=soon) for name in ("Top", "Bottom"))
    approval = pipe.stage("approval")
    waiting_there = pipe.deal(people.manager, pipe.customer(people.manager, "Beta"), name="There", expected_close=soon)
    assert board_move(pipe.manager, waiting_there, approval).headers["HX-Trigger"] == "record-moved"
    with pipe.app.app_context():
        Deal.update(rank=1).where(Deal.id == top).execute()
        Deal.update(rank=2).where(Deal.id == bottom).execute()
        Deal.update(rank=-10).where(Deal.id == waiting_there).execute()

    response = board_move(pipe.rep, bottom, approval, after=waiting_there)
    assert "waits for a manager" in response.text
    assert pipe.get(Deal, bottom).rank == 2  # nothing of the drop is kept until the move is decided
    assert titles(column(pipe.rep.get("/pipeline/").text, "Customer development")) == ["Top", "Bottom"]
    with pipe.app.app_context():
        assert Approval.select().where(Approval.record_id == bottom).count() == 1


def test_the_fields_dialog_keeps_the_drop_and_moves_the_card_where_it_was_dropped(pipe, people):
    acme = pipe.customer(people.rep)
    lost = pipe.stage("lost")
    one, two, moving = (pipe.deal(people.rep, acme, name=name) for name in ("One", "Two", "Moving"))
    for deal in (one, two):
        board_move(pipe.rep, deal, lost, lost_reason="Timing", asked="1")
    assert pipe.get(Deal, one).stage_id == lost and pipe.get(Deal, two).stage_id == lost
    with pipe.app.app_context():
        Deal.update(rank=0).execute()

    asked = board_move(pipe.rep, moving, lost, before=one, after=two)
    assert asked.status_code == 200 and 'name="lost_reason"' in asked.text
    assert asked.headers["HX-Trigger"] == "board-refresh"  # the card goes back while the question is open
    assert 'action="/pipeline/board/move"' in asked.text and 'hx-post="/pipeline/board/move"' in asked.text
    assert f'name="before" value="{one}"' in asked.text and f'name="after" value="{two}"' in asked.text
    assert "field-error" not in asked.text and "needs this field." not in asked.text  # a question, not an error yet
    assert pipe.get(Deal, moving).stage_id != lost and pipe.get(Deal, moving).rank == 0

    empty = board_move(pipe.rep, moving, lost, before=one, after=two, asked="1")
    assert "Lost needs this field." in empty.text and pipe.get(Deal, moving).stage_id != lost
    made_up = board_move(pipe.rep, moving, lost, before=one, after=two, asked="1", lost_reason="Aliens")
    assert "Not a valid choice" in made_up.text and pipe.get(Deal, moving).stage_id != lost

    done = board_move(pipe.rep, moving, lost, before=one, after=two, asked="1", lost_reason="Timing")
    assert done.headers["HX-Trigger"] == "record-moved" and "is now in Lost" in done.text
    assert pipe.get(Deal, moving).lost_reason.source == "Timing"
    assert titles(column(pipe.rep.get("/pipeline/").text, "Lost")) == ["One", "Moving", "Two"]
