"""The contracts plugin (tests/fixtures/salesdeck-contracts), written on `salesdeck new-plugin`'s
scaffold from docs/plugins.md and pip-installed: its fields shipped as data, its panel on the deal
page, its metric narrowed in a goal, its command, its demo data, in both languages."""
from __future__ import annotations

import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo

from core.cli import cli
from core.lowcode import records
from core.lowcode.entities import get_entity
from core.lowcode.models import FieldDefinition, Process, Stage
from core.lowcode.processes import ensure_defaults
from plugins.goals import periods
from plugins.pipeline.models import Deal

PLUGIN = Path(__file__).parent / "fixtures" / "salesdeck-contracts"
HTMX = {"HX-Request": "true"}


@pytest.fixture
def app(make_app):
    return make_app(LOAD_ENTRYPOINTS=True)


def won_deal(app, owner, name="Rollout") -> int:
    with app.test_request_context():
        ensure_defaults()
        won = Stage.select().join(Process).where(Process.key == "pipeline.sales", Stage.kind == "won").get()
        customer, _ = records.save(get_entity("pipeline.customer"), owner, {"name": f"{name} customer"})
        deal, _ = records.save(get_entity("pipeline.deal"), owner, {"name": name, "customer": customer.id, "amount": 900})
        Deal.update(stage=won.id).where(Deal.id == deal.id).execute()
        return deal.id


def contract_on(app, owner, deal_id, **values) -> int:
    with app.test_request_context():
        contract, _ = records.save(get_entity("contracts.contract"), owner, {"title": "Acme 2027", "value": 900, "deal": deal_id, **values})
        return contract.id


def test_the_plugin_passes_its_own_tests_as_installed():
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_")}
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], cwd=PLUGIN, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]


def test_its_shipped_fields_are_made_once_and_admins_edit_all_but_key_and_type(app, login, people):
    admin = login(people.admin)
    assert admin.get("/admin/entities/contracts.contract/fields").status_code == 200
    with app.app_context():
        shipped = {row.key: row for row in FieldDefinition.select().where(FieldDefinition.entity == "contracts.contract")}
    assert {key: (row.type, row.plugin) for key, row in shipped.items()} == {
        "deal": ("link", "contracts"), "kind": ("select", "contracts"), "terms": ("textarea", "contracts")}
    assert [choice["labels"]["zh_Hans_CN"] for choice in shipped["kind"].options["choices"]] == ["订阅", "许可", "维保"]
    # an admin renames the field, adds an option and tries to change its key
    changed = admin.post("/admin/entities/contracts.contract/fields/kind", data={
        "label": "Contract kind", "key": "sort", "choice-0-label": "Subscription", "choice-0-value": "subscription",
        "choice-1-label": "Licence", "choice-1-value": "licence", "choice-2-label": "Support", "choice-2-value": "support",
        "choice-3-label": "Training"})
    assert changed.status_code == 302
    retyped = admin.post("/admin/entities/contracts.contract/fields/kind/type", data={"to": "text"})
    assert retyped.status_code == 303
    assert "This field&#39;s type cannot change." in admin.get(retyped.headers["Location"]).text
    assert 'name="key"' not in admin.get("/admin/entities/contracts.contract/fields/editor?field=kind").text
    with app.app_context():
        kind = FieldDefinition.get(FieldDefinition.entity == "contracts.contract", FieldDefinition.key == "kind")
        assert (kind.key, kind.type, str(kind.label)) == ("kind", "select", "Contract kind")
        assert [choice["label"] for choice in kind.options["choices"]][-1] == "Training"
        assert FieldDefinition.select().where(FieldDefinition.entity == "contracts.contract").count() == 3
    # archived, it stays archived: the plugin does not make it again
    assert admin.post("/admin/entities/contracts.contract/fields/terms/archive").status_code == 302
    login(people.rep).get("/contracts/")
    with app.app_context():
        terms = FieldDefinition.get(FieldDefinition.entity == "contracts.contract", FieldDefinition.key == "terms")
        assert terms.archived_at is not None
        assert FieldDefinition.select().where(FieldDefinition.entity == "contracts.contract").count() == 3


