"""社区议事: a server-rendered site where neighbourhoods run their public business in the open."""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from consult.config import Config, load_config

TEMPLATES = "../templates"
STATIC = "../static"


class Consult(Flask):
    """Flask, with absolute links built from ``SITE_URL`` rather than from the request's Host header.

    A QR code, a verify link or the kiosk's check-in address that followed the Host header
    could be made to point at another site by a forged request; with ``SITE_URL`` set, every
    ``url_for(..., _external=True)`` uses the configured address (see docs/security.md).
    """

    def url_for(self, endpoint: str, *, _anchor=None, _method=None, _scheme=None, _external=None, **values) -> str:
        site = self.config.get("SITE_URL")
        if _external and site:
            parts = urlsplit(site)
            path = super().url_for(endpoint, _anchor=_anchor, _method=_method, _external=False, **values)
            return f"{parts.scheme}://{parts.netloc}{path}"
        return super().url_for(endpoint, _anchor=_anchor, _method=_method, _scheme=_scheme, _external=_external, **values)


def create_app(config: Config | dict | str | None = None) -> Flask:
    """Build the application. No I/O: nothing here opens a database or the network."""
    app = Consult(__name__, template_folder=TEMPLATES, static_folder=STATIC, instance_relative_config=False)
    if isinstance(config, dict):
        base = load_config(config.get("CONSULT_ENV", "testing" if config.get("TESTING") else None))
        app.config.from_object(base)
        app.config.update(config)
    else:
        app.config.from_object(config if isinstance(config, Config) else load_config(config))
    install_page_cache_hits(app)
    if app.config.get("PROXY_FIX_X_FOR") or app.config.get("PROXY_FIX_X_PROTO"):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_FIX_X_FOR"], x_proto=app.config["PROXY_FIX_X_PROTO"])
    logging.getLogger("consult").setLevel(app.config.get("LOG_LEVEL", "INFO"))
    register_guard(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def install_page_cache_hits(app: Flask) -> None:
    """Cached public pages answered before Flask (consult/core/cache_wsgi.py), inside ProxyFix."""
    from consult.accounts.auth import REMEMBER_COOKIE
    from consult.core import cache_wsgi
    from consult.kiosk.mode import KIOSK_COOKIE

    # A kiosk's pages are never cached pages (consult/kiosk/mode.py): its cookie hands the request to Flask.
    names = (REMEMBER_COOKIE, app.config.get("REMEMBER_COOKIE_NAME", "remember_token"), KIOSK_COOKIE)
    cache_wsgi.install(app, login_cookies=names)


def register_guard(app: Flask) -> None:
    from consult.core import guard, headers

    guard.register(app)
    headers.register(app)


def register_extensions(app: Flask) -> None:
    from consult.core import database, i18n
    from consult.core.model import render_item
    from consult.extensions import babel, csrf, db, limiter, login_manager, migrate

    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    database.configure(app)
    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(Path(app.root_path).parent / "migrations"),
        render_as_batch=True,
        compare_type=True,
        render_item=render_item,
    )
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None
    login_manager.session_protection = "basic"

    from consult.accounts import auth

    auth.init_app(app)


