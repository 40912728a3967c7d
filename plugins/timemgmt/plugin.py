"""The time-management plugin's hook implementations."""
from flask_babel import lazy_gettext as _l

from core.api import NavItem, hookimpl

from . import views

label = _l("My day")
description = _l("Today's agenda from every plugin; priorities, time blocks, focus timer and weekly reflection.")


@hookimpl
def register_blueprints():
    return [views.bp]


@hookimpl
def nav_items(user):
    return [NavItem(_l("My day"), "timemgmt.today", icon="clock", order=5)]
