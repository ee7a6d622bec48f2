"""One place where errors become pages: domain errors, HTTP errors, CSRF failures, rate limits."""
import logging

from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, SecurityError

from consult.core.errors import DomainError
from consult.extensions import db

log = logging.getLogger(__name__)


def _titles():
    return {
        400: _("The request could not be understood"),
        403: _("You may not do this"),
        404: _("Page not found"),
        405: _("This address does not accept that"),
        409: _("This has already been done"),
        413: _("That is too large"),
        429: _("Too many attempts"),
        500: _("Something went wrong on our side"),
    }


def _explanations():
    return {
        400: _("Please go back, check what you entered and try again."),
        403: _("Your account does not have permission for this page or action."),
        404: _("The page may have moved, or the address may be mistyped."),
        405: _("Please go back and use the page's own buttons."),
        409: _("Someone may have done this already. Reload the page to see where things stand."),
        413: _("Please send something smaller."),
        429: _("Please wait a few minutes before trying again."),
        500: _("The problem has been logged. Please try again in a moment."),
    }


def render_error(status: int, message: str | None = None):
    titles, explanations = _titles(), _explanations()
    if request.path.startswith("/api/"):
        from flask import jsonify

        return jsonify(error=message or titles.get(status, titles[400]), status=status), status
    return (
        render_template(
            "errors/error.html",
            status=status,
            title=titles.get(status, titles[400]),
            message=message or explanations.get(status, explanations[400]),
        ),
        status,
    )


def register(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        db.session.rollback()
        return render_error(error.status, error.message)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_error(400, _("The form had expired or was sent from elsewhere. Please reload the page and try again."))

    @app.errorhandler(429)
    def too_many(error):
        return render_error(429, _("Too many attempts. Please wait a few minutes before trying again."))

    @app.errorhandler(SecurityError)
    def untrusted_host(error: SecurityError):
        # A Host header outside TRUSTED_HOSTS: no URL can be built for it, so no page either.
        return _("The request could not be understood"), 400, {"Content-Type": "text/plain; charset=utf-8"}

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        return render_error(error.code)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        if app.config.get("TESTING") and app.config.get("PROPAGATE_TEST_ERRORS", True):
            raise error
        return render_error(500)
