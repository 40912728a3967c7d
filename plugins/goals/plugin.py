"""The goals plugin's hook implementations."""
from __future__ import annotations

from pathlib import Path

from flask_babel import lazy_gettext as _l

from core.contributions import NavItem
from core.hookspecs import hookimpl
from core.models import ADMIN, MANAGER

from . import widgets

label = _l("Goals")
description = _l("SMART goals broken down by period and person, with live progress and reviews.")


@hookimpl
def register_models():
    from .models import MODELS

    return MODELS


@hookimpl
def register_migrations():
    return Path(__file__).parent / "migrations"


@hookimpl
def register_blueprints():
    from . import reviews, views  # noqa: F401 - routes

    return [views.bp]


@hookimpl
def nav_items(user):
    items = [NavItem(_l("Goals"), "goals.index", icon="goal", order=10)]
    if user.role in (ADMIN, MANAGER):
        items.append(NavItem(_l("Reviews"), "goals.reviews", icon="form", order=11))
    if user.role == ADMIN:
        items.append(NavItem(_l("Holidays"), "goals.holidays", icon="clock", order=936, section="admin"))
    return items


@hookimpl
def dashboard_widgets(user):
    return widgets.widgets(user)


@hookimpl(trylast=True)  # after the plugins whose records the goals measure
def demo_data(team, rng):
    from .demo import create

    create(team, rng)
