"""The pipeline plugin's hook implementations."""
from flask_babel import lazy_gettext as _l

from core.contributions import NavItem
from core.hookspecs import hookimpl

from . import views

label = _l("Pipeline")
description = _l("Customers, contacts, deals, activities, the kanban board and follow-ups.")


@hookimpl
def register_blueprints():
    return [views.bp]


@hookimpl
def nav_items(user):
    return [NavItem(_l("Pipeline"), "pipeline.index", icon="pipeline", order=20)]
