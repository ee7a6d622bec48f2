"""Rules of signed-in devices (``user_sessions``): starting, checking, rotating and ending them.

Every log-in starts a row holding the SHA-256 of a random token; the token itself lives only in
the person's signed session cookie. With "keep me logged in", a second random secret lives in
a cookie of its own and is replaced each time it is used. A request is logged in only while its
row is open and unexpired, so ending a row logs that device out at once, wherever the cookies
went. Nothing here reads the request; :mod:`consult.accounts.auth` does the cookies.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import timedelta
from typing import Any, NamedTuple, cast

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from consult.accounts.models import User, UserSession
from consult.core import audit
from consult.core.clock import now
from consult.core.errors import NotFound
from consult.core.registries import session_reads
from consult.extensions import db


class EndReason:
    LOGOUT = "logout"
    PASSWORD = "password"
    RESET = "reset"
    BY_PERSON = "by_person"
    BY_WORKER = "by_worker"
    CLOSED = "closed"
    ROTATED = "rotated"


#: How often ``last_seen_at`` (and the idle expiry) is written: not on every request.
TOUCH_EVERY = timedelta(minutes=5)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _idle() -> timedelta:
    return timedelta(hours=current_app.config["SESSION_IDLE_HOURS"])


def _remember_for() -> timedelta:
    return timedelta(days=current_app.config["REMEMBER_DAYS"])


_BROWSERS = [
    ("MicroMessenger", "WeChat"),
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Safari/", "Safari"),
]
_SYSTEMS = [
    ("HarmonyOS", "HarmonyOS"),
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
]


def describe_user_agent(user_agent: str | None) -> str:
    """A short, language-neutral description of a browser, e.g. "Chrome · Android" (never the raw header)."""
    text = user_agent or ""
    browser = next((name for marker, name in _BROWSERS if marker in text), "")
    system = next((name for marker, name in _SYSTEMS if marker in text), "")
    summary = " · ".join(part for part in (browser, system) if part)
    return re.sub(r"[^\w ·.-]", "", summary)[:80]


def start(user: User, *, remember: bool = False, user_agent: str | None = None) -> tuple[UserSession, str, str | None]:
    """Start a session for ``user`` on one device.

    Returns the row, the session token (for the session cookie) and, when remembered, the
    remember cookie's value; only their hashes are stored. Flushed, not committed.
    """
    moment = now()
    token = secrets.token_urlsafe(32)
    secret = secrets.token_urlsafe(32) if remember else None
    row = UserSession(
        user_id=user.id,
        token_hash=hash_token(token),
        remember_hash=hash_token(secret) if secret else None,
        created_at=moment,
        last_seen_at=moment,
        expires_at=moment + (_remember_for() if remember else _idle()),
        user_agent=describe_user_agent(user_agent),
    )
    db.session.add(row)
    db.session.flush()
    return row, token, (f"{row.id}.{secret}" if secret else None)


def _usable(row: UserSession | None, moment) -> User | None:
    if row is None or row.ended_at is not None or row.expires_at <= moment:
        return None
    user = db.session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    return user


class Checked(NamedTuple):
    """An open session: its person and row, whether its last-seen time moved, and ``also``."""

    user: User
    row: UserSession
    touched: bool
    also: Any = None
    #: the values of ``consult.core.registries.session_reads``, by name
    reads: dict | None = None


def check(user_id: str, token: str | None, *, also=None) -> Checked | None:
    """The person and open session behind a session cookie, or None if it was ended or expired.

    Every few minutes the row's last-seen time (and, without "keep me logged in", its idle
    expiry) moves on: the third value says so, and the caller commits.

    ``also``: a function of the person's id column giving a scalar subquery, read in the same
    statement (the header's unread count: the session check stays one statement a request).
    """
    if not token or not (user_id.isascii() and user_id.isdigit()):
        return None
    # The person comes in the same statement (then from the identity map).
    columns = [UserSession, User] + ([also(UserSession.user_id).label("also")] if also is not None else [])
    columns += [read(UserSession.user_id).label(f"read_{name}") for name, read in session_reads.items()]
    found = db.session.execute(
        sa.select(*columns).join(User, User.id == UserSession.user_id).where(UserSession.token_hash == hash_token(token))
    ).first()
    row = found[0] if found else None
    moment = now()
    user = _usable(row, moment)
    if row is None or user is None or user.id != int(user_id):
        return None
    touched = moment - row.last_seen_at >= TOUCH_EVERY
    if touched:
        row.last_seen_at = moment
        if not row.remembered:
            row.expires_at = moment + _idle()
        db.session.flush()
    first_read = 3 if also is not None else 2
    reads = {name: found[first_read + i] for i, name in enumerate(session_reads)}
    return Checked(user, row, touched, found[2] if also is not None else None, reads)


def resume(cookie: str | None) -> tuple[User, UserSession, str, str] | None:
    """Log a device back in from its "keep me logged in" cookie, replacing both its secrets.

    Returns the person, the row, a new session token and the new remember cookie value; the
    cookie just used never works again. None when the cookie is malformed, ended, expired or
    already used. The expiry stays where the log-in put it. Flushed, not committed.
    """
    row_id, _sep, secret = (cookie or "").partition(".")
    if not (row_id.isascii() and row_id.isdigit() and secret) or len(row_id) > 18:
        return None
    row = db.session.get(UserSession, int(row_id), with_for_update=True)
    moment = now()
    user = _usable(row, moment)
    if row is None or user is None or row.remember_hash is None or not hmac.compare_digest(row.remember_hash, hash_token(secret)):
        return None
    token = secrets.token_urlsafe(32)
    new_secret = secrets.token_urlsafe(32)
    row.token_hash = hash_token(token)
    row.remember_hash = hash_token(new_secret)
    row.last_seen_at = moment
    db.session.flush()
    return user, row, token, f"{row.id}.{new_secret}"


def end(row: UserSession, reason: str) -> None:
    """End one session (logging out): both its cookies stop working. Flushed."""
    if row.ended_at is None:
        row.ended_at = now()
        row.end_reason = reason
        db.session.flush()


def end_all(user: User, reason: str, *, keep: UserSession | None = None) -> int:
    """End every open session of ``user`` (but ``keep``, the device asking); returns how many."""
    query = sa.update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    if keep is not None:
        query = query.where(UserSession.id != keep.id)
    return updated(query.values(ended_at=now(), end_reason=reason).execution_options(synchronize_session="fetch"))


def updated(statement: sa.Update) -> int:
    """Run an UPDATE and return how many rows it changed."""
    return cast("sa.CursorResult[Any]", db.session.execute(statement)).rowcount


def open_sessions(user: User) -> list[UserSession]:
    """The person's signed-in devices, most recently seen first."""
    return list(
        db.session.scalars(
            sa.select(UserSession)
            .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None), UserSession.expires_at > now())
            .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
        )
    )


def end_own(user: User, session_id: int) -> None:
    """A person ends one of their own devices' sessions."""
    row = db.session.get(UserSession, session_id)
    if row is None or row.user_id != user.id:
        raise NotFound(_("That device is not signed in to your account."))
    end(row, EndReason.BY_PERSON)


def end_all_by_staff(actor: User, user: User, community_id: int | None = None) -> int:
    """A worker or a site administrator ends all of a person's sessions (a lost phone), audited;
    returns how many. The caller has checked that ``actor`` may (``residents.py`` in places)."""
    count = end_all(user, EndReason.BY_WORKER)
    audit.record(
        actor,
        "account.sessions_ended",
        user,
        community_id=community_id,
        after={"user_id": user.id, "sessions": count},
    )
    return count


def expire_at(row: UserSession, moment) -> None:
    """Let a session end at ``moment`` unless used again (a kiosk's short idle limit: consult/kiosk). Flushed."""
    row.expires_at = moment
    row.last_seen_at = now()
    db.session.flush()
