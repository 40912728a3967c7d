"""What the pipeline does beyond saving records: deal lines, activities, the pool, merges, settings.

Records are always saved through the low-code layer's records service, so the audit log, custom
fields and the plugins' hooks see every change.
"""
from __future__ import annotations

import datetime
import decimal

import peewee
from flask_babel import gettext as _

from core.api import AuditEntry, Stage, Translated, User, db, get_entity, is_sqlite, kept_rows, records, utcnow

from .entities import ACTIVITY, CUSTOMER, DEAL
from .models import Activity, Contact, Customer, Deal, DealCredit, DealLine, Setting

DEFAULTS = {
    "pool_return_days": 30,  # a customer without follow-up for this long goes back to the pool
    "pool_claim_limit": 50,  # how many customers a rep may own
    "card_fields": ["customer", "amount", "expected_close", "owner"],
}


# -- settings -------------------------------------------------------------------------------------


def setting(key: str):
    return settings()[key]


def settings() -> dict:
    """Every setting, stored or default (kept until a setting changes: no query on most pages)."""
    stored = {row.key: row.value for row in kept_rows("pipeline.settings", None, ("pipeline_setting",), Setting.select())}
    return {key: stored.get(key, default) if stored.get(key) is not None else default for key, default in DEFAULTS.items()}


def set_setting(key: str, value, user) -> None:
    before = setting(key)
    with db.atomic():
        Setting.insert(key=key, value=value).on_conflict(conflict_target=[Setting.key], update={Setting.value: value}).execute()
        records.audit("setting_change", "pipeline:settings", None, key, {key: [before, value]}, user)


# -- deals ----------------------------------------------------------------------------------------


def recompute_amount(deal: Deal, user) -> None:
    """A deal with product lines is worth the sum of its lines."""
    total = (DealLine.select(peewee.fn.SUM(DealLine.quantity * DealLine.unit_price)).where(DealLine.deal == deal).scalar())
    if total is not None:
        records.save(get_entity(DEAL), user, {"amount": decimal.Decimal(total).quantize(decimal.Decimal("0.01"))}, record=deal)


def add_line(deal: Deal, product, quantity: decimal.Decimal, unit_price: decimal.Decimal | None, user) -> DealLine:
    with db.atomic():
        line = DealLine.create(deal=deal, product=product, quantity=quantity,
                               unit_price=product.list_price if unit_price is None else unit_price)
        records.audit("line_add", DEAL, deal.id, deal.name, {"line": [None, f"{product.name} × {quantity} @ {line.unit_price}"]}, user)
        recompute_amount(deal, user)
    return line


def remove_line(line: DealLine, user) -> None:
    deal = line.deal
    with db.atomic():
        records.audit("line_remove", DEAL, deal.id, deal.name, {"line": [f"{line.product.name} × {line.quantity}", None]}, user)
        line.delete_instance()
        if DealLine.select().where(DealLine.deal == deal).exists():
            recompute_amount(deal, user)


def effective_probability(deal: Deal, stage: Stage | None) -> int:
    if deal.probability is not None:
        return deal.probability
    return stage.probability if stage is not None else 0


JUST_NOW = datetime.timedelta(seconds=1)


def stage_entered(deal: Deal, stage: Stage, first: bool = False) -> None:
    """After any move (the `on_stage_changed` hook): time in stage starts now; closing stages close.
    A deal just created enters its `first` stage (from none) already saying so: its INSERT set when
    it entered, a moment ago, so there is nothing to write. One that had no stage for longer (made
    before its process) is written as any move."""
    now = utcnow()
    closed = now if stage.kind in ("won", "lost") else None
    entered = deal.stage_entered_at
    if first and closed is None and deal.closed_at is None and entered is not None and now - JUST_NOW <= entered <= now:
        return
    deal.stage_entered_at = now
    deal.closed_at = closed
    Deal.update(stage_entered_at=deal.stage_entered_at, closed_at=deal.closed_at).where(Deal.id == deal.id).execute()


def is_stale(deal: Deal, stage: Stage | None, now: datetime.datetime) -> bool:
    """No activity for longer than the stage's follow-up deadline (counted from entering the stage)."""
    if stage is None or not stage.followup_days or stage.kind != "open":
        return False
    last = max(filter(None, [deal.last_activity_at, deal.stage_entered_at]), default=None)
    return last is not None and now - last > datetime.timedelta(days=stage.followup_days)


# -- activities -----------------------------------------------------------------------------------


