"""Security defaults: CSRF on every state change, cookie flags, CSP and other response headers."""
from __future__ import annotations

from flask import current_app, g, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

csrf = CSRFProtect()

HSTS_SECONDS = 365 * 24 * 3600

# Only the app's own scripts and styles: htmx is configured (templates/base.html) not to inject
# styles or evaluate code, so neither 'unsafe-inline' nor 'unsafe-eval' is needed.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def _headers(response):
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if request.htmx:
        # A page and its fragment share one URL: keep browser caches from mixing them up.
        response.vary.add("HX-Request")
    user = g.get("_login_user")  # loaded by every page that needs a user; static files never do
    if user is not None and user.is_authenticated:
        # A signed-in user's pages stay out of the browser's and any proxy's cache: after signing
        # out, Back shows nothing, and a shared computer keeps nothing.
        response.headers["Cache-Control"] = "no-store"
    if current_app.config["SECURE_COOKIES"]:
        # Served over https (the setting that makes cookies secure): browsers keep to https.
        response.headers.setdefault("Strict-Transport-Security", f"max-age={HSTS_SECONDS}")
    return response


def _csrf_failed(error: CSRFError):
    from .shell import render_error

    return render_error(400, lambda: _("This form has expired or was sent from elsewhere. Reload the page and try again."))


def init_app(app) -> None:
    secure = bool(app.config["SECURE_COOKIES"])
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=secure,
        WTF_CSRF_TIME_LIMIT=None,  # tokens live as long as the session
    )
    if app.config["BEHIND_PROXY"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)
    csrf.init_app(app)
    app.after_request(_headers)
    app.register_error_handler(CSRFError, _csrf_failed)
