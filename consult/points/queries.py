"""Reads for points pages."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from consult.core.clock import local_now, month_bounds, previous_month
from consult.extensions import db
from consult.points.models import Balance, LedgerEntry, Redemption, RedemptionStatus, Reward


def balances_of(user_id: int):
    from consult.places.models import Community

    return db.session.execute(
        sa.select(Balance, Community)
        .join(Community, Community.id == Balance.community_id)
        .where(Balance.user_id == user_id)
        .order_by(Community.name)
    ).all()


def entries_of(user_id: int):
    return (
        sa.select(LedgerEntry)
        .where(LedgerEntry.user_id == user_id)
        .order_by(LedgerEntry.created_at.desc(), LedgerEntry.id.desc())
    )


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
    return (
        sa.select(Balance)
        .where(Balance.community_id == community_id)
        .options(joinedload(Balance.user))
        .order_by(Balance.balance.desc())
    )


def rewards(community_id: int, active_only: bool = False) -> list[Reward]:
    stmt = sa.select(Reward).where(Reward.community_id == community_id)
    if active_only:
        stmt = stmt.where(Reward.active.is_(True))
    return list(db.session.scalars(stmt.order_by(Reward.price, Reward.id)))


def pending_redemptions(community_id: int) -> list[Redemption]:
    return list(
        db.session.scalars(
            sa.select(Redemption)
            .where(Redemption.community_id == community_id, Redemption.status == RedemptionStatus.PENDING)
            .options(joinedload(Redemption.user), joinedload(Redemption.reward))
            .order_by(Redemption.created_at)
            .limit(200)
        )
    )


def redemptions_of(user_id: int) -> list[Redemption]:
    return list(
        db.session.scalars(
            sa.select(Redemption)
            .where(Redemption.user_id == user_id)
            .options(joinedload(Redemption.reward))
            .order_by(Redemption.created_at.desc())
            .limit(50)
        )
    )


def balance_in(user_id: int, community_id: int) -> int:
    """A person's balance in a community (0 if they have none yet; negative when owed)."""
    return (
        db.session.scalar(sa.select(Balance.balance).where(Balance.user_id == user_id, Balance.community_id == community_id)) or 0
    )


def monthly_totals(user_id: int, months: int = 12) -> list[tuple[str, int, int]]:
    """(YYYY-MM in the site's zone, points in, points out) over all of a person's entries in the
    last ``months`` months, newest first; months without entries are left out. One query: the
    months' bounds in UTC come from the site's zone, so the grouping is right on every engine."""
    keys = [local_now().strftime("%Y-%m")]
    while len(keys) < months:
        keys.append(previous_month(keys[-1]))
    bounds = {key: month_bounds(key) for key in keys}
    month = sa.case(
        *[(sa.and_(LedgerEntry.created_at >= start, LedgerEntry.created_at < end), key) for key, (start, end) in bounds.items()]
    ).label("month")
    inner = (
        sa.select(month, LedgerEntry.delta)
        .where(
            LedgerEntry.user_id == user_id,
            LedgerEntry.created_at >= bounds[keys[-1]][0],
            LedgerEntry.created_at < bounds[keys[0]][1],
        )
        .subquery()
    )
    rows = db.session.execute(
        sa.select(
            inner.c.month,
            sa.func.sum(sa.case((inner.c.delta > 0, inner.c.delta), else_=0)),
            sa.func.sum(sa.case((inner.c.delta < 0, -inner.c.delta), else_=0)),
        )
        .group_by(inner.c.month)
        .order_by(inner.c.month.desc())
    ).all()
    return [(row[0], int(row[1]), int(row[2])) for row in rows]
