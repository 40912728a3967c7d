"""The low-code layer: custom fields, the form designer, processes and stages, record pages,
audit, import and export, for every plugin's entities and for entities made in the browser."""
from __future__ import annotations


def init_app(app) -> None:
    from .records import action_label
    from .types import number

    app.add_template_filter(action_label, "action_label")
    app.add_template_filter(number, "number")
