"""The core's own pages: the home dashboard and the user's account."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, ValidationError

from . import accounts, dashboard
from .auth import PASSWORD_MAX, PASSWORD_MIN, check_current_password
from .models import LOCALES, User
from .shell import render_page
from .throttle import password_throttle, seconds_to_wait

bp = Blueprint("core", __name__)


@bp.route("/")
def home():
    """The user's cards; with ?arrange=1, with the means to reorder, widen, remove and add them."""
    cards, removed = dashboard.render(current_user)
    return render_page("core/home.html", widgets=cards, removed=removed, arrange=request.args.get("arrange") == "1")


@bp.route("/home/layout", methods=["POST"])
def arrange_home():
    """One change to the user's home page (htmx after a drag answers 204: the page is already in order)."""
    action = request.form.get("action", "")
    if not dashboard.change(current_user, action, key=request.form.get("key", "")[:dashboard.MAX_KEY],
                            order=[key[:dashboard.MAX_KEY] for key in request.form.getlist("key")[:200]]):
        abort(400, _("Unknown change to the home page."))
    if action == "order" and request.htmx:
        return "", 204
    if action == "reset":
        flash(_("Your home page shows the default cards again."), "success")
    return redirect(url_for("core.home", arrange=1))


class AccountForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=80)])
    locale = SelectField(_l("Language"), choices=[SelectChoice(code, name) for code, name in LOCALES.items()])
    current_password = PasswordField(_l("Current password"), validators=[Length(max=PASSWORD_MAX)])
    new_password = PasswordField(
        _l("New password"), validators=[Optional(), Length(min=PASSWORD_MIN, max=PASSWORD_MAX)]
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[EqualTo("new_password", message=_l("The two passwords differ."))],
    )

    def validate_current_password(self, field):
        if self.new_password.data and not check_current_password(current_user, field.data or ""):
            raise ValidationError(_("This is not your current password."))


@bp.route("/account", methods=["GET", "POST"])
def account():
    form = AccountForm(obj=current_user, locale=current_user.locale or "en")
    if form.is_submitted() and form.new_password.data:
        # The current password is throttled like a sign-in: a borrowed session cannot guess it.
        wait = seconds_to_wait(password_throttle(current_user))
        if wait:
            minutes = (wait + 59) // 60
            error = _("Too many wrong passwords. Wait %(minutes)d minute(s), then try again.", minutes=minutes)
            response = render_page("core/account.html", form=form, error=error, status=429)
            response.headers["Retry-After"] = str(wait)
            return response
    if form.validate_on_submit():
        user = User.get_by_id(current_user.id)
        accounts.update_own_account(
            user, name=form.name.data.strip(), locale=form.locale.data, password=form.new_password.data or None
        )
        login_user(user)  # keep this device signed in under the new session token
        flash(_("Your account is saved."), "success")
        return redirect(url_for("core.account"))
    return render_page("core/account.html", form=form, status=400 if form.errors else 200)
