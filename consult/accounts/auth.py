"""The web side of sessions: the session cookie's token, the rotating remember cookie, Flask-Login.

Flask-Login keeps ``_user_id`` in the signed session cookie; we add ``_sid``, the random token of
a ``user_sessions`` row, and load the person only while that row is open
(:func:`consult.accounts.sessions.check`). Flask-Login's own remember cookie (the user id and a
signature, the same on every log-in) is never set: "keep me logged in" is our own cookie
holding the row id and a random secret that is replaced every time it is used.
"""

from __future__ import annotations

from flask import Flask, current_app, g, request, session
from flask_login import current_user, login_user, logout_user

from consult.accounts import services, sessions
from consult.accounts.models import User, UserSession
from consult.core import i18n, notifications
from consult.extensions import db, login_manager

SESSION_KEY = "_sid"
REMEMBER_COOKIE = "consult_remember"
#: Dropped at log-in, so nothing of the signed-out session's identity (or its CSRF token) carries on.
AUTH_KEYS = ("_user_id", "_fresh", "_id", "_remember", "_remember_seconds", SESSION_KEY, "csrf_token")


def init_app(app: Flask) -> None:
    login_manager.user_loader(_load_from_session)
    login_manager.request_loader(_load_from_remember_cookie)
    app.before_request(_load_user_first)
    app.after_request(_write_remember_cookie)


def current_session() -> UserSession | None:
    """The ``user_sessions`` row of this request's device, when logged in."""
    if not current_user.is_authenticated:
        return None
    return g.get("user_session")


def log_in(user: User, *, remember: bool = False) -> UserSession:
    """Start a new session for ``user`` on this device (the caller commits).

    The language and large-text choices made on this device before logging in are kept and
    saved to the account.
    """
    for key in AUTH_KEYS:
        session.pop(key, None)
    display = request.cookies.get(i18n.DISPLAY_COOKIE)
    services.adopt_device_choices(
        user,
        language=request.cookies.get(i18n.LANG_COOKIE),
        large_text={"large": True, "normal": False}.get(display or ""),
    )
    row, token, remember_value = sessions.start(user, remember=remember, user_agent=request.user_agent.string)
    _enter(user, row, token, fresh=True)
    if remember_value:
        g.remember_cookie = (remember_value, row.expires_at)
    elif REMEMBER_COOKIE in request.cookies:
        g.remember_cookie = ("", None)
    return row


def log_out() -> None:
    """End this device's session (the caller commits) and forget its cookies."""
    row = current_session()
    if row is not None:
        sessions.end(row, sessions.EndReason.LOGOUT)
    logout_user()
    session.pop(SESSION_KEY, None)
    g.remember_cookie = ("", None)


def _enter(user: User, row: UserSession, token: str, *, fresh: bool) -> None:
    login_user(user, fresh=fresh)
    session[SESSION_KEY] = token
    g.user_session = row


def _load_from_session(user_id: str) -> User | None:
    found = sessions.check(
        user_id, session.get(SESSION_KEY), also=lambda uid: notifications.unread_count_query(uid).scalar_subquery()
    )
    if found is None:
        session.pop("_user_id", None)
        session.pop(SESSION_KEY, None)
        return None
    if found.touched:
        db.session.commit()
    g.user_session = found.row
    g._unread = found.also  # the header's count, read with the session (consult.core.templating)
    g.session_reads = found.reads  # the domains' values read with it (consult.core.registries.session_reads)
    return found.user


def _load_from_remember_cookie(req) -> User | None:
    cookie = req.cookies.get(REMEMBER_COOKIE)
    if not cookie:
        return None
    found = sessions.resume(cookie)
    if found is None:
        db.session.rollback()
        g.remember_cookie = ("", None)
        return None
    user, row, token, remember_value = found
    db.session.commit()
    _enter(user, row, token, fresh=False)
    g.remember_cookie = (remember_value, row.expires_at)
    return user


def _load_user_first() -> None:
    """Check the session before the view runs, so its bookkeeping never mixes with the view's writes."""
    if request.endpoint != "static":
        current_user._get_current_object()


def _write_remember_cookie(response):
    value = g.pop("remember_cookie", None)
    if value is None:
        return response
    cookie, expires = value
    if not cookie:
        response.delete_cookie(REMEMBER_COOKIE, path="/", samesite="Lax", httponly=True)
        return response
    response.set_cookie(
        REMEMBER_COOKIE,
        cookie,
        expires=expires,
        path="/",
        secure=bool(current_app.config.get("REMEMBER_COOKIE_SECURE")),
        httponly=True,
        samesite="Lax",
    )
    return response
