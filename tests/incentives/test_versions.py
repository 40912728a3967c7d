"""Two admins editing the same plan, challenge or short-term bonus: the second save, made from the
form as it was before the first, is refused with a message (409), and the first one's change stays."""
import re

import pytest

from core.models import ADMIN, User
from plugins.incentives.models import Challenge, Plan, Spiff

from .conftest import PLAN_FORM
from .test_challenges import CHALLENGE
from .test_spiffs import SPIFF

KINDS = {
    "plan": ("/incentives/plans/new", "/incentives/plans/{id}", PLAN_FORM, Plan),
    "challenge": ("/incentives/challenges/new", "/incentives/challenges/{id}/edit", CHALLENGE, Challenge),
    "bonus": ("/incentives/bonuses/new", "/incentives/bonuses/{id}", SPIFF, Spiff),
}


def form_of(page: str) -> dict:
    """The fields a browser would send back from the edit form (its hidden version among them)."""
    return dict(re.findall(r'<input type="hidden" name="(version)" value="([^"]*)"', page))


@pytest.mark.parametrize("kind", KINDS)
def test_a_save_from_an_older_form_is_refused_and_the_newer_change_stays(app, pay, people, login, kind):
    new, edit, data, model = KINDS[kind]
    with app.app_context():
        other = User.create(email="second-admin@example.com", name="Second Admin", role=ADMIN,
                            password_hash=User.get_by_id(people.admin.id).password_hash)
    second = login(other)
    made = pay.admin.post(new, data=data)
    assert made.status_code == 302, re.findall(r'class="error">([^<]+)', made.text)
    with app.app_context():
        thing = model.select().order_by(model.id.desc()).first()
    url = edit.format(id=thing.id)
    first_form, second_form = form_of(pay.admin.get(url).text), form_of(second.get(url).text)
    assert first_form == second_form == {"version": "1"}
    assert pay.admin.post(url, data={**data, **first_form, "name-en": "First's name"}).status_code == 302
    refused = second.post(url, data={**data, **second_form, "name-en": "Second's name"})
    assert refused.status_code == 409 and "Someone saved this after you opened it" in refused.text
    assert "Second&#39;s name" in refused.text  # their changes are still in the form
    with app.app_context():
        kept = model.get_by_id(thing.id)
        assert kept.name == "First's name" and kept.version == 2
    again = form_of(second.get(url).text)
    assert second.post(url, data={**data, **again, "name-en": "Second's name"}).status_code == 302
    assert second.post(url, data={**data, "version": "nonsense", "name-en": "X"}).status_code == 409
