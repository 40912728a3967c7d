"""`add_customisable_columns` and `customisable_columns`: a plugin's migration makes a table
customisable with no raw SQL, the same on SQLite and PostgreSQL, and the low-code layer then saves
its records (custom values, search text, stages)."""
import peewee
from flask_wtf import FlaskForm
from playhouse.migrate import SchemaMigrator
from wtforms import StringField

from core import schema
from core.api import CustomisableModel, Stage, User, add_customisable_columns, customisable_columns, get_entity, records
from core.contributions import DefaultProcess, DefaultStage, Entity
from core.db import db
from core.hookspecs import hookimpl
from core.plugins import host_of

PLAIN_TABLE = '''from peewee import AutoField, CharField, DateTimeField, ForeignKeyField, Model


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = "core_user"

    class Visit(Model):
        id = AutoField()
        owner = ForeignKeyField(User, on_delete="CASCADE")
        place = CharField(max_length=200)
        created_at = DateTimeField(index=True)

        class Meta:
            database = db
            table_name = "visits_visit"

    db.create_tables([Visit])
    db.execute_sql("INSERT INTO visits_visit (owner_id, place, created_at) "
                   "SELECT id, 'Shanghai', '2026-01-02 03:04:05' FROM core_user")
'''

MADE_CUSTOMISABLE = '''from core.api import add_customisable_columns


def up(migrator, db):
    add_customisable_columns(migrator, db, "visits_visit", stage=True)
'''

NEW_TABLE = '''from peewee import AutoField, CharField, ForeignKeyField, Model

from core.api import customisable_columns


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = "core_user"

    class Visit(Model):
        id = AutoField()
        owner = ForeignKeyField(User, on_delete="CASCADE")
        place = CharField(max_length=200)

        class Meta:
            database = db
            table_name = "visits_visit"

    for name, field in customisable_columns(stage=True).items():
        Visit._meta.add_field(name, field)
    db.create_tables([Visit])
'''


class Visit(CustomisableModel):
    owner = peewee.ForeignKeyField(User, on_delete="CASCADE")
    place = peewee.CharField(max_length=200)
    stage = peewee.ForeignKeyField(Stage, null=True, on_delete="SET NULL")

    class Meta:
        table_name = "visits_visit"


class VisitForm(FlaskForm):
    place = StringField("Place")


def visits_plugin(folder):
    class Visits:
        @hookimpl
        def register_models(self):
            return [Visit]

        @hookimpl
        def register_migrations(self):
            return folder

        @hookimpl
        def register_entities(self):
            return [Entity(key="visits.visit", label="Visit", model=Visit, form=VisitForm, title_field="place",
                           stage_field="stage")]

        @hookimpl
        def register_processes(self):
            return [DefaultProcess("visits.route", "Route", "visits.visit", (
                DefaultStage("planned", "Planned"), DefaultStage("done", "Done", kind="won")))]

    return Visits()


def migrated_app(make_app, tmp_path, **migrations):
    folder = tmp_path / "visits_migrations"
    folder.mkdir()
    for name, text in migrations.items():
        (folder / f"{name}.py").write_text(text)
    setup = make_app(EXTRA_PLUGINS={"visits": visits_plugin(folder)}, SCHEMA_CHECK=False)
    with setup.app_context():
        schema.migrate(host_of(setup))
        assert not host_of(setup).migration_failures
    return make_app(EXTRA_PLUGINS={"visits": visits_plugin(folder)})


def columns():
    return {column.name: column for column in db.get_columns("visits_visit")}


def index_names():
    return {index.name for index in db.get_indexes("visits_visit")}


def save_a_visit(app, user):
    with app.test_request_context():
        visits = get_entity("visits.visit")
        record, _changes = records.save(visits, user, {"place": "Hangzhou"})
        return Visit.get_by_id(record.id)


def test_the_helpers_add_exactly_the_columns_of_a_customisable_model():
    model_columns = {field.name for field in CustomisableModel._meta.sorted_fields if not field.primary_key}
    assert set(customisable_columns()) == model_columns
    assert set(customisable_columns(stage=True)) == model_columns | {"stage"}


def test_an_existing_table_made_customisable_keeps_its_rows_and_saves_records(make_app, tmp_path, people):
    app = migrated_app(make_app, tmp_path, **{"0001_initial": PLAIN_TABLE, "0002_customisable": MADE_CUSTOMISABLE})
    with app.app_context():
        found = columns()
        assert {"custom", "search_text", "created_at", "updated_at", "deleted_at", "stage_id"} <= set(found)
        assert not any(found[name].null for name in ("custom", "search_text", "updated_at"))
        assert found["deleted_at"].null and found["stage_id"].null
        assert {"visits_visit_deleted_at", "visits_visit_stage_id"} <= index_names()
        people_visits = list(Visit.select().order_by(Visit.id))
        assert people_visits and all(visit.custom == {} and visit.search_text == "" for visit in people_visits)
        assert all(visit.updated_at is not None for visit in people_visits)
    visit = save_a_visit(app, people.rep)
    with app.app_context():
        assert visit.place == "Hangzhou" and visit.custom == {} and "hangzhou" in visit.search_text.lower()
        assert visit.stage is not None and visit.stage.key == "planned"


def test_a_table_made_customisable_twice_gets_its_columns_once(make_app, tmp_path):
    app = migrated_app(make_app, tmp_path, **{"0001_initial": PLAIN_TABLE, "0002_customisable": MADE_CUSTOMISABLE})
    with app.app_context(), db.atomic():
        migrator = SchemaMigrator.from_database(db.obj)
        assert add_customisable_columns(migrator, db, "visits_visit", stage=True) == []


def test_a_new_table_with_the_customisable_columns_saves_records(make_app, tmp_path, people):
    app = migrated_app(make_app, tmp_path, **{"0001_initial": NEW_TABLE})
    with app.app_context():
        assert set(columns()) == {"id", "owner_id", "place", "custom", "search_text", "created_at", "updated_at",
                                  "deleted_at", "stage_id"}
        assert {"visits_visit_created_at", "visits_visit_deleted_at", "visits_visit_stage_id"} <= index_names()
        db.execute_sql("INSERT INTO visits_visit (owner_id, place, created_at, updated_at) "
                       f"VALUES ({people.rep.id}, 'Raw', '2026-01-02 03:04:05', '2026-01-02 03:04:05')")
        assert Visit.get(Visit.place == "Raw").custom == {}  # the database's own default
    visit = save_a_visit(app, people.rep)
    with app.app_context():
        assert visit.custom == {} and visit.stage.key == "planned"
        Visit.update(custom={"mood": "开心"}).where(Visit.id == visit.id).execute()
        assert Visit.get_by_id(visit.id).custom == {"mood": "开心"}
