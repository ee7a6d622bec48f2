"""Sign-in cards: the committee prints a card whose QR code carries a one-time code; at a kiosk, the
card's code (typed by the kiosk's QR scanner, or by hand) logs its holder in once.

The code is 12 characters from accounts' unambiguous alphabet (about 60 bits), so it is kept as
a SHA-256 and needs no lock: the kiosk's attempt limit is enough. A card works once, for
``CARD_DAYS`` days, only at the kiosks of its community while its holder may hold a PIN there;
a new card replaces the holder's unused ones. Issuing is audited, never the code.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from consult.accounts.models import User
from consult.accounts.services import CODE_ALPHABET
from consult.accounts.sessions import updated
from consult.core import audit
from consult.core.clock import now
from consult.core.errors import DomainError
from consult.extensions import db
from consult.kiosk.models import CARD_CODE_LENGTH, Kiosk, KioskCard, KioskPin
from consult.kiosk.pins import pin_of
from consult.kiosk.policy import PinPolicy, may_hold_pin
from consult.places.models import Community

CARD_DAYS = 30


class BadCard(DomainError):
    """A card code that logs nobody in (unknown, used, replaced, expired, another community's): 401."""

    status = 401


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _normalised(code: str | None) -> str:
    """The code as stored: upper case, without the spaces and dashes of its printed groups."""
    return "".join(ch for ch in (code or "").upper() if ch not in " -")


def shown(code: str) -> str:
    """The code as printed: groups of four (ABCD-EFGH-JKLM)."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def issue_card(actor, community: Community, holder: User) -> tuple[KioskCard, str]:
    """Print a new sign-in card for ``holder`` (replacing their unused ones); returns the card and its code."""
    pin = pin_of(holder.id)
    PinPolicy(pin or KioskPin(user_id=holder.id, failed_count=0), community=community, holder=holder).require("issue_card", actor)
    moment = now()
    retire_cards(holder)
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CARD_CODE_LENGTH))
    card = KioskCard(
        user_id=holder.id,
        community_id=community.id,
        code_hash=_hash(code),
        issued_by_id=actor.id,
        created_at=moment,
        expires_at=moment + timedelta(days=CARD_DAYS),
    )
    db.session.add(card)
    db.session.flush()
    audit.record(actor, "kiosk_card.issue", card, community_id=community.id, after={"user_id": holder.id})
    return card, code


def log_in_with_card(kiosk: Kiosk, code: str | None) -> User:
    """The holder of the card with ``code`` when it may log them in at ``kiosk`` now; the card is used up."""
    refusal = BadCard(
        _("This sign-in card does not work (used, replaced, expired or not for this community). Ask at the service desk."),
        field="code",
    )
    code = _normalised(code)
    if len(code) != CARD_CODE_LENGTH or not code.isascii():
        raise refusal
    moment = now()
    card = db.session.scalar(sa.select(KioskCard).where(KioskCard.code_hash == _hash(code)))
    if card is None or card.used_at is not None or card.expires_at <= moment or card.community_id != kiosk.community_id:
        raise refusal
    holder = db.session.get(User, card.user_id)
    if holder is None or not holder.active or not may_hold_pin(holder, db.session.get_one(Community, kiosk.community_id)):
        raise refusal
    # Used once, even by two kiosks at the same moment: only the UPDATE that finds it unused wins.
    used = updated(sa.update(KioskCard).where(KioskCard.id == card.id, KioskCard.used_at.is_(None)).values(used_at=moment))
    if used != 1:
        raise refusal
    return holder


def retire_cards(user: User) -> None:
    """Stop the person's unused cards from working (their account is closing). Flushed."""
    db.session.execute(
        sa.update(KioskCard)
        .where(KioskCard.user_id == user.id, KioskCard.used_at.is_(None))
        .values(used_at=now())
        .execution_options(synchronize_session=False)
    )


def export_cards(user: User) -> list[dict]:
    """The person's cards for "download my data" (never the code or its hash)."""
    rows = db.session.scalars(sa.select(KioskCard).where(KioskCard.user_id == user.id).order_by(KioskCard.id))
    return [
        {
            "printed_at": c.created_at.isoformat(),
            "expires_at": c.expires_at.isoformat(),
            "used_or_replaced_at": c.used_at.isoformat() if c.used_at else None,
        }
        for c in rows
    ]
