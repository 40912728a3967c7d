"""The kanban board: columns from the process, counts and totals, filters, stale cards, moves."""
import datetime
import re

from playhouse.test_utils import count_queries

from core.db import utcnow
from core.lowcode import definitions
from core.lowcode.entities import get_entity
from core.lowcode.models import Approval, Process, Stage, StageMove
from core.models import User
from plugins.pipeline.entities import DEAL
from plugins.pipeline.models import Deal, DealLine


def column_titles(html: str) -> list[str]:
    return re.findall(r'<section class="board-column[^"]*" aria-label="([^"]+)"', html)


def column(html: str, label: str) -> str:
    start = html.index(f'aria-label="{label}"')
    end = html.find('<section class="board-column', start)
    return html[start:end if end > 0 else None]


def board_move(client, deal, stage, **extra):
    client.environ_base["HTTP_HX_REQUEST"] = "true"
    try:
        return client.post("/pipeline/board/move", data={"deal": deal, "stage": stage, "then": "event", **extra})
    finally:
        del client.environ_base["HTTP_HX_REQUEST"]


def test_the_board_has_a_column_per_stage_with_counts_and_totals(pipe, people):
    acme = pipe.customer(people.rep)
    pipe.deal(people.rep, acme, name="Small", amount=1000)
    big = pipe.deal(people.rep, acme, name="Big", amount=250000)
    pipe.deal(people.colleague, pipe.customer(people.colleague, "Beta"), name="Colleague's", amount=5)
    board_move(pipe.rep, big, pipe.stage("discovery"))

    page = pipe.manager.get("/pipeline/").text
    assert column_titles(page) == ["Customer development", "First contact", "Information gathering", "Follow-up",
                                   "Internal approval", "Contract signing", "After-sales", "Lost"]
    first = column(page, "Customer development")
    assert '<span class="column-count">2</span> · 1,005' in first and "Small" in first and "Colleague&#39;s" in first
    discovery = column(page, "Information gathering")
    # 20% of 250,000 is the weighted amount of the stage.
    assert '<span class="column-count">1</span> · 250,000 · weighted 50,000' in discovery and "Big" in discovery

    mine = pipe.rep.get("/pipeline/").text
    assert "Small" in mine and "Colleague" not in mine  # a rep's board holds their own deals


def test_the_board_follows_the_stages_as_the_admin_edits_them(pipe, people):
    pipe.deal(people.rep, pipe.customer(people.rep))
    first_contact = pipe.stage("first_contact")
    with pipe.app.app_context():
        process = Stage.get_by_id(first_contact).process_id
    pipe.admin.post(f"/admin/processes/{process}/stages/{first_contact}",
                    data={"label": "初次联系 First call", "kind": "open", "probability": "15", "color": "teal"})
    pipe.admin.post(f"/admin/processes/{process}/stages", data={"label": "Negotiation", "kind": "open", "probability": "70",
                                                                "color": "amber"})
    titles = column_titles(pipe.rep.get("/pipeline/").text)
    assert titles[1] == "初次联系 First call" and titles[-1] == "Negotiation"


def test_filters_by_owner_team_product_close_date_and_custom_choice(pipe, people):
    with pipe.app.test_request_context():
        channel = definitions.add_field(get_entity(DEAL), {"type": "select", "label": "Channel", "required": False, "unique": False,
                                                           "hidden": False,
                                                           "options": {"choices": [{"label": "Direct"},
                                                                                   {"label": "Partner"}]}}, people.admin)
        direct_value = channel.options["choices"][0]["value"]
    acme = pipe.customer(people.rep)
    product = pipe.product("Widget")
    direct = pipe.deal(people.rep, acme, name="Direct one", expected_close=datetime.date(2026, 3, 1), **{channel.key: direct_value})
    pipe.deal(people.colleague, pipe.customer(people.colleague, "Beta"), name="Partner one", expected_close=datetime.date(2026, 9, 1))
    pipe.deal(people.outsider, pipe.customer(people.outsider, "Gamma"), name="Westward")
    with pipe.app.app_context():
        DealLine.create(deal=direct, product=product, quantity=1, unit_price=1)

    def names(client, query):
        return sorted(re.findall(r'class="deal-title"[^>]*>([^<]+)<', client.get("/pipeline/?" + query).text))

    assert names(pipe.manager, f"owner={people.colleague.id}") == ["Partner one"]
    assert names(pipe.admin, f"team={people.team.id}") == ["Direct one", "Partner one"]
    assert names(pipe.admin, f"product={product}") == ["Direct one"]
    assert names(pipe.admin, "close_from=2026-06-01&close_to=2026-12-31") == ["Partner one"]
    board = pipe.admin.get("/pipeline/").text
    assert f'<select name="f_{channel.key}"' in board
    assert names(pipe.admin, f"f_{channel.key}={direct_value}") == ["Direct one"]
    # Nonsense in the filters is ignored, not an error.
    assert pipe.admin.get("/pipeline/?owner=abc&team=99999999999999999999&close_from=soon&process=x").status_code == 200
    # A manager cannot see another team's deals by filtering for them.
    assert names(pipe.manager, f"owner={people.outsider.id}") == []


