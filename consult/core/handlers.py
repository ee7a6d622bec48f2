"""One place where errors become pages: domain errors, HTTP errors, CSRF failures, rate limits,
and a busy database (503, try again)."""

import io
import logging
from urllib.parse import urlsplit

from flask import Flask, flash, g, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException, SecurityError
from werkzeug.routing import RequestRedirect as RoutingRedirect

from consult.core import database
from consult.core.errors import DomainError
from consult.extensions import db

log = logging.getLogger(__name__)

BUSY_FALLBACK = "网站正忙，请过几秒钟再试。 The site is busy right now. Please try again in a few seconds."


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
        503: _("The site is busy right now"),
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
        503: _("Many people are doing the same thing at this moment, and nothing was saved. Please try again in a few seconds."),
    }


def render_error(status: int, message: str | None = None):
    titles, explanations = _titles(), _explanations()
    if request.path.startswith("/api/"):
        return jsonify(error=message or titles.get(status, titles[400]), status=status), status
    if request.path.startswith("/open311/"):  # GeoReport v2's own error format
        return jsonify([{"code": status, "description": message or titles.get(status, titles[400])}]), status
    return (
        render_template(
            "errors/error.html",
            status=status,
            title=titles.get(status, titles[400]),
            message=message or explanations.get(status, explanations[400]),
        ),
        status,
    )


def _page_sent_from(app: Flask, error: DomainError):
    """An expected refusal of a form (not enough points, a closed vote, already done): the page
    the form was sent from, shown again with the message on top and what was typed kept, under
    the refusal's status. None when there is no such page (no same-site referrer, the API)."""
    if request.method != "POST" or request.path.startswith("/api/") or g.get("kept_form") is not None:
        return None
    referrer = urlsplit(request.referrer or "")
    if referrer.scheme not in ("http", "https") or referrer.netloc != request.host or referrer.path == request.path:
        return None
    try:
        app.url_map.bind_to_environ(request.environ).match(referrer.path, method="GET")
    except (HTTPException, RoutingRedirect):
        return None
    kept = MultiDict((key, value) for key, value in request.form.items(multi=True) if key != "csrf_token")
    environ = dict(request.environ)
    environ.update(
        {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": referrer.path,
            "QUERY_STRING": referrer.query,
            "CONTENT_LENGTH": "0",
            "wsgi.input": io.BytesIO(b""),
        }
    )
    environ.pop("CONTENT_TYPE", None)
    with app.request_context(environ):
        g.kept_form = kept
        flash(error.message, "error")
        response = app.full_dispatch_request()
    if response.status_code != 200:
        return None
    response.status_code = error.status
    return response


def register(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        db.session.rollback()
        page = _page_sent_from(app, error)
        if page is not None:
            return page
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

        response = make_response(render_error(error.code))
        for name, value in error.get_headers():  # e.g. the Allow header a 405 must carry (RFC 9110)
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(OperationalError)
    def database_error(error: OperationalError):
        if not database.is_busy(error):
            return unexpected(error)
        log.warning("database busy on %s %s: %s", request.method, request.path, error.orig)
        db.session.rollback()
        # The page itself reads (header, language) without waiting for the write lock again.
        database.read_only_rest_of_request()
        retry = str(app.config.get("RETRY_AFTER_SECONDS", 5))
        try:
            body, status = render_error(503)
        except OperationalError:
            # Not even a snapshot could be read: a plain answer in both languages, no database.
            db.session.rollback()
            body, status = BUSY_FALLBACK, 503
        return body, status, {"Retry-After": retry}

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        if app.config.get("TESTING") and app.config.get("PROPAGATE_TEST_ERRORS", True):
            raise error
        return render_error(500)
