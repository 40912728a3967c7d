"""The core's own contributions, made through the same hooks as any plugin (and always on).

Implementations are `trylast`, so a team's plugin can put its entries first.
"""
from __future__ import annotations

from pathlib import Path

import peewee
from flask_babel import lazy_gettext as _l

from . import admin, auth, views
from .contributions import AuditTerms, DashboardWidget, NavItem
from .hookspecs import hookimpl
from .i18n import label_text
from .lowcode import audit_views, designer, process_views, transfer
from .lowcode import models as lowcode_models
from .lowcode import types as lowcode_types
from .lowcode import views as record_views
from .lowcode.entities import all_entities
from .models import MODELS, Team, User

label = _l("Core")
description = _l("Accounts, teams, plugins and the home page.")


@hookimpl(trylast=True)
def register_models():
    from .dashboard import DashboardLayout

    return MODELS + lowcode_models.MODELS + [DashboardLayout]


@hookimpl(trylast=True)
def register_field_types():
    return lowcode_types.BUILT_IN_TYPES


@hookimpl(trylast=True)
def describe_audit():
    from .accounts import ACTION_LABELS as account_actions
    from .lowcode.records import ACTION_LABELS as record_actions

    return AuditTerms(actions={**record_actions, **account_actions})


@hookimpl(trylast=True)
def register_migrations():
    return Path(__file__).parent / "migrations"


@hookimpl(trylast=True)
def register_blueprints():
    return [auth.bp, views.bp, admin.bp, record_views.bp, transfer.bp, designer.bp, process_views.bp,
            process_views.approvals, audit_views.bp]


@hookimpl(trylast=True)
def nav_items(user):
    items = [NavItem(_l("Home"), "core.home", icon="home", order=0)]
    # Entities made in the browser get their list in the navigation like a plugin's pages (from
    # the process's picture of the entities, kept until the schema changes: no query per page).
    browser_made = sorted((schema.setting for schema in all_entities().values() if schema.in_browser), key=lambda s: s.label or "")
    items += [NavItem(label_text(entity.labels, entity.label) or entity.key, "records.index", icon=entity.icon, order=60,
                      values={"entity": entity.key}) for entity in browser_made]
    if user.may("approve"):
        items.append(NavItem(_l("Approvals"), "approvals.queue", icon="check", order=80))
    if user.may("administer"):
        items += [
            NavItem(_l("Users"), "admin.users", icon="users", order=900, section="admin"),
            NavItem(_l("Teams"), "admin.teams", icon="team", order=910, section="admin"),
            NavItem(_l("Forms"), "designer.index", icon="form", order=920, section="admin"),
            NavItem(_l("Processes"), "processes.index", icon="pipeline", order=930, section="admin"),
            NavItem(_l("Audit log"), "audit.index", icon="history", order=940, section="admin"),
            NavItem(_l("Plugins"), "admin.plugins", icon="plugin", order=950, section="admin"),
        ]
    return items


@hookimpl(trylast=True)
def dashboard_widgets(user):
    if user.may("lead_teams") and not user.may("see_everything"):
        teams = list(auth.managed_teams(user))
    elif user.team_id:
        teams = [user.team]
    else:
        teams = []
    members = (
        User.select().where(User.team.in_([team.id for team in teams]), User.active == True)  # noqa: E712
        .order_by(User.name)
        if teams else []
    )
    by_team: dict[int, list] = {}
    for member in members:
        by_team.setdefault(member.team_id, []).append(member)
    context = {"teams": [(team, by_team.get(team.id, [])) for team in teams]}
    if user.may("see_everything"):
        counts = User.select(User.role, peewee.fn.COUNT(User.id).alias("n")).where(
            User.active == True  # noqa: E712
        ).group_by(User.role)
        context["people"] = {row.role: row.n for row in counts}
        context["team_count"] = Team.select().count()
    return [DashboardWidget(_l("Your team"), "core/widgets/team.html", context, order=900)]


@hookimpl(trylast=True)
def meeting_topics(team, start, end):
    from .lowcode.approval_topics import topics

    return topics(team, start, end)