def test_the_deal_page_shows_its_contracts_to_those_who_may_see_them(app, login, people):
    deal_id = won_deal(app, people.rep)
    contract_on(app, people.rep, deal_id, kind="support", ends_on=datetime.date(2027, 3, 1))
    page = login(people.rep).get(f"/pipeline/deals/{deal_id}").text
    assert "Acme 2027" in page and "ends on 2027-03-01" in page
    assert f"/records/contracts.contract/new?deal={deal_id}" in page
    with app.test_request_context():  # a deal still open offers no contract yet
        customer, _ = records.save(get_entity("pipeline.customer"), people.rep, {"name": "Open customer"})
        open_deal, _ = records.save(get_entity("pipeline.deal"), people.rep, {"name": "Open", "customer": customer.id, "amount": 5})
    open_page = login(people.rep).get(f"/pipeline/deals/{open_deal.id}").text
    assert "A contract is signed once the deal is won." in open_page and "/records/contracts.contract/new" not in open_page
    colleague_deal = won_deal(app, people.colleague, "Other")
    contract_on(app, people.colleague, colleague_deal, title="Colleague's")
    assert login(people.outsider).get(f"/pipeline/deals/{colleague_deal}").status_code == 404
    assert "Colleague&#39;s" in login(people.manager).get(f"/pipeline/deals/{colleague_deal}").text


def test_a_goal_on_renewed_value_narrowed_to_one_kind(app, login, people):
    support = contract_on(app, people.rep, won_deal(app, people.rep, "A"), kind="support")
    licence = contract_on(app, people.rep, won_deal(app, people.rep, "B"), kind="licence")
    rep = login(people.rep)
    with app.test_request_context():
        from core.api import team_today

        today = team_today()
    for contract_id, value in ((support, "300"), (licence, "700")):
        answer = rep.post(f"/contracts/{contract_id}", headers=HTMX, data={"value": value, "renewed_on": today.isoformat(),
                                                                          "until": (today + datetime.timedelta(days=365)).isoformat()})
        assert answer.status_code == 200
    quarter = periods.containing("quarter", today)
    manager = login(people.manager)
    form = manager.get("/goals/new/filters?metric=contracts.renewed_value").text
    assert 'name="filter-contract.kind"' in form and ">Support<" in form
    goal = manager.post("/goals/new", data={"owner": f"user:{people.rep.id}", "metric": "contracts.renewed_value", "mode": "number",
                                            "target": "1000", "period": f"quarter:{quarter.start.isoformat()}", "reason": "Keep them",
                                            "filter-contract.kind": "support"})
    assert goal.status_code == 302
    page = manager.get(goal.headers["Location"]).text
    assert "Contract value renewed (Contracts: Kind: Support)" in page and "30%" in page


def test_its_command_lists_contracts_ending_soon(app, people):
    deal_id = won_deal(app, people.rep)
    with app.test_request_context():
        from core.api import team_today

        soon = team_today() + datetime.timedelta(days=10)
    contract_on(app, people.rep, deal_id, ends_on=soon)
    result = CliRunner().invoke(cli, ["contracts-ending", "--days", "30"], obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 0 and f"{soon}  Acme 2027  900" in result.output
    assert CliRunner().invoke(cli, ["contracts-ending", "--days", "-5"], obj=ScriptInfo(create_app=lambda: app)).exit_code == 2


def test_the_demo_team_gets_contracts_and_renewals(app, people):
    with app.app_context():
        from core.api import DemoTeam
        from core.plugins import host_of

        team = DemoTeam(team=people.team, admin=people.admin, manager=people.manager, reps=[people.rep, people.colleague])
    for customer in range(3):
        won_deal(app, people.rep, f"Won {customer}")
    with app.test_request_context():
        from salesdeck_contracts.models import Contract

        assert host_of(app).notify_plugin("contracts", "demo_data", team=team, rng=__import__("random").Random(2)) == []
        assert Contract.select().count() == 3


def test_its_pages_read_in_chinese(app, login, people):
    deal_id = won_deal(app, people.rep)
    contract_id = contract_on(app, people.rep, deal_id, kind="support")
    rep = login(people.rep)
    rep.post("/language", data={"locale": "zh_Hans_CN"})
    assert "续约记录" in rep.get(f"/contracts/{contract_id}").text and "维保" in rep.get(f"/contracts/{contract_id}").text
    assert "合同" in rep.get(f"/pipeline/deals/{deal_id}").text
    assert "30 天内到期的合同" in rep.get("/").text
