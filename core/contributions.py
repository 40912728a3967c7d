"""What plugins hand to the core through hooks: plain data, rendered by the core.

Each dataclass here is the return shape of one or more hooks in `core.hookspecs`. New fields are
always added with a default, so a plugin written against an older salesdeck keeps working.
"""
from __future__ import annotations

import dataclasses
import datetime
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class NavItem:
    """An entry in the navigation. `endpoint` is passed to `url_for` with `values`."""

    label: str
    endpoint: str
    icon: str = "dot"
    order: int = 100
    values: dict = field(default_factory=dict)
    section: str = "main"  # "main", "admin", or "top" (a tool in the top bar that loads its endpoint's fragment)


@dataclass(frozen=True)
class DashboardWidget:
    """A card on the home page: `template` (namespaced by the plugin) rendered with `context`."""

    title: str
    template: str
    context: dict = field(default_factory=dict)
    order: int = 100
    wide: bool = False  # two columns wide unless the user narrows it
    key: str = ""  # names the card in a user's arrangement (default: its template); set it when one template makes several cards


@dataclass(frozen=True)
class ReportPage:
    """A ready-made report page (`report_pages`): listed under "Built-in reports" on the Reports
    page, linked as `url_for(endpoint, **values)`, sorted by `order`, then label."""

    label: str
    endpoint: str
    description: str = ""
    order: int = 100
    values: dict = field(default_factory=dict)


@dataclass(frozen=True)
class RecordPanel:
    """A card on a record's page (`record_panels`): `template` (namespaced by the plugin, .html)
    rendered with `context`, under `title`; panels are sorted by `order`, then title."""

    title: str
    template: str
    context: dict = field(default_factory=dict)
    order: int = 100


@dataclass(frozen=True)
class AuditTerms:
    """How a plugin's entries read in the audit log (`describe_audit`), so the log shows words, not
    keys: each dict maps a key to a lazily translated label.

    - `actions`: what `records.audit(action, ...)` recorded ("sign" -> "signed the contract")
    - `subjects`: what an entry is about when that is no entity ("contracts:settings" -> "Contract
      settings"), for the log's filter and its rows
    - `changes`: the keys of the changes the plugin records that are no field of a form
    - `value(key, stored)`: the words for a stored value of one of those changes (ids as names,
      keys as labels), or None to leave the value to the core
    - `title(subject, stored)`: the words for an entry's title under one of the plugin's subjects
      (a key stored as the title), or None to show it as stored
    """

    actions: dict = field(default_factory=dict)
    subjects: dict = field(default_factory=dict)
    changes: dict = field(default_factory=dict)
    value: Callable[[str, Any], Any] | None = None
    title: Callable[[str, str], Any] | None = None


@dataclass(frozen=True)
class AgendaItem:
    """Something a user should do on a given day, shown in the daily plan."""

    title: str
    url: str | None = None
    due: datetime.datetime | None = None
    kind: str = ""  # a short label such as "Call" or "Visit"
    done: bool = False
    overdue: bool = False
    # Where it falls in the urgent x important matrix of My day; None: the plugin does not say
    # (My day then counts an overdue item as urgent and leaves it unimportant).
    important: bool | None = None
    urgent: bool | None = None


@dataclass(frozen=True)
class Topic:
    """A point for a team meeting's agenda (`meeting_topics`), built from the data when a meeting
    opens: deals won to celebrate, deals stalled, goals at risk, follow-ups overdue.

    `kind` is a short key ("pipeline.won", "goals.at_risk"); `lines` are the details, each a
    (text, url or None) pair; `owner` is the id of the user the point is about, if any; topics are
    shown by `order`, then title, until the manager reorders them.
    """

    kind: str
    title: str
    lines: tuple = ()
    owner: int | None = None
    order: int = 100


@dataclass(frozen=True)
class DataCheck:
    """A check of the data's health (`data_checks`): the records of `entity` that need fixing, as
    the record list's filters select them (`filters`: ((field key, operator, value), ...)), counted
    per owner within the reader's row scope and linked to the filtered list. For what the list
    cannot express, `count(user)` -> {owner id: records} (within `user`'s row scope) and `url`."""

    key: str  # namespaced: "pipeline.overdue_close"
    label: str
    entity: str
    filters: tuple = ()
    count: Callable[..., dict] | None = None
    url: str | None = None
    order: int = 100


