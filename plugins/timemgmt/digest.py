"""The morning digest: each person's plan for the day by e-mail, in their language, from the hour
an admin set (the team's time), sent by the task queue every hour or by `salesdeck remind`; a
person gets one digest a day, however often it runs and on however many servers."""
from __future__ import annotations

import datetime
import logging
import smtplib
from email.message import EmailMessage

import peewee
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import login_user

from core.api import User, db, local_time, team_today, utcnow

from .models import DigestSent, MailSettings
from .services import QUADRANT_LABELS, Refused, clean_text, my_day

log = logging.getLogger(__name__)
SECURITY = ("starttls", "ssl", "none")


def settings() -> MailSettings:
    return MailSettings.select().order_by(MailSettings.id).first() or MailSettings()


def save_settings(form) -> tuple[MailSettings, dict]:
    """From the admin's form; returns the settings and {field: (before, after)} for the audit log
    (the password only as "changed")."""
    current = settings()
    port = str(form.get("port", "")).strip()
    hour = str(form.get("hour", "")).strip()
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        raise Refused(_("The port is a number from 1 to 65535."))
    if not hour.isdigit() or not 0 <= int(hour) <= 23:
        raise Refused(_("The hour is a number from 0 to 23."))
    if form.get("security") not in SECURITY:
        raise Refused(_("Choose how the connection is secured."))
    values = {"host": clean_text(form.get("host"), 200, _("The server")), "port": int(port),
              "username": clean_text(form.get("username"), 200, _("The user name")),
              "sender": clean_text(form.get("sender"), 200, _("The sender")), "security": form["security"], "hour": int(hour),
              "enabled": form.get("enabled") == "y"}
    if values["enabled"] and not (values["host"] and values["sender"]):
        raise Refused(_("Give the server and the sender before turning the digest on."))
    password = str(form.get("password") or "")
    if password:
        values["password"] = clean_text(password, 200, _("The password"))
    changes = {key: [getattr(current, key), value] for key, value in values.items()
               if key != "password" and getattr(current, key) != value}
    if password:
        changes["password"] = ["", "•••"]
    with db.atomic():
        for key, value in values.items():
            setattr(current, key, value)
        current.save()
    return current, changes


def due_people(day: datetime.date):
    """Active people with an address who have had no digest for `day`."""
    sent = DigestSent.select(DigestSent.user).where(DigestSent.day == day)
    return User.select().where(User.active == True, User.email != "", User.id.not_in(sent)).order_by(User.id)  # noqa: E712


def send_digests(now: datetime.datetime | None = None, force: bool = False) -> int:
    """Send today's digests that are due; returns how many went out. Each person is claimed with a
    row (user, day) before the mail goes, so a second run or server skips them."""
    config = settings()
    if not config.enabled or not config.host:
        return 0
    day = team_today()
    if not force and local_time(now or utcnow()).hour < config.hour:
        return 0
    sent = 0
    for person in list(due_people(day)):
        try:
            with db.atomic():
                DigestSent.create(user=person.id, day=day)
        except peewee.IntegrityError:
            continue  # another run claimed them
        try:
            message = compose(person, day, config.sender)
            deliver(config, message)
            sent += 1
        except (OSError, smtplib.SMTPException) as error:
            log.warning("the morning digest to %s was not sent: %s", person.email, error)
            DigestSent.delete().where(DigestSent.user == person.id, DigestSent.day == day).execute()  # try again next run
    return sent


def compose(person: User, day: datetime.date, sender: str) -> EmailMessage:
    with current_app.test_request_context():
        login_user(person)  # the agenda's plugins may read the person as the signed-in user
        with force_locale(person.locale or "en"):
            items = [item for item in my_day(person, day) if not item.done]
            subject = _("Your plan for %(day)s", day=day.isoformat())
            body = digest_text(person, items)
    message = EmailMessage()
    message["Subject"], message["From"], message["To"] = subject, sender, person.email
    message.set_content(body)
    return message


def digest_text(person: User, items) -> str:
    """The mail's plain text: a greeting and the day's items in the suggested order."""
    lines = [_("Good morning, %(name)s. Your plan for today:", name=person.name), ""]
    for number, item in enumerate(items, 1):
        when = f"{item.due.strftime('%H:%M')} " if item.due else ""
        late = f" ({_('Overdue')})" if item.overdue else ""
        lines.append(f"{number}. [{QUADRANT_LABELS[item.quadrant]}] {when}{item.title}{late}")
    if not items:
        lines.append(_("Nothing is planned for today."))
    return "\n".join(lines) + "\n"


def deliver(config: MailSettings, message: EmailMessage) -> None:
    connect = smtplib.SMTP_SSL if config.security == "ssl" else smtplib.SMTP
    with connect(config.host, config.port, timeout=20) as server:
        if config.security == "starttls":
            server.starttls()
        if config.username:
            server.login(config.username, config.password)
        server.send_message(message)