def log_activity(user, values: dict, next_values: dict | None = None) -> tuple[Activity, Activity | None]:
    """Record an activity (done now unless planned) and, in the same step, schedule the next one."""
    schema = get_entity(ACTIVITY)
    with db.atomic():
        done, _changes = records.save(schema, user, values)
        planned = None
        if next_values:
            follow = {key: values.get(key) for key in ("customer", "deal")}
            planned, _changes = records.save(schema, user, {**follow, **next_values})
    return done, planned


def activity_saved(activity: Activity) -> None:
    """Keep the deal's and the customer's last activity up to date (the `on_record_saved` hook)."""
    if activity.done_at is None:
        return
    for model, key in ((Deal, activity.deal_id), (Customer, activity.customer_id)):
        if key:
            model.update(last_activity_at=activity.done_at).where(
                model.id == key, (model.last_activity_at.is_null()) | (model.last_activity_at < activity.done_at)).execute()


def owner_changed(customer: Customer) -> None:
    """A customer handed to someone else (a bulk edit, say): its contacts go along."""
    Contact.update(owner=customer.owner_id).where(Contact.customer == customer.id).execute()


# -- the customer pool ----------------------------------------------------------------------------


class PoolLimit(Exception):
    pass


def owned_count(user) -> int:
    return Customer.select().where(Customer.owner == user.id, Customer.deleted_at.is_null()).count()


def claim(customer: Customer, user) -> None:
    """A rep takes a customer from the pool, within their limit (checked under the write lock)."""
    with db.atomic():
        if not is_sqlite():  # two claims by one rep at once count one after the other
            User.select(User.id).where(User.id == user.id).for_update().execute()
        if owned_count(user) >= setting("pool_claim_limit"):
            raise PoolLimit(_("You already own %(count)d customers, the most a rep may own. Release one first.",
                              count=setting("pool_claim_limit")))
        updated = Customer.update(owner=user.id, claimed_at=utcnow()).where(Customer.id == customer.id, Customer.owner.is_null()).execute()
        if not updated:
            raise PoolLimit(_("Someone claimed this customer a moment ago."))
        Contact.update(owner=user.id).where(Contact.customer == customer.id).execute()
        records.audit("claim", CUSTOMER, customer.id, customer.name, {"owner": [None, user.id]}, user)


def release(customer: Customer, user, reason: str = "release") -> None:
    with db.atomic():
        before = customer.owner_id
        Customer.update(owner=None, claimed_at=None).where(Customer.id == customer.id).execute()
        Contact.update(owner=None).where(Contact.customer == customer.id).execute()
        records.audit(reason, CUSTOMER, customer.id, customer.name, {"owner": [before, None]}, user)


def return_stale_to_pool(now: datetime.datetime | None = None) -> int:
    """Customers with no follow-up for `pool_return_days` go back to the pool; the history stays.
    Run by `salesdeck pipeline-return` (cron) and when the pool is opened."""
    now = now or utcnow()
    limit = now - datetime.timedelta(days=int(setting("pool_return_days")))
    # Stale when the latest of the last follow-up, the claim and the creation is old: a fresh
    # claim counts even when the customer's last activity (someone else's) is long past.
    quiet_since = ((Customer.last_activity_at.is_null() | (Customer.last_activity_at < limit))
                   & (Customer.claimed_at.is_null() | (Customer.claimed_at < limit)) & (Customer.created_at < limit))
    condition = Customer.owner.is_null(False) & Customer.deleted_at.is_null() & quiet_since
    with db.atomic():
        query = Customer.select(Customer.id, Customer.name, Customer.owner).where(condition)
        stale = list(query if is_sqlite() else query.for_update())  # SQLite: the write lock is held already
        if not stale:
            return 0
        ids = [customer.id for customer in stale]
        Customer.update(owner=None, claimed_at=None).where(Customer.id.in_(ids), condition).execute()
        Contact.update(owner=None).where(Contact.customer.in_(ids)).execute()
        AuditEntry.insert_many([
            {"action": "return_to_pool", "entity": CUSTOMER, "record_id": c.id, "title": c.name[:200],
             "changes": {"owner": [c.owner_id, None]}, "user": None, "at": now}
            for c in stale
        ]).execute()
    return len(stale)


# -- merging duplicates ---------------------------------------------------------------------------

MERGED_FIELDS = ("industry", "size", "region", "source", "level", "tags", "phone", "email")


