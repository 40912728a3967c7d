"""A link field offers its 50 latest records and a search that finds any other the user may see
(htmx swaps the options), instead of 500 options in every form."""
import re

from core.lowcode import records
from core.lowcode.entities import get_entity
from plugins.pipeline.models import Customer


def customers(app, owner, names) -> list[int]:
    with app.test_request_context():
        return [records.save(get_entity("pipeline.customer"), owner, {"name": name})[0].id for name in names]


def options(html: str) -> list[str]:
    return re.findall(r'<option value="\d+"[^>]*>([^<]*)</option>', html)


def test_the_search_finds_what_the_user_may_see_and_keeps_the_choice(app, login, people):
    mine = customers(app, people.rep, ["Acme Trading", "Beta Foods", "Acme Holdings"])
    theirs = customers(app, people.outsider, ["Acme Secret"])
    with app.app_context():
        pool = Customer.create(name="Acme Pool", search_text="acme pool").id  # no owner: everyone's to see
    rep = login(people.rep)
    found = rep.get("/records/pipeline.customer/choices?link-search=ACME")
    assert found.status_code == 200 and "<html" not in found.text
    assert set(options(found.text)) == {"Acme Trading", "Acme Holdings", "Acme Pool"}
    kept = rep.get(f"/records/pipeline.customer/choices?link-search=beta&selected={mine[0]}").text
    assert options(kept) == ["Acme Trading", "Beta Foods"] and f'value="{mine[0]}" selected' in kept
    sneaky = rep.get(f"/records/pipeline.customer/choices?link-search=zzz&selected={theirs[0]}").text
    assert options(sneaky) == [] and "Nothing found" in sneaky  # another's record is not shown, even as chosen
    assert pool and rep.get("/records/no.such/choices").status_code == 404
    for hostile in ("<script>", "%' OR 1=1 --", "x" * 5000, "9" * 40):
        answer = rep.get("/records/pipeline.customer/choices", query_string={"link-search": hostile, "selected": hostile})
        assert answer.status_code == 200 and "<script>" not in answer.text


def test_the_form_offers_the_latest_fifty_and_the_search(app, login, people):
    customers(app, people.rep, [f"Customer {n:03d}" for n in range(60)])
    form = login(people.rep).get("/records/pipeline.deal/new").text
    select = re.search(r'<select[^>]*id="customer"[^>]*>(.*?)</select>', form, re.S).group(1)
    assert len(options(select)) == 50 and "Customer 059" in select and "Customer 009" not in select
    assert 'hx-get="/records/pipeline.customer/choices"' in form and 'hx-target="#customer"' in form
