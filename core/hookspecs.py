"""The plugin contract: every hook salesdeck calls, in one module.

A plugin is a module (or object) with functions marked `@hookimpl` and named after these specs.
Hooks are always called with keyword arguments; an implementation may accept any subset of them.
Parameters may be added to a hook in later versions, never renamed or removed.

Each hook has a section in docs/plugins.md, and a test named `test_hook_<name>...`; the test suite
fails when either is missing.
"""
from __future__ import annotations

import pluggy

PROJECT = "salesdeck"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


# -- Start-up: what a plugin brings ---------------------------------------------------------------


@hookspec
def register_models():
    """Declare the plugin's peewee models.

    Called once at start-up for every loaded plugin, enabled or not; all results are collected.
    The tables themselves are created by the plugin's migrations (see `register_migrations`).

    :returns: a list of `peewee.Model` classes derived from `core.db.BaseModel`, with table names
        prefixed by the plugin's name.
    """


@hookspec
def register_migrations():
    """Point salesdeck at the plugin's migrations.

    Called once at start-up for every loaded plugin; all results are collected. `salesdeck
    migrate` applies the pending ones (the core's first), and the server refuses to start while
    any is pending.

    :returns: the path of a folder of numbered peewee migration scripts (`0001_initial.py`, ...),
        each defining `up(migrator, db)`.
    """


@hookspec
def register_blueprints():
    """Add pages.

    Called once at start-up for every loaded plugin; all results are collected. While an admin has
    the plugin turned off, its blueprints answer 404.

    :returns: a list of `flask.Blueprint`, named after the plugin, `url_prefix="/<plugin>"`.
    """


@hookspec
def register_commands():
    """Add subcommands to the `salesdeck` command line.

    Called once at start-up; all results are collected.

    :returns: a list of `click.Command` (a `click.Group` to add several under one name).
    """


@hookspec
def register_periodic_tasks():
    """Declare work the task queue runs on a schedule (a nightly clean-up, reminders).

    Called once at start-up for every loaded plugin; all results are collected. The consumer
    (`salesdeck worker`, or the one `salesdeck serve` starts) runs each task inside the app
    context, with no signed-in user, and skips it while an admin has the plugin turned off. With
    several servers it may run once per server: the work must be safe to repeat.

    :returns: a list of `core.contributions.PeriodicTask` (a name, a function without arguments,
        and cron fields in UTC).
    """


# -- Registries: what the low-code layer and goals build on ---------------------------------------


@hookspec
def register_entities():
    """Declare the kinds of record admins may customise (custom fields, lists, forms).

    Called by the enabled plugins whenever the registry is rebuilt; all results are collected.

    :returns: a list of `core.contributions.Entity`.
    """


@hookspec
def register_field_types():
    """Add types of custom field beyond the built-in ones.

    Called by the enabled plugins whenever the registry is rebuilt; all results are collected.
    A later plugin's type replaces an earlier one with the same key.

    :returns: a list of `core.contributions.FieldType`.
    """


@hookspec
def register_processes():
    """Ship default processes (ordered stages) that admins then edit in the browser.

    Called by the enabled plugins whenever the registry is rebuilt; all results are collected.

    :returns: a list of `core.contributions.DefaultProcess`.
    """


@hookspec
def register_metrics():
    """Offer numbers that goals can target (won revenue, calls, focus hours, ...).

    Called by the enabled plugins whenever the registry is rebuilt; all results are collected.

    :returns: a list of `core.contributions.Metric`, whose `compute` runs one grouped SQL query.
    """


@hookspec
def describe_audit():
    """Say how the plugin's entries read in the audit log: the names of its actions, of what its
    entries are about, of the keys of its changes, and the words for their stored values.

    Called by the enabled plugins whenever the registry is rebuilt (once per request that shows
    the log); all results are merged. A key another plugin (or the core) already names keeps its
    first label, and the second is reported on the admin's plugin page. `value` and `title` are
    asked in turn until one answers; one that raises is left out and reported.

    :returns: a `core.contributions.AuditTerms`.
    """


