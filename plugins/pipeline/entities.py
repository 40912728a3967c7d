"""The pipeline's entities, as the low-code layer sees them."""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.api import ADMIN, MANAGER, Entity, Stage

from .forms import ActivityForm, ContactForm, CustomerForm, DealForm, ProductForm
from .models import Activity, Contact, Customer, Deal, Product
from .normalize import email_key, normalized_name, phone_key

CUSTOMER, CONTACT, PRODUCT, DEAL, ACTIVITY = (
    "pipeline.customer", "pipeline.contact", "pipeline.product", "pipeline.deal", "pipeline.activity")


def find_customer_duplicates(rows: list[dict]) -> list[list[tuple]]:
    """For each row (a new customer's values), the existing customers with the same normalised
    name, phone or email. One indexed query for all rows; every customer counts, whoever owns it,
    so two reps do not chase one company."""
    keys = [(normalized_name(row.get("name")), phone_key(row.get("phone")), email_key(row.get("email"))) for row in rows]
    names = {name for name, _p, _e in keys if name}
    phones = {phone for _n, phone, _e in keys if phone}
    emails = {email for _n, _p, email in keys if email}
    if not (names or phones or emails):
        return [[] for _row in rows]
    condition = Customer.normalized_name.in_(names or [""]) | Customer.phone_key.in_(phones or [""]) | Customer.email.in_(emails or [""])
    found = list(Customer.select(Customer.id, Customer.name, Customer.normalized_name, Customer.phone_key, Customer.email)
                 .where(condition, Customer.deleted_at.is_null()))
    matches = []
    for name, phone, email in keys:
        row_matches = []
        for customer in found:
            why = [reason for reason, same in ((_("same name"), name and customer.normalized_name == name),
                                               (_("same phone"), phone and customer.phone_key == phone),
                                               (_("same email"), email and email_key(customer.email) == email)) if same]
            if why:
                row_matches.append((customer.id, customer.name, ", ".join(why)))
        matches.append(row_matches)
    return matches


def deal_formula_values(deals: list) -> list[dict]:
    """What formulas read of deals: `probability` is the deal's own when set, else its stage's (as
    the deal page shows it), so `amount * probability / 100` weighs every deal. One query."""
    stage_ids = {deal.stage_id for deal in deals if deal.probability is None and deal.stage_id}
    stages = dict(Stage.select(Stage.id, Stage.probability).where(Stage.id.in_(stage_ids)).tuples()) if stage_ids else {}
    return [{"probability": deal.probability if deal.probability is not None else stages.get(deal.stage_id)} for deal in deals]


ENTITIES = [
    Entity(key=CUSTOMER, label=_l("Customers"), model=Customer, form=CustomerForm, icon="team", title_field="name",
           list_columns=("name", "level", "industry", "region", "owner"), unowned_visible=True,
           find_duplicates=find_customer_duplicates, page=lambda record_id: url_for("pipeline.customer", customer_id=record_id),
           import_field="import_job"),
    Entity(key=CONTACT, label=_l("Contacts"), model=Contact, form=ContactForm, icon="users", title_field="name",
           list_columns=("name", "customer", "role", "phone", "email")),
    Entity(key=PRODUCT, label=_l("Products"), model=Product, form=ProductForm, icon="form", title_field="name",
           list_columns=("name", "category", "list_price", "active"), owner_field=None, editors=(ADMIN, MANAGER)),
    Entity(key=DEAL, label=_l("Deals"), model=Deal, form=DealForm, icon="pipeline", title_field="name",
           stage_field="stage", list_columns=("name", "customer", "amount", "stage", "expected_close", "owner"),
           page=lambda record_id: url_for("pipeline.deal", deal_id=record_id), formula_values=deal_formula_values),
    Entity(key=ACTIVITY, label=_l("Activities"), model=Activity, form=ActivityForm, icon="clock", title_field="subject",
           list_columns=("subject", "kind", "customer", "deal", "due_at", "done_at", "owner")),
]
