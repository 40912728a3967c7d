"""The pipeline's pages."""
from flask import Blueprint

from core.shell import render_page

bp = Blueprint("pipeline", __name__, url_prefix="/pipeline", template_folder="templates")


@bp.route("/")
def index():
    return render_page("pipeline/index.html")
