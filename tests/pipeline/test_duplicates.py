"""Data quality: telling that two customers are one company, warning before a duplicate is made,
and merging two into one."""
import io

import pytest

from core.lowcode.models import AuditEntry
from plugins.pipeline.models import Activity, Contact, Customer, Deal
from plugins.pipeline.normalize import normalized_name, phone_key


@pytest.mark.parametrize("one, other", [
    ("华为技术有限公司", "华为技术"),
    ("华为技术股份有限公司", "华为技术有限责任公司"),
    ("东方恒信集团", "东方恒信集团公司"),
    ("ACME Co., Ltd.", "acme"),
    ("Ａｃｍｅ　Ｉｎｃ", "ACME, Inc."),
    ("Blue-Sky Trading Ltd", "blue sky trading"),
    ("腾讯（深圳）有限公司", "腾讯(深圳)"),
])
def test_names_are_compared_without_case_width_punctuation_and_suffixes(one, other):
    assert normalized_name(one) == normalized_name(other) != ""


def test_a_name_that_is_only_a_suffix_is_kept():
    assert normalized_name("公司") == "公司" and normalized_name("Ltd") == "ltd"
    assert normalized_name("Acme Limited") != normalized_name("Acme Trading")


def test_phones_are_compared_by_their_digits():
    assert phone_key("+86 138-0013-8000") == phone_key("13800138000") == "13800138000"
    assert phone_key("12") == ""


def test_a_new_customer_that_looks_like_an_existing_one_asks_first(pipe, people):
    pipe.customer(people.colleague, "华为技术有限公司")
    asked = pipe.rep.post("/records/pipeline.customer/new", data={"name": "华为技术"})
    # Another rep's customer is named (so two reps do not chase one company), then saving needs a yes.
    assert asked.status_code == 200 and "This looks like a record that already exists" in asked.text
    assert "华为技术有限公司" in asked.text and "same name" in asked.text
    with pipe.app.app_context():
        assert Customer.select().count() == 1
    saved = pipe.rep.post("/records/pipeline.customer/new", data={"name": "华为技术", "confirm_duplicates": "1"})
    assert saved.status_code == 302
    pipe.rep.post("/records/pipeline.customer/new", data={"name": "Other name", "phone": "+86 138 0013 8000"})
    by_phone = pipe.rep.post("/records/pipeline.customer/new", data={"name": "Different", "phone": "13800138000"})
    assert "same phone" in by_phone.text


def test_an_import_reports_likely_duplicates(pipe, people):
    pipe.customer(people.rep, "Acme Trading Ltd")
    upload = pipe.rep.post("/records/pipeline.customer/import", data={
        "file": (io.BytesIO(b"Company name,Phone\nACME trading,1\nNew Co,2\n"), "customers.csv")})
    assert upload.status_code == 302
    checked = pipe.rep.post(upload.headers["Location"], data={"map-0": "name", "map-1": "phone", "on_duplicate": "skip"}).text
    assert "1 row looks like a record that already exists" in checked
    assert "Acme Trading Ltd" in checked and "same name" in checked


def make_pair(pipe, people):
    keep = pipe.customer(people.rep, "Acme Trading", phone="13800138000")
    other = pipe.customer(people.rep, "ACME trading Co., Ltd.", email="buy@acme.example", industry="Retail")
    pipe.contact(people.rep, other, "Lee")
    deal = pipe.deal(people.rep, other, name="Renewal")
    pipe.activity(people.rep, "Called", customer=other, deal=deal)
    return keep, other


def test_duplicates_are_listed_and_merged_with_everything_they_own(pipe, people):
    keep, other = make_pair(pipe, people)
    listed = pipe.manager.get("/pipeline/duplicates").text
    assert "Acme Trading · ACME trading Co., Ltd." in listed and "same name" in listed
    merged = pipe.rep.post("/pipeline/duplicates/merge", data={"keep": keep, "other": other}, follow_redirects=True)
    assert "ACME trading Co., Ltd. is merged into Acme Trading: 1 contact(s), 1 deal(s), 1 activit(y/ies) moved." in merged.text
    with pipe.app.app_context():
        assert Contact.get(Contact.name == "Lee").customer_id == keep
        assert Deal.get(Deal.name == "Renewal").customer_id == keep
        assert Activity.get(Activity.subject == "Called").customer_id == keep
        kept = Customer.get_by_id(keep)
        assert (kept.email, kept.industry, kept.phone) == ("buy@acme.example", "Retail", "13800138000")  # gaps filled
        assert Customer.get_by_id(other).deleted_at is not None
        actions = {(a.action, a.record_id) for a in AuditEntry.select().where(AuditEntry.action.in_(["merge", "merged_into"]))}
        assert actions == {("merge", keep), ("merged_into", other)}
    assert "No likely duplicates" in pipe.manager.get("/pipeline/duplicates").text
    assert "merged a duplicate into it" in pipe.rep.get(f"/pipeline/customers/{keep}").text


def test_merging_refuses_what_is_not_yours_or_makes_no_sense(pipe, people):
    keep, other = make_pair(pipe, people)
    theirs = pipe.customer(people.colleague, "Acme Trading Limited")
    assert pipe.rep.post("/pipeline/duplicates/merge", data={"keep": keep, "other": theirs}).status_code == 404
    assert pipe.colleague.post("/pipeline/duplicates/merge", data={"keep": theirs, "other": other}).status_code == 404
    assert pipe.rep.post("/pipeline/duplicates/merge", data={"keep": keep, "other": keep}).status_code == 400
    assert pipe.rep.post("/pipeline/duplicates/merge", data={"keep": "one", "other": other}).status_code == 400
    assert pipe.rep.post("/pipeline/duplicates/merge", data={"keep": keep, "other": 999999}).status_code == 404
    with pipe.app.app_context():
        assert Customer.select().where(Customer.deleted_at.is_null()).count() == 3
    # The manager merges across the team.
    assert pipe.manager.post("/pipeline/duplicates/merge", data={"keep": keep, "other": theirs}).status_code == 302