def test_a_card_without_follow_up_for_longer_than_its_stage_allows_is_stale(pipe, people):
    acme = pipe.customer(people.rep)
    quiet = pipe.deal(people.rep, acme, name="Quiet")
    busy = pipe.deal(people.rep, acme, name="Busy")
    long_ago = utcnow() - datetime.timedelta(days=20)  # the first stage allows 14 days
    with pipe.app.app_context():
        Deal.update(stage_entered_at=long_ago).execute()
    pipe.activity(people.rep, deal=busy, customer=acme, done_at=utcnow() - datetime.timedelta(days=1))
    page = pipe.rep.get("/pipeline/").text
    assert re.search(rf'class="deal-card deal-stale" data-card="{quiet}"', page)
    assert re.search(rf'class="deal-card" data-card="{busy}"', page)


def test_the_board_runs_the_same_number_of_queries_for_few_or_many_deals(pipe, people):
    acme = pipe.customer(people.rep)
    pipe.deal(people.rep, acme)

    def queries():
        with count_queries() as counter:
            assert pipe.manager.get("/pipeline/").status_code == 200
        return counter.count

    queries()
    few = queries()  # the column totals and the cards remembered: neither is read
    for n in range(30):
        pipe.deal([people.rep, people.colleague][n % 2], acme, name=f"Deal {n}", amount=n)
    # The deals changed: the totals are counted again, and the cards read again (the deals, the
    # names of their customers and of their owners)
    assert queries() == few + 4
    assert queries() == few


def test_dropping_a_card_moves_it_and_keeps_the_history(pipe, people):
    deal = pipe.deal(people.rep, pipe.customer(people.rep))
    target = pipe.stage("first_contact")
    response = board_move(pipe.rep, deal, target)
    assert response.status_code == 200 and response.headers["HX-Trigger"] == "record-moved"
    assert "is now in First contact" in response.text and "<html" not in response.text
    with pipe.app.app_context():
        assert Deal.get_by_id(deal).stage_id == target
        moves = [(m.from_stage_id, m.to_stage_id) for m in StageMove.select().where(StageMove.record_id == deal).order_by(StageMove.id)]
        assert moves[-1] == (pipe.stage("development"), target)


def test_a_stage_that_asks_for_a_field_gets_it_before_the_card_moves(pipe, people):
    """Lost needs a reason from the editable list: the drop answers with the question."""
    deal = pipe.deal(people.rep, pipe.customer(people.rep))
    lost = pipe.stage("lost")
    asked = board_move(pipe.rep, deal, lost)
    assert asked.status_code == 200 and 'name="lost_reason"' in asked.text and "Price too high" in asked.text
    assert 'name="then" value="event"' in asked.text
    assert pipe.get(Deal, deal).stage_id != lost
    # A reason that is not on the list is refused; the deal stays.
    made_up = pipe.rep.post(f"/records/pipeline.deal/{deal}/move", data={"stage": lost, "then": "event", "lost_reason": "<b>Aliens</b>"})
    assert "Not a valid choice" in made_up.text and "<b>Aliens</b>" not in made_up.text
    assert pipe.get(Deal, deal).stage_id != lost
    done = pipe.rep.post(f"/records/pipeline.deal/{deal}/move", data={"stage": lost, "then": "event", "lost_reason": "Price too high"})
    assert done.headers["HX-Trigger"] == "record-moved"
    closed = pipe.get(Deal, deal)
    assert closed.stage_id == lost and closed.lost_reason.source == "Price too high" and closed.closed_at is not None


