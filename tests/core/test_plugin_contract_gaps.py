"""Issue 10, gaps of the plugin contract: panels on another plugin's record pages, audit actions
and icons through hooks (no import-time side channels), `on_enabled`/`on_disabled`, and
`salesdeck demo --plugin NAME` for a plugin installed after the demo."""
from __future__ import annotations

from click.testing import CliRunner
from flask import Blueprint
from flask.cli import ScriptInfo
from flask_babel import lazy_gettext as _l

from core.cli import cli
from core.contributions import AuditTerms, DemoTeam, NavItem, RecordPanel
from core.hookspecs import hookimpl
from core.lowcode import records
from core.lowcode.entities import get_entity
from core.models import PluginDemo, Team
from core.plugins import PluginFailure, host_of

PANEL = """<p class="contract">Contract for {{ title }} ({{ seen_by }})</p>"""


def contracts_plugin(tmp_path, **hooks):
    """A plugin named "contracts" with a template folder and the given hook implementations."""
    folder = tmp_path / "contracts_templates"
    (folder / "contracts").mkdir(parents=True, exist_ok=True)
    (folder / "contracts" / "panel.html").write_text(PANEL)
    (folder / "contracts" / "broken.html").write_text("{{ missing.attribute.chain }}")
    blueprint = Blueprint("contracts", __name__, template_folder=str(folder), url_prefix="/contracts")

    class Contracts:
        @hookimpl
        def register_blueprints(self):
            return [blueprint]

    for name, function in hooks.items():
        setattr(Contracts, name, hookimpl(function))
    return Contracts()


def make_records(app, people):
    """A customer and a deal owned by the rep, through the records service; returns their ids."""
    with app.test_request_context():
        customer, _ = records.save(get_entity("pipeline.customer"), people.rep, {"name": "Acme Trading"})
        deal, _ = records.save(get_entity("pipeline.deal"), people.rep,
                               {"name": "Rollout", "customer": customer.id, "amount": 1000})
        return customer.id, deal.id


def failures_of(app, plugin: str) -> dict:
    with app.app_context():
        return {failure.hook: failure.message for failure in PluginFailure.select().where(PluginFailure.plugin == plugin)}


# -- record panels ----------------------------------------------------------------------------------


def panels(self, entity, record, user):
    if entity == "pipeline.deal":
        return [RecordPanel("Contract", "contracts/panel.html", {"title": record.name, "seen_by": user.name}, order=5),
                RecordPanel("Broken contract", "contracts/broken.html", order=1)]
    if entity == "pipeline.customer":
        return [RecordPanel("Open tasks", "contracts/panel.html", {"title": record.name, "seen_by": user.name})]
    return None


def test_hook_record_panels_puts_a_panel_on_the_deal_customer_and_generic_record_pages(make_app, people, tmp_path):
    app = make_app(EXTRA_PLUGINS={"contracts": contracts_plugin(tmp_path, record_panels=panels)})
    customer_id, deal_id = make_records(app, people)
    rep = app.test_client().login(people.rep)

    deal_page = rep.get(f"/pipeline/deals/{deal_id}")
    assert deal_page.status_code == 200
    assert '<p class="contract">Contract for Rollout (Rita Rep)</p>' in deal_page.text
    # sorted by order: the broken one (order 1) first, shown as a notice, not a 500
    broken, contract = deal_page.text.index("Broken contract"), deal_page.text.index("<h2>Contract</h2>")
    assert broken < contract
    assert "This panel could not be shown" in deal_page.text

    generic = rep.get(f"/records/pipeline.deal/{deal_id}")
    assert generic.status_code == 200 and "Contract for Rollout (Rita Rep)" in generic.text

    customer_page = rep.get(f"/pipeline/customers/{customer_id}")
    assert customer_page.status_code == 200
    assert "<h2>Open tasks</h2>" in customer_page.text and "Contract for Acme Trading" in customer_page.text
    assert "UndefinedError" in failures_of(app, "contracts")["record_panels"]


