"""The demo team's pipeline, and the pipeline's cards on the home page."""
import datetime
import re

import peewee

from core.db import utcnow
from core.demo import create_demo
from core.lowcode.models import Stage, StageMove
from core.models import User
from core.plugins import host_of
from plugins.pipeline.models import Activity, Contact, Customer, Deal


def test_the_demo_team_has_a_believable_pipeline(app):
    with app.app_context():
        create_demo(host_of(app), "demo-password-1")
        assert Customer.select().count() == 60
        assert Customer.select().where(Customer.name.contains("有限公司")).exists()  # Chinese names and English ones
        assert Customer.select().where(Customer.name == "Northwind Traders").exists()
        assert Customer.select().where(Customer.owner.is_null()).count() >= 5  # some wait in the pool
        assert Deal.select().count() == 150 and Contact.select().count() >= 60
        kinds = dict(Deal.select(Stage.kind, peewee.fn.COUNT(Deal.id)).join(Stage, on=(Deal.stage == Stage.id))
                     .group_by(Stage.kind).tuples())
        assert kinds["open"] > 60 and kinds["won"] > 10 and kinds["lost"] > 10
        stages_used = Deal.select(peewee.fn.COUNT(Deal.stage.distinct())).scalar()
        assert stages_used == 8
        oldest = StageMove.select(peewee.fn.MIN(StageMove.at)).scalar()
        assert utcnow() - oldest > datetime.timedelta(days=150)  # six months of history
        assert Activity.select().where(Activity.done_at.is_null(False)).count() > 150
        assert Activity.select().where(Activity.done_at.is_null(), Activity.due_at.is_null(False)).count() > 40
        manager = User.get(User.email == "manager@example.com")
    client = app.test_client().login(manager.email, "demo-password-1")
    board = client.get("/pipeline/").text
    assert len(re.findall(r'class="deal-card', board)) > 100
    assert client.get("/pipeline/numbers").status_code == 200
    assert "Acme" not in client.get("/pipeline/duplicates").text and "CONTOSO, Inc." in client.get("/pipeline/duplicates").text


def test_the_home_page_shows_the_pipeline_by_stage_overdue_follow_ups_and_the_forecast(pipe, people):
    acme = pipe.customer(people.rep, "Acme")
    deal = pipe.deal(people.rep, acme, amount=40000, expected_close=utcnow().date())
    pipe.activity(people.rep, "Chase the contract", deal=deal, customer=acme, due_at=utcnow() - datetime.timedelta(days=1))
    home = pipe.rep.get("/").text
    assert "Pipeline by stage" in home and "Customer development" in home and "40,000" in home
    assert "My overdue follow-ups" in home and "Chase the contract" in home
    assert "This month's forecast" in home and "2,000" in home  # 40,000 × 5%
    assert "Chase the contract" not in pipe.colleague.get("/").text
