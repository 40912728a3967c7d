"""Administration in the browser: users, teams and plugins. Admins only; everyone else gets 403."""
from __future__ import annotations

import peewee
from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectChoice, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from . import accounts
from .auth import PASSWORD_MAX, PASSWORD_MIN, normalise_email, restrict
from .models import ADMIN, REP, ROLE_DESCRIPTIONS, ROLES, PluginState, Team, User
from .plugins import host_of
from .shell import paginate, render_page

bp = Blueprint("admin", __name__, url_prefix="/admin")


restrict(bp, "administer")


def _coerce_id(value):
    return int(value) if value not in (None, "", "None") else None


# -- users ----------------------------------------------------------------------------------------


class UserForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=80)])
    email = EmailField(
        _l("Email"), filters=[normalise_email], validators=[DataRequired(), Email(message=_l("Invalid email address.")), Length(max=254)]
    )
    role = SelectField(_l("Role"), default=REP)  # never admin by accident
    team = SelectField(_l("Team"), coerce=_coerce_id)
    password = PasswordField(
        _l("Password"),
        description=_l("Leave empty to generate one, shown once after saving."),
        validators=[Optional(), Length(min=PASSWORD_MIN, max=PASSWORD_MAX)],
    )

    def __init__(self, *args, user: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.role.choices = [SelectChoice(key, str(label)) for key, label in ROLES.items()]
        teams = Team.select(Team.id, Team.name).order_by(Team.name)
        self.team.choices = [SelectChoice(None, _("No team"))] + [SelectChoice(team.id, team.name) for team in teams]

    def validate_email(self, field):
        clash = User.select().where(User.email == field.data)
        if self.user is not None:
            clash = clash.where(User.id != self.user.id)
        if clash.exists():
            raise ValidationError(_("Another user already has this email."))

    def validate_role(self, field):
        if self.user is not None and self.user.role == ADMIN and field.data != ADMIN:
            if _is_last_admin(self.user):
                raise ValidationError(_("Keep at least one active admin."))


def _is_last_admin(user: User) -> bool:
    others = User.select().where(User.role == ADMIN, User.active == True, User.id != user.id)  # noqa: E712
    return not others.exists()


@bp.route("/users")
def users():
    query = User.select(User, Team).join(Team, peewee.JOIN.LEFT_OUTER).order_by(User.name)
    search = request.args.get("q", "").strip()[:100]
    if search:
        pattern = f"%{search}%"
        query = query.where(User.name ** pattern | User.email ** pattern)
    role = request.args.get("role", "")
    if role in ROLES:
        query = query.where(User.role == role)
    return render_page(
        "admin/users.html", "user_table", page=paginate(query), search=search, role=role,
        roles=ROLES, role_descriptions=ROLE_DESCRIPTIONS,
    )


def _save_user(form: UserForm, user: User) -> str | None:
    """Save the form through the audited service; return the generated password, if any."""
    try:
        return accounts.save_user(
            current_user, user, name=form.name.data.strip(), email=form.email.data, role=form.role.data,
            team_id=form.team.data, password=form.password.data or None,
        )
    except peewee.IntegrityError:
        form.email.errors.append(_("Another user already has this email."))
        return None


@bp.route("/users/new", methods=["GET", "POST"])
def user_new():
    form = UserForm()
    if form.validate_on_submit():
        user = User()
        generated = _save_user(form, user)
        if user.id is not None:
            flash(_("%(name)s can now sign in.", name=user.name), "success")
            if generated:
                return render_page("admin/password_shown.html", user=user, password=generated)
            return redirect(url_for("admin.users"))
    return render_page("admin/user_form.html", form=form, user=None, status=400 if form.errors else 200)


def _user_or_404(user_id: int) -> User:
    user = User.get_or_none(User.id == user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user_edit(user_id: int):
    user = _user_or_404(user_id)
    # Plain values, not obj=user: WTForms would take the Team object over the id.
    form = UserForm(user=user, data={"name": user.name, "email": user.email, "role": user.role, "team": user.team_id})
    if form.validate_on_submit():
        _save_user(form, user)
        if not form.email.errors:
            flash(_("%(name)s is saved.", name=user.name), "success")
            return redirect(url_for("admin.users"))
    return render_page("admin/user_form.html", form=form, user=user, status=400 if form.errors else 200)


@bp.route("/users/<int:user_id>/password", methods=["POST"])
def user_reset_password(user_id: int):
    user = _user_or_404(user_id)
    password = accounts.reset_password(current_user, user)  # also signs them out everywhere
    return render_page("admin/password_shown.html", user=user, password=password)


@bp.route("/users/<int:user_id>/active", methods=["POST"])
def user_toggle_active(user_id: int):
    user = _user_or_404(user_id)
    if user.active and user.id == current_user.id:
        flash(_("You cannot deactivate yourself."), "error")
    elif user.active and user.role == ADMIN and _is_last_admin(user):
        flash(_("Keep at least one active admin."), "error")
    else:
        accounts.set_active(current_user, user, not user.active)
        if user.active:
            flash(_("%(name)s can sign in again.", name=user.name), "success")
        else:
            flash(_("%(name)s is deactivated and signed out. Their records stay.", name=user.name), "success")
    return redirect(url_for("admin.user_edit", user_id=user.id))


# -- teams ----------------------------------------------------------------------------------------


class TeamForm(FlaskForm):
    name = StringField(_l("Team name"), validators=[DataRequired(), Length(max=80)])
    manager = SelectField(_l("Manager"), coerce=_coerce_id)
    members = SelectMultipleField(
        _l("Members"),
        coerce=int,
        description=_l("A person belongs to one team; ticking them here moves them."),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )

    def __init__(self, *args, team: Team | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.team = team
        people = list(
            User.select(User, Team).join(Team, peewee.JOIN.LEFT_OUTER)
            .where(User.active == True).order_by(User.name)  # noqa: E712
        )
        self.manager.choices = [SelectChoice(None, _("No manager"))] + [
            SelectChoice(user.id, user.name) for user in people if user.may("lead_teams")
        ]
        self.members.choices = [
            SelectChoice(user.id, f"{user.name} ({user.team.name})" if user.team and user.team != team else user.name)
            for user in people
        ]

    def validate_name(self, field):
        field.data = field.data.strip()
        clash = Team.select().where(Team.name == field.data)
        if self.team is not None:
            clash = clash.where(Team.id != self.team.id)
        if clash.exists():
            raise ValidationError(_("Another team already has this name."))


@bp.route("/teams")
def teams():
    member_count = peewee.fn.COUNT(User.id)
    query = (
        Team.select(Team, member_count.alias("member_count"))
        .join(User, peewee.JOIN.LEFT_OUTER, on=(User.team == Team.id))
        .group_by(Team.id)
        .order_by(Team.name)
    )
    page = paginate(query)
    managers = {user.id: user for user in User.select().where(User.id.in_([t.manager_id for t in page.items if t.manager_id]))}
    return render_page("admin/teams.html", page=page, managers=managers)


def _save_team(form: TeamForm, team: Team) -> bool:
    try:
        accounts.save_team(
            current_user, team, name=form.name.data, manager_id=form.manager.data, member_ids=form.members.data or []
        )
    except peewee.IntegrityError:
        form.name.errors.append(_("Another team already has this name."))
        return False
    return True


@bp.route("/teams/new", methods=["GET", "POST"])
def team_new():
    form = TeamForm()
    if form.validate_on_submit() and _save_team(form, team := Team()):
        flash(_("Team %(name)s is created.", name=team.name), "success")
        return redirect(url_for("admin.teams"))
    return render_page("admin/team_form.html", form=form, team=None, status=400 if form.errors else 200)


@bp.route("/teams/<int:team_id>", methods=["GET", "POST"])
def team_edit(team_id: int):
    team = Team.get_or_none(Team.id == team_id) or abort(404)
    members = [user.id for user in User.select(User.id).where(User.team == team.id)]
    form = TeamForm(team=team, data={"name": team.name, "manager": team.manager_id, "members": members})
    if form.validate_on_submit() and _save_team(form, team):
        flash(_("Team %(name)s is saved.", name=team.name), "success")
        return redirect(url_for("admin.teams"))
    return render_page("admin/team_form.html", form=form, team=team, status=400 if form.errors else 200)


# -- plugins --------------------------------------------------------------------------------------


def _plugin_rows():
    host = host_of(current_app)
    states = {state.name: state for state in PluginState.select()}
    return [(plugin, states.get(plugin.name)) for plugin in host.plugins.values()]


@bp.route("/plugins")
def plugins():
    host = host_of(current_app)
    return render_page("admin/plugins.html", rows=_plugin_rows(), host=host, failures=host.failures())


@bp.route("/plugins/<name>", methods=["POST"])
def plugin_switch(name: str):
    host = host_of(current_app)
    plugin = host.plugins.get(name)
    if plugin is None:
        abort(404)
    if plugin.required or not plugin.loaded:
        abort(400)
    action = request.form.get("action")
    if action not in ("clear", "enable", "disable"):
        abort(400)
    accounts.switch_plugin(current_user, host, name, action)
    # A full page load follows, so the navigation shows (or loses) the plugin's entries at once.
    return redirect(url_for("admin.plugins"))
