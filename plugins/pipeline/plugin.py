"""The pipeline plugin's hook implementations: thin, they hand work to the modules."""
from __future__ import annotations

from pathlib import Path

import click
from flask_babel import lazy_gettext as _l

from core.api import AuditTerms, DefaultProcess, DefaultStage, NavItem, PeriodicTask, ReportPage, hookimpl

from . import entities, metrics, services, widgets

label = _l("Pipeline")
description = _l("Customers, contacts, deals, activities, the kanban board and follow-ups.")


@hookimpl
def describe_audit():
    return AuditTerms(
        actions={
            "claim": _l("claimed it from the pool"), "release": _l("put it back in the pool"),
            "return_to_pool": _l("sent it back to the pool (no follow-up)"), "merge": _l("merged a duplicate into it"),
            "merged_into": _l("merged it into another customer"), "line_add": _l("added a product"),
            "line_remove": _l("removed a product"), "setting_change": _l("changed a setting"),
            "credit_set": _l("shared the deal's credit"), "credit_remove": _l("took back a share of the deal's credit"),
        },
        subjects={"pipeline:settings": _l("Pipeline settings")},
        changes={
            "merged": _l("Merged in"), "merged_into": _l("Merged into"), "contacts": _l("Contacts"), "deals": _l("Deals"),
            "activities": _l("Activities"), "line": _l("Product line"), "lost_reasons": _l("Lost reasons"),
            "credit": _l("Credit share"),
            "pool_return_days": _l("Back to the pool after (days without follow-up)"),
            "pool_claim_limit": _l("Customers a rep may own"), "card_fields": _l("What board cards show"),
        },
        value=services.audit_words,
    )


@hookimpl
def register_models():
    from .models import MODELS

    return MODELS


@hookimpl
def register_migrations():
    return Path(__file__).parent / "migrations"


@hookimpl
def register_blueprints():
    from . import customer_views, deal_views, followups, numbers, segments, settings_views, views  # noqa: F401 - routes

    return [views.bp]


@hookimpl
def report_pages(user):
    return [ReportPage(_l("Sales numbers"), "pipeline.numbers", _l("Funnel, time in each stage, where deals are lost, forecast."),
                       order=30),
            ReportPage(_l("Product sales"), "pipeline.product_numbers",
                       _l("Revenue and quantity by product and product group, month by month."), order=40),
            ReportPage(_l("Customer segments"), "pipeline.customer_numbers",
                       _l("ABC by revenue share and RFM from won deals, with the customers in each."), order=50)]


@hookimpl
def register_entities():
    return entities.ENTITIES


@hookimpl
def register_processes():
    """The seven stages of the article, and a stage for deals lost."""
    return [DefaultProcess("pipeline.sales", _l("Sales process"), entities.DEAL, (
        DefaultStage("development", _l("Customer development"), 5, color="slate", followup_days=14),
        DefaultStage("first_contact", _l("First contact"), 10, color="blue", followup_days=7),
        DefaultStage("discovery", _l("Information gathering"), 20, color="teal", followup_days=7),
        DefaultStage("follow_up", _l("Follow-up"), 40, color="amber", followup_days=5),
        DefaultStage("approval", _l("Internal approval"), 60, color="purple", needs_approval=True,
                     required_fields=("amount", "expected_close"), followup_days=5),
        DefaultStage("signing", _l("Contract signing"), 80, color="green", required_fields=("contact",), followup_days=3),
        DefaultStage("after_sales", _l("After-sales"), 100, kind="won", color="green", followup_days=30),
        DefaultStage("lost", _l("Lost"), 0, kind="lost", color="red", required_fields=("lost_reason",)),
    ))]


@hookimpl
def register_metrics():
    return metrics.metrics()


@hookimpl
def nav_items(user):
    items = [
        NavItem(_l("Pipeline"), "pipeline.board", icon="pipeline", order=20),
        NavItem(_l("Customers"), "records.index", icon="team", order=21, values={"entity": entities.CUSTOMER}),
        NavItem(_l("Follow-ups"), "pipeline.followups", icon="check", order=22),
        NavItem(_l("Customer pool"), "pipeline.pool", icon="users", order=23),
        NavItem(_l("Sales numbers"), "pipeline.numbers", icon="chart", order=24),
    ]
    if user.may("lead_teams"):
        items += [NavItem(_l("Products"), "records.index", icon="form", order=25, values={"entity": entities.PRODUCT}),
                  NavItem(_l("Duplicates"), "pipeline.duplicates", icon="dot", order=26)]
    if user.may("administer"):
        items.append(NavItem(_l("Pipeline settings"), "pipeline.settings", icon="settings", order=935, section="admin"))
    return items


@hookimpl
def dashboard_widgets(user):
    return widgets.widgets(user)


@hookimpl
def agenda_items(user, day):
    return widgets.agenda(user, day)


@hookimpl
def meeting_topics(team, start, end):
    from .topics import topics

    return topics(team, start, end)


@hookimpl
def on_record_saved(entity, record, created, changes, user):
    if entity == entities.ACTIVITY:
        services.activity_saved(record)
    elif entity == entities.CUSTOMER and "owner" in changes and not created:
        services.owner_changed(record)


@hookimpl
def on_stage_changed(entity, record, from_stage, to_stage, user):
    if entity == entities.DEAL:
        services.stage_entered(record, to_stage, first=from_stage is None)


@hookimpl
def register_commands():
    @click.command("pipeline-return")
    def return_to_pool():
        """Send customers without follow-up for too long back to the pool (run it from cron)."""
        click.echo(f"{services.return_stale_to_pool()} customer(s) went back to the pool.")

    return [return_to_pool]


@hookimpl
def register_periodic_tasks():
    return [PeriodicTask("pipeline.return_to_pool", services.return_stale_to_pool, hour="2", minute="30")]


@hookimpl
def demo_data(team, rng):
    from .demo import create

    create(team, rng)


@hookimpl
def data_checks():
    from .checks import checks

    return checks()
