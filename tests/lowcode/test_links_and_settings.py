"""Links between records, an entity's settings, plugin field types, and hooks from record pages."""
import csv
import io
import re

from core.hookspecs import hookimpl
from core.lowcode import types

from .conftest import make_entity


def test_a_link_field_points_at_records_the_user_may_see(app, login, people, competitor, create):
    contacts = make_entity(app, people.admin, label="Contact", fields=[
        {"type": "link", "label": "Company", "options": {"entity": competitor}},
    ])
    mine = create(competitor, people.rep, name="Mine Ltd")
    theirs = create(competitor, people.outsider, name="Theirs Ltd")
    rep = login(people.rep)
    form = rep.get(f"/records/{contacts}/new").text
    assert f'<option value="{mine}">Mine Ltd</option>' in form and "Theirs Ltd" not in form
    assert rep.post(f"/records/{contacts}/new", data={"name": "Bob", "company": str(theirs)}).status_code == 400
    created = rep.post(f"/records/{contacts}/new", data={"name": "Ann", "company": str(mine)})
    detail = rep.get(created.headers["Location"]).text
    assert re.search(rf'href="/records/{re.escape(competitor)}/{mine}"[^>]*>Mine Ltd</a>', detail)
    assert "Ann" in rep.get(f"/records/{contacts}/?fk=company&fo=is&fv={mine}").text
    exported = list(csv.reader(io.StringIO(rep.get(f"/records/{contacts}/export.csv").data.decode("utf-8-sig"))))
    assert exported[1][:2] == ["Ann", "Mine Ltd"]
    file = b"Name,Company\nCid,Mine Ltd\nDee,Nobody Inc\n"
    uid = re.search(r"/import/(\w+)$", rep.post(f"/records/{contacts}/import", data={"file": (io.BytesIO(file), "c.csv")},
                                                content_type="multipart/form-data").headers["Location"]).group(1)
    checked = rep.post(f"/records/{contacts}/import/{uid}", data={"map-0": "name", "map-1": "company"})
    assert "No record is called Nobody Inc." in checked.text


def test_an_admin_chooses_the_title_and_the_list_columns(app, login, people, competitor, create):
    create(competitor, people.rep, name="Acme", code="AC001", staff=12, level="b")
    admin = login(people.admin)
    saved = admin.post(f"/admin/entities/{competitor}/settings",
                       data={"label": "Rivals", "icon": "chart", "title_field": "code", "list_columns": ["code", "staff", "level"]})
    assert saved.status_code == 302
    listing = admin.get(f"/records/{competitor}/").text
    headers = re.findall(r'<th[^>]*>\s*<a[^>]*>([^<]+)</a>', listing)
    assert headers == ["Code", "Staff", "Level"]
    assert re.search(r'<a href="/records/[^"]+/\d+">AC001</a>', listing)
    assert "<h1>Rivals" in listing and "Rivals" in admin.get("/").text  # renamed in the navigation too
    bad = admin.post(f"/admin/entities/{competitor}/settings", data={"label": "", "title_field": "nope"})
    assert bad.status_code == 400 and "Give the form a name" in bad.text and "Choose one of the form" in bad.text


class Stars(types.IntegerType):
    """A plugin's own type: 1 to 5 stars."""

    key, label = "stars", "Stars"
    settings = ("default",)

    def validators(self, spec):
        from wtforms.validators import NumberRange

        return super().validators(spec) + [NumberRange(min=1, max=5)]

    def display(self, stored, spec, lookups=None):
        return "★" * int(stored) if stored else ""


class StarsPlugin:
    @hookimpl
    def register_field_types(self):
        return [Stars()]


class Saved:
    def __init__(self):
        self.seen = []

    @hookimpl
    def on_record_saved(self, entity, record, created, changes, user):
        self.seen.append((entity, created, changes, user.name))


def test_a_plugins_field_type_is_offered_by_the_designer_and_works_in_forms(make_app, people, competitor):
    saved = Saved()
    app = make_app(EXTRA_PLUGINS={"stars": StarsPlugin(), "saved": saved})
    admin = app.test_client().login(people.admin)
    assert "Stars" in admin.get(f"/admin/entities/{competitor}/fields").text
    assert admin.post(f"/admin/entities/{competitor}/fields/new", data={"type": "stars", "label": "Rating"}).status_code == 302
    assert admin.post(f"/records/{competitor}/new", data={"name": "Rated", "rating": "9"}).status_code == 400
    created = admin.post(f"/records/{competitor}/new", data={"name": "Rated", "rating": "4"})
    assert "★★★★" in admin.get(created.headers["Location"]).text
    entity, was_created, changes, who = saved.seen[-1]
    assert (entity, was_created, who) == (competitor, True, "Ada Admin")
    assert changes["rating"] == (None, 4) and changes["name"] == (None, "Rated")
    admin.post(f"{created.headers['Location']}/edit", data={"name": "Rated", "rating": "5"})
    assert saved.seen[-1][2] == {"rating": (4, 5)}
