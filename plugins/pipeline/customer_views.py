"""Customers: their page, the shared pool (公海), and finding and merging duplicates."""
from __future__ import annotations

import datetime

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.api import User, cell, get_entity, history, id_from, paginate, records, render_page, scope, utcnow

from . import services
from .deal_views import LogForm, log_from_form, timeline
from .entities import CUSTOMER
from .forms import KIND_LABELS
from .models import Activity, Contact, Customer, Deal
from .normalize import email_key
from .views import bp

POOL_CHECK_SECONDS = 600  # the pool's return rule runs at most this often on access
CLAIM_RACE_MINUTES = 60  # a rep this late to claim a customer hears that someone was quicker


@bp.route("/customers/<int:customer_id>", methods=["GET", "POST"])
def customer(customer_id: int):
    schema = get_entity(CUSTOMER)
    record = schema.changeable_or_404(customer_id) if request.method == "POST" else schema.visible_or_404(customer_id)
    log = LogForm(prefix="log")
    if request.method == "POST":
        if record.owner_id is None:
            abort(403)  # a customer in the pool is claimed before it is worked (by an admin too)
        if log.validate_on_submit():
            _done, planned = log_from_form(log, {"customer": record.id})
            flash(_("Logged.") + (" " + _("Next: %(subject)s.", subject=planned.subject) if planned else ""), "success")
            return redirect(url_for("pipeline.customer", customer_id=record.id))
    shown = [spec for spec in schema.active_fields if not spec.hidden and spec.key != "name"]
    names = records.lookups(schema, [record], shown)
    contacts = list(Contact.select().where(Contact.customer == record.id, Contact.deleted_at.is_null()).order_by(Contact.name))
    deals = list(scope(Deal.select().where(Deal.customer == record.id, Deal.deleted_at.is_null()), Deal.owner).order_by(Deal.id.desc()))
    planned, done = timeline((Activity.customer == record.id) | Activity.deal.in_([d.id for d in deals] or [0]))
    duplicates = [match for match in likely_duplicates(record) if match[0] != record.id]
    return render_page(
        "pipeline/customer.html", status=400 if log.errors else 200, schema=schema, customer=record,
        fields=[(spec, cell(schema, record, spec, names)) for spec in shown], contacts=contacts, deals=deals,
        planned=planned, done=done, log=log, log_url=url_for("pipeline.customer", customer_id=record.id),
        history=history(schema, record), now=utcnow(), kinds=KIND_LABELS, duplicates=duplicates,
        return_days=services.setting("pool_return_days"),
    )


def likely_duplicates(record: Customer) -> list:
    from .entities import find_customer_duplicates

    return find_customer_duplicates([{"name": record.name, "phone": record.phone, "email": record.email}])[0]


# -- the pool -------------------------------------------------------------------------------------


def _return_now_and_then() -> None:
    """The return rule also runs on access (not only by cron), at most every few minutes per process."""
    state = current_app.extensions.setdefault("pipeline.pool", {})
    now = utcnow()
    if state.get("checked") and (now - state["checked"]).total_seconds() < POOL_CHECK_SECONDS:
        return
    state["checked"] = now
    services.return_stale_to_pool(now)


@bp.route("/pool")
def pool():
    _return_now_and_then()
    query = Customer.select().where(Customer.owner.is_null(), Customer.deleted_at.is_null()).order_by(Customer.name)
    search = request.args.get("q", "").strip()[:100]
    if search:
        query = query.where(Customer.search_text.contains(search.lower()) | Customer.name.contains(search))
    page = paginate(query)
    return render_page("pipeline/pool.html", "pool_list", page=page, search=search, owned=services.owned_count(current_user),
                       limit=services.setting("pool_claim_limit"), return_days=services.setting("pool_return_days"))