def test_a_reps_move_into_an_approval_stage_waits_for_the_manager(pipe, people):
    deal = pipe.deal(people.rep, pipe.customer(people.rep), expected_close=datetime.date(2027, 1, 1))
    approval = pipe.stage("approval")
    response = board_move(pipe.rep, deal, approval)
    assert "waits for a manager" in response.text
    assert pipe.get(Deal, deal).stage_id != approval
    with pipe.app.app_context():
        waiting = Approval.get(Approval.record_id == deal)
    pipe.manager.post(f"/approvals/{waiting.id}", data={"verdict": "approve"})
    assert pipe.get(Deal, deal).stage_id == approval


def test_dropping_within_a_column_reorders_the_cards(pipe, people):
    acme = pipe.customer(people.rep)
    first, second, third = (pipe.deal(people.rep, acme, name=name) for name in ("First", "Second", "Third"))
    stage = pipe.stage("development")
    assert board_move(pipe.rep, third, stage, after=first).status_code == 204
    page = pipe.rep.get("/pipeline/").text
    assert re.findall(r'class="deal-title"[^>]*>([^<]+)<', page) == ["Third", "First", "Second"]
    assert board_move(pipe.rep, first, stage, before=second, after="").status_code == 204
    order = re.findall(r'class="deal-title"[^>]*>([^<]+)<', pipe.rep.get("/pipeline/").text)
    assert order == ["Third", "Second", "First"]


def test_the_board_refuses_what_is_not_yours_or_not_there(pipe, people):
    theirs = pipe.deal(people.colleague, pipe.customer(people.colleague))
    stage = pipe.stage("first_contact")
    assert board_move(pipe.rep, theirs, stage).status_code == 404
    assert pipe.get(Deal, theirs).stage_id == pipe.stage("development")
    assert board_move(pipe.rep, 999999, stage).status_code == 404
    assert board_move(pipe.rep, "x", stage).status_code == 400
    mine = pipe.deal(people.rep, pipe.customer(people.rep))
    assert board_move(pipe.rep, mine, 999999).status_code == 404  # no such stage
    # Neighbours the rep may not see do not move the card or leak anything.
    assert board_move(pipe.rep, mine, pipe.stage("development"), before=theirs).status_code == 204


def test_without_a_sales_process_the_board_says_so(pipe):
    pipe.stage("development")  # the default process exists...
    with pipe.app.app_context():
        Process.update(archived_at=utcnow()).execute()  # ...and an admin archived it
    page = pipe.admin.get("/pipeline/")
    assert page.status_code == 200 and "There is no sales process yet." in page.text
    assert pipe.admin.get("/pipeline/numbers").status_code == 200


def card_of(page: str, deal: int) -> str:
    return re.search(rf'<article class="deal-card[^"]*" data-card="{deal}".*?</article>', page, re.S).group(0)


def test_a_card_shows_the_custom_and_built_in_fields_chosen_for_cards(pipe, people):
    """Cards read only the columns of the fields they show: a custom field chosen for cards still
    shows, and one not chosen is not read."""
    with pipe.app.test_request_context():
        region = definitions.add_field(get_entity(DEAL), {"type": "text", "label": "Territory", "required": False, "unique": False,
                                                          "hidden": False}, people.admin)
    deal = pipe.deal(people.rep, pipe.customer(people.rep), name="Northern deal", expected_close=datetime.date(2027, 5, 1),
                     **{region.key: "North-East"})
    assert pipe.admin.post("/pipeline/settings", data={"pool_return_days": "30", "pool_claim_limit": "5",
                                                       "card_fields": [region.key, "expected_close"]}).status_code == 302
    card = card_of(pipe.manager.get("/pipeline/").text, deal)
    assert "North-East" in card and "May 1, 2027" in card and "1,000" not in card
    assert f'<a class="deal-title" href="/pipeline/deals/{deal}">Northern deal</a>' in card
    assert pipe.admin.post("/pipeline/settings", data={"pool_return_days": "30", "pool_claim_limit": "5",
                                                       "card_fields": ["amount"]}).status_code == 302
    card = card_of(pipe.manager.get("/pipeline/").text, deal)
    assert "North-East" not in card and "1,000" in card


