"""Rules of accounts: creating, logging in, passwords, reset codes, closing an account.

Accounts is the bottom domain and imports none of the others. Registering with a residence,
and what the committee may do to a resident's account, are places services
(``residents.py`` in places): they check who may act, then call the functions here.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

from consult.accounts import hooks, sessions
from consult.accounts.models import PasswordResetCode, User, UserSession
from consult.accounts.sessions import updated as _updated
from consult.core import audit
from consult.core.clock import now
from consult.core.database import add_unique
from consult.core.documents import documents_about
from consult.core.errors import Conflict, NotFound, RuleViolation
from consult.core.notifications import N_, for_user, notify
from consult.core.registries import closing_account, personal_data as exporters
from consult.extensions import db

log = logging.getLogger(__name__)

PASSWORD_MIN = 8
PASSWORD_MAX = 128
#: Closed accounts are renamed with this prefix, which nobody may register.
CLOSED_PREFIX = "closed-"
# Unambiguous characters for codes read aloud and typed on a phone.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_DUMMY_HASH = generate_password_hash("not a real password")


def hash_password(password: str) -> str:
    """Hash with werkzeug's current default (scrypt)."""
    return generate_password_hash(password)


def _check_new_password(password: str) -> None:
    if len(password or "") < PASSWORD_MIN:
        raise RuleViolation(_("Choose a password of at least %(n)d characters.", n=PASSWORD_MIN), field="password")


def user_by_username(username: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.username == (username or "").strip().lower()))


def active_user_named(username: str | None, field: str = "username") -> User:
    """The active account of a username a worker typed; an unknown or closed one is refused (404,
    the message under ``field``)."""
    user = user_by_username(username or "")
    if user is None or not user.active:
        raise NotFound(_("No one has that username."), field=field)
    return user


def create_user(
    username: str, display_name: str, *, password: str | None, phone: str | None = None, language: str = "zh_CN"
) -> User:
    """A new account (flushed); without a password for a resident a worker records (they log in after a reset code)."""
    if password is not None:
        _check_new_password(password)
    if username.strip().lower().startswith(CLOSED_PREFIX):
        raise Conflict(_("That username is taken. Please choose another."), field="username")
    user = User(
        username=username.strip().lower(),
        display_name=display_name.strip(),
        phone=(phone or "").strip() or None,
        password_hash=hash_password(password) if password else None,
        language=language if language in ("zh_CN", "en") else "zh_CN",
    )
    return add_unique(user, _("That username is taken. Please choose another."), field="username")


def authenticate(username: str, password: str) -> User | None:
    """The active user with this username and password, or None (same cost either way)."""
    user = user_by_username(username)
    if user is None or not user.password_hash or not user.active:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not check_password_hash(user.password_hash, password or ""):
        return None
    return user


def change_password(user: User, current: str, new: str, *, keep: UserSession | None = None) -> None:
    """A person changes their password, knowing the current one: every other session ends
    (``keep`` is the device they are using)."""
    if not (user.password_hash and check_password_hash(user.password_hash, current or "")):
        raise RuleViolation(_("Your current password is not right."), field="current")
    _check_new_password(new)
    user.password_hash = hash_password(new)
    sessions.end_all(user, sessions.EndReason.PASSWORD, keep=keep)
    db.session.flush()


def update_profile(user: User, *, display_name: str, phone: str | None, language: str, large_text: bool) -> None:
    """A person edits their own profile."""
    user.display_name = display_name.strip()
    user.phone = (phone or "").strip() or None
    user.language = language if language in ("zh_CN", "en") else user.language
    user.large_text = bool(large_text)
    db.session.flush()


def adopt_device_choices(user: User, *, language: str | None, large_text: bool | None) -> None:
    """Logging in on a device: the language and display chosen there before logging in win
    over the account's and are saved to it (None: nothing was chosen on this device)."""
    if language in ("zh_CN", "en"):
        user.language = language
    if large_text is not None:
        user.large_text = large_text
    db.session.flush()


def issue_reset_code(issuer: User, user: User, community_id: int | None) -> str:
    """A one-time reset code for ``user``, handed over in person; returns it (shown once).

    The caller has checked that ``issuer`` may (``residents.py`` in places: a worker for a
    resident of their community, a site administrator for anyone). Only the code's hash is
    kept; earlier unused codes stop working; audited.
    """
    moment = now()
    db.session.execute(
        sa.update(PasswordResetCode)
        .where(PasswordResetCode.user_id == user.id, PasswordResetCode.used_at.is_(None))
        .values(used_at=moment)
    )
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    entry = PasswordResetCode(
        user_id=user.id,
        code_hash=generate_password_hash(code),
        issued_by_id=issuer.id,
        community_id=community_id,
        created_at=moment,
        expires_at=moment + timedelta(hours=current_app.config["RESET_CODE_HOURS"]),
    )
    db.session.add(entry)
    db.session.flush()
    audit.record(issuer, "account.reset_code", entry, community_id=community_id, after={"user_id": user.id})
    return code


