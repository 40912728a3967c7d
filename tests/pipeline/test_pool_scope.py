"""The pool (公海) and its edges: a contact added to a pool customer, a fresh claim against the
return rule, two reps claiming one customer at once."""
import datetime
import threading

from core.db import utcnow
from core.lowcode.models import AuditEntry
from plugins.pipeline.models import Contact, Customer


def pooled(pipe, name="Pool Co", **values):
    customer = pipe.customer(pipe.people.admin, name, **values)
    with pipe.app.app_context():
        Customer.update(owner=None).where(Customer.id == customer).execute()
    return customer


def test_a_contact_added_to_a_pool_customer_belongs_to_its_author(pipe, people):
    pool = pooled(pipe)
    response = pipe.rep.post("/records/pipeline.contact/new", data={"name": "Lee", "customer": pool})
    assert response.status_code == 302
    contact = pipe.rep.get(response.headers["Location"])
    assert contact.status_code == 200 and "Lee" in contact.text
    with pipe.app.app_context():
        assert Contact.get(Contact.name == "Lee").owner_id == people.rep.id
    # On an owned customer, the customer's owner owns it (a manager adding one for the rep).
    mine = pipe.customer(people.rep, "Mine")
    assert pipe.manager.post("/records/pipeline.contact/new", data={"name": "Wu", "customer": mine}).status_code == 302
    with pipe.app.app_context():
        assert Contact.get(Contact.name == "Wu").owner_id == people.rep.id


def test_a_fresh_claim_is_not_undone_by_an_old_follow_up_date(pipe, people):
    pool = pooled(pipe, "Old friend")
    long_ago = utcnow() - datetime.timedelta(days=90)
    with pipe.app.app_context():
        # Worked long ago by someone who let it go back to the pool.
        Customer.update(created_at=long_ago, last_activity_at=long_ago).where(Customer.id == pool).execute()
    assert pipe.rep.post(f"/pipeline/customers/{pool}/claim").status_code == 302
    result = pipe.app.test_cli_runner().invoke(args=["pipeline-return"])
    assert result.exit_code == 0, result.output
    assert pipe.get(Customer, pool).owner_id == people.rep.id
    with pipe.app.app_context():
        assert not AuditEntry.select().where(AuditEntry.action == "return_to_pool").exists()
    # A claim as old as the last follow-up is stale: it goes back.
    with pipe.app.app_context():
        Customer.update(claimed_at=long_ago).where(Customer.id == pool).execute()
    pipe.app.test_cli_runner().invoke(args=["pipeline-return"])
    assert pipe.get(Customer, pool).owner_id is None


def test_a_recent_follow_up_keeps_an_old_claim(pipe, people):
    customer = pipe.customer(people.rep, "Busy")
    long_ago = utcnow() - datetime.timedelta(days=90)
    with pipe.app.app_context():
        Customer.update(created_at=long_ago, claimed_at=long_ago, last_activity_at=utcnow() - datetime.timedelta(days=1)).execute()
    pipe.app.test_cli_runner().invoke(args=["pipeline-return"])
    assert pipe.get(Customer, customer).owner_id == people.rep.id


def test_a_rep_a_moment_too_late_is_told_so_not_shown_a_404(pipe, people):
    pool = pooled(pipe, "Wanted")
    assert pipe.colleague.post(f"/pipeline/customers/{pool}/claim").status_code == 302
    late = pipe.rep.post(f"/pipeline/customers/{pool}/claim")
    assert late.status_code == 302 and late.headers["Location"] == "/pipeline/pool"
    assert "Someone claimed this customer a moment ago." in pipe.rep.get("/pipeline/pool").text
    assert pipe.get(Customer, pool).owner_id == people.colleague.id
    # A colleague's customer that was never in the pool stays out of sight.
    theirs = pipe.customer(people.colleague, "Never pooled")
    assert pipe.rep.post(f"/pipeline/customers/{theirs}/claim").status_code == 404


def test_reps_claiming_one_customer_at_once_get_one_owner_and_a_message_each(pipe, people):
    pool = pooled(pipe, "Race Co")
    clients = [pipe.rep, pipe.colleague, pipe.outsider]
    for client in clients:  # each fetches its token first, so the posts leave together
        client.environ_base["HTTP_X_CSRFTOKEN"] = client.csrf_token()
    barrier = threading.Barrier(len(clients))
    answers = [None] * len(clients)

    def claim(index, client):
        barrier.wait()
        answers[index] = client.post(f"/pipeline/customers/{pool}/claim", csrf=False)

    threads = [threading.Thread(target=claim, args=(n, c)) for n, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(answer is not None and answer.status_code == 302 for answer in answers), [a and a.status_code for a in answers]
    winners = [n for n, answer in enumerate(answers) if answer.headers["Location"] == f"/pipeline/customers/{pool}"]
    assert len(winners) == 1
    owner = pipe.get(Customer, pool).owner_id
    assert owner == [people.rep, people.colleague, people.outsider][winners[0]].id
    for n, client in enumerate(clients):
        if n not in winners:
            assert answers[n].headers["Location"] == "/pipeline/pool"
            assert "claimed this customer a moment ago" in client.get("/pipeline/pool").text
    with pipe.app.app_context():
        assert AuditEntry.select().where(AuditEntry.action == "claim").count() == 1
