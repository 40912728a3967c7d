"""The daily plan's pages."""
import datetime

from flask import Blueprint
from flask_login import current_user

from core.api import agenda_items, render_page, team_today

bp = Blueprint("timemgmt", __name__, url_prefix="/timemgmt", template_folder="templates")


@bp.route("/")
def today():
    day = team_today()
    items = agenda_items(current_user, day)
    # Overdue first, then by time; items without a time close the list.
    items.sort(key=lambda item: (not item.overdue, item.done, item.due or datetime.datetime.max))
    return render_page("timemgmt/today.html", day=day, items=items)
