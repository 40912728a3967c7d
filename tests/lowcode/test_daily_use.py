"""Daily use: an export follows a filter applied in place, a stage merge leaves history on the
records it moves, and a duplicate warning never links to a customer the rep may not open."""
import re

from core.lowcode.models import AuditEntry

from .test_processes import Stage_process, new_greeting, stage_id


def test_the_filtered_results_fragment_carries_export_links_with_the_filter(login, people, competitor):
    admin = login(people.admin)
    fragment = admin.get(f"/records/{competitor}/?q=Acme", headers={"HX-Request": "true"}).text
    assert "<html" not in fragment  # the swapped fragment, not the page
    assert re.search(rf'href="/records/{re.escape(competitor)}/export\.csv\?[^"]*q=Acme', fragment)
    assert re.search(rf'href="/records/{re.escape(competitor)}/export\.xlsx\?[^"]*q=Acme', fragment)


def test_a_stage_merge_writes_the_move_into_each_moved_records_history(hello, people):
    record = new_greeting(hello, hello.rep)
    read, ignored = stage_id(hello.app, "read"), stage_id(hello.app, "ignored")
    hello.rep.post(f"/records/hello.greeting/{record}/move", data={"stage": str(read)})
    merged = hello.admin.post(f"/admin/processes/{Stage_process(hello)}/stages/{read}/merge", data={"into": str(ignored)})
    assert merged.status_code in (200, 302)
    with hello.app.app_context():
        last = (AuditEntry.select().where(AuditEntry.entity == "hello.greeting", AuditEntry.record_id == record)
                .order_by(AuditEntry.id.desc()).get())
        assert last.changes["stage"] == [read, ignored] and last.user_id == people.admin.id
    detail = hello.rep.get(f"/records/hello.greeting/{record}").text
    assert re.search(r"Stage: <del>Read</del> → Ignored", detail)


def customer_of(client, name) -> int:
    response = client.post("/records/pipeline.customer/new", data={"name": name})
    assert response.status_code == 302
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def test_a_duplicate_of_a_colleagues_customer_names_the_owner_without_a_dead_link(login, people):
    rep, colleague = login(people.rep), login(people.colleague)
    theirs = customer_of(colleague, "Huaxin Trading Ltd")
    mine = customer_of(rep, "Blue Sky Ltd")
    assert rep.get(f"/pipeline/customers/{theirs}").status_code == 404  # the link would be dead
    asked = rep.post("/records/pipeline.customer/new", data={"name": "Huaxin Trading"})
    assert asked.status_code == 200 and "Huaxin Trading Ltd" in asked.text
    assert "Carl Colleague" in asked.text and f"/pipeline/customers/{theirs}" not in asked.text
    own = rep.post("/records/pipeline.customer/new", data={"name": "Blue Sky"})
    assert f'href="/pipeline/customers/{mine}"' in own.text
    # a manager sees the team's customers: the link stays
    managed = login(people.manager).post("/records/pipeline.customer/new", data={"name": "Huaxin Trading"})
    assert f'href="/pipeline/customers/{theirs}"' in managed.text
