"""Rewards and redemptions (积分兑换): the committee offers rewards, a resident redeems one (points
taken at once, the stock lowered), the committee hands it over; a redemption not yet handed over
can be cancelled, which returns the points (a reversal) and the stock.

The balance row and the reward are locked while redeeming, so neither goes below zero. Who may do
what, in which state, is ``RewardPolicy`` and ``RedemptionPolicy`` (``policy.py``)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, TypeVar

import sqlalchemy as sa
from flask_babel import gettext as _

from consult.core import audit
from consult.core.clock import now
from consult.core.errors import RuleViolation
from consult.core.notifications import N_, notify
from consult.extensions import db
from consult.places.models import Community
from consult.places.rules import require_committee
from consult.points import ledger
from consult.points.models import (
    PRICE_MAX,
    REWARD_NAME_MAX,
    STOCK_MAX,
    LedgerEntry,
    Reason,
    Redemption,
    RedemptionStatus,
    Reward,
)
from consult.points.policy import RedemptionPolicy, RewardPolicy

if TYPE_CHECKING:
    from consult.accounts.models import User

log = logging.getLogger(__name__)
M = TypeVar("M", Reward, Redemption)


def _stock(stock: object) -> int:
    if not isinstance(stock, int) or not 0 <= stock <= STOCK_MAX:
        raise RuleViolation(_("The stock is between 0 and 100000."), field="stock")
    return stock


def create_reward(worker: User, community: Community, *, name: str, price: int, stock: int) -> Reward:
    """The committee offers a reward at a price in points, with a stock."""
    require_committee(worker, community)
    name = (name or "").strip()
    if not name or len(name) > REWARD_NAME_MAX:
        raise RuleViolation(_("Name the reward (at most 60 characters)."), field="name")
    if not isinstance(price, int) or not 1 <= price <= PRICE_MAX:
        raise RuleViolation(_("The price is between 1 and 100000 points."), field="price")
    reward = Reward(community_id=community.id, name=name, price=price, stock=_stock(stock))
    db.session.add(reward)
    db.session.flush()
    audit.record(worker, "reward.create", reward, community_id=community.id, after={"name": name, "price": price, "stock": stock})
    return reward


def update_reward(worker: User, reward: Reward, *, stock: int, active: bool) -> Reward:
    """The committee changes a reward's stock, or stops (or starts again) offering it."""
    RewardPolicy(reward).require("edit", worker)
    before = {"stock": reward.stock, "active": reward.active}
    reward.stock, reward.active = _stock(stock), active
    db.session.flush()
    audit.record(
        worker, "reward.update", reward, community_id=reward.community_id, before=before, after={"stock": stock, "active": active}
    )
    return reward


def redeem(user: User, reward: Reward, request_key: str | None = None) -> Redemption:
    """Redeem a reward: the balance row and the reward are locked, so neither goes below zero."""
    RewardPolicy(reward).require("redeem", user)  # refused before anything is locked or written
    balance = ledger.locked_balance(user.id, reward.community_id)  # locked first: one redemption per person at a time
    reward = _locked(Reward, reward.id)
    RewardPolicy(reward, balance=balance.balance).require("redeem", user)  # and again under the locks
    redemption = Redemption(user_id=user.id, community_id=reward.community_id, reward_id=reward.id, price=reward.price)
    db.session.add(redemption)
    db.session.flush()
    entry = ledger.post(
        user.id,
        reward.community_id,
        -reward.price,
        Reason.REDEMPTION,
        actor=user,
        source=("redemption", redemption.id),
        note=reward.name,
        request_key=request_key,
        duplicate=_("This was already done: the form was sent twice."),
    )
    redemption.entry_id = entry.id
    reward.stock -= 1
    db.session.flush()
    audit.record(
        user,
        "reward.redeem",
        redemption,
        community_id=reward.community_id,
        after={"reward_id": reward.id, "price": reward.price, "entry_id": entry.id, "balance_after": entry.balance_after},
    )
    log.info("user %s redeemed reward %s for %s points", user.id, reward.id, reward.price)
    return redemption


def hand_over(worker: User, redemption: Redemption) -> Redemption:
    """The committee marks a redeemed reward as handed over; never to oneself."""
    redemption = _locked(Redemption, redemption.id)
    RedemptionPolicy(redemption).require("hand_over", worker)
    redemption.status, redemption.handed_over_at, redemption.handed_over_by_id = RedemptionStatus.HANDED_OVER, now(), worker.id
    db.session.flush()
    audit.record(
        worker, "reward.hand_over", redemption, community_id=redemption.community_id, after={"user_id": redemption.user_id}
    )
    notify(
        redemption.user_id, f"redemption:{redemption.id}:handed_over", N_("Your reward has been handed over."), link="/me/points"
    )
    return redemption


def cancel_redemption(actor: User, redemption: Redemption) -> Redemption:
    """Cancel a redemption not yet handed over: the points come back (a reversal) and so does the stock."""
    redemption = _locked(Redemption, redemption.id)
    RedemptionPolicy(redemption).require("cancel", actor)
    entry = db.session.get(LedgerEntry, redemption.entry_id)
    assert entry is not None  # nosec B101
    reversal = ledger.post(
        entry.user_id,
        entry.community_id,
        -entry.delta,
        Reason.REVERSAL,
        actor=actor,
        reverses=entry,
        note=_("Redemption cancelled"),
        duplicate=_("This redemption is already cancelled."),
    )
    db.session.execute(sa.update(Reward).where(Reward.id == redemption.reward_id).values(stock=Reward.stock + 1))
    redemption.status, redemption.cancelled_at, redemption.cancelled_by_id = RedemptionStatus.CANCELLED, now(), actor.id
    db.session.flush()
    audit.record(
        actor,
        "reward.cancel",
        redemption,
        community_id=redemption.community_id,
        after={"user_id": redemption.user_id, "reversal_id": reversal.id},
    )
    if actor.id != redemption.user_id:
        notify(
            redemption.user_id,
            f"redemption:{redemption.id}:cancelled",
            N_("Your redemption of “%(reward)s” was cancelled by the committee; %(points)d points are back."),
            link="/me/points",
            reward=entry.note or "",
            points=reversal.delta,
        )
    return redemption


def _locked(model: type[M], row_id: int) -> M:
    """The row, locked and re-read (what another transaction committed meanwhile)."""
    row = db.session.scalar(
        sa.select(model).where(model.id == row_id).with_for_update().execution_options(populate_existing=True)
    )
    assert row is not None  # nosec B101
    return row