@hookspec
def register_icons():
    """Add icons that the plugin's `NavItem` and `Entity` may name.

    Called by the enabled plugins whenever the registry is rebuilt; all results are merged. An
    icon is drawn on the core's 24x24 grid, stroked in the text colour. Only SVG path data is
    accepted (the `d` of a `<path>`): one whose data holds anything else, or whose name is taken
    (by a built-in icon or another plugin), is left out and reported on the admin's plugin page.

    :returns: a dict {name: path data} (a list of path data strings for several paths), names
        made of lowercase letters, digits, dots, dashes and underscores (`"contracts.seal"`).
    """


# -- Pages: data the core renders -----------------------------------------------------------------


@hookspec
def nav_items(user):
    """Add entries to the navigation.

    Called by the enabled plugins on every full page; all results are collected and sorted by
    `order`, then label. An implementation that raises is logged and skipped.

    :param user: the signed-in `core.models.User`; return nothing they may not open.
    :returns: a list of `core.contributions.NavItem`.
    """


@hookspec
def dashboard_widgets(user):
    """Add cards to the home page.

    Called by the enabled plugins when the home page renders; all results are collected and
    sorted by `order`. A widget whose hook or template raises is replaced by a short notice.

    :param user: the signed-in `core.models.User`.
    :returns: a list of `core.contributions.DashboardWidget`.
    """


@hookspec
def agenda_items(user, day):
    """Tell a user what to do on a day (due follow-ups, planned calls, ...) for the daily plan.

    Called by the enabled plugins when a plan renders; all results are collected.

    :param user: the `core.models.User` whose day it is.
    :param day: a `datetime.date` in the team's timezone.
    :returns: a list of `core.contributions.AgendaItem`.
    """


@hookspec
def meeting_topics(team, start, end):
    """Suggest points for a team meeting's agenda from the data (wins, stalled deals, goals at risk).

    Called by the enabled plugins when a manager opens a meeting (the team plugin asks through
    `core.api.meeting_topics`, once in each shipped language); all results are collected, and the
    agenda is stored as it stood. Return the same topics in the same order whatever the language.
    Keep the queries grouped for the whole team: a fixed number whatever the team's size.

    :param team: the `core.models.Team` meeting.
    :param start: the first day the meeting looks back to (the day after the last meeting).
    :param end: the meeting's day (a `datetime.date`, the team's day).
    :returns: a list of `core.contributions.Topic`.
    """


@hookspec
def award_prizes():
    """Offer prizes an award can give besides money (a course from the training catalogue).

    Called by the enabled plugins when a plugin asks `core.api.prizes()` (an award's form, its
    decision); all results are collected, and a later plugin's prize replaces an earlier one with
    the same key.

    :returns: a list of `core.contributions.Prize`.
    """


@hookspec
def data_checks():
    """Say what makes your records need fixing, for the data-health page (the analytics plugin):
    an open deal whose expected close has passed, a customer without a phone or an e-mail.

    Called when the page is shown; all results are collected. Keep each check one statement:
    prefer the record list's filters (counted by the core's report engine, within the row scope).

    :returns: a list of `core.contributions.DataCheck`.
    """


@hookspec
def report_pages(user):
    """List your plugin's ready-made report pages for `user`, for the Reports page's "Built-in
    reports" (the pipeline's products and customer segments, the analytics plugin's trend).

    Called when the Reports page is shown; all results are collected. Leave out a page the user
    may not open.

    :param user: the signed-in user the page is shown to.
    :returns: a list of `core.contributions.ReportPage`.
    """


