"""Demo rewards, a bonus and a redemption waiting to be handed over (the activities demo earned the points)."""

from __future__ import annotations

from datetime import timedelta

from consult.core import clock
from consult.points import ledger, rewards


def seed(world: dict) -> None:
    community, worker, party, neighbours = world["community"], world["worker"], world["party"], world["residents"]
    real_now = clock.now()
    frozen = clock.frozen_at()  # put back as it was: running in production, frozen in a test
    try:
        clock.set_now(real_now - timedelta(days=15))
        towel = rewards.create_reward(worker, community, name="毛巾", price=20, stock=10)
        rewards.create_reward(worker, community, name="环保购物袋", price=10, stock=30)
        rewards.create_reward(worker, community, name="体检套餐", price=200, stock=2)
        ledger.bonus(worker, party, community, 30, "组织楼道清理")
        ledger.bonus(worker, neighbours[8], community, 10, "协助议事会签到")
        clock.set_now(real_now - timedelta(days=2))
        rewards.redeem(party, towel)
    finally:
        clock.set_now(frozen)