def test_hook_record_panels_is_not_asked_for_a_record_the_user_may_not_see(make_app, people, tmp_path):
    asked = []

    def watching(self, entity, record, user):
        asked.append((entity, record.id, user.email))
        return []

    app = make_app(EXTRA_PLUGINS={"contracts": contracts_plugin(tmp_path, record_panels=watching)})
    _customer_id, deal_id = make_records(app, people)
    outsider = app.test_client().login(people.outsider)
    assert outsider.get(f"/pipeline/deals/{deal_id}").status_code == 404
    assert outsider.get(f"/records/pipeline.deal/{deal_id}").status_code == 404
    assert asked == []
    manager = app.test_client().login(people.manager)
    assert manager.get(f"/pipeline/deals/{deal_id}").status_code == 200
    assert asked == [("pipeline.deal", deal_id, "manager@example.com")]


def test_hook_record_panels_that_returns_nonsense_or_raises_leaves_the_page_standing(make_app, people, tmp_path):
    def nonsense(self, entity, record, user):
        if entity == "pipeline.deal":
            return "not a list"
        raise RuntimeError("panel maths")

    app = make_app(EXTRA_PLUGINS={"contracts": contracts_plugin(tmp_path, record_panels=nonsense)})
    customer_id, deal_id = make_records(app, people)
    rep = app.test_client().login(people.rep)
    assert rep.get(f"/pipeline/deals/{deal_id}").status_code == 200
    assert rep.get(f"/pipeline/customers/{customer_id}").status_code == 200
    assert "RuntimeError: panel maths" in failures_of(app, "contracts")["record_panels"]


def test_hook_record_panels_escapes_what_the_panel_shows(make_app, people, tmp_path):
    def hostile(self, entity, record, user):
        return [RecordPanel("<b>Title</b>", "contracts/panel.html", {"title": "<script>alert(1)</script>", "seen_by": "x"})]

    app = make_app(EXTRA_PLUGINS={"contracts": contracts_plugin(tmp_path, record_panels=hostile)})
    _customer_id, deal_id = make_records(app, people)
    page = app.test_client().login(people.rep).get(f"/pipeline/deals/{deal_id}").text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>Title</b>" not in page


# -- audit actions --------------------------------------------------------------------------------


def test_hook_describe_audit_names_a_plugins_action_in_the_audit_log(make_app, people, tmp_path):
    def terms(self):
        return AuditTerms(actions={"sign": _l("signed the contract"), "create": _l("made it up")})

    app = make_app(EXTRA_PLUGINS={"contracts": contracts_plugin(tmp_path, describe_audit=terms)})
    _customer_id, deal_id = make_records(app, people)
    with app.test_request_context():
        schema = get_entity("pipeline.deal")
        records.audit("sign", schema, deal_id, "Rollout", {}, people.admin)
        records.audit("claim", schema, deal_id, "Rollout", {}, people.admin)
    admin = app.test_client().login(people.admin)
    log = admin.get("/admin/audit/")
    assert log.status_code == 200
    assert "signed the contract" in log.text
    assert "claimed it from the pool" in log.text  # the pipeline's, now through the hook as well
    assert "created it" in log.text and "made it up" not in log.text  # the core keeps its own name
    assert "'create' is already registered" in failures_of(app, "contracts")["describe_audit"]
    assert '<option value="sign">signed the contract</option>' in log.text  # filterable too
    assert "signed the contract" in admin.get("/admin/audit/?action=sign").text


def test_hook_describe_audit_words_a_plugins_subjects_changes_values_and_titles(make_app, people, tmp_path):
    def words(key, stored):
        if key == "explode":
            raise ValueError("the plugin's own bug")
        return {"gold": "Gold tier"}.get(stored) if key == "tier" else None

    def terms(self):
        return AuditTerms(subjects={"contracts:settings": _l("Contract settings")}, changes={"tier": _l("Renewal tier")},
                          value=words, title=lambda subject, stored: "Renewal terms" if stored == "terms" else None)

    app = make_app(EXTRA_PLUGINS={"contracts": contracts_plugin(tmp_path, describe_audit=terms)})
    with app.test_request_context():
        records.audit("setting_change", "contracts:settings", None, "terms", {"tier": ["silver", "gold"], "explode": [1, 2]},
                      people.admin)
    log = app.test_client().login(people.admin).get("/admin/audit/")
    assert log.status_code == 200
    assert "Contract settings" in log.text and "Renewal terms" in log.text
    assert "Renewal tier" in log.text and "Gold tier" in log.text and "silver" in log.text
    assert "ValueError: the plugin&#39;s own bug" not in log.text  # contained, reported on the plugins page
    assert "the plugin's own bug" in failures_of(app, "contracts")["describe_audit value"]


