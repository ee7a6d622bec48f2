"""Migration 0009_points on a database that holds a ledger: balance_after is back-filled as the
running sum, redemptions keep their entries, and the triggers are in place afterwards."""

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from consult import create_app
from consult.extensions import db
from consult.points import ledger, queries, rewards
from consult.points.models import LedgerEntry
from tests.conftest import PG_URL, need, temporary_postgres_database
from tests.factories import Factory


def _backfill_on(url):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        world = Factory(db.session).world()
        bonus = ledger.bonus(world.worker, world.resident, world.a, 30, "奖励")
        ledger.bonus(world.worker, world.party, world.a, 8, "奖励")
        reward = rewards.create_reward(world.worker, world.a, name="毛巾", price=10, stock=5)
        rewards.redeem(world.resident, reward)
        cancelled = rewards.redeem(world.resident, reward)
        rewards.cancel_redemption(world.resident, cancelled)
        ledger.correct(world.worker, bonus, 25, "少记了")
        db.session.commit()
        expected = dict(db.session.execute(sa.select(LedgerEntry.id, LedgerEntry.balance_after)).all())
        assert sorted(expected.values()) == [-10, 8, 10, 15, 20, 20, 30]
        db.session.remove()

        downgrade(revision="0005_evaluation")
        upgrade()
        db.session.remove()
        assert dict(db.session.execute(sa.select(LedgerEntry.id, LedgerEntry.balance_after)).all()) == expected
        assert queries.verify_balances() == []
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            db.session.execute(sa.text("DELETE FROM ledger_entries"))
        db.session.rollback()
        db.session.remove()
        db.engine.dispose()


def test_migration_backfills_balance_after_on_sqlite(tmp_path):
    _backfill_on(f"sqlite:///{tmp_path / 'ledger.db'}")


def test_migration_backfills_balance_after_on_postgresql():
    need(bool(PG_URL), "TEST_DATABASE_URL is not set")
    with temporary_postgres_database() as url:
        _backfill_on(url)
