"""The incentives' pages."""
from flask import Blueprint

from core.api import render_page

bp = Blueprint("incentives", __name__, url_prefix="/incentives", template_folder="templates")


@bp.route("/")
def index():
    return render_page("incentives/index.html")