def test_the_core_names_no_plugins_keys_in_the_audit_log():
    from core.lowcode import audit_views

    assert not any(key.startswith(("pipeline", "goals")) for key in audit_views.ENTITY_LABELS)
    assert not {"card_fields", "shares", "method", "pool_claim_limit", "lost_reasons"} & set(audit_views.SETTING_LABELS)


def test_hook_describe_audit_of_a_plugin_turned_off_no_longer_names_its_actions(make_app, people):
    app = make_app()
    with app.app_context():
        host_of(app).set_enabled("pipeline", False)
    with app.test_request_context():
        assert "claim" not in records.action_labels()
        assert records.action_label("claim") == "claim"
        assert records.action_label("plugin_on") == "turned the plugin on"  # the core's own
    with app.app_context():
        host_of(app).set_enabled("pipeline", True)
    with app.test_request_context():
        assert records.action_label("claim") == "claimed it from the pool"
    assert not hasattr(records, "describe_actions")


# -- icons ----------------------------------------------------------------------------------------


SEAL = "M4 4h16v12H4zM8 20l4-4 4 4"


def icon_plugin(tmp_path, icons):
    def register_icons(self):
        return icons

    def nav_items(self, user):
        return [NavItem(name, "core.home", icon=name, order=500 + number) for number, name in enumerate(sorted(icons))]

    return contracts_plugin(tmp_path, register_icons=register_icons, nav_items=nav_items)


def test_hook_register_icons_draws_a_plugins_icon_in_its_navigation_entry(make_app, people, tmp_path):
    app = make_app(EXTRA_PLUGINS={"contracts": icon_plugin(tmp_path, {"contracts.seal": SEAL,
                                                                       "contracts.pen": ["M3 21l4-1 12-12-3-3L4 17z", "M14 6l3 3"]})})
    page = app.test_client().login(people.rep).get("/").text
    assert f'<svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><path d="{SEAL}"/></svg>' in page
    assert '<path d="M3 21l4-1 12-12-3-3L4 17z"/><path d="M14 6l3 3"/>' in page
    assert "icons.svg#home" in page  # the core's own icons still come from the sprite


def test_hook_register_icons_refuses_hostile_svg_and_taken_names(make_app, people, tmp_path):
    hostile = {
        "contracts.xss": 'M0 0"/><script>alert(1)</script><path d="',
        "contracts.image": "M0 0 <image href=javascript:alert(1)>",
        "home": SEAL,  # a built-in name
        "Contracts Bad Name": SEAL,
        "contracts.ok": SEAL,
    }
    app = make_app(EXTRA_PLUGINS={"contracts": icon_plugin(tmp_path, hostile)})
    page = app.test_client().login(people.rep).get("/")
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text and "javascript:" not in page.text
    assert page.text.count(f'<path d="{SEAL}"/>') == 1  # contracts.ok only; "home" stays the sprite's
    assert "icons.svg#contracts.xss" in page.text  # left out: an empty sprite reference, escaped
    with app.app_context():
        messages = [failure.message for failure in PluginFailure.select()]
    assert messages  # the last of them is on the plugins page
    admin_page = app.test_client().login(people.admin).get("/admin/plugins").text
    assert "register_icons" in admin_page


# -- on_enabled / on_disabled -------------------------------------------------------------------------


