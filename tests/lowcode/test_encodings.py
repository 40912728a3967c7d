"""CSV encodings: detected with charset-normalizer, shown on the mapping page, and choosable."""
import re

import pytest

from core.lowcode.models import CustomRecord

from .conftest import mapping_form
from .test_transfer import finish, job_uid, upload

WESTERN = "Name,Code\nMüller,MU001\nStraße,ST002\nÆrø,AE003\n"
CHINESE = "Name,Code\n张三贸易,ZS001\n李四科技,LS002\n王五实业,WW003\n"


def names(app) -> set:
    with app.app_context():
        return {record.custom.get("name") for record in CustomRecord.select()}


def run_import(client, entity, uid, page_text):
    checked = client.post(f"/records/{entity}/import/{uid}", data={**mapping_form(page_text), **_hidden(page_text)})
    assert "3 rows are ready to import." in checked.text
    client.post(f"/records/{entity}/import/{uid}/run")
    assert "Imported: 3 created" in finish(client, entity, uid)


def _hidden(page_text):
    found = re.search(r'<input type="hidden" name="encoding" value="([^"]*)">', page_text)
    return {"encoding": found.group(1)} if found else {}


def selected_encoding(page_text):
    select = re.search(r'<select id="encoding" name="encoding">(.*?)</select>', page_text, re.S).group(1)
    return re.search(r'<option value="([^"]*)" selected>', select).group(1)


@pytest.mark.parametrize("text, encoding, shown", [
    (WESTERN, "cp1252", "cp1252"),
    (CHINESE, "gbk", "gb18030"),
    (CHINESE, "gb18030", "gb18030"),
    ("Name,Code\nMüller,MU001\n张三贸易,ZS001\nÆrø,AE003\n", "utf-8-sig", "utf-8"),
    (WESTERN, "utf-8", "utf-8"),
])
def test_a_csv_is_read_in_its_detected_encoding_and_the_page_says_which(app, login, people, competitor,
                                                                         text, encoding, shown):
    rep = login(people.rep)
    uid = job_uid(upload(rep, competitor, text.encode(encoding)))
    page = rep.get(f"/records/{competitor}/import/{uid}").text
    assert selected_encoding(page) == shown
    assert "Detected:" in page and "Chosen:" not in page
    expected = {line.split(",")[0] for line in text.strip().split("\n")[1:]}
    for name in expected:
        assert name in page
    run_import(rep, competitor, uid, page)
    assert names(app) == expected


def test_choosing_another_encoding_reads_the_file_again_and_the_import_uses_it(app, login, people, competitor):
    rep = login(people.rep)
    uid = job_uid(upload(rep, competitor, WESTERN.encode("cp1252")))
    page = rep.get(f"/records/{competitor}/import/{uid}", query_string={"encoding": "latin-1"})
    assert page.status_code == 200 and selected_encoding(page.text) == "latin-1" and "Chosen: ISO-8859-1" in page.text
    again = rep.get(f"/records/{competitor}/import/{uid}").text  # the choice is kept
    assert selected_encoding(again) == "latin-1"
    wrong = rep.get(f"/records/{competitor}/import/{uid}", query_string={"encoding": "cp1251"}).text
    assert selected_encoding(wrong) == "cp1251" and "Müller" not in wrong and "Mьller" in wrong
    back = rep.get(f"/records/{competitor}/import/{uid}", query_string={"encoding": "cp1252"}).text
    assert selected_encoding(back) == "cp1252" and "Müller" in back
    run_import(rep, competitor, uid, back)
    assert names(app) == {"Müller", "Straße", "Ærø"}


def test_a_file_read_as_another_encoding_is_imported_as_chosen(app, login, people, competitor):
    rep = login(people.rep)
    traditional = "Name,Code\n張三貿易,ZS001\n李四科技,LS002\n王五實業,WW003\n"
    uid = job_uid(upload(rep, competitor, traditional.encode("big5")))
    page = rep.get(f"/records/{competitor}/import/{uid}", query_string={"encoding": "big5"}).text
    assert selected_encoding(page) == "big5" and "張三貿易" in page
    run_import(rep, competitor, uid, page)
    assert names(app) == {"張三貿易", "李四科技", "王五實業"}


@pytest.mark.parametrize("choice, message", [
    ("klingon", "is not an encoding this page reads"),
    ("utf-16", "is not an encoding this page reads"),
    ("utf-8", "cannot be read as UTF-8"),
])
def test_an_unknown_or_unfitting_encoding_is_refused_with_a_message(app, login, people, competitor, choice, message):
    rep = login(people.rep)
    uid = job_uid(upload(rep, competitor, WESTERN.encode("cp1252")))
    refused = rep.get(f"/records/{competitor}/import/{uid}", query_string={"encoding": choice})
    assert refused.status_code == 400 and message in refused.text
    posted = rep.post(f"/records/{competitor}/import/{uid}", data={"encoding": choice})
    assert posted.status_code == 400 and message in posted.text
    page = rep.get(f"/records/{competitor}/import/{uid}").text
    assert selected_encoding(page) == "cp1252" and "Müller" in page
