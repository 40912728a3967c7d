"""The incentives plugin's hook implementations."""
from flask_babel import lazy_gettext as _l

from core.api import NavItem, hookimpl

from . import views

label = _l("Incentives")
description = _l("Transparent commission plans, awards, training and leaderboards.")


@hookimpl
def register_blueprints():
    return [views.bp]


@hookimpl
def nav_items(user):
    return [NavItem(_l("Incentives"), "incentives.index", icon="award", order=40)]
