"""Registered kiosks (self-service terminals) and residents' kiosk PINs."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from consult.core.clock import now
from consult.extensions import Model

NAME_MAX = 40
PIN_LENGTH = 6
#: wrong PINs in a row that lock an account's kiosk PIN until a worker unlocks it
PIN_TRIES = 5


class Kiosk(Model):
    """A terminal in a community's service hall, registered by its committee.

    The terminal holds a random token in a long-lived cookie; only its SHA-256 is kept here, so a
    copy of the database opens no kiosk. A revoked kiosk's token is refused."""

    __tablename__ = "kiosks"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(NAME_MAX))
    #: SHA-256 of the token in the terminal's cookie
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=now)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    __table_args__ = (
        sa.CheckConstraint("(revoked_at IS NULL) = (revoked_by_id IS NULL)", name="revoked_by"),
        sa.CheckConstraint("length(token_hash) = 64", name="token_hash_length"),
    )

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


class KioskPin(Model):
    """A person's 6-digit kiosk PIN (hashed like a password), set by a worker, locked after 5 wrong tries."""

    __tablename__ = "kiosk_pins"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), unique=True)
    pin_hash: Mapped[str] = mapped_column(sa.String(255))
    set_at: Mapped[datetime] = mapped_column(default=now)
    set_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    #: wrong PINs since the last right one (or the last set/unlock)
    failed_count: Mapped[int] = mapped_column(default=0)
    #: set when ``failed_count`` reached PIN_TRIES; a worker unlocks it
    locked_at: Mapped[datetime | None]

    __table_args__ = (
        sa.CheckConstraint(f"failed_count >= 0 AND failed_count <= {PIN_TRIES}", name="failed_count"),
        sa.CheckConstraint(f"locked_at IS NULL OR failed_count = {PIN_TRIES}", name="locked_when_used_up"),
    )

    @property
    def locked(self) -> bool:
        return self.locked_at is not None

    @property
    def tries_left(self) -> int:
        return max(0, PIN_TRIES - self.failed_count)


#: a sign-in card's code: characters from accounts' unambiguous alphabet
CARD_CODE_LENGTH = 12


class KioskCard(Model):
    """A printed sign-in card: a QR code carrying a one-time code that logs its holder in at a kiosk.

    Only the code's SHA-256 is kept. A card works once, until it expires, and a new card replaces
    the holder's unused ones."""

    __tablename__ = "kiosk_cards"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"))
    code_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    issued_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
    expires_at: Mapped[datetime]
    #: when it logged its holder in, or was replaced by a newer card
    used_at: Mapped[datetime | None]

    __table_args__ = (sa.CheckConstraint("expires_at > created_at", name="expires_after_issue"),)