def test_hook_on_enabled_and_on_disabled_tell_the_plugin_switched_and_no_other(make_app, people, tmp_path):
    told = []

    class Catcher:
        @hookimpl
        def on_enabled(self, user):
            told.append(("catcher on", user.email if user else None))

        @hookimpl
        def on_disabled(self, user):
            told.append(("catcher off", user.email if user else None))

    class Bystander:
        @hookimpl
        def on_enabled(self, user):
            told.append(("bystander on", None))

        @hookimpl
        def on_disabled(self):
            told.append(("bystander off", None))

    app = make_app(EXTRA_PLUGINS={"catcher": Catcher(), "bystander": Bystander()})
    admin = app.test_client().login(people.admin)
    assert admin.post("/admin/plugins/catcher", data={"action": "disable"}).status_code == 302
    assert told == [("catcher off", "admin@example.com")]
    assert admin.post("/admin/plugins/catcher", data={"action": "enable"}).status_code == 302
    assert told == [("catcher off", "admin@example.com"), ("catcher on", "admin@example.com")]
    with app.app_context():
        host_of(app).set_enabled("catcher", False)
    assert told[-1] == ("catcher off", None)


def test_hook_on_enabled_catches_up_and_a_failure_keeps_the_switch(make_app, people, tmp_path):
    seen = {}

    class Counter:
        """Counts deals; while off it missed on_record_saved, so on_enabled counts them again."""

        @hookimpl
        def on_record_saved(self, entity, record, created):
            if entity == "pipeline.deal" and created:
                seen["deals"] = seen.get("deals", 0) + 1

        @hookimpl
        def on_enabled(self):
            from plugins.pipeline.models import Deal

            seen["deals"] = Deal.select().count()

    class Failing:
        @hookimpl
        def on_enabled(self):
            raise RuntimeError("could not catch up")

    app = make_app(EXTRA_PLUGINS={"counter": Counter(), "failing": Failing()})
    admin = app.test_client().login(people.admin)
    admin.post("/admin/plugins/counter", data={"action": "disable"})
    make_records(app, people)
    assert seen == {}  # dropped while off
    admin.post("/admin/plugins/counter", data={"action": "enable"})
    assert seen == {"deals": 1}

    admin.post("/admin/plugins/failing", data={"action": "disable"})
    response = admin.post("/admin/plugins/failing", data={"action": "enable"})
    assert response.status_code == 302
    with app.app_context():
        host = host_of(app)
        host.refresh()
        assert host.enabled("failing")
    assert "RuntimeError: could not catch up" in failures_of(app, "failing")["on_enabled"]
    assert "plugin_on" in {row for row in audit_actions(app)}


def audit_actions(app) -> list:
    from core.lowcode.models import AuditEntry

    with app.app_context():
        return [entry.action for entry in AuditEntry.select().where(AuditEntry.entity == "core.plugin")]


# -- salesdeck demo --plugin ------------------------------------------------------------------------


def run(app, *args):
    return CliRunner().invoke(cli, list(args), obj=ScriptInfo(create_app=lambda: app))


class Later:
    """A plugin installed after the demo: it adds one deal-like record per rep (here: teams)."""

    calls: list = []

    @hookimpl
    def demo_data(self, team, rng):
        assert isinstance(team, DemoTeam)
        Later.calls.append((team.team.name, team.manager.email, [rep.email for rep in team.reps], team.admin.email))
        Team.create(name=f"Later {rng.randint(1, 10**6)}")


def test_hook_demo_data_of_a_plugin_installed_later_is_added_once(make_app):
    Later.calls = []
    first = make_app()
    assert run(first, "demo").exit_code == 0
    refused = run(first, "demo")
    assert refused.exit_code == 1 and "salesdeck demo --plugin NAME" in refused.output

    app = make_app(EXTRA_PLUGINS={"later": Later()})
    added = run(app, "demo", "--plugin", "later")
    assert added.exit_code == 0, added.output
    assert "The demo records of the plugin 'later' were added" in added.output
    assert Later.calls == [("华东销售 East China", "manager@example.com",
                            ["zhang.wei@example.com", "emily.chen@example.com", "li.na@example.com"], "admin@example.com")]
    again = run(app, "demo", "--plugin", "later")
    assert again.exit_code == 1 and "The demo records of the plugin 'later' are already here." in again.output
    assert len(Later.calls) == 1
    with app.app_context():
        assert Team.select().where(Team.name.startswith("Later ")).count() == 1
        assert {row.name for row in PluginDemo.select()} >= {"pipeline", "goals", "later"}

    pipeline = run(app, "demo", "--plugin", "pipeline")  # added with the demo team itself
    assert pipeline.exit_code == 1 and "'pipeline' are already here" in pipeline.output


