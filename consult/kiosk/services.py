"""Kiosks: the committee registers a terminal (a token for its cookie) and revokes it; audited.

Only the SHA-256 of a kiosk's token is stored. :func:`kiosk_of_token` finds the kiosk behind a
cookie, revoked ones included (the pages then refuse with 403 and clear the cookie).
"""

from __future__ import annotations

import hashlib
import logging
import secrets

import sqlalchemy as sa
from flask_babel import gettext as _

from consult.core import audit
from consult.core.clock import now
from consult.core.errors import RuleViolation
from consult.extensions import db
from consult.kiosk.models import NAME_MAX, Kiosk
from consult.kiosk.policy import KioskPolicy
from consult.places.models import Community
from consult.places.rules import require_committee

log = logging.getLogger(__name__)
#: the longest cookie value looked up (a token is 43 characters)
TOKEN_MAX = 100


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def register_kiosk(actor, community: Community, name: str) -> tuple[Kiosk, str]:
    """Register a terminal of ``community``'s service hall; returns the kiosk and its token (for the cookie)."""
    require_committee(actor, community)
    name = " ".join((name or "").split())
    if not name:
        raise RuleViolation(_("Give the kiosk a name, such as where it stands."), field="name")
    if len(name) > NAME_MAX:
        raise RuleViolation(_("Use at most %(max)d characters.", max=NAME_MAX), field="name")
    token = secrets.token_urlsafe(32)
    kiosk = Kiosk(community_id=community.id, name=name, token_hash=hash_token(token), created_at=now(), created_by_id=actor.id)
    db.session.add(kiosk)
    db.session.flush()
    audit.record(actor, "kiosk.register", kiosk, community_id=community.id, after={"name": name})
    log.info("kiosk %s registered in community %s by user %s", kiosk.id, community.id, actor.id)
    return kiosk, token


def revoke_kiosk(actor, kiosk: Kiosk) -> None:
    """Revoke a kiosk: its cookie opens nothing from the next request on; audited."""
    KioskPolicy(kiosk).require("revoke", actor)
    kiosk.revoked_at = now()
    kiosk.revoked_by_id = actor.id
    db.session.flush()
    audit.record(actor, "kiosk.revoke", kiosk, community_id=kiosk.community_id, before={"name": kiosk.name})
    log.info("kiosk %s revoked by user %s", kiosk.id, actor.id)


def kiosk_of_token(token: str | None) -> Kiosk | None:
    """The kiosk whose cookie holds ``token`` (revoked or not), or None for an unknown token."""
    if not token or len(token) > TOKEN_MAX or not token.isascii():
        return None
    return db.session.scalar(sa.select(Kiosk).where(Kiosk.token_hash == hash_token(token)))