def register_blueprints(app: Flask) -> None:
    from consult.accounts.views import bp as accounts_bp
    from consult.activities.manage import bp as activities_manage_bp
    from consult.activities.views import bp as activities_bp
    from consult.api.views import bp as api_bp
    from consult.core.verify import bp as documents_bp
    from consult.core.views import bp as core_bp
    from consult.evaluation.manage import bp as evaluation_manage_bp
    from consult.evaluation.views import bp as evaluation_bp
    from consult.kiosk.manage import bp as kiosk_manage_bp
    from consult.kiosk.views import bp as kiosk_bp
    from consult.manage import bp as manage_bp
    from consult.offerings.appointment_manage import bp as appointments_manage_bp
    from consult.offerings.appointment_views import bp as appointments_bp
    from consult.offerings.manage import bp as offerings_manage_bp
    from consult.offerings.views import bp as offerings_bp
    from consult.places.manage import bp as places_manage_bp
    from consult.places.views import bp as places_bp
    from consult.points.manage import bp as points_manage_bp
    from consult.points.street_exports import bp as points_street_bp
    from consult.points.views import bp as points_bp
    from consult.requests.manage import bp as requests_manage_bp
    from consult.requests.open311 import bp as open311_bp
    from consult.requests.views import bp as requests_bp
    from consult.safety.hazard_views import bp as hazards_bp
    from consult.safety.manage import bp as safety_manage_bp
    from consult.safety.notice_me import bp as safety_notice_bp
    from consult.safety.notice_views import bp as safety_notices_bp
    from consult.safety.round_views import bp as safety_rounds_bp
    from consult.safety.views import bp as safety_bp
    from consult.topics.manage import bp as topics_manage_bp
    from consult.topics.views import bp as topics_bp

    # isort: split
    # Importing the domains registers their to-do items, personal data and tick jobs (after the
    # views, as before: the registries keep the order in which they are filled).
    import consult.accounts.registrations  # noqa: F401
    import consult.activities.registrations  # noqa: F401
    import consult.evaluation.registrations  # noqa: F401
    import consult.kiosk.registrations  # noqa: F401
    import consult.offerings.registrations  # noqa: F401
    import consult.places.registrations  # noqa: F401
    import consult.points.registrations  # noqa: F401
    import consult.requests.registrations  # noqa: F401
    import consult.safety.notice_registrations  # noqa: F401
    import consult.safety.registrations  # noqa: F401
    import consult.topics.registrations  # noqa: F401

    # isort: split
    # What the domains lend core, evaluation and the API (consult.core.registries).
    import consult.activities.sources  # noqa: F401
    import consult.places.sources  # noqa: F401
    import consult.requests.sources  # noqa: F401
    import consult.topics.sources  # noqa: F401

    app.register_blueprint(core_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(places_bp)
    app.register_blueprint(manage_bp)
    app.register_blueprint(places_manage_bp)
    app.register_blueprint(topics_bp)
    app.register_blueprint(topics_manage_bp)
    app.register_blueprint(activities_bp)
    app.register_blueprint(activities_manage_bp)
    app.register_blueprint(documents_bp)
    app.register_blueprint(points_bp)
    app.register_blueprint(points_manage_bp)
    app.register_blueprint(points_street_bp)
    app.register_blueprint(evaluation_bp)
    app.register_blueprint(evaluation_manage_bp)
    app.register_blueprint(requests_bp)
    app.register_blueprint(requests_manage_bp)
    app.register_blueprint(open311_bp)
    app.register_blueprint(safety_bp)
    app.register_blueprint(safety_manage_bp)
    app.register_blueprint(safety_notice_bp)
    app.register_blueprint(safety_notices_bp)
    app.register_blueprint(hazards_bp)
    app.register_blueprint(safety_rounds_bp)
    app.register_blueprint(offerings_bp)
    app.register_blueprint(offerings_manage_bp)
    app.register_blueprint(appointments_bp)
    app.register_blueprint(appointments_manage_bp)
    app.register_blueprint(kiosk_bp)
    app.register_blueprint(kiosk_manage_bp)
    app.register_blueprint(api_bp)
    if app.config.get("TESTING_CLOCK"):
        from consult.core.testing import bp as testing_bp

        app.register_blueprint(testing_bp)


def register_errorhandlers(app: Flask) -> None:
    from consult.core.handlers import register

    register(app)


def register_template_helpers(app: Flask) -> None:
    from consult.core import cache
    from consult.core.templating import register

    register(app)
    cache.init_app(app)  # after the template globals it wraps (csrf_token, request_key)


def register_commands(app: Flask) -> None:
    from consult.core.cli import register as core_cli
    from consult.demo import register as demo_cli
    from consult.evaluation.cli import register as evaluation_cli
    from consult.generate.cli import register as generate_cli
    from consult.places.cli import register as places_cli
    from consult.points.cli import register as points_cli

    core_cli(app)
    places_cli(app)
    demo_cli(app)
    points_cli(app)
    evaluation_cli(app)
    generate_cli(app)
