"""Throttling of password checks: slow a guesser down without handing anyone a lock-out button.

Every wrong password is recorded under a few keys. Some keys refuse (429 until the oldest failure
leaves LOGIN_WINDOW_SECONDS), the broad ones only slow down (429 for a short wait after the latest
failure, doubling with each further one up to LOGIN_SLOWDOWN_MAX_SECONDS):

- one account from one address refuses after LOGIN_MAX_FAILURES: a guesser is stopped;
- one account from anywhere, and one address for any account, slow down after
  LOGIN_SLOWDOWN_AFTER: guessing from many addresses, or many accounts from one, crawls, but no one
  can lock an account, or everyone behind an office's NAT, for a quarter of an hour;
- a device that signed in to the account before (a signed cookie) has its own refusing key and
  skips the slow-downs, so the real user gets in while the account is guessed from elsewhere.
"""
from __future__ import annotations

import datetime
import hashlib
import math
import secrets
from dataclasses import dataclass

from flask import current_app, request
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer

from .db import db, utcnow
from .models import LoginFailure, User

DEVICE_COOKIE = "salesdeck_device"
DEVICE_COOKIE_DAYS = 365
DEVICE_ACCOUNTS = 20  # accounts remembered per device


@dataclass(frozen=True)
class Throttle:
    """The failure keys of one password check: those that refuse and those that slow down."""

    refuse: tuple[str, ...]
    slow: tuple[str, ...] = ()

    @property
    def keys(self) -> tuple[str, ...]:
        return self.refuse + self.slow


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _device_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="salesdeck.known-device")


def _device() -> dict:
    """This browser's device cookie: {"id": ..., "users": [user ids that signed in here]}."""
    try:
        value = _device_serializer().loads(request.cookies.get(DEVICE_COOKIE, ""))
    except BadSignature:
        return {}
    if not isinstance(value, dict) or not isinstance(value.get("id"), str) or not isinstance(value.get("users"), list):
        return {}
    return value


def known_device(user: User | None) -> str | None:
    """The id of this browser when `user` signed in from it before, else None."""
    device = _device()
    if user is None or user.id not in device.get("users", []):
        return None
    return device["id"][:32]


def remember_device(response, user: User) -> None:
    """Mark this browser as one `user` signs in from."""
    device = _device() or {"id": secrets.token_urlsafe(16), "users": []}
    users = [user.id] + [other for other in device["users"] if other != user.id and isinstance(other, int)]
    value = _device_serializer().dumps({"id": device["id"], "users": users[:DEVICE_ACCOUNTS]})
    response.set_cookie(
        DEVICE_COOKIE, value, max_age=DEVICE_COOKIE_DAYS * 24 * 3600, httponly=True, samesite="Lax",
        secure=bool(current_app.config["SESSION_COOKIE_SECURE"]),
    )


def sign_in_throttle(email: str, user: User | None) -> Throttle:
    account = _digest(email)
    device = known_device(user)
    if device is not None:
        return Throttle(refuse=(f"device:{account}:{device}",))
    address = request.remote_addr or "-"
    return Throttle(refuse=(f"pair:{account}:{address}",), slow=(f"user:{email}", f"ip:{address}"))


def password_throttle(user: User) -> Throttle:
    """The current password asked again by a signed-in user (the account page)."""
    return Throttle(refuse=(f"password:{user.id}",))


def seconds_to_wait(throttle: Throttle) -> int:
    """How long a password check is refused now (0: go ahead)."""
    config = current_app.config
    window = datetime.timedelta(seconds=config["LOGIN_WINDOW_SECONDS"])
    now = utcnow()
    rows = (
        LoginFailure.select(LoginFailure.key, LoginFailure.at)
        .where(LoginFailure.key.in_(throttle.keys), LoginFailure.at >= now - window)
        .order_by(LoginFailure.at.desc())
    )
    times: dict[str, list] = {}
    for row in rows:
        times.setdefault(row.key, []).append(row.at)
    wait = datetime.timedelta(0)
    limit = config["LOGIN_MAX_FAILURES"]
    for key in throttle.refuse:
        recent = times.get(key, [])
        if len(recent) >= limit:
            wait = max(wait, recent[limit - 1] + window - now)
    after, longest = config["LOGIN_SLOWDOWN_AFTER"], config["LOGIN_SLOWDOWN_MAX_SECONDS"]
    for key in throttle.slow:
        recent = times.get(key, [])
        if len(recent) >= after:
            gap = min(longest, 2 ** min(len(recent) - after, 20))
            wait = max(wait, recent[0] + datetime.timedelta(seconds=gap) - now)
    return max(0, math.ceil(wait.total_seconds()))


def record_failure(throttle: Throttle) -> None:
    now = utcnow()
    window = datetime.timedelta(seconds=current_app.config["LOGIN_WINDOW_SECONDS"])
    with db.atomic():
        LoginFailure.delete().where(LoginFailure.at < now - window).execute()
        LoginFailure.insert_many([{"key": key, "at": now} for key in throttle.keys]).execute()


def forget_failures(throttle: Throttle) -> None:
    """After the right password: the refusing keys start again (the broad ones age out)."""
    LoginFailure.delete().where(LoginFailure.key.in_(throttle.refuse)).execute()


def forget_account_failures(email: str) -> None:
    """A password set anew (the command line): every failure recorded against the account goes."""
    account = _digest(email)
    LoginFailure.delete().where(
        (LoginFailure.key == f"user:{email}")
        | LoginFailure.key.startswith(f"pair:{account}:")
        | LoginFailure.key.startswith(f"device:{account}:")
    ).execute()


def wait_message(seconds: int) -> str:
    if seconds < 60:
        return _("Too many failed sign-ins. Wait %(seconds)d second(s), then try again.", seconds=seconds)
    return _("Too many failed sign-ins. Wait %(minutes)d minute(s), then try again.", minutes=(seconds + 59) // 60)