def merge(keep: Customer, other: Customer, user) -> dict:
    """Fold `other` into `keep`: its contacts, deals and activities move over, empty fields of
    `keep` are filled from it, custom values too; `other` is deleted (an admin can restore it)."""
    schema = get_entity(CUSTOMER)
    with db.atomic():
        moved = {
            "contacts": Contact.update(customer=keep.id, owner=keep.owner_id).where(Contact.customer == other.id).execute(),
            "deals": Deal.update(customer=keep.id).where(Deal.customer == other.id).execute(),
            "activities": Activity.update(customer=keep.id).where(Activity.customer == other.id).execute(),
        }
        filled = {name: getattr(other, name) for name in MERGED_FIELDS if not getattr(keep, name) and getattr(other, name)}
        custom = {key: value for key, value in (other.custom or {}).items() if key not in (keep.custom or {}) and key != "_kept"}
        if filled or custom:
            records.save(schema, user, {**filled, **custom}, record=keep, action="merge")
        records.audit("merge", CUSTOMER, keep.id, keep.name, {"merged": [None, other.name], **{k: [None, v] for k, v in moved.items()}},
                      user)
        records.soft_delete(schema, other, user)
        records.audit("merged_into", CUSTOMER, other.id, other.name, {"merged_into": [None, keep.name]}, user)
    return moved


# -- the audit log ----------------------------------------------------------------------------------


def audit_words(key: str, value):
    """Words for a stored value of the pipeline's own changes in the audit log (`describe_audit`):
    the board's card fields by label, a lost reason stored in English in the reader's language."""
    if key == "card_fields" and isinstance(value, list):
        schema = get_entity(DEAL)
        return ", ".join(str(schema.field(name).label) if schema.field(name) else name for name in value)
    if key == "lost_reasons" and isinstance(value, str):
        return Translated(value)
    return None


# -- credit splits ----------------------------------------------------------------------------------


class CreditError(ValueError):
    """A credit split refused, with the message to show."""


def credit_split(deal: Deal) -> list[tuple]:
    """[(user, share %, credit id)] of the deal: the owner first (100 % less the others, no credit
    id), then the helpers."""
    helpers = list(DealCredit.select(DealCredit, User).join(User, on=(DealCredit.user == User.id))
                   .where(DealCredit.deal == deal.id).order_by(DealCredit.share.desc(), User.name))
    given = sum((decimal.Decimal(str(credit.share)) for credit in helpers), decimal.Decimal(0))
    return [(deal.owner, decimal.Decimal(100) - given, None)] + [(credit.user, decimal.Decimal(str(credit.share)), credit.id)
                                                                 for credit in helpers]


def set_credit(deal: Deal, person: User, text: str, user) -> None:
    """Give `person` a share of the deal's credit (or change theirs); the owner keeps the rest, at least 1 %."""
    if person.id == deal.owner_id:
        raise CreditError(_("The owner keeps what the others do not get: choose someone else."))
    try:
        share = decimal.Decimal(str(text or "").strip().rstrip("%").strip())
    except decimal.InvalidOperation:
        raise CreditError(_("Write a share from 1 to 99 percent.")) from None
    if not share.is_finite() or not 0 < share < 100 or share != share.quantize(decimal.Decimal("0.01")):
        raise CreditError(_("Write a share from 1 to 99 percent."))
    with db.atomic():
        others = (DealCredit.select(peewee.fn.COALESCE(peewee.fn.SUM(DealCredit.share), 0))
                  .where(DealCredit.deal == deal.id, DealCredit.user != person.id).scalar())
        if decimal.Decimal(str(others)) + share >= 100:
            raise CreditError(_("The shares would leave the owner nothing: together they stay below 100 percent."))
        before = DealCredit.get_or_none(DealCredit.deal == deal.id, DealCredit.user == person.id)
        DealCredit.insert(deal=deal.id, user=person.id, share=share).on_conflict(
            conflict_target=[DealCredit.deal, DealCredit.user], update={DealCredit.share: share}).execute()
        records.audit("credit_set", DEAL, deal.id, deal.name,
                      {"credit": [None if before is None else f"{person.name}: {before.share}%", f"{person.name}: {share}%"]}, user)


def remove_credit(deal: Deal, credit: DealCredit, user) -> None:
    with db.atomic():
        records.audit("credit_remove", DEAL, deal.id, deal.name, {"credit": [f"{credit.user.name}: {credit.share}%", None]}, user)
        credit.delete_instance()
