"""Accounts: sign-in with argon2 hashes and throttling, roles, and the row scope.

Every page needs a signed-in user unless its view is marked `@public`. Row scope is one helper,
`scope()`, that every list and detail view uses: a rep sees their own records, a manager also
those of the members of the teams they manage, an admin everything.
"""
from __future__ import annotations

import functools
from urllib.parse import urlparse

import argon2
import peewee
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, Email, Length

from .db import utcnow
from .models import LOCALES, Team, User, new_session_token
from .throttle import (
    forget_failures,
    password_throttle,
    record_failure,
    remember_device,
    seconds_to_wait,
    sign_in_throttle,
    wait_message,
)

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.session_protection = "basic"

PASSWORD_MIN, PASSWORD_MAX = 8, 256


# -- passwords ------------------------------------------------------------------------------------


def _hasher() -> argon2.PasswordHasher:
    return current_app.extensions["salesdeck.hasher"]


def _dummy_hash() -> str:
    """A hash to verify against when the user does not exist, made once per process on first
    need (hashing costs ~100 ms: too much for every start)."""
    extensions = current_app.extensions
    if "salesdeck.dummy_hash" not in extensions:
        extensions["salesdeck.dummy_hash"] = _hasher().hash("salesdeck: no such user")
    return extensions["salesdeck.dummy_hash"]


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def check_password(user: User | None, password: str) -> bool:
    """True when `password` is the user's. Takes as long for an unknown user as for a known one."""
    hasher = _hasher()
    stored = user.password_hash if user is not None else _dummy_hash()
    try:
        hasher.verify(stored, password)
    except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
        return False
    if user is None:
        return False
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
        user.save(only=[User.password_hash])
    return True


# -- throttled password checks (the keys and waits: core/throttle.py) ---------------------------


def check_current_password(user: User, password: str) -> bool:
    """The account page's check of the current password, counted against `password_throttle`."""
    throttle = password_throttle(user)
    if check_password(user, password):
        forget_failures(throttle)
        return True
    record_failure(throttle)
    return False


# -- roles and row scope --------------------------------------------------------------------------


def public(view):
    """Mark a view that anonymous visitors may open."""
    view.public = True
    return view


def requires(capability: str):
    """Let in only users whose role carries `capability` (see core.models.CAPABILITIES); 403 for
    everyone else."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.may(capability):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorate


def restrict(blueprint, capability: str) -> None:
    """Let only users with `capability` reach any page of the blueprint; everyone else gets 403."""
    blueprint.before_request(requires(capability)(lambda: None))


def managed_user_ids(user: User) -> peewee.SelectQuery:
    """The ids of the members of every team `user` manages, as a subquery."""
    return User.select(User.id).join(Team, on=(User.team == Team.id)).where(Team.manager == user.id)


def managed_team_ids(user: User) -> peewee.SelectQuery:
    """The ids of the teams `user` manages themselves, as a subquery."""
    return Team.select(Team.id).where(Team.manager == user.id)


def managed_teams(user: User) -> peewee.SelectQuery:
    """The teams a user runs: an admin every team, a manager the teams they manage, a rep none."""
    query = Team.select().order_by(Team.name)
    if user.may("see_everything"):
        return query
    if user.may("lead_teams"):
        return query.where(Team.id.in_(managed_team_ids(user)))
    return query.where(Team.id == 0)


def scope(query, owner_field, user: User | None = None, also=None, change: bool = False):
    """Restrict `query` to the records `user` (default: the signed-in user) may see, or with
    `change=True` to those they may change.

    `also` is a condition that makes a record visible to everyone (a customer pool's unowned
    records): it widens what may be seen, never what may be changed. A rep changes their own
    records, a manager also those of their teams' members, an admin all."""
    user = user if user is not None else current_user
    if user.may("see_everything"):
        return query
    if user.may("lead_teams"):
        condition = (owner_field == user.id) | owner_field.in_(managed_user_ids(user))
    else:
        condition = owner_field == user.id
    if also is not None and not change:
        condition = condition | also
    return query.where(condition)


def _one_or_404(model, pk, owner_field, user, change: bool):
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        abort(404)
    if not -(2**63) <= pk < 2**63:
        abort(404)
    owner_field = owner_field if owner_field is not None else model.owner
    query = model.select().where(model._meta.primary_key == pk)
    record = scope(query, owner_field, user, change=change).first()
    if record is None:
        abort(404)
    return record