def test_demo_plugin_refuses_unknown_off_and_demo_less_plugins_and_a_missing_demo_team(make_app):
    Later.calls = []

    class Quiet:
        @hookimpl
        def nav_items(self, user):
            return []

    app = make_app(EXTRA_PLUGINS={"later": Later(), "quiet": Quiet()})
    no_team = run(app, "demo", "--plugin", "later")
    assert no_team.exit_code == 1 and "There is no demo team yet" in no_team.output
    assert run(app, "demo").exit_code == 0
    unknown = run(app, "demo", "--plugin", "nosuch")
    assert unknown.exit_code == 1 and "There is no plugin named 'nosuch'" in unknown.output
    assert "later" in unknown.output  # says which plugins have demo records
    quiet = run(app, "demo", "--plugin", "quiet")
    assert quiet.exit_code == 1 and "The plugin 'quiet' has no demo records to add." in quiet.output
    with app.app_context():
        host_of(app).set_enabled("later", False)
    off = run(make_app(EXTRA_PLUGINS={"later": Later(), "quiet": Quiet()}), "demo", "--plugin", "later")
    assert off.exit_code == 1 and "The plugin 'later' is turned off" in off.output
    assert len(Later.calls) == 1  # only the full demo's


def test_demo_plugin_whose_demo_fails_keeps_nothing_and_may_try_again(make_app):
    class Flaky:
        fail = True

        @hookimpl
        def demo_data(self, team, rng):
            Team.create(name="Flaky team")
            if Flaky.fail:
                raise RuntimeError("no demo today")

    assert run(make_app(), "demo").exit_code == 0
    app = make_app(EXTRA_PLUGINS={"flaky": Flaky()})
    failed = run(app, "demo", "--plugin", "flaky")
    assert failed.exit_code == 1
    assert "The plugin 'flaky' could not add its demo records: RuntimeError: no demo today" in failed.output
    with app.app_context():
        assert not Team.select().where(Team.name == "Flaky team").exists()
        assert not PluginDemo.select().where(PluginDemo.name == "flaky").exists()
    Flaky.fail = False
    assert run(app, "demo", "--plugin", "flaky").exit_code == 0
    with app.app_context():
        assert Team.select().where(Team.name == "Flaky team").count() == 1


def test_hook_record_panels_whose_query_fails_leaves_the_rest_of_the_page_working(make_app, people, tmp_path):
    """A panel whose SQL fails is left out; the other panels and the page's later queries still run
    (pages read outside a transaction, so on PostgreSQL too nothing is spoilt for what follows)."""
    from core.db import db

    def failing(self, entity, record, user):
        if entity == "pipeline.deal":
            db.execute_sql("SELECT missing FROM no_such_table")
        return None

    class Renewals:  # a later plugin, whose panel queries the database
        @hookimpl
        def record_panels(self, entity, record, user):
            if entity == "pipeline.deal":
                title = get_entity("pipeline.deal").model.get_by_id(record.id).name
                return [RecordPanel("Renewals", "contracts/panel.html", {"title": title, "seen_by": user.name})]
            return None

    # either order: pluggy calls the plugin registered last first
    app = make_app(EXTRA_PLUGINS={"renewals": Renewals(), "contracts": contracts_plugin(tmp_path, record_panels=failing)})
    _customer_id, deal_id = make_records(app, people)
    page = app.test_client().login(people.rep).get(f"/pipeline/deals/{deal_id}")
    assert page.status_code == 200
    assert "Contract for Rollout (Rita Rep)" in page.text
    assert "no_such_table" in failures_of(app, "contracts")["record_panels"]
