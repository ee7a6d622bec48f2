"""Reads for points pages."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from consult.extensions import db
from consult.points.models import Balance, LedgerEntry, Redemption, RedemptionStatus, Reward


def balances_of(user_id: int):
    from consult.places.models import Community

    return db.session.execute(
        sa.select(Balance, Community).join(Community, Community.id == Balance.community_id).where(Balance.user_id == user_id)
        .order_by(Community.name)
    ).all()


def entries_of(user_id: int):
    return sa.select(LedgerEntry).where(LedgerEntry.user_id == user_id).order_by(LedgerEntry.created_at.desc(), LedgerEntry.id.desc())


def community_entries(community_id: int, start=None, end=None):
    stmt = sa.select(LedgerEntry).where(LedgerEntry.community_id == community_id).options(joinedload(LedgerEntry.user))
    if start is not None:
        stmt = stmt.where(LedgerEntry.created_at >= start, LedgerEntry.created_at < end)
    return stmt.order_by(LedgerEntry.created_at.desc(), LedgerEntry.id.desc())


def reversed_ids(entry_ids: list[int]) -> set[int]:
    if not entry_ids:
        return set()
    return set(db.session.scalars(sa.select(LedgerEntry.reverses_id).where(LedgerEntry.reverses_id.in_(entry_ids))))


def community_balances(community_id: int):
    return sa.select(Balance).where(Balance.community_id == community_id).options(joinedload(Balance.user)).order_by(Balance.balance.desc())


def rewards(community_id: int, active_only: bool = False) -> list[Reward]:
    stmt = sa.select(Reward).where(Reward.community_id == community_id)
    if active_only:
        stmt = stmt.where(Reward.active.is_(True))
    return list(db.session.scalars(stmt.order_by(Reward.price, Reward.id)))


def pending_redemptions(community_id: int) -> list[Redemption]:
    return list(db.session.scalars(
        sa.select(Redemption).where(Redemption.community_id == community_id, Redemption.status == RedemptionStatus.PENDING)
        .options(joinedload(Redemption.user), joinedload(Redemption.reward)).order_by(Redemption.created_at).limit(200)
    ))


def redemptions_of(user_id: int) -> list[Redemption]:
    return list(db.session.scalars(
        sa.select(Redemption).where(Redemption.user_id == user_id).options(joinedload(Redemption.reward))
        .order_by(Redemption.created_at.desc()).limit(50)
    ))