def card_names(html: str) -> list[str]:
    return re.findall(r'class="deal-title" href="[^"]+">([^<]+)</a>', html)


def show_more_url(html: str, stage: int) -> str | None:
    found = re.search(rf'<p class="board-more" id="board-more-{stage}"[^>]*>\s*<button[^>]* hx-get="([^"]+)"', html)
    return found.group(1).replace("&amp;", "&") if found else None


def test_a_column_shows_twenty_cards_and_the_rest_on_demand(pipe, people):
    """A long column shows its first cards; "Show more" brings the next ones in order, with the
    board's filters, and goes away when none are left."""
    acme, beta = pipe.customer(people.rep), pipe.customer(people.colleague, "Beta")
    development = pipe.stage("development")
    with pipe.app.app_context():
        now = utcnow()
        rows = [{"name": f"Deal {n:02d}", "customer": acme, "owner": people.rep, "amount": 1, "stage": development,
                 "rank": float(n), "created_at": now, "updated_at": now, "search_text": "", "stage_entered_at": now,
                 "last_activity_at": now} for n in range(45)]
        rows += [{**rows[0], "name": "Not theirs", "customer": beta, "owner": people.colleague, "rank": 100.0}]
        Deal.insert_many(rows).execute()
    page = pipe.manager.get("/pipeline/").text
    first = column(page, "Customer development")
    assert card_names(first) == [f"Deal {n:02d}" for n in range(20)]
    assert "Show 20 more" in first and "All 46 in the table" in first
    (table,) = re.findall(r'<a href="([^"]+)">All 46 in the table</a>', first)
    assert table == f"/records/pipeline.deal/?fk=stage&amp;fo=is&amp;fv={development}"
    listed = pipe.manager.get(table.replace("&amp;", "&"))
    assert listed.status_code == 200 and "Deal 44" in listed.text and "Not theirs" in listed.text

    more = pipe.manager.get(show_more_url(first, development), headers={"HX-Request": "true"})
    assert more.status_code == 200 and "<html" not in more.text
    assert card_names(more.text) == [f"Deal {n:02d}" for n in range(20, 40)]
    assert 'hx-swap-oob="true"' in more.text and "Show 6 more" in more.text
    last = pipe.manager.get(show_more_url(more.text, development)).text
    assert card_names(last) == [f"Deal {n:02d}" for n in range(40, 45)] + ["Not theirs"]
    assert show_more_url(last, development) is None and 'id="board-more-' in last  # the button goes, out of band

    # The board's filters go with the button: the rep's deals only.
    filtered = column(pipe.manager.get(f"/pipeline/?owner={people.rep}").text, "Customer development")
    assert f"owner={people.rep}" in show_more_url(filtered, development)
    rest = pipe.manager.get(f"/pipeline/board/cards?owner={people.rep}&stage={development}&shown=40").text
    assert "Not theirs" not in rest and card_names(rest)[-1] == "Deal 44"
    # A rep's "more" holds their own deals only, whatever they ask for.
    assert "Not theirs" not in pipe.rep.get(f"/pipeline/board/cards?stage={development}&shown=0").text


def test_show_more_refuses_what_is_not_a_stage_of_a_deal_process(pipe, people):
    assert pipe.manager.get("/pipeline/board/cards?stage=999999&shown=0").status_code == 404
    assert pipe.manager.get("/pipeline/board/cards?stage=abc&shown=-5").status_code == 404
    development = pipe.stage("development")
    response = pipe.manager.get(f"/pipeline/board/cards?stage={development}&shown=99999999999999999999999")
    assert response.status_code == 200  # read as nothing shown yet: never a 500


