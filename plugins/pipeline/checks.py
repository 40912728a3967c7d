"""What makes the pipeline's records need fixing (`data_checks`), for the data-health page: each
check is the record list's filters, so a manager counts and opens exactly the records to fix."""
from __future__ import annotations

import datetime

import peewee
from flask_babel import lazy_gettext as _l

from core.api import DataCheck, get_entity, team_today

from .entities import CUSTOMER, DEAL
from .models import Customer

STALE_DAYS = 30


def checks() -> list[DataCheck]:
    today = team_today()
    stale = (today - datetime.timedelta(days=STALE_DAYS)).isoformat()
    return [
        DataCheck("pipeline.overdue_close", str(_l("Open deals whose expected close has passed")), DEAL,
                  (("stage", "open", ""), ("expected_close", "before", today.isoformat())), order=10),
        DataCheck("pipeline.won_without_amount", str(_l("Won deals without an amount")), DEAL,
                  (("stage", "won", ""), ("amount", "eq", "0")), order=20),
        DataCheck("pipeline.stale_deals", str(_l("Open deals without an activity for %(days)d days", days=STALE_DAYS)), DEAL,
                  (("stage", "open", ""), ("last_activity_at", "before", stale)), order=30),
        DataCheck("pipeline.untouched_deals", str(_l("Open deals never followed up, made over %(days)d days ago", days=STALE_DAYS)), DEAL,
                  (("stage", "open", ""), ("last_activity_at", "empty", ""), ("created_at", "before", stale)), order=35),
        DataCheck("pipeline.no_contact_details", str(_l("Customers without a phone or an e-mail")), CUSTOMER,
                  (("phone", "empty", ""), ("email", "empty", "")), order=40),
        DataCheck("pipeline.duplicates", str(_l("Customers that look like duplicates (same name or phone)")), CUSTOMER,
                  count=duplicate_counts, url="/pipeline/duplicates", order=50),
    ]


def duplicate_counts(user) -> dict:
    """{owner: customers of theirs sharing a normalised name or phone with another live customer}
    among those `user` may see: one grouped statement."""
    live = Customer.select().where(Customer.deleted_at.is_null())
    names = live.select(Customer.normalized_name).where(Customer.normalized_name != "").group_by(Customer.normalized_name).having(
        peewee.fn.COUNT(Customer.id) > 1)
    phones = live.select(Customer.phone_key).where(Customer.phone_key != "").group_by(Customer.phone_key).having(
        peewee.fn.COUNT(Customer.id) > 1)
    query = (get_entity(CUSTOMER).visible(user).select(Customer.owner, peewee.fn.COUNT(Customer.id))
             .where(Customer.normalized_name.in_(names) | Customer.phone_key.in_(phones)).group_by(Customer.owner))
    return dict(query.tuples())
