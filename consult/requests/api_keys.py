"""Open311 API keys: a site administrator issues one to a named holder for one street, and revokes it.

The key is ``secrets.token_urlsafe(32)``, shown once at issue; the database keeps only its SHA-256
(``accounts.sessions.hash_token``, as for session tokens: a leaked table lets nobody post). Every issue and revocation is audited.
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from consult.accounts.sessions import hash_token as digest
from consult.core import audit
from consult.core.clock import now
from consult.core.errors import NotFound, RuleViolation
from consult.extensions import db
from consult.places.models import Street
from consult.places.rules import require_site_admin
from consult.requests import common
from consult.requests.models import KEY_HOLDER_MAX, Open311Key


def issue(admin, street: Street, holder: str) -> tuple[Open311Key, str]:
    """A new key for ``holder`` (e.g. "12345 热线 integration") on ``street``: the row and the key itself."""
    require_site_admin(admin)
    holder = common.required(holder, KEY_HOLDER_MAX, "holder")
    key = secrets.token_urlsafe(32)
    row = Open311Key(street_id=street.id, holder=holder, key_hash=digest(key), issued_by_id=admin.id, created_at=now())
    db.session.add(row)
    db.session.flush()
    audit.record(admin, "open311_key.issued", row, street_id=street.id, after={"holder": holder})
    return row, key


def revoke(admin, key: Open311Key) -> Open311Key:
    """The key stops working at once (requests already sent with it stay)."""
    require_site_admin(admin)
    if key.revoked_at is not None:
        raise RuleViolation(_("This key is already revoked."))
    key.revoked_at, key.revoked_by_id = now(), admin.id
    audit.record(admin, "open311_key.revoked", key, street_id=key.street_id, after={"holder": key.holder})
    return key


def valid_key(key: str) -> Open311Key | None:
    """The unrevoked key with this text, or None (unknown, empty or revoked alike)."""
    if not key:
        return None
    return db.session.scalar(sa.select(Open311Key).where(Open311Key.key_hash == digest(key), Open311Key.revoked_at.is_(None)))


def all_keys() -> list[Open311Key]:
    return list(
        db.session.scalars(
            sa.select(Open311Key)
            .options(joinedload(Open311Key.street))
            .order_by(Open311Key.revoked_at.is_not(None), Open311Key.id.desc())
        )
    )


def key_by_id(key_id: int) -> Open311Key:
    key = db.session.get(Open311Key, key_id)
    if key is None:
        raise NotFound(_("No such key."))
    return key
