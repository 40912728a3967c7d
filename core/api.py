"""The plugin API: everything a plugin may import from salesdeck, in one module.

`from core.api import ...` is the contract of version `API_VERSION`: these names keep their
meaning within a major version (docs/plugins.md, "Internals for plugins", documents each). The rest
of `core` is internal and may change in any release; `tests/test_plugin_surface.py` fails when a
built-in plugin (or the sample plugin of the docs) imports it.
"""
# ruff: noqa: I001 - the imports are grouped by topic, as the guide presents them, not sorted
from __future__ import annotations

# -- the contract: hooks and what they return -------------------------------------------------------
from .contributions import (
    AgendaItem,
    AuditTerms,
    DataCheck,
    DashboardWidget,
    DefaultField,
    DefaultProcess,
    DefaultStage,
    DemoTeam,
    Dimension,
    Entity,
    FieldType,
    Metric,
    NavItem,
    PeriodicTask,
    Prize,
    RecordPanel,
    ReportPage,
    Source,
    Topic,
)
from .hookspecs import hookimpl
from .lowcode.types import Conversion, PatternCheck, TextType
from .plugins import API_VERSION

# -- the database -----------------------------------------------------------------------------------
from .db import BaseModel, db, is_sqlite, utcnow
from .lowcode.models import CustomisableModel, json_field
from .migration_helpers import add_customisable_columns, customisable_columns
from .changes import Unkept, count_changes, counting, kept_rows, remembered, stop_counting

# -- people, roles and what they may do -------------------------------------------------------------
from .models import ADMIN, CAPABILITIES, MANAGER, REP, ROLES, Team, User
from .auth import (
    get_changeable_or_404,
    get_visible_or_404,
    managed_team_ids,
    managed_teams,
    managed_user_ids,
    public,
    requires,
    restrict,
    scope,
)

# -- time and language ------------------------------------------------------------------------------
from .i18n import N_, local_day_sql, local_sql, local_time, locale_code, team_today, utc_time
from .i18n import label_text, label_texts, labels_from_form, lazy_label, same_as_catalogue, typed_labels
from .lowcode.models import Translated, TranslatedField, source_text
from .lowcode.types import number

# -- pages ------------------------------------------------------------------------------------------
from .shell import Page, date_from, id_from, list_url, page_number, paginate, render_fragment, render_page

# -- records admins customise (the low-code layer) --------------------------------------------------
from .lowcode import records
from .lowcode.definitions import add_field, too_long
from .lowcode.entities import EntitySchema, FieldSpec, get_entity
from .lowcode.models import AuditEntry
from .lowcode.views import cell, history

# -- processes and stages ---------------------------------------------------------------------------
from .lowcode.models import Process, Stage, StageMove
from .lowcode.processes import MoveResult, close_stays, current_stage, ensure_defaults, missing_fields, move, processes_of, stages_of

# -- what the enabled plugins offer -----------------------------------------------------------------
from .registry import agenda_items, entities, goal_targets, meeting_topics, metric_failed, metrics, prizes, data_checks, report_pages
from .lowcode.reports import AGGREGATES as REPORT_AGGREGATES
from .lowcode.reports import BUCKETS as REPORT_BUCKETS
from .lowcode.reports import TEAM as TEAM_GROUP
from .lowcode.reports import Grouping, ReportResult, ReportRow, groupable, measurable
from .lowcode.reports import run as run_report
from .downloads import csv_response, xlsx_response
from .charts import new_chart, room_for, svg_bytes, svg_data_url, svg_response
from .narrowing import dimension_choices, filter_words, metric_dimensions, narrowed_metric, read_filters

__all__ = [
    "API_VERSION", "hookimpl", "Conversion", "PatternCheck", "TextType",
    "AgendaItem", "AuditTerms", "DataCheck", "DashboardWidget", "DefaultField", "DefaultProcess", "DefaultStage", "DemoTeam", "Dimension",
    "Entity", "FieldType", "Metric", "NavItem", "PeriodicTask", "Prize", "RecordPanel", "ReportPage", "Source", "Topic",
    "BaseModel", "db", "is_sqlite", "utcnow", "CustomisableModel", "json_field",
    "add_customisable_columns", "customisable_columns", "count_changes", "counting", "kept_rows", "remembered", "stop_counting",
    "Unkept",
    "ADMIN", "CAPABILITIES", "MANAGER", "REP", "ROLES", "Team", "User",
    "get_changeable_or_404", "get_visible_or_404", "managed_team_ids", "managed_teams", "managed_user_ids", "public",
    "requires", "restrict", "scope",
    "N_", "local_day_sql", "local_sql", "local_time", "locale_code", "team_today", "utc_time",
    "label_text", "label_texts", "labels_from_form", "lazy_label", "same_as_catalogue", "typed_labels",
    "Translated", "TranslatedField", "source_text", "number",
    "Page", "date_from", "id_from", "list_url", "page_number", "paginate", "render_fragment", "render_page",
    "records", "add_field", "too_long", "EntitySchema", "FieldSpec", "get_entity", "AuditEntry", "cell", "history",
    "Process", "Stage", "StageMove", "MoveResult", "close_stays", "current_stage", "ensure_defaults", "missing_fields", "move",
    "processes_of", "stages_of",
    "agenda_items", "entities", "goal_targets", "meeting_topics", "metric_failed", "metrics", "prizes", "data_checks", "report_pages",
    "dimension_choices", "filter_words", "metric_dimensions", "narrowed_metric", "read_filters",
    "new_chart", "room_for", "svg_bytes", "svg_data_url", "svg_response", "csv_response", "xlsx_response",
    "REPORT_AGGREGATES", "REPORT_BUCKETS", "TEAM_GROUP", "Grouping", "ReportResult", "ReportRow", "groupable", "measurable",
    "run_report",
]
