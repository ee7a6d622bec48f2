"""On PostgreSQL: 50 people's worth of requests redeeming against a balance that covers one reward."""
import pytest
import sqlalchemy as sa

from consult.accounts.models import User
from consult.core.errors import Conflict
from consult.points import services
from consult.points.models import Balance, Redemption, Reward
from tests.core.test_concurrency import run_threads
from tests.factories import Factory

pytestmark = pytest.mark.postgresql


def test_fifty_redemptions_at_once_exactly_one_succeeds(app, committed_db):
    world = Factory(committed_db.session).world()
    services.bonus(world.worker, world.resident, world.a, 15, "奖励")
    reward = services.create_reward(world.worker, world.a, name="毛巾", price=10, stock=100)
    committed_db.session.commit()
    user_id, reward_id = world.resident.id, reward.id

    def redeem(i):
        from consult.extensions import db

        services.redeem(db.session.get(User, user_id), db.session.get(Reward, reward_id))
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
    assert services.verify_balances() == []
