"""The points ledger without HTTP: posting once, rounding, reversals, corrections, bonuses,
redemption limits and cancellation, and `points verify`."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from consult.activities import services as activities
from consult.core.audit import AuditEntry
from consult.core.errors import Conflict, PermissionDenied, RuleViolation
from consult.core.clock import month_bounds
from consult.points import services
from consult.points.models import Balance, LedgerEntry


def balance(db, user, community):
    row = db.session.get(Balance, (user.id, community.id))
    db.session.refresh(row) if row else None
    return row.balance if row else 0


def served(world, clock, minutes, rate=10, person=None):
    """An attendance of ``person`` (the party member) with ``minutes`` confirmed; returns it."""
    person = person or world.party
    activity = world.factory.activity(world, starts_in=timedelta(minutes=20), hours=3, points_per_hour=rate)
    activities.sign_up(person, activity)
    attendance = activities.check_in(person, activity, activities.checkin_code(activity))
    clock.advance(hours=4)
    activities.confirm_minutes(world.worker, activity, attendance, minutes)
    return attendance


@pytest.mark.parametrize("minutes, rate, points", [(60, 10, 10), (90, 10, 15), (45, 10, 8), (3, 10, 1), (2, 10, 0), (150, 7, 18), (30, 1, 1)])
def test_points_round_half_up(minutes, rate, points):
    assert services.points_for(minutes, rate) == points


def test_confirmed_minutes_post_once(db, world, clock):
    attendance = served(world, clock, 90)
    entries = list(db.session.scalars(sa.select(LedgerEntry).where(LedgerEntry.user_id == world.party.id)))
    assert [(e.delta, e.reason, e.source_type, e.source_id) for e in entries] == [(15, "attendance", "attendance", attendance.id)]
    assert balance(db, world.party, world.a) == 15
    with pytest.raises(Conflict):
        services.post_attendance(world.worker, db.session.get(activities.Activity, attendance.activity_id), attendance)
    assert balance(db, world.party, world.a) == 15
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.action == "points.post")) == 1


def test_confirmed_wish_pays_its_claimer(db, world):
    wish = activities.post_wish(world.resident, world.a, title="换灯泡", description="厨房")
    activities.approve_wish(world.worker, wish)
    activities.claim_wish(world.party, wish)
    activities.fulfil_wish(world.party, wish)
    activities.confirm_wish(world.resident, wish, "satisfied")
    assert balance(db, world.party, world.a) == 5


def test_bonus_rules(db, world):
    services.bonus(world.worker, world.resident, world.a, 20, "协助组织议事会")
    assert balance(db, world.resident, world.a) == 20
    for bad in (0, -5, 1001, 10**9):
        with pytest.raises(RuleViolation):
            services.bonus(world.worker, world.resident, world.a, bad, "x")
    with pytest.raises(RuleViolation):
        services.bonus(world.worker, world.resident, world.a, 5, "")
    with pytest.raises(PermissionDenied):
        services.bonus(world.other_worker, world.resident, world.a, 5, "x")
    with pytest.raises(RuleViolation):
        services.bonus(world.worker, world.pending, world.a, 5, "x")


def test_reversal_once_and_never_of_a_reversal(db, world):
    entry = services.bonus(world.worker, world.resident, world.a, 20, "误发")
    with pytest.raises(RuleViolation):
        services.reverse(world.worker, entry, "")
    reversal = services.reverse(world.worker, entry, "发错人了")
    assert reversal.delta == -20 and reversal.reverses_id == entry.id
    assert balance(db, world.resident, world.a) == 0
    with pytest.raises(Conflict):
        services.reverse(world.worker, entry, "again")
    with pytest.raises(Conflict):
        services.reverse(world.worker, reversal, "reverse the reversal")
    with pytest.raises(PermissionDenied):
        services.reverse(world.other_worker, entry, "x")


def test_correction_reverses_and_replaces(db, world, clock):
    attendance = served(world, clock, 60)
    original = db.session.scalar(sa.select(LedgerEntry).where(LedgerEntry.source_type == "attendance", LedgerEntry.source_id == attendance.id))
    corrected = services.correct(world.worker, original, 12, "时长登记错误")
    assert corrected.replaces_id == original.id and corrected.source_id == attendance.id and corrected.delta == 12
    assert balance(db, world.party, world.a) == 12
    with pytest.raises(Conflict):
        services.correct(world.worker, original, 13, "again")  # already reversed
    assert services.verify_balances() == []


def test_reversal_cannot_take_a_balance_below_zero(db, world, factory):
    entry = services.bonus(world.worker, world.resident, world.a, 30, "奖励")
    reward = services.create_reward(world.worker, world.a, name="洗衣液", price=25, stock=3)
    services.redeem(world.resident, reward)
    with pytest.raises(Conflict):
        services.reverse(world.worker, entry, "spent already")
    assert balance(db, world.resident, world.a) == 5


def test_redemption_limits(db, world):
    reward = services.create_reward(world.worker, world.a, name="毛巾", price=10, stock=1)
    with pytest.raises(Conflict):
        services.redeem(world.resident, reward)  # no points
    services.bonus(world.worker, world.resident, world.a, 25, "奖励")
    services.redeem(world.resident, reward)
    assert reward.stock == 0 and balance(db, world.resident, world.a) == 15
    with pytest.raises(Conflict):
        services.redeem(world.resident, reward)  # sold out
    services.update_reward(world.worker, reward, stock=5, active=False)
    with pytest.raises(Conflict):
        services.redeem(world.resident, reward)  # not offered
    with pytest.raises(PermissionDenied):
        services.redeem(world.pending, reward)
    for bad in (dict(name="", price=1, stock=1), dict(name="x", price=0, stock=1), dict(name="x", price=1, stock=-1)):
        with pytest.raises(RuleViolation):
            services.create_reward(world.worker, world.a, **bad)


def test_cancelled_redemption_restores_points_and_stock(db, world):
    services.bonus(world.worker, world.resident, world.a, 25, "奖励")
    reward = services.create_reward(world.worker, world.a, name="毛巾", price=10, stock=2)
    redemption = services.redeem(world.resident, reward)
    services.cancel_redemption(world.resident, redemption)
    db.session.refresh(reward)
    assert reward.stock == 2 and balance(db, world.resident, world.a) == 25 and redemption.status == "cancelled"
    with pytest.raises(Conflict):
        services.cancel_redemption(world.worker, redemption)
    second = services.redeem(world.resident, reward)
    services.hand_over(world.worker, second)
    with pytest.raises(Conflict):
        services.cancel_redemption(world.worker, second)
    with pytest.raises(Conflict):
        services.reverse(world.worker, db.session.get(LedgerEntry, second.entry_id), "no")
    assert services.verify_balances() == []


def test_verify_catches_a_tampered_balance(db, world):
    services.bonus(world.worker, world.resident, world.a, 25, "奖励")
    assert services.verify_balances() == []
    db.session.execute(sa.update(Balance).where(Balance.user_id == world.resident.id).values(balance=999))
    assert services.verify_balances() == [{"user_id": world.resident.id, "community_id": world.a.id, "balance": 999, "ledger": 25}]


def test_points_verify_command(app, committed_db):
    from tests.factories import Factory

    world = Factory(committed_db.session).world()
    services.bonus(world.worker, world.resident, world.a, 5, "x")
    committed_db.session.commit()
    runner = app.test_cli_runner()
    assert runner.invoke(args=["points", "verify"]).exit_code == 0
    committed_db.session.execute(sa.update(Balance).values(balance=1))
    committed_db.session.commit()
    result = runner.invoke(args=["points", "verify"])
    assert result.exit_code == 1 and "balance 1 but ledger 5" in result.output


def test_no_code_path_updates_or_deletes_entries():
    import pathlib
    import re

    for path in pathlib.Path("consult").rglob("*.py"):
        text = path.read_text()
        assert not re.search(r"(update|delete)\(LedgerEntry\)", text), path


@pytest.mark.postgresql
def test_the_database_refuses_to_change_an_entry(app, committed_db):
    from tests.factories import Factory

    world = Factory(committed_db.session).world()
    entry = services.bonus(world.worker, world.resident, world.a, 5, "x")
    committed_db.session.commit()
    for statement in (sa.update(LedgerEntry).where(LedgerEntry.id == entry.id).values(delta=500),
                      sa.delete(LedgerEntry).where(LedgerEntry.id == entry.id)):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            committed_db.session.execute(statement)
        committed_db.session.rollback()
    assert committed_db.session.get(LedgerEntry, entry.id).delta == 5


def test_monthly_totals_and_month_bounds(db, world):
    services.bonus(world.worker, world.resident, world.a, 25, "奖励")
    entries = list(db.session.scalars(sa.select(LedgerEntry)))
    (month, earned, spent), = services.monthly_totals(entries)
    assert earned == 25 and spent == 0
    for bad in ("2026-13", "26-1", "abc", ""):
        with pytest.raises(RuleViolation):
            month_bounds(bad)
