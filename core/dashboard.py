"""The home page each user arranges: which cards (`dashboard_widgets`) it shows, in which order, one
or two columns wide. A user who never arranged it sees every card in the plugins' default order (a
manager's and a rep's differ because plugins offer them different cards); "reset" returns to that.
A card whose plugin is switched off is simply not offered, and comes back in its place when the
plugin returns."""
from __future__ import annotations

import peewee
from flask import current_app, render_template
from markupsafe import Markup

from .db import BaseModel, db, utcnow
from .lowcode.models import json_field
from .models import User
from .plugins import host_of

MAX_KEY = 200


class DashboardLayout(BaseModel):
    """A user's arrangement: the keys of the cards shown, in order, with their width, and those removed."""

    user = peewee.ForeignKeyField(User, primary_key=True, on_delete="CASCADE", backref="+")
    items = json_field(default=list)  # [{"key": ..., "wide": bool}] in order
    removed = json_field(default=list)  # keys
    updated_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "core_dashboard_layout"


def widget_key(plugin: str, widget) -> str:
    """A card's stable name: its plugin and its `key` (or template)."""
    return f"{plugin}:{widget.key or widget.template}"[:MAX_KEY]


def offered(user) -> list[tuple]:
    """[(plugin, key, widget)] every enabled plugin offers the user, in the default order."""
    host = host_of(current_app)
    found = []
    for plugin, widgets in host.results("dashboard_widgets", user=user):
        for widget in widgets or []:
            found.append((plugin, widget_key(plugin, widget), widget))
    found.sort(key=lambda item: item[2].order)
    return found


def arranged(user) -> tuple[list[tuple], list[tuple]]:
    """([(plugin, key, widget, wide)] shown in the user's order, [(key, widget)] removed)."""
    cards = offered(user)
    layout = DashboardLayout.get_or_none(DashboardLayout.user == user.id)
    if layout is None:
        return [(plugin, key, widget, widget.wide) for plugin, key, widget in cards], []
    position = {item["key"]: index for index, item in enumerate(layout.items or []) if isinstance(item, dict)}
    wide = {item["key"]: bool(item.get("wide")) for item in layout.items or [] if isinstance(item, dict)}
    removed = set(layout.removed or [])
    shown = [card for card in cards if card[1] not in removed]
    # Cards arranged keep their place; a card new since (a plugin switched on) comes after them, in default order.
    shown.sort(key=lambda card: (0, position[card[1]]) if card[1] in position else (1, card[2].order))
    return ([(plugin, key, widget, wide.get(key, widget.wide)) for plugin, key, widget in shown],
            [(key, widget) for _plugin, key, widget in cards if key in removed])


def render(user) -> tuple[list[tuple], list[tuple]]:
    """([(key, widget, wide, html)] to show, [(key, widget)] removed): a card whose template fails
    shows a notice (html None) and its failure lands on the plugins page."""
    host = host_of(current_app)
    shown, removed = arranged(user)
    cards = []
    for plugin, key, widget, wide in shown:
        try:
            if not widget.template.endswith(".html"):
                raise ValueError(f"widget template {widget.template!r} must be .html (autoescaped)")
            html = Markup(render_template(widget.template, **widget.context))  # .html: autoescaped
        except Exception as exc:  # noqa: BLE001 - a broken widget must not break the page
            host.record_error(plugin, "dashboard_widgets", exc)
            html = None
        cards.append((key, widget, wide, html))
    return cards, removed


def change(user, action: str, key: str = "", order: list[str] | None = None) -> bool:
    """Apply one change to the user's arrangement: "order" (the shown keys in their new order),
    "wide" (toggle a card's width), "remove", "add" (back at the end), "reset". Keys the user is
    not offered are ignored. Returns False for an action it does not know."""
    if action == "reset":
        DashboardLayout.delete().where(DashboardLayout.user == user.id).execute()
        return True
    if action not in ("order", "wide", "remove", "add"):
        return False
    shown, removed = arranged(user)
    items = [{"key": key_, "wide": wide} for _plugin, key_, _widget, wide in shown]
    gone = [key_ for key_, _widget in removed]
    known = {item["key"] for item in items} | set(gone)
    if action == "order":
        ranks = {name: index for index, name in enumerate(order or []) if name in known}
        items.sort(key=lambda item: ranks.get(item["key"], len(ranks)))
    elif key not in known:
        return True  # nothing of the user's: nothing to change
    elif action == "wide":
        for item in items:
            if item["key"] == key:
                item["wide"] = not item["wide"]
    elif action == "remove":
        items = [item for item in items if item["key"] != key]
        gone = gone + [key] if key not in gone else gone
    elif action == "add" and key in gone:
        gone = [name for name in gone if name != key]
        items.append({"key": key, "wide": False})
    with db.atomic():
        DashboardLayout.insert(user=user.id, items=items, removed=gone, updated_at=utcnow()).on_conflict(
            conflict_target=[DashboardLayout.user],
            update={DashboardLayout.items: items, DashboardLayout.removed: gone, DashboardLayout.updated_at: utcnow()}).execute()
    return True
