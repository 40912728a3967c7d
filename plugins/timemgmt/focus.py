"""The focus timer (pomodoro): one running session per person, kept on the server so it survives
page changes, reloads and a second tab; a finished one stays as the log."""
from __future__ import annotations

import datetime

from flask_babel import gettext as _

from core.api import User, db, utcnow

from .models import FocusSession, Preference, Task
from .services import NOTES_LIMIT, Refused, clean_minutes, clean_text


def preference(user: User) -> Preference:
    return Preference.get_or_none(Preference.user == user.id) or Preference(user=user.id)


def save_preference(user: User, focus_minutes, break_minutes) -> Preference:
    focus = clean_minutes(focus_minutes, 5, 180)
    rest = clean_minutes(break_minutes, 1, 60)
    if focus is None or rest is None:
        raise Refused(_("Give both lengths in minutes."))
    with db.atomic():
        if Preference.get_or_none(Preference.user == user.id) is None:
            Preference.create(user=user.id, focus_minutes=focus, break_minutes=rest)
        else:
            Preference.update(focus_minutes=focus, break_minutes=rest).where(Preference.user == user.id).execute()
    return preference(user)


def running(user) -> FocusSession | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return (FocusSession.select().where(FocusSession.owner == user.id, FocusSession.finished_at.is_null())
            .order_by(FocusSession.id.desc()).first())


def remaining(session: FocusSession, now: datetime.datetime | None = None) -> int:
    """Seconds left, never below 0; a paused session keeps what it had when paused."""
    now = session.paused_at or now or utcnow()
    spent = (now - session.started_at).total_seconds() - session.paused_seconds
    return max(0, int(session.minutes * 60 - spent))


def start(user: User, task: Task | None, kind: str = "focus") -> FocusSession:
    if kind not in ("focus", "break"):
        raise Refused(_("Start a focus session or a break."))
    prefs = preference(user)
    with db.atomic():
        current = running(user)
        if current is not None:
            _finish(current)
        return FocusSession.create(owner=user.id, task=task.id if task else None, kind=kind,
                                   minutes=prefs.focus_minutes if kind == "focus" else prefs.break_minutes)


def pause(user: User) -> FocusSession:
    session = _running_or_refuse(user)
    if session.paused_at is None:
        with db.atomic():
            FocusSession.update(paused_at=utcnow()).where(FocusSession.id == session.id).execute()
    return FocusSession.get_by_id(session.id)


def resume(user: User) -> FocusSession:
    session = _running_or_refuse(user)
    if session.paused_at is not None:
        paused = int((utcnow() - session.paused_at).total_seconds())
        with db.atomic():
            FocusSession.update(paused_at=None, paused_seconds=session.paused_seconds + paused).where(
                FocusSession.id == session.id).execute()
    return FocusSession.get_by_id(session.id)


def interrupt(user: User, note) -> FocusSession:
    session = _running_or_refuse(user)
    note = clean_text(note, NOTES_LIMIT // 10, _("The note"))
    with db.atomic():
        entries = list(session.interruptions or []) + [{"at": utcnow().isoformat(timespec="seconds"), "note": note}]
        FocusSession.update(interruptions=entries[:100]).where(FocusSession.id == session.id).execute()
    return FocusSession.get_by_id(session.id)


def finish(user: User) -> FocusSession:
    session = _running_or_refuse(user)
    with db.atomic():
        _finish(session)
    return FocusSession.get_by_id(session.id)


def _finish(session: FocusSession) -> None:
    if session.paused_at is not None:
        session.paused_seconds += int((utcnow() - session.paused_at).total_seconds())
    completed = remaining(FocusSession(minutes=session.minutes, started_at=session.started_at, paused_seconds=session.paused_seconds)) == 0
    FocusSession.update(finished_at=utcnow(), paused_at=None, paused_seconds=session.paused_seconds,
                        completed=completed).where(FocusSession.id == session.id).execute()


def _running_or_refuse(user: User) -> FocusSession:
    session = running(user)
    if session is None:
        raise Refused(_("No focus session is running."))
    return session


def log(user: User, limit: int = 20) -> list[FocusSession]:
    return list(FocusSession.select().where(FocusSession.owner == user.id, FocusSession.finished_at.is_null(False))
                .order_by(FocusSession.finished_at.desc()).limit(limit))


def clock(seconds: int) -> str:
    return f"{seconds // 60:02d}:{seconds % 60:02d}"