@hookspec
def goal_targets(metric, filters, user_ids, start, end):
    """Tell what each user's goal is for a metric over exactly one period (the goals plugin answers),
    for a plugin that measures attainment (commission tiers) without importing the goals plugin.

    Called when a plugin asks `core.api.goal_targets`; the answers are merged (a later plugin's
    target for a user replaces an earlier one's).

    :param metric: a metric key ("pipeline.won_revenue").
    :param filters: {dimension key: value} the goal is narrowed to ({} for none).
    :param user_ids: the users asked about.
    :param start: the period's first day (a `datetime.date`).
    :param end: the period's last day (a month's, a quarter's).
    :returns: {user_id: Decimal target} for the users who have such a goal.
    """


@hookspec
def record_panels(entity, record, user):
    """Add panels to a record's page, including another plugin's (a contract panel on a deal).

    Called by the enabled plugins when a record's page renders (the generic record page and the
    pipeline's deal and customer pages), only after the page checked the user may see the record;
    all results are collected and sorted by `order`, then title. A panel whose hook or template
    raises is replaced by a short notice. The page runs each implementation once, so keep its own
    queries bounded (a fixed number, never one per related row).

    :param entity: the entity key, such as "pipeline.deal".
    :param record: the peewee model instance shown.
    :param user: the signed-in `core.models.User`; return nothing they may not see.
    :returns: a list of `core.contributions.RecordPanel`.
    """


# -- Events: notifications, results ignored -------------------------------------------------------


@hookspec
def on_record_saved(entity, record, created, changes, user):
    """A record was created or changed.

    Called for the enabled plugins after the change is written, inside its transaction; return
    values are ignored and an implementation that raises is logged, not propagated.

    :param entity: the entity key, such as "pipeline.deal".
    :param record: the saved peewee model instance.
    :param created: True for a new record.
    :param changes: {field: (before, after)} for each changed field.
    :param user: the `core.models.User` who made the change, or None for the system.
    """


@hookspec
def on_stage_changed(entity, record, from_stage, to_stage, user):
    """A record moved from one stage of its process to another.

    Called for the enabled plugins after the move is written; return values are ignored and an
    implementation that raises is logged, not propagated.

    :param entity: the entity key, such as "pipeline.deal".
    :param record: the moved peewee model instance.
    :param from_stage: the `core.lowcode.models.Stage` it left (None for a new record): `key`,
        `label`, `kind` ("open", "won" or "lost"), `probability`, `process`.
    :param to_stage: the `Stage` it entered.
    :param user: the `core.models.User` who moved it, or None for the system.
    """


@hookspec
def on_enabled(user):
    """The plugin was switched on; catch up on what happened while it was off.

    Called once, on that plugin only, after an admin turned it on (and the switch is written);
    other plugins are not told. While a plugin is off none of its `on_*` hooks run, so records
    saved or moved meanwhile were never announced to it: this is where it looks them up (a query
    for what changed since it was turned off). Return values are ignored and an implementation
    that raises is logged and shown on the plugins page, not propagated; the switch stays on.

    :param user: the `core.models.User` who turned it on, or None (a command, a test).
    """


@hookspec
def on_disabled(user):
    """The plugin was switched off: its hooks and pages stop from the next request on.

    Called once, on that plugin only, after an admin turned it off (and the switch is written),
    so it can note when (to catch up later in `on_enabled`) or stop outside work. Return values
    are ignored and an implementation that raises is logged, not propagated; the switch stays off.

    :param user: the `core.models.User` who turned it off, or None (a command, a test).
    """


# -- Demo -----------------------------------------------------------------------------------------


@hookspec
def demo_data(team, rng):
    """Fill an empty installation with believable example records.

    Called once by `salesdeck init --demo` or `salesdeck demo`, for the enabled plugins, inside
    one transaction after the demo people exist; return values are ignored. For a plugin installed
    after the demo, `salesdeck demo --plugin NAME` calls it once on that plugin alone, with the
    demo team already there. An implementation that raises is reported and its records not kept.

    :param team: a `core.contributions.DemoTeam` (team, admin, manager, reps).
    :param rng: a seeded `random.Random`; use it instead of `random` so demos are repeatable.
    """
