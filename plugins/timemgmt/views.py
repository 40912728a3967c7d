"""The daily plan's pages."""
import datetime

from flask import Blueprint, current_app
from flask_login import current_user

from core.i18n import team_today
from core.plugins import host_of
from core.shell import render_page

bp = Blueprint("timemgmt", __name__, url_prefix="/timemgmt", template_folder="templates")


@bp.route("/")
def today():
    day = team_today()
    items = host_of(current_app).collect("agenda_items", user=current_user, day=day)
    # Overdue first, then by time; items without a time close the list.
    items.sort(key=lambda item: (not item.overdue, item.done, item.due or datetime.datetime.max))
    return render_page("timemgmt/today.html", day=day, items=items)
