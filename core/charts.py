"""Charts as SVG drawn on the server (pygal), without script: embedded in a page as images (data
URLs, which the Content-Security-Policy allows) or served alone at their own URL. The numbers are
always in a table beside them; an SVG image runs no script anyway."""
from __future__ import annotations

import base64
import unicodedata
from xml.etree import ElementTree

from flask import make_response
from flask_babel import gettext as _
from pygal.style import Style

CHART_STYLE = Style(
    background="#ffffff", plot_background="#ffffff", foreground="#1e2430", foreground_strong="#1e2430",
    foreground_subtle="#667085", colors=("#2458d3", "#1d7f47", "#c8322b", "#a55b00", "#6b3fb8", "#0f766e"),
    font_family='system-ui, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif',
    label_font_size=12, major_label_font_size=12, legend_font_size=12, value_font_size=11, title_font_size=14,
)
# An SVG drawn by pygal carries its own <style>; served alone (never inline in a page) it may keep it.
CHART_POLICY = "default-src 'none'; style-src 'unsafe-inline'"


def new_chart(kind, **options):
    """A pygal chart of `kind` (pygal.Bar, pygal.Line, ...) in the app's style, without script."""
    settings = {"js": [], "style": CHART_STYLE, "width": 720, "height": 320, "legend_at_bottom": True, "print_values": False,
                "show_y_guides": True, "margin": 12, "no_data_text": _("No data"), **options}
    return kind(**settings)


def svg_bytes(chart) -> bytes:
    """The chart as an SVG document without pygal's script (its tooltips)."""
    tree = chart.render_tree()
    for parent in tree.iter():
        for child in list(parent):
            if isinstance(child.tag, str) and child.tag.endswith("script"):
                parent.remove(child)
            elif isinstance(child.tag, str) and child.tag.rpartition("}")[2] == "title" and child.text == "Pygal":  # pygal's name
                child.text = _("Chart")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(tree, encoding="unicode")).encode("utf-8")


def svg_data_url(chart) -> str:
    """The chart as an <img src=...> a page embeds."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg_bytes(chart)).decode("ascii")


def svg_response(chart):
    """The chart served alone, under a policy that lets its own style apply and nothing else."""
    response = make_response(svg_bytes(chart))
    response.headers["Content-Type"] = "image/svg+xml; charset=utf-8"
    response.headers["Content-Security-Policy"] = CHART_POLICY
    response.headers["Cache-Control"] = "private, max-age=60"
    return response


def room_for(labels: list[str]) -> int:
    """Extra left margin for labels in Chinese: pygal sizes labels as if every character were as
    narrow as a Latin one, and a CJK character is about twice as wide."""
    wide = max((sum(1 for char in str(label) if unicodedata.east_asian_width(char) in "WF") for label in labels), default=0)
    return 12 + int(wide * CHART_STYLE.label_font_size * .5)
