"""The goals' pages."""
from flask import Blueprint

from core.shell import render_page

bp = Blueprint("goals", __name__, url_prefix="/goals", template_folder="templates")


@bp.route("/")
def index():
    return render_page("goals/index.html")