def get_visible_or_404(model, pk, owner_field=None, user: User | None = None):
    """Load one record through the row scope; 404 whether it is missing or not the user's."""
    return _one_or_404(model, pk, owner_field, user, change=False)


def get_changeable_or_404(model, pk, owner_field=None, user: User | None = None):
    """Load one record the user may change; 404 whether it is missing or out of their reach."""
    return _one_or_404(model, pk, owner_field, user, change=True)


# -- sign-in pages --------------------------------------------------------------------------------


def normalise_email(value):
    """Emails are compared lower-case and without the spaces a paste brings along."""
    return value.strip().lower() if isinstance(value, str) else value


class LoginForm(FlaskForm):
    email = EmailField(
        _l("Email"), filters=[normalise_email], validators=[DataRequired(), Email(message=_l("Invalid email address.")), Length(max=254)]
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=PASSWORD_MAX)])
    remember = BooleanField(_l("Keep me signed in on this device"))


def safe_next(target: str | None) -> str | None:
    """A same-site path to return to after sign-in, or None."""
    if not target:
        return None
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(not character.isprintable() for character in target):
        return None  # control characters (CR/LF would split the Location header) and their kin
    return target


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = LoginForm()
    status = 200
    error = None
    if form.validate_on_submit():
        email = form.email.data
        user = User.get_or_none(User.email == email)
        throttle = sign_in_throttle(email, user)
        wait = seconds_to_wait(throttle)
        if wait:
            error = wait_message(wait)
            status = 429
        elif check_password(user, form.password.data) and user.active:
            forget_failures(throttle)
            user.last_login_at = utcnow()
            user.save(only=[User.last_login_at])
            login_user(user, remember=form.remember.data)
            session["locale"] = user.locale or session.get("locale")
            response = redirect(safe_next(request.args.get("next")) or url_for("core.home"))
            remember_device(response, user)
            return response
        else:
            record_failure(throttle)
            error = _("The email or the password is not right.")
    elif request.method == "POST":
        status = 400
    response = make_response(render_template("auth/login.html", form=form, error=error), status)
    if status == 429:
        response.headers["Retry-After"] = str(wait)
    return response


@bp.route("/logout", methods=["POST"])
def logout():
    # A new session token ends this session on the server: a copy of the session or the remember
    # cookie is worth nothing after signing out (as after a password change, on every device).
    User.update(session_token=new_session_token()).where(User.id == current_user.id).execute()
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/language", methods=["POST"])
@public
def set_language():
    locale = request.form.get("locale", "")
    if locale not in LOCALES:
        abort(400)
    session["locale"] = locale
    if current_user.is_authenticated:
        current_user.locale = locale
        current_user.save(only=[User.locale])
    page = urlparse(request.referrer or "")
    back = safe_next(page.path + (f"?{page.query}" if page.query else "")) if request.referrer else None
    return redirect(back or url_for("core.home"))


# -- wiring ---------------------------------------------------------------------------------------


@login_manager.user_loader
def _load_user(session_id: str):
    user_id, _sep, token = session_id.partition(":")
    if not user_id.isdigit() or not token:
        return None
    return User.get_or_none(User.id == int(user_id), User.session_token == token, User.active == True)  # noqa: E712


@login_manager.unauthorized_handler
def _unauthorized():
    if request.htmx:
        page = urlparse(request.htmx.current_url or "")  # the page the user is on, not the fragment
        current = safe_next(page.path + (f"?{page.query}" if page.query else ""))
        response = make_response(_("Please sign in again."), 401)
        response.headers["HX-Redirect"] = url_for("auth.login", next=current)
        return response
    flash(_("Please sign in to continue."), "info")
    return redirect(url_for("auth.login", next=safe_next(request.full_path.rstrip("?"))))


def _require_login():
    endpoint = request.endpoint
    if endpoint is None or endpoint == "static" or endpoint.endswith(".static"):
        return None
    view = current_app.view_functions.get(endpoint)
    if getattr(view, "public", False) or current_user.is_authenticated:
        return None
    return login_manager.unauthorized()


def init_app(app) -> None:
    app.config.setdefault("LOGIN_SLOWDOWN_AFTER", 10)  # failures per account or address, then ...
    app.config.setdefault("LOGIN_SLOWDOWN_MAX_SECONDS", 60)  # ... a wait doubling up to this
    app.extensions["salesdeck.hasher"] = argon2.PasswordHasher(**app.config["ARGON2_PARAMETERS"])
    login_manager.init_app(app)
    app.before_request(_require_login)
