"""Row scope: a rep sees their own records, a manager their team's, an admin all.

Shown with the records of the pip-installed `salesdeck-hello` plugin, which uses the core's
`scope()` and `get_visible_or_404()` as any plugin must.
"""
import pytest

from core.auth import scope


@pytest.fixture
def greetings(make_app, people):
    app = make_app(LOAD_ENTRYPOINTS=True)
    from salesdeck_hello.models import Greeting

    with app.app_context():
        made = {
            who: Greeting.create(owner=getattr(people, who).id, text=f"from {who}").id
            for who in ("admin", "manager", "rep", "colleague", "outsider")
        }
    return app, made


@pytest.mark.parametrize(
    "viewer, visible",
    [
        ("rep", {"rep"}),
        ("colleague", {"colleague"}),
        ("manager", {"manager", "rep", "colleague"}),
        ("outsider", {"outsider"}),
        ("admin", {"admin", "manager", "rep", "colleague", "outsider"}),
    ],
)
def test_each_role_opens_exactly_the_records_in_its_scope(greetings, people, viewer, visible):
    app, made = greetings
    client = app.test_client().login(getattr(people, viewer))
    listing = client.get("/hello/").text
    for owner, greeting_id in made.items():
        expected = 200 if owner in visible else 404
        assert client.get(f"/hello/{greeting_id}").status_code == expected, (viewer, owner)
        assert (f"from {owner}" in listing) == (owner in visible), (viewer, owner)


def test_guessing_ids_reveals_nothing(greetings, people):
    app, made = greetings
    client = app.test_client().login(people.rep)
    assert client.get("/hello/999999").status_code == 404
    assert client.get(f"/hello/{made['colleague']}").text == client.get("/hello/999999").text


def test_a_manager_of_no_team_sees_only_their_own(greetings, people):
    app, made = greetings
    from core.models import Team
    from salesdeck_hello.models import Greeting

    with app.app_context():
        Team.update(manager=None).execute()
        owners = {g.owner_id for g in scope(Greeting.select(), Greeting.owner, user=people.manager)}
    assert owners == {people.manager.id}