def claimed_lately(customer_id: int):
    """A customer someone claimed from the pool within the last CLAIM_RACE_MINUTES: a rep who
    saw it in the pool and was a moment too late is told so, instead of being shown a 404."""
    since = utcnow() - datetime.timedelta(minutes=CLAIM_RACE_MINUTES)
    return Customer.get_or_none(Customer.id == customer_id, Customer.deleted_at.is_null(), Customer.claimed_at >= since)


@bp.route("/customers/<int:customer_id>/claim", methods=["POST"])
def claim(customer_id: int):
    record = get_entity(CUSTOMER).visible().where(Customer.id == customer_id).first()
    if record is None and claimed_lately(customer_id) is not None:
        flash(_("Someone claimed this customer a moment ago."), "error")
        return redirect(url_for("pipeline.pool"))
    if record is None:
        abort(404)
    if record.owner_id is not None:
        flash(_("%(name)s is no longer in the pool.", name=record.name), "error")
    else:
        try:
            services.claim(record, current_user)
        except services.PoolLimit as problem:
            flash(str(problem), "error")
        else:
            flash(_("%(name)s is yours now. Follow up within %(days)d days, or it goes back to the pool.",
                    name=record.name, days=services.setting("pool_return_days")), "success")
            return redirect(url_for("pipeline.customer", customer_id=record.id))
    return redirect(url_for("pipeline.pool"))


@bp.route("/customers/<int:customer_id>/release", methods=["POST"])
def release(customer_id: int):
    schema = get_entity(CUSTOMER)
    record = schema.visible_or_404(customer_id)
    if record.owner_id is None:
        abort(400)  # already in the pool
    schema.changeable_or_404(customer_id)
    services.release(record, current_user)
    flash(_("%(name)s is back in the pool.", name=record.name), "success")
    return redirect(url_for("pipeline.pool"))


# -- duplicates -----------------------------------------------------------------------------------


def duplicate_groups(customers: list) -> list[tuple[str, list]]:
    """Customers that share a normalised name, a phone or an email, grouped."""
    groups: dict[tuple, list] = {}
    for customer in customers:
        for kind, key in (("name", customer.normalized_name), ("phone", customer.phone_key), ("email", email_key(customer.email))):
            if key:
                groups.setdefault((kind, key), []).append(customer)
    labels = {"name": _("same name"), "phone": _("same phone"), "email": _("same email")}
    seen, found = set(), []
    for (kind, _key), members in groups.items():
        ids = tuple(sorted(c.id for c in members))
        if len(members) > 1 and ids not in seen:
            seen.add(ids)
            found.append((labels[kind], members))
    return found


@bp.route("/duplicates")
def duplicates():
    """Likely duplicates among the customers the user may see (admins: all)."""
    schema = get_entity(CUSTOMER)
    customers = list(schema.visible().select(Customer.id, Customer.name, Customer.normalized_name, Customer.phone_key,
                                             Customer.email, Customer.owner).order_by(Customer.id))
    owners = {u.id: u.name for u in User.select(User.id, User.name)}
    return render_page("pipeline/duplicates.html", groups=duplicate_groups(customers), owners=owners)


@bp.route("/duplicates/merge", methods=["POST"])
def merge():
    schema = get_entity(CUSTOMER)
    keep_id, other_id = id_from(request.form.get("keep")), id_from(request.form.get("other"))
    if keep_id is None or other_id is None or keep_id == other_id:
        abort(400)
    keep = schema.visible().where(Customer.id == keep_id).first()
    other = schema.visible().where(Customer.id == other_id).first()
    if keep is None or other is None:
        abort(404)
    if not (schema.may_change(keep) and schema.may_change(other)):
        abort(403)  # both are changed: a pool customer is claimed first
    moved = services.merge(keep, other, current_user)
    flash(_("%(other)s is merged into %(keep)s: %(contacts)d contact(s), %(deals)d deal(s), %(activities)d activit(y/ies) moved.",
            other=other.name, keep=keep.name, **moved), "success")
    return redirect(url_for("pipeline.customer", customer_id=keep.id))

