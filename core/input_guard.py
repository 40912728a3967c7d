"""The edge where requests come in: input no page can use is refused once, here, for every route.

- A NUL character anywhere a request carries text (the path, the query string, form fields and
  their names, uploaded files' names, a JSON body) is refused with a 400: PostgreSQL cannot store or
  even compare it, and no person types one.
- `Refused` (a 400 with a message) for a view that meets input it cannot use.
- A value the databases cannot keep (`core.lowcode.types.Unstorable`, raised on the way to the
  database by every write) becomes a 400 with its message; the transaction is rolled back, so
  nothing is written.
"""
from __future__ import annotations

from flask import make_response, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest

NUL = "\x00"


class Refused(BadRequest):
    """Input a page cannot use, refused with a 400 that says why: `raise Refused(_("..."))`."""

    def __init__(self, message: str):
        super().__init__(description=message)
        self.message = message


def _carries_nul(value) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(_carries_nul(key) or _carries_nul(item) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return any(_carries_nul(item) for item in value)
    return False


def _multi_carries_nul(values) -> bool:
    return any(NUL in key or any(NUL in item for item in items) for key, items in values.lists())


def request_has_nul() -> bool:
    if NUL in request.path or _multi_carries_nul(request.args):
        return True
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return False
    if request.is_json:
        return _carries_nul(request.get_json(silent=True))
    if _multi_carries_nul(request.form):
        return True
    return any(NUL in key or any(NUL in (upload.filename or "") for upload in uploads)
               for key, uploads in request.files.lists())


def refusal(message: str, code: int = 400):
    """The answer to refused input: the message alone for htmx, else the error page."""
    if request.htmx:
        return make_response(message, code)
    return make_response(render_template("errors/error.html", code=code, message=message), code)


def refuse_nul():
    if request_has_nul():
        return refusal(_("The request contains a NUL character, which no field accepts. Nothing was saved."))
    return None


def refuse_with_message(error):
    return refusal(error.message)


def init_app(app) -> None:
    from .lowcode.types import Unstorable

    # First of the before_request functions: nothing (CSRF, the session's user) reads a NUL first.
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_nul)
    app.register_error_handler(Unstorable, refuse_with_message)
    app.register_error_handler(Refused, refuse_with_message)
