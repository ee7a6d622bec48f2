"""Reads of the points domain: pages, lookups scoped to a community, settings, `points verify`."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from consult.core.clock import local_now, month_bounds, previous_month
from consult.core.errors import NotFound
from consult.extensions import db
from consult.places.models import Community
from consult.points.models import Balance, LedgerEntry, PointsSettings, Redemption, RedemptionStatus, Reward


def balances_of(user_id: int):
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


def settings_for(community_id: int) -> PointsSettings:
    """The community's points rules (the defaults, unsaved, until the committee sets them)."""
    return db.session.get(PointsSettings, community_id) or PointsSettings(
        community_id=community_id, default_points_per_hour=10, wish_points=5
    )


def entry_in(community: Community, entry_id: int) -> LedgerEntry:
    entry = db.session.get(LedgerEntry, entry_id)
    if entry is None or entry.community_id != community.id:
        raise NotFound(_("No such ledger entry in this community."))
    return entry


def redemption_in(community: Community, redemption_id: int) -> Redemption:
    redemption = db.session.get(Redemption, redemption_id)
    if redemption is None or redemption.community_id != community.id:
        raise NotFound(_("No such redemption in this community."))
    return redemption


def reward_in(community: Community, reward_id: int) -> Reward:
    reward = db.session.get(Reward, reward_id)
    if reward is None or reward.community_id != community.id:
        raise NotFound(_("No such reward in this community."))
    return reward


def verify_balances() -> list[dict[str, Any]]:
    """Every balance that differs from the sum of its ledger entries, and every entry whose
    ``balance_after`` differs from the running sum up to it (none, if all is well)."""
    sums = (
        sa.select(LedgerEntry.user_id, LedgerEntry.community_id, sa.func.sum(LedgerEntry.delta).label("total"))
        .group_by(LedgerEntry.user_id, LedgerEntry.community_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(Balance.user_id, Balance.community_id, Balance.balance, sums.c.total)
        .outerjoin(sums, sa.and_(sums.c.user_id == Balance.user_id, sums.c.community_id == Balance.community_id))
        .where(Balance.balance != sa.func.coalesce(sums.c.total, 0))
    ).all()
    missing = db.session.execute(
        sa.select(sums.c.user_id, sums.c.community_id, sums.c.total)
        .outerjoin(Balance, sa.and_(sums.c.user_id == Balance.user_id, sums.c.community_id == Balance.community_id))
        .where(Balance.user_id.is_(None), sums.c.total != 0)
    ).all()
    running = sa.select(
        LedgerEntry.id,
        LedgerEntry.user_id,
        LedgerEntry.community_id,
        LedgerEntry.balance_after,
        sa.func.sum(LedgerEntry.delta)
        .over(partition_by=(LedgerEntry.user_id, LedgerEntry.community_id), order_by=LedgerEntry.id)
        .label("running"),
    ).subquery()
    chain = db.session.execute(
        sa.select(running).where(running.c.balance_after != running.c.running).order_by(running.c.id)
    ).all()
    problems = [
        {"user_id": r.user_id, "community_id": r.community_id, "balance": r.balance, "ledger": r.total or 0} for r in rows
    ]
    problems += [{"user_id": r.user_id, "community_id": r.community_id, "balance": None, "ledger": r.total} for r in missing]
    problems += [
        {"user_id": r.user_id, "community_id": r.community_id, "entry_id": r.id, "balance": r.balance_after, "ledger": r.running}
        for r in chain
    ]
    return problems
