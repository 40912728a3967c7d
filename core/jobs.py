"""Background work: a huey task queue stored through peewee in the app's own database.

`init_app` builds one `huey` instance per app (in `app.extensions["salesdeck.huey"]`) on the same
database as everything else: SQLite on one machine, PostgreSQL past it, no Redis. Its four tables
(`core_job_*`) are created by the core's migration 0005. `salesdeck worker` runs the consumer;
`salesdeck serve` starts one beside gunicorn. A task survives the death of the web worker that
queued it; a task whose consumer died is noticed by its own bookkeeping (an import's heartbeat).

Plugins declare periodic work through the `register_periodic_tasks` hook; the consumer's scheduler
runs it, so nothing needs a cron line.

Tests (`TESTING`) run tasks at once, inside the call that queues them (huey's immediate mode),
unless `JOBS_IMMEDIATE` is False.
"""
from __future__ import annotations

import contextlib

from flask import current_app, g
from huey import Huey, crontab
from huey.contrib.sql_huey import SqlStorage

from .db import db

TABLE_PREFIX = "core_job_"


class JobStorage(SqlStorage):
    """huey's peewee storage with salesdeck's table names (created by a migration, not here)."""

    def __init__(self, name="salesdeck", database=None, **kwargs):
        super().__init__(name, database=database, create_tables=False, **kwargs)

    def create_models(self):
        """huey's four models (as `SqlStorage` declares them), under salesdeck's table names."""
        import peewee
        from huey.contrib.sql_huey import BytesBlobField

        database = self.database

        class Base(peewee.Model):
            class Meta:
                legacy_table_names = False

        Base._meta.database = database

        class KV(Base):
            queue = peewee.CharField()
            key = peewee.CharField()
            value = BytesBlobField()

            class Meta:
                table_name = TABLE_PREFIX + "kv"
                primary_key = peewee.CompositeKey("queue", "key")

        class Schedule(Base):
            queue = peewee.CharField()
            data = BytesBlobField()
            timestamp = peewee.TimestampField(resolution=1000)

            class Meta:
                table_name = TABLE_PREFIX + "schedule"
                indexes = ((("queue", "timestamp"), False),)

        class Task(Base):
            queue = peewee.CharField()
            data = BytesBlobField()
            priority = peewee.FloatField(default=0.0)

            class Meta:
                table_name = TABLE_PREFIX + "task"

        Task.add_index(Task.priority.desc(), Task.id)

        class Counter(Base):
            queue = peewee.CharField()
            key = peewee.CharField()
            value = peewee.IntegerField()

            class Meta:
                table_name = TABLE_PREFIX + "counter"
                primary_key = peewee.CompositeKey("queue", "key")

        return KV, Schedule, Task, Counter


def storage_models(database) -> list:
    """The queue's tables on `database` (for the migration that creates them)."""
    return list(JobStorage(database=database).create_models())


def huey_of(app=None) -> Huey:
    return (app or current_app).extensions["salesdeck.huey"]


def _in_app(app, function):
    """A task body run inside an app context of `app` (its database connection closes after)."""

    def run(*args, **kwargs):
        with app.app_context():
            return function(*args, **kwargs)

    run.__name__ = getattr(function, "__name__", "task")
    return run


@contextlib.contextmanager
def as_user(user):
    """Run the block as `user`: a request context in which `current_user` is them (the row
    scope, the audit log and the reader's language all follow), as in the request that asked."""
    with current_app.test_request_context():
        g._login_user = user  # what Flask-Login keeps for the signed-in user of a request
        yield


def enqueue(name: str, *args) -> None:
    """Queue the task registered as `name`. In immediate mode it runs before this returns."""
    current_app.extensions["salesdeck.tasks"][name](*args)


def _periodic(app, plugin: str, job):
    """A plugin's periodic work, skipped while an admin has the plugin switched off."""
    from .plugins import host_of

    def run():
        host = host_of(app)
        host.refresh()
        if not host.enabled(plugin):
            return
        try:
            job.run()
        except Exception as exc:  # noqa: BLE001 - shown on the plugins page, as a failing hook is
            host.record_error(plugin, f"periodic task {job.name}", exc)

    return run


def _schedule(huey: Huey, app, job, run) -> None:
    when = crontab(minute=job.minute, hour=job.hour, day=job.day, month=job.month, day_of_week=job.day_of_week)
    huey.periodic_task(when, name=job.name)(_in_app(app, run))


def init_app(app, host) -> Huey:
    """Build the app's task queue and register the core's tasks and the plugins' periodic ones."""
    from .lowcode import imports

    immediate = app.config.get("JOBS_IMMEDIATE")
    if immediate is None:
        immediate = bool(app.config.get("TESTING"))
    huey = Huey("salesdeck", storage_class=JobStorage, database=db.obj, immediate=immediate, results=False, utc=True)
    app.extensions["salesdeck.tasks"] = {name: huey.task(name=name)(_in_app(app, function))
                                         for name, function in imports.TASKS.items()}
    for job in imports.PERIODIC:
        _schedule(huey, app, job, job.run)
    for plugin, periodic in host.results("register_periodic_tasks", include_disabled=True):
        for job in periodic:
            try:  # a bad schedule or a name taken twice leaves this task out, with a message
                _schedule(huey, app, job, _periodic(app, plugin, job))
            except Exception as exc:  # noqa: BLE001
                host.record_error(plugin, "register_periodic_tasks", exc)
    app.extensions["salesdeck.huey"] = huey
    return huey


def consumer(app, workers: int = 1, worker_type: str = "thread"):
    """A consumer of the app's queue (not started): `.run()` blocks, `.start()`/`.stop()` do not."""
    huey = huey_of(app)
    if huey.immediate:
        huey.immediate = False
    return huey.create_consumer(workers=workers, worker_type=worker_type, periodic=True, initial_delay=0.1,
                                backoff=1.15, max_delay=2.0, check_worker_health=True)