def revoke_reset_codes(user: User, *, actor: User | None) -> int:
    """Someone was appointed staff: their unused reset codes stop working (a worker may have
    issued one while they were a resident; staff codes come from a site administrator)."""
    moment = now()
    revoked = _updated(
        sa.update(PasswordResetCode)
        .where(PasswordResetCode.user_id == user.id, PasswordResetCode.used_at.is_(None), PasswordResetCode.expires_at > moment)
        .values(used_at=moment)
    )
    if revoked:
        audit.record(actor, "account.reset_codes_revoked", user, after={"user_id": user.id, "codes": revoked})
    return revoked


def normalise_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def use_reset_code(username: str, code: str, new_password: str) -> User:
    """A person sets a new password with a code a worker gave them; the code works once, for 24 h."""
    _check_new_password(new_password)
    user = user_by_username(username)
    message = _("That code is not right or has expired. Ask your committee for a new one.")
    if user is None or not user.active:
        raise RuleViolation(message, field="code")
    entry = db.session.scalar(
        sa.select(PasswordResetCode)
        .where(
            PasswordResetCode.user_id == user.id,
            PasswordResetCode.used_at.is_(None),
            PasswordResetCode.expires_at > now(),
        )
        .order_by(PasswordResetCode.created_at.desc())
        .with_for_update()
    )
    if entry is None or not check_password_hash(entry.code_hash, normalise_code(code)):
        raise RuleViolation(message, field="code")
    if entry.community_id is not None and hooks.is_staff(user):
        # A worker's code, issued before the person was appointed: staff are reset by a site administrator.
        raise RuleViolation(_("This code no longer works: staff accounts are reset by a site administrator."), field="code")
    entry.used_at = now()
    user.password_hash = hash_password(new_password)
    sessions.end_all(user, sessions.EndReason.RESET)
    db.session.flush()
    audit.record(user, "account.reset_used", entry, community_id=entry.community_id, after={"user_id": user.id})
    notify(user.id, f"account.reset:{entry.id}", N_("Your password was reset with a code from your committee."))
    return user


def close_account(user: User, password: str) -> None:
    """A person closes their account: anonymised, never deleted; ballots, ledger and counts stay.

    What they still hold elsewhere is cancelled or released through the ``closing_account`` registry.
    """
    if not (user.password_hash and check_password_hash(user.password_hash, password or "")):
        raise RuleViolation(_("Your password is not right."), field="password")
    # Each domain gives up what the person still holds (sign-ups, claims, redemptions, appointments,
    # residences) while their name is still on the account, so the notices sent to others make sense.
    for _name, release in sorted(closing_account.items()):
        release(user)
    sessions.end_all(user, sessions.EndReason.CLOSED)
    user.username = f"{CLOSED_PREFIX}{user.id}"
    user.display_name = ""
    user.phone = None
    user.password_hash = None
    user.active = False
    user.closed_at = now()
    db.session.flush()
    log.info("user %s closed their account", user.id)


def personal_data(user: User) -> dict:
    """Everything the site holds about a person, from every domain's registered exporter."""
    return {name: exporter(user) for name, exporter in sorted(exporters.items())}


def export_account(user: User) -> dict:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "phone": user.phone,
        "language": user.language,
        "large_text": user.large_text,
        "created_at": user.created_at.isoformat(),
    }


def export_reset_codes(user: User) -> list[dict]:
    """Reset codes issued for the person: when, until when, whether used (never the code)."""
    return [
        {
            "created_at": c.created_at.isoformat(),
            "expires_at": c.expires_at.isoformat(),
            "used_at": c.used_at.isoformat() if c.used_at else None,
        }
        for c in db.session.scalars(
            sa.select(PasswordResetCode).where(PasswordResetCode.user_id == user.id).order_by(PasswordResetCode.id)
        )
    ]


def export_sessions(user: User) -> list[dict]:
    """Devices the person signed in on: when, from what, until when (never a token)."""
    iso = lambda moment: moment.isoformat() if moment else None  # noqa: E731
    return [
        {
            "created_at": iso(s.created_at),
            "last_seen_at": iso(s.last_seen_at),
            "expires_at": iso(s.expires_at),
            "device": s.user_agent,
            "ended_at": iso(s.ended_at),
            "end_reason": s.end_reason,
        }
        for s in db.session.scalars(sa.select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.id))
    ]


def export_documents(user: User) -> list[dict]:
    """Verifiable documents about the person (service records, certificates) with their content at issue."""
    return [
        {
            "number": d.number,
            "kind": d.kind,
            "community_id": d.community_id,
            "content": d.content,
            "issued_at": d.issued_at.isoformat(),
            "revoked_at": d.revoked_at.isoformat() if d.revoked_at else None,
            "revoke_reason": d.revoke_reason,
        }
        for d in documents_about(user.id)
    ]


def export_notifications(user: User) -> list[dict]:
    return [
        {
            "text": n.message,
            "link": n.link,
            "created_at": n.created_at.isoformat(),
            "read_at": n.read_at.isoformat() if n.read_at else None,
        }
        for n in db.session.scalars(for_user(user.id))
    ]
