"""The core's own contributions, made through the same hooks as any plugin (and always on).

Implementations are `trylast`, so a team's plugin can put its entries first.
"""
from __future__ import annotations

from pathlib import Path

import peewee
from flask_babel import lazy_gettext as _l

from . import admin, auth, views
from .contributions import DashboardWidget, NavItem
from .hookspecs import hookimpl
from .models import ADMIN, MANAGER, MODELS, Team, User

label = _l("Core")
description = _l("Accounts, teams, plugins and the home page.")


@hookimpl(trylast=True)
def register_models():
    return MODELS


@hookimpl(trylast=True)
def register_migrations():
    return Path(__file__).parent / "migrations"


@hookimpl(trylast=True)
def register_blueprints():
    return [auth.bp, views.bp, admin.bp]


@hookimpl(trylast=True)
def nav_items(user):
    items = [NavItem(_l("Home"), "core.home", icon="home", order=0)]
    if user.role == ADMIN:
        items += [
            NavItem(_l("Users"), "admin.users", icon="users", order=900, section="admin"),
            NavItem(_l("Teams"), "admin.teams", icon="team", order=910, section="admin"),
            NavItem(_l("Plugins"), "admin.plugins", icon="plugin", order=920, section="admin"),
        ]
    return items


@hookimpl(trylast=True)
def dashboard_widgets(user):
    if user.role == MANAGER:
        teams = list(Team.select().where(Team.manager == user.id).order_by(Team.name))
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
    if user.role == ADMIN:
        counts = User.select(User.role, peewee.fn.COUNT(User.id).alias("n")).where(
            User.active == True  # noqa: E712
        ).group_by(User.role)
        context["people"] = {row.role: row.n for row in counts}
        context["team_count"] = Team.select().count()
    return [DashboardWidget(_l("Your team"), "core/widgets/team.html", context, order=900)]
