"""The time-management plugin's hook implementations."""
from __future__ import annotations

from pathlib import Path

from flask_babel import lazy_gettext as _l

from core.api import NavItem, hookimpl

label = _l("My day")
description = _l("Today's agenda from every plugin; priorities, time blocks, focus timer and weekly reflection.")


@hookimpl
def register_models():
    from .models import MODELS

    return MODELS


@hookimpl
def register_migrations():
    return Path(__file__).parent / "migrations"


@hookimpl
def register_blueprints():
    from . import views

    return [views.bp]


@hookimpl
def nav_items(user):
    return [NavItem(_l("My day"), "timemgmt.today", icon="clock", order=5),
            NavItem(_l("Capture"), "timemgmt.topbar", icon="plus", order=5, section="top")]
