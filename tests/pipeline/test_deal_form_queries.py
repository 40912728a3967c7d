"""A deal form is built without queries or writes: the lost reasons are read only when the field
is shown or checked."""
from playhouse.test_utils import count_queries

from core.lowcode import records
from core.lowcode.entities import get_entity
from plugins.pipeline.entities import DEAL
from plugins.pipeline.forms import DealForm
from plugins.pipeline.models import Deal, LostReason


def test_building_a_deal_form_runs_no_query(pipe, people):
    deal_id = pipe.deal(people.rep, pipe.customer(people.rep), lost_reason="Timing")
    with pipe.app.test_request_context(method="POST", data={"name": "Rollout", "lost_reason": "Timing"}):
        deal = Deal.get_by_id(deal_id)
        with count_queries() as counted:
            DealForm(formdata=None)
            DealForm(data={"name": deal.name, "lost_reason": deal.lost_reason})
            submitted = DealForm()
        assert counted.count == 0
        # Shown or checked, the field reads the list then.
        with count_queries() as counted:
            assert submitted.validate() or "lost_reason" not in submitted.errors
            assert "Price too high" in str(submitted.lost_reason)
        assert counted.count >= 1


def test_a_deal_form_built_for_other_fields_leaves_the_reasons_unread(pipe, people):
    deal_id = pipe.deal(people.rep, pipe.customer(people.rep))
    with pipe.app.test_request_context():
        schema, deal = get_entity(DEAL), Deal.get_by_id(deal_id)
        _fields = get_entity(DEAL).form_fields  # the entity's definition, cached for the request
        with count_queries() as counted:
            records.make_form(schema, deal, submitted=False, only={"expected_close"})
        assert not [q for q in counted.get_queries() if "lost_reason" in q.msg[0]]


def test_a_new_database_offers_the_default_reasons_when_the_field_is_shown(pipe, people):
    with pipe.app.test_request_context():
        form = DealForm(formdata=None)
        assert LostReason.select().count() == 0  # building the form wrote nothing
        assert "Chose a competitor" in str(form.lost_reason)
        assert LostReason.select().count() == 5


def test_a_deal_saved_without_a_reason_leaves_the_reasons_unread_and_a_made_up_one_is_refused(pipe, people):
    """No reason ("—") is always offered, so a deal saved while open (every create) reads no list;
    a reason given is checked against it."""
    customer = pipe.customer(people.rep)
    with pipe.app.test_request_context(method="POST", data={"name": "Rollout", "customer": str(customer), "currency": "CNY"}):
        form = DealForm(meta={"csrf": False})
        form.customer.choices = [(customer, "Customer")]
        with count_queries() as counted:
            assert form.validate(), form.errors
        assert not [q for q in counted.get_queries() if "lost_reason" in q.msg[0]]
    with pipe.app.test_request_context(method="POST", data={"name": "Rollout", "customer": str(customer), "currency": "CNY",
                                                            "lost_reason": "Made up"}):
        form = DealForm(meta={"csrf": False})
        form.customer.choices = [(customer, "Customer")]
        assert not form.validate() and "lost_reason" in form.errors