@dataclass(frozen=True)
class Prize:
    """Something an award can give besides money (`award_prizes`): a course of the training
    catalogue. `give(user, giver, reason)` hands it to `user` (a `User`) on behalf of `giver` and
    returns a short text of what was given; it raises `ValueError` with a message when it cannot."""

    key: str  # namespaced: "team.course:12"
    label: str
    give: Callable[..., str]


@dataclass(frozen=True)
class Dimension:
    """What a metric can be narrowed to, the goal's "Specific": a product, a region, a select field.

    `choices()` -> [(value, label)]: the values offered (labels in the reader's language), read when
    a form shows them; a goal keeps only a value from this list.
    """

    key: str  # within the metric: "product", "customer.level"
    label: str
    choices: Callable[[], list[tuple[str, str]]]


@dataclass(frozen=True)
class Source:
    """A record behind a metric's number (a deal won), or one that could still add to it (an open
    deal): how a statement explains a payout line and what a what-if offers to pick."""

    label: str
    url: str | None = None  # None outside a request (a command, the demo)
    value: Any = None  # what the record adds to the metric: its amount, or 1 for a count
    day: datetime.date | None = None
    entity: str | None = None  # the record's entity and id, when it is one the low-code layer knows
    record_id: int | None = None


@dataclass(frozen=True)
class Metric:
    """A number goals can target, computed in SQL for many users over one date range.

    `compute(user_ids=[...], start=date, end=date)` returns {user_id: value} with one grouped
    query, never one query per user. `end` is inclusive; dates are the team's days.

    Optional, for richer goals:
    - `daily(user_ids, start, end)` -> {user_id: {date: value}}, one grouped query: the same number
      day by day (for a metric that adds up: counts and sums). Goals then show progress for many
      periods and burn-up charts from one query per metric.
    - `expected(user_ids, start, end)` -> {user_id: {date: value}}: what is likely to come on top,
      day by day (won revenue: open deals' amount × probability, on their expected close dates).
    - `dimensions()` -> [Dimension]: what the metric can be narrowed to. A metric that declares
      dimensions takes `filters={dimension key: value}` in `compute`, `daily` and `expected` (one
      value per dimension, all of them applying), still in one grouped query; it is never passed
      `filters` otherwise. `metric.filtered(filters)` is the metric narrowed, for code that counts.
    - `amount_of`: the key of the metric this one is the amount of (won revenue is the amount of
      deals won), and `leads_to`: the key of the metric this one leads to (quotes lead to deals
      won, visits to quotes, calls to visits). Goals walk these links backwards to say how many
      calls and visits a revenue target takes.
    - `sources(user_ids, start, end, filters=None)` -> {user_id: [Source]}: the records the number
      comes from, for a statement that explains itself; `open_items(user_ids, start, end,
      filters=None)` -> {user_id: [Source]}: the records that could still count in the period (open
      deals expected to close in it), for a what-if. Each one grouped query; at most 500 per user.
    """

    key: str  # namespaced: "pipeline.won_revenue"
    label: str
    compute: Callable[..., dict[int, Any]]
    unit: str = ""  # "", "currency", "hours", ...
    description: str = ""
    daily: Callable[..., dict[int, dict]] | None = None
    expected: Callable[..., dict[int, dict]] | None = None
    amount_of: str | None = None
    leads_to: str | None = None
    dimensions: Callable[[], list[Dimension]] | None = None
    sources: Callable[..., dict[int, list]] | None = None
    open_items: Callable[..., dict[int, list]] | None = None
    filters: tuple = ()  # set by `filtered`: the (dimension key, value) pairs it is narrowed to

    def filtered(self, filters: dict | None) -> Metric:
        """This metric narrowed to `filters`: its `compute`, `daily` and `expected` pass them on.
        Without filters, the metric itself."""
        if not filters:
            return self

        def narrowed(function):
            return functools.partial(function, filters=dict(filters)) if function is not None else None

        return dataclasses.replace(self, compute=narrowed(self.compute), daily=narrowed(self.daily),
                                   expected=narrowed(self.expected), sources=narrowed(self.sources),
                                   open_items=narrowed(self.open_items), filters=tuple(sorted(filters.items())))