def test_the_remembered_column_totals_follow_every_change_to_the_deals(pipe, people):
    """The totals are counted once and remembered; a change however made (a drop, a plain UPDATE)
    is on the next board."""
    acme = pipe.customer(people.rep)
    deal = pipe.deal(people.rep, acme, amount=1000)
    first = column(pipe.manager.get("/pipeline/").text, "Customer development")
    assert '<span class="column-count">1</span> · 1,000' in first
    with pipe.app.app_context():
        Deal.update(amount=7000).where(Deal.id == deal).execute()
    assert '<span class="column-count">1</span> · 7,000' in column(pipe.manager.get("/pipeline/").text, "Customer development")
    board_move(pipe.rep, deal, pipe.stage("first_contact"))
    page = pipe.manager.get("/pipeline/").text
    assert '<span class="column-count">0</span>' in column(page, "Customer development")
    assert '<span class="column-count">1</span> · 7,000' in column(page, "First contact")
    with pipe.app.app_context():
        team = people.rep.team_id
        User.update(team=None).where(User.id == people.rep.id).execute()
    assert '<span class="column-count">0</span>' in column(pipe.manager.get("/pipeline/").text, "First contact")  # no longer theirs
    with pipe.app.app_context():
        User.update(team=team).where(User.id == people.rep.id).execute()


def test_the_remembered_cards_follow_their_deals_linked_records_stages_and_language(pipe, people, login):
    """The cards are read once and remembered: a change to a deal, to the customer it links to, to
    its stage's follow-up rule, or another reader's language, is on the next board."""
    from core.auth import hash_password
    from core.models import ADMIN
    from plugins.pipeline.models import Customer

    acme = pipe.customer(people.rep)
    deal = pipe.deal(people.rep, acme, name="Rollout", expected_close="2026-03-05")
    with pipe.app.app_context():  # two admins (who share what they see), one reading Chinese
        chinese = User.create(email="zhao@example.com", name="Zhao", role=ADMIN, locale="zh_Hans_CN",
                              password_hash=hash_password("a-long-password-1"))
    reader = login(chinese, password="a-long-password-1")

    def card(client=pipe.admin) -> str:
        page = client.get("/pipeline/").text
        start = page.index(f'data-card="{deal}"')
        return page[page.rindex("<article", 0, start):page.index("</article>", start)]

    assert "Rollout" in card() and "Acme Trading" in card() and "Mar 5, 2026" in card()
    assert "2026年3月5日" in card(reader)
    assert "Mar 5, 2026" in card()
    with pipe.app.app_context():
        Customer.update(name="Acme Holdings").where(Customer.id == acme).execute()
    assert "Acme Holdings" in card()
    with pipe.app.app_context():
        Deal.update(name="Rollout II").where(Deal.id == deal).execute()
    assert "Rollout II" in card() and "deal-stale" not in card()
    with pipe.app.app_context():  # the deal entered its stage days ago...
        Deal.update(stage_entered_at=utcnow() - datetime.timedelta(days=3)).where(Deal.id == deal).execute()
    assert "deal-stale" not in card()
    with pipe.app.app_context():  # ... and the stage now asks for a follow-up every day
        Stage.update(followup_days=1).where(Stage.id == pipe.stage("development")).execute()
    assert "deal-stale" in card()


def test_a_remembered_card_turns_stale_with_the_time_and_its_text_stays_escaped(pipe, people, monkeypatch):
    from plugins.pipeline import views

    deal = pipe.deal(people.rep, pipe.customer(people.rep, name="<b>Acme</b>"), name="<script>alert(1)</script>")

    def card() -> str:
        page = pipe.manager.get("/pipeline/").text
        start = page.index(f'data-card="{deal}"')
        return page[page.rindex("<article", 0, start):page.index("</article>", start)]

    first = card()
    with count_queries() as remembered:
        assert card() == first
    assert "deal-stale" not in first
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in first and "&lt;b&gt;Acme&lt;/b&gt;" in first and "<script>" not in first
    later = utcnow() + datetime.timedelta(days=20)  # the first stage allows 14 days; no deal changed
    monkeypatch.setattr(views, "utcnow", lambda: later)
    with count_queries() as redrawn:
        stale = card()
    assert 'class="deal-card deal-stale"' in stale and "&lt;script&gt;" in stale and "<script>" not in stale
    assert redrawn.count == remembered.count  # drawn again, not read again
    monkeypatch.undo()
    assert card() == first
