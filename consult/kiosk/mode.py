"""Kiosk mode: what every request from a registered terminal goes through (docs/kiosk.md).

A request is in kiosk mode when it carries the cookie of a kiosk that is not revoked
(``g.kiosk``). Then:

- a person logged in on it is logged out after ``KIOSK_IDLE_SECONDS`` (60) without a request:
  the session's row (``user_sessions``) is made to expire that long after each request, so the
  server refuses it even when the page's countdown never ran; the next request finds the session
  gone, clears everything of it and says so;
- the password log-in, registration and reset pages lead to the kiosk's PIN log-in instead;
- every answer carries ``Cache-Control: no-store`` (the back button shows nothing of the last
  person) and is never taken from or put in the page cache.

A cookie naming a revoked or unknown kiosk is cleared on the answer; the kiosk pages refuse it
with 403. A session started on a kiosk is ended when the kiosk is revoked or its cookie is gone.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.accounts import auth, sessions
from consult.core import i18n
from consult.core.clock import now
from consult.extensions import db
from consult.kiosk import services
from consult.kiosk.models import Kiosk

KIOSK_COOKIE = "consult_kiosk"
#: the session key naming the kiosk a person logged in at
SESSION_KEY = "_kiosk"
#: a kiosk cookie lives this long (browsers cap cookies at 400 days); each visit of the home screen renews it
COOKIE_DAYS = 400
#: pages that lead to the kiosk's own log-in in kiosk mode
PASSWORD_PAGES = {"accounts.login", "accounts.reset", "places.register"}


def idle_seconds() -> int:
    return int(current_app.config["KIOSK_IDLE_SECONDS"])


def current_kiosk() -> Kiosk | None:
    """The registered, unrevoked kiosk this request comes from."""
    return g.get("kiosk")


def enter():
    """Before each request: find the kiosk, keep or end the kiosk session, lead password pages to the PIN."""
    if request.endpoint == "static":
        return None
    g.kiosk = None
    token = request.cookies.get(KIOSK_COOKIE)
    if token:
        kiosk = services.kiosk_of_token(token)
        if kiosk is None or kiosk.revoked:
            g.kiosk_refused = "revoked" if kiosk is not None else "unknown"
        else:
            g.kiosk = kiosk
        g.no_page_cache = True
    _keep_or_end_session()
    if g.kiosk is not None and request.endpoint in PASSWORD_PAGES:
        return redirect(url_for("kiosk.login", next=request.args.get("next") or None))
    return None


def _keep_or_end_session() -> None:
    kiosk = g.kiosk
    started_at = session.get(SESSION_KEY)
    if started_at is None and not (kiosk is not None and current_user.is_authenticated):
        return
    if kiosk is None or (started_at is not None and started_at != kiosk.id):
        forget_person()  # the kiosk was revoked or its cookie is gone: its session goes too
        return
    if not current_user.is_authenticated:  # the row expired: idle for too long
        forget_person()
        flash(_("You were logged out after %(n)d seconds without use.", n=idle_seconds()), "info")
        return
    row = auth.current_session()
    session[SESSION_KEY] = kiosk.id
    if row is not None:
        sessions.expire_at(row, now() + timedelta(seconds=idle_seconds()))
        db.session.commit()


def forget_person() -> None:
    """Log out (committed) and forget everything of the person who used the kiosk (session, language, text size)."""
    if current_user.is_authenticated:
        auth.log_out()
        db.session.commit()
    session.clear()
    g.kiosk_forget_choices = True


def leave(response):
    """After each request: no-store in kiosk mode; set, renew or clear the kiosk cookie; forget choices."""
    if request.cookies.get(KIOSK_COOKIE) or g.get("kiosk_cookie"):
        response.headers["Cache-Control"] = "no-store"
    secure = request.is_secure or bool(current_app.config.get("REMEMBER_COOKIE_SECURE"))
    new = g.pop("kiosk_cookie", None)
    if new:
        response.set_cookie(
            KIOSK_COOKIE, new, max_age=COOKIE_DAYS * 86400, path="/", secure=secure, httponly=True, samesite="Strict"
        )
    elif g.get("kiosk_refused"):
        response.delete_cookie(KIOSK_COOKIE, path="/", secure=secure, httponly=True, samesite="Strict")
    if g.pop("kiosk_forget_choices", False):
        for name in (i18n.LANG_COOKIE, i18n.DISPLAY_COOKIE):
            if name in request.cookies:
                response.delete_cookie(name, path="/")
    return response