@dataclass(frozen=True)
class Entity:
    """A kind of record the low-code layer can customise (custom fields, lists, forms).

    `model` derives from `core.lowcode.models.CustomisableModel`; `form` is the base WTForms class
    whose fields come first in the effective form; `title_field` names the field that identifies a
    record; `stage_field` names the model's foreign key to `core.lowcode.models.Stage` when the
    records move through a process.
    """

    key: str  # namespaced: "pipeline.deal"
    label: str
    model: Any
    form: Any = None
    icon: str = "dot"
    list_columns: tuple = ()
    owner_field: str | None = "owner"  # None: everyone sees every record (a product catalogue)
    title_field: str | None = None
    stage_field: str | None = None
    plural: str | None = None
    unowned_visible: bool = False  # records without an owner are everyone's (a customer pool)
    editors: tuple = ()  # roles that may create, edit and delete; empty: everyone who sees a record
    # find_duplicates(rows: list[dict]) -> one list per row of (record id, title, why): likely
    # duplicates among existing records, for the new-record form's warning and the import's check.
    # Called with many rows at once, so it should look records up in a fixed number of queries.
    find_duplicates: Callable[..., list] | None = None
    # page(record_id) -> URL of the plugin's own page for a record (a deal with its timeline);
    # lists, links and saves lead there. None: the generic record page.
    page: Callable[[int], str] | None = None
    # formula_values(records: list) -> one dict per record of what calculated fields read besides
    # the stored fields, keyed by number field: a deal's `probability` is its stage's when the deal
    # has none. Called on every save and stage move, and with many records at once when formulas
    # are worked out again, so it should look things up in a fixed number of queries.
    formula_values: Callable[[list], list[dict]] | None = None
    # The model's column an import sets to the import's id on the records it creates (an
    # IntegerField, null=True): numbers such as "new customers" can then leave imports out.
    import_field: str | None = None
    # Fields shipped as data: created once as custom fields, then edited by admins like any other.
    default_fields: tuple = ()


@dataclass(frozen=True)
class DefaultField:
    """A field a plugin ships as data (`Entity.default_fields`): created once, the first time the
    entity is used with none of that key, then edited in the designer like any custom field
    (labels in each language, options, order, required, archived). Its key and type stay, so the
    plugin can rely on `record.custom[key]`.

    `type` is a field type's key ("select", "longtext", "link", ...); `options` as that type takes
    them: `{"choices": [("annual", _l("Annual")), ...]}` for a select (labels in each language from
    the plugin's catalogue), `{"entity": "pipeline.deal"}` for a link.
    """

    key: str
    label: str
    type: str
    options: dict = field(default_factory=dict)
    required: bool = False
    help: str = ""


@dataclass(frozen=True)
class DefaultStage:
    """A default stage; admins then edit it in the browser."""

    key: str
    label: str
    probability: int = 0
    kind: str = "open"  # "open", "won" or "lost"
    color: str = "slate"  # slate, blue, green, amber, red, purple, teal or pink
    required_fields: tuple = ()  # field keys a record needs before it may enter
    needs_approval: bool = False
    followup_days: int | None = None


@dataclass(frozen=True)
class DefaultProcess:
    """A default sales process a plugin ships; admins then edit its stages in the browser."""

    key: str  # namespaced: "pipeline.sales"
    label: str
    entity: str  # the entity whose records move through the stages
    stages: tuple[DefaultStage, ...] = ()


@dataclass(frozen=True)
class PeriodicTask:
    """Work the task queue runs on a schedule: `run()` takes no arguments; the cron fields (UTC)
    say when, as huey's `crontab` reads them ("*/15", "2", "1-5")."""

    name: str
    run: Callable[[], Any]
    minute: str = "0"
    hour: str = "*"
    day: str = "*"
    month: str = "*"
    day_of_week: str = "*"




@dataclass
class DemoTeam:
    """The people `salesdeck demo` created, handed to every plugin's `demo_data`."""

    team: Any
    admin: Any
    manager: Any
    reps: list = field(default_factory=list)


from .lowcode.types import FieldType  # noqa: E402, F401  (re-exported: the class plugins subclass for new types)
