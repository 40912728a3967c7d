"""A list shows New and Import only to those who may create the entity's records: the product
catalogue's list shows a rep neither (both would answer 403)."""
import pytest


@pytest.mark.parametrize("who, shown", [("rep", False), ("manager", True), ("admin", True)])
def test_new_and_import_are_offered_only_to_the_entitys_editors(app, people, login, who, shown):
    client = login(getattr(people, who))
    page = client.get("/records/pipeline.product/")
    assert page.status_code == 200
    assert ('href="/records/pipeline.product/new"' in page.text) is shown
    assert ('href="/records/pipeline.product/import"' in page.text) is shown
    assert (client.get("/records/pipeline.product/new").status_code == 200) is shown
