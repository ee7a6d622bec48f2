"""On PostgreSQL: 50 people's worth of requests redeeming against a balance that covers one reward."""

import pytest
import sqlalchemy as sa

from consult.accounts.models import User
from consult.core.errors import Conflict
from consult.extensions import db
from consult.points import ledger, queries, rewards
from consult.points.models import Balance, LedgerEntry, Redemption, Reward
from tests.core.test_concurrency import run_threads
from tests.factories import Factory

pytestmark = pytest.mark.postgresql


def test_fifty_redemptions_at_once_exactly_one_succeeds(app, committed_db):
    world = Factory(committed_db.session).world()
    ledger.bonus(world.worker, world.resident, world.a, 15, "奖励")
    reward = rewards.create_reward(world.worker, world.a, name="毛巾", price=10, stock=100)
    committed_db.session.commit()
    user_id, reward_id = world.resident.id, reward.id

    def redeem(i):
        rewards.redeem(db.session.get(User, user_id), db.session.get(Reward, reward_id))
        return "ok"

    results = run_threads(app, 50, redeem)
    assert results.count("ok") == 1
    refused = [r for r in results if r != "ok"]
    assert len(refused) == 49 and all(isinstance(r, Conflict) for r in refused)
    session = committed_db.session
    session.expire_all()
    assert session.get(Balance, (user_id, world.a.id)).balance == 5
    assert session.get(Reward, reward_id).stock == 99
    assert session.scalar(sa.select(sa.func.count()).select_from(Redemption)) == 1
    assert queries.verify_balances() == []


def test_a_reversal_racing_redemptions_is_recorded_and_no_redemption_overdraws(app, committed_db):
    """One thread reverses the bonus that pays for the rewards while twenty others redeem: the
    reversal always lands (the balance may end up owed), and no redemption's balance_after is
    below zero."""
    world = Factory(committed_db.session).world()
    bonus = ledger.bonus(world.worker, world.resident, world.a, 30, "奖励")
    reward = rewards.create_reward(world.worker, world.a, name="毛巾", price=10, stock=100)
    committed_db.session.commit()
    user_id, reward_id, bonus_id, worker_id = world.resident.id, reward.id, bonus.id, world.worker.id

    def work(i):
        if i == 0:
            ledger.reverse(db.session.get(User, worker_id), db.session.get(LedgerEntry, bonus_id), "发错人了")
            return "reversed"
        rewards.redeem(db.session.get(User, user_id), db.session.get(Reward, reward_id))
        return "redeemed"

    results = run_threads(app, 21, work)
    assert results[0] == "reversed"
    redeemed = results.count("redeemed")
    assert 0 <= redeemed <= 3 and all(isinstance(r, Conflict) for r in results if r not in ("reversed", "redeemed"))
    session = committed_db.session
    session.expire_all()
    assert session.get(Balance, (user_id, world.a.id)).balance == 30 - 10 * redeemed - 30
    assert session.scalar(sa.select(sa.func.min(LedgerEntry.balance_after)).where(LedgerEntry.reason == "redemption")) in (
        None,
        0,
        10,
        20,
    )
    assert queries.verify_balances() == []
