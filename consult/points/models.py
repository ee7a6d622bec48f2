"""The points ledger (append-only), balances, rewards and redemptions.

Nothing updates or deletes a ledger entry: a mistake is a reversal naming the entry, and a
correction is a reversal plus a new entry naming the one it replaces. Triggers (migration
0009_points) make the database itself refuse UPDATE, DELETE and TRUNCATE on ``ledger_entries``
on every engine, and refuse an entry whose ``balance_after`` does not follow from the balance
row; a CHECK refuses a redemption whose ``balance_after`` is below zero. A balance may be
negative (owed) after a reversal or a correction of points already spent. See docs/points.md.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.core.clock import now
from consult.extensions import Model

if TYPE_CHECKING:
    from consult.accounts.models import User


class Reason(enum.StrEnum):
    ATTENDANCE = "attendance"
    WISH = "wish"
    BONUS = "bonus"
    REDEMPTION = "redemption"
    REVERSAL = "reversal"


EARNING = ("attendance", "wish")
#: What a correction may replace: points earned and bonuses (not redemptions or reversals).
CORRECTABLE = (Reason.ATTENDANCE, Reason.WISH, Reason.BONUS)

# Field limits, shared by the models, the forms, the services and the pages.
#: A note or a reason on a ledger entry (bonus, reversal, correction), in characters.
NOTE_MAX = 300
#: The most points one bonus (or one corrected amount) may give.
BONUS_MAX = 1000
#: A community's points per hour and micro-wish points are between 0 and this.
SETTING_MAX = 1000
#: A reward's name, in characters.
REWARD_NAME_MAX = 60
#: A reward's price is between 1 and this; its stock between 0 and this.
PRICE_MAX = 100000
STOCK_MAX = 100000


class LedgerEntry(Model):
    """One change of a person's points in a community."""

    __tablename__ = "ledger_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"))
    delta: Mapped[int]
    reason: Mapped[str] = mapped_column(sa.String(12))
    #: What the entry is for: ``attendance``, ``wish`` or ``redemption`` with its id.
    source_type: Mapped[str | None] = mapped_column(sa.String(12))
    source_id: Mapped[int | None]
    reverses_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ledger_entries.id"))
    replaces_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ledger_entries.id"))
    note: Mapped[str | None] = mapped_column(sa.String(NOTE_MAX))
    #: The person's balance in the community after this entry (may be negative: owed).
    balance_after: Mapped[int]
    #: A one-time key from the form that asked for this entry: a double submit posts once.
    request_key: Mapped[str | None] = mapped_column(sa.String(36))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)

    user: Mapped[User] = relationship("User", foreign_keys=[user_id], lazy="raise_on_sql")
    created_by: Mapped[User | None] = relationship("User", foreign_keys=[created_by_id], lazy="raise_on_sql")

    __table_args__ = (
        sa.CheckConstraint("reason IN ('attendance', 'wish', 'bonus', 'redemption', 'reversal')", name="reason"),
        sa.CheckConstraint("delta != 0", name="delta"),
        sa.CheckConstraint("(reason = 'reversal') = (reverses_id IS NOT NULL)", name="reversal"),
        # A redemption never overdraws; a reversal or a correction may leave the balance owed.
        sa.CheckConstraint("reason != 'redemption' OR balance_after >= 0", name="redemption_covered"),
        # A mistake is reversed once.
        sa.Index(
            "uq_ledger_entries_reverses",
            "reverses_id",
            unique=True,
            sqlite_where=sa.text("reverses_id IS NOT NULL"),
            postgresql_where=sa.text("reverses_id IS NOT NULL"),
        ),
        # An entry is replaced by one correction at most.
        sa.Index(
            "uq_ledger_entries_replaces",
            "replaces_id",
            unique=True,
            sqlite_where=sa.text("replaces_id IS NOT NULL"),
            postgresql_where=sa.text("replaces_id IS NOT NULL"),
        ),
        # Points for an attendance or a micro-wish are posted once; corrections name what they replace.
        sa.Index(
            "uq_ledger_entries_earning",
            "source_type",
            "source_id",
            unique=True,
            sqlite_where=sa.text("reason IN ('attendance', 'wish') AND replaces_id IS NULL"),
            postgresql_where=sa.text("reason IN ('attendance', 'wish') AND replaces_id IS NULL"),
        ),
        sa.Index(
            "uq_ledger_entries_request_key",
            "request_key",
            unique=True,
            sqlite_where=sa.text("request_key IS NOT NULL"),
            postgresql_where=sa.text("request_key IS NOT NULL"),
        ),
        sa.Index("ix_ledger_entries_user_community_created", "user_id", "community_id", "created_at"),
        # A person's entries newest first (/me/points), any community: a page is an index range.
        sa.Index("ix_ledger_entries_user_created", "user_id", "created_at", "id"),
        sa.Index("ix_ledger_entries_community_created", "community_id", "created_at"),
    )


class Balance(Model):
    """A person's points in a community, changed in the same transaction as each entry.

    Negative when a reversal took back points already spent: the person owes them, and no
    redemption is possible until earned points bring it back up."""

    __tablename__ = "point_balances"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"), primary_key=True, index=True)
    balance: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=now)

    user: Mapped[User] = relationship("User", lazy="raise_on_sql")


class PointsSettings(Model):
    """A community's points rules: the default points per hour, and a micro-wish's points."""

    __tablename__ = "points_settings"

    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"), primary_key=True)
    default_points_per_hour: Mapped[int] = mapped_column(default=10)
    wish_points: Mapped[int] = mapped_column(default=5)

    __table_args__ = (
        sa.CheckConstraint(f"default_points_per_hour BETWEEN 0 AND {SETTING_MAX}", name="rate"),
        sa.CheckConstraint(f"wish_points BETWEEN 0 AND {SETTING_MAX}", name="wish_points"),
    )


class Reward(Model):
    """Something residents can redeem points for."""

    __tablename__ = "rewards"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(REWARD_NAME_MAX))
    price: Mapped[int]
    stock: Mapped[int]
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=now)

    __table_args__ = (
        sa.CheckConstraint("price >= 1", name="price"),
        sa.CheckConstraint("stock >= 0", name="stock"),
    )


class RedemptionStatus(enum.StrEnum):
    PENDING = "pending"
    HANDED_OVER = "handed_over"
    CANCELLED = "cancelled"


class Redemption(Model):
    """A reward redeemed: points taken at once, the reward handed over by the committee."""

    __tablename__ = "redemptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"))
    reward_id: Mapped[int] = mapped_column(sa.ForeignKey("rewards.id"))
    price: Mapped[int]
    status: Mapped[str] = mapped_column(sa.String(12), default=RedemptionStatus.PENDING)
    entry_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ledger_entries.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
    handed_over_at: Mapped[datetime | None]
    handed_over_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    cancelled_at: Mapped[datetime | None]
    cancelled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    user: Mapped[User] = relationship("User", foreign_keys=[user_id], lazy="raise_on_sql")
    reward: Mapped[Reward] = relationship(lazy="raise_on_sql")

    __table_args__ = (
        sa.CheckConstraint("status IN ('pending', 'handed_over', 'cancelled')", name="status"),
        sa.Index("ix_redemptions_community_status", "community_id", "status"),
    )
