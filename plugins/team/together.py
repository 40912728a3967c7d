"""Team-building: team activities and joint projects (across teams too), who took part, photos
(type and size checked by their bytes, kept in the instance folder), and peer thanks."""
from __future__ import annotations

import secrets
from pathlib import Path

import peewee
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.api import Team, User, db, managed_team_ids, managed_user_ids

from .models import EventMember, Photo, TeamEvent, Thanks
from .services import TEXT_MAX, TeamError

KINDS = {"activity": _l("Team activity"), "project": _l("Joint project")}
PHOTO_MAX = 5 * 1024 * 1024
PHOTO_TYPES = {"jpeg": ("image/jpeg", (".jpg", ".jpeg")), "png": ("image/png", (".png",)), "webp": ("image/webp", (".webp",))}
MEMBERS_MAX = 200


def visible_events(user):
    """The events `user` may see: their team's, the ones they take part in or created, and (a
    manager) those of the teams they run or with the people they lead taking part; an admin all."""
    query = TeamEvent.select()
    if user.may("see_everything"):
        return query
    taking_part = EventMember.select(EventMember.event).where(EventMember.user == user.id)
    condition = (TeamEvent.created_by == user.id) | TeamEvent.id.in_(taking_part)
    if user.team_id:
        condition |= TeamEvent.team == user.team_id
    if user.may("lead_teams"):
        led = EventMember.select(EventMember.event).where(EventMember.user.in_(managed_user_ids(user)))
        condition |= TeamEvent.team.in_(managed_team_ids(user)) | TeamEvent.id.in_(led)
    return query.where(condition)


def may_change(user, event) -> bool:
    """The one who created it, a manager of its team, an admin; for a project across teams, its members too."""
    if user.may("see_everything") or event.created_by_id == user.id:
        return True
    if event.team_id is not None:
        return user.may("lead_teams") and Team.select().where(Team.id == event.team_id, Team.manager == user.id).exists()
    return EventMember.select().where(EventMember.event == event.id, EventMember.user == user.id).exists()


def teams_of(user) -> list[Team]:
    """The teams whose events `user` may create: their own team and the teams they run."""
    condition = Team.id == (user.team_id or 0)
    if user.may("see_everything"):
        return list(Team.select().order_by(Team.name))
    if user.may("lead_teams"):
        condition |= Team.id.in_(managed_team_ids(user))
    return list(Team.select().where(condition).order_by(Team.name))


def create(values: dict, user) -> TeamEvent:
    name = (values.get("name") or "").strip()
    if not name or len(name) > 200:
        raise TeamError(_("Give it a name of up to 200 characters."))
    if values.get("kind") not in KINDS:
        raise TeamError(_("Pick the kind from the list."))
    if values.get("day") is None:
        raise TeamError(_("Give the day as YYYY-MM-DD."))
    notes = (values.get("notes") or "").strip()
    if len(notes) > TEXT_MAX:
        raise TeamError(_("%(what)s is longer than %(limit)d characters.", what=_("The notes"), limit=TEXT_MAX))
    team_id = values.get("team")
    if team_id is not None and team_id not in {team.id for team in teams_of(user)}:
        raise TeamError(_("Pick one of your teams, or none for a project across teams."))
    members = sorted({member for member in values.get("members", []) if member is not None} | {user.id})
    if len(members) > MEMBERS_MAX:
        raise TeamError(_("At most %(count)d people take part.", count=MEMBERS_MAX))
    found = {person.id for person in User.select(User.id).where(User.id.in_(members), User.active == True)}  # noqa: E712 - SQL
    if found != set(members):
        raise TeamError(_("Pick the people from the list."))
    with db.atomic():
        event = TeamEvent.create(team=team_id, kind=values["kind"], name=name, day=values["day"], notes=notes, created_by=user.id)
        EventMember.insert_many([{"event": event.id, "user": member} for member in members]).execute()
    return event


def members_of(event) -> list[User]:
    return list(User.select().join(EventMember, on=(EventMember.user == User.id)).where(EventMember.event == event.id).order_by(User.name))


def photos_of(event) -> list[Photo]:
    return list(Photo.select().where(Photo.event == event.id).order_by(Photo.id))


def _folder() -> Path:
    folder = Path(current_app.config["INSTANCE_PATH"]) / "team-photos"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def path_of(photo: Photo) -> Path:
    return _folder() / photo.stored


def sniff(raw: bytes) -> str | None:
    """The image type the bytes are (not what the name or the browser says), or None."""
    if raw.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if raw.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if raw[:4] == b"RIFF" and raw[8:12] == b"WEBP":
        return "webp"
    return None


def add_photo(event, upload, user) -> Photo:
    if upload is None or not upload.filename:
        raise TeamError(_("Choose a photo to upload."))
    raw = upload.read(PHOTO_MAX + 1)
    if len(raw) > PHOTO_MAX:
        raise TeamError(_("A photo is at most %(size)d MB.", size=PHOTO_MAX // (1024 * 1024)))
    kind = sniff(raw)
    name = Path(upload.filename).name[:255] or "photo"
    if kind is None or not name.lower().endswith(PHOTO_TYPES[kind][1]):
        raise TeamError(_("A photo is a JPEG, PNG or WebP file (with its usual extension)."))
    stored = f"{secrets.token_hex(16)}{PHOTO_TYPES[kind][1][0]}"
    (_folder() / stored).write_bytes(raw)
    try:
        return Photo.create(event=event.id, filename=name, stored=stored, content_type=PHOTO_TYPES[kind][0], size=len(raw),
                            uploaded_by=user.id)
    except peewee.PeeweeException:
        (_folder() / stored).unlink(missing_ok=True)
        raise


# -- peer thanks ----------------------------------------------------------------------------------


def thank(receiver_id, note: str, user) -> Thanks:
    note = (note or "").strip()
    if not note or len(note) > 300:
        raise TeamError(_("A thank-you note takes 1 to 300 characters."))
    receiver = User.get_or_none(User.id == receiver_id, User.active == True) if receiver_id else None  # noqa: E712 - SQL
    if receiver is None or receiver.id == user.id:
        raise TeamError(_("Pick a colleague to thank."))
    return Thanks.create(sender=user.id, receiver=receiver.id, note=note)


def colleagues(user) -> list[User]:
    """Whom the thanks form offers: everyone active but oneself (thanks cross teams too)."""
    return list(User.select().where(User.active == True, User.id != user.id).order_by(User.name))  # noqa: E712 - SQL


def recent_thanks(team_ids: list[int], limit: int = 20) -> list[Thanks]:
    """The thanks received by the members of these teams, newest first."""
    if not team_ids:
        return []
    sender = User.alias()
    return list(Thanks.select(Thanks, User, sender).join(User, on=(Thanks.receiver == User.id)).switch(Thanks)
                .join(sender, on=(Thanks.sender == sender.id)).where(User.team.in_(team_ids))
                .order_by(Thanks.created_at.desc(), Thanks.id.desc()).limit(limit))

