"""The goals plugin's hook implementations."""
from flask_babel import lazy_gettext as _l

from core.contributions import NavItem
from core.hookspecs import hookimpl

from . import views

label = _l("Goals")
description = _l("SMART goals broken down by period and person, with live progress and reviews.")


@hookimpl
def register_blueprints():
    return [views.bp]


@hookimpl
def nav_items(user):
    return [NavItem(_l("Goals"), "goals.index", icon="goal", order=10)]
