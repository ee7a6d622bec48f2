"""The points ledger without HTTP: posting once, rounding, reversals, corrections, bonuses,
redemption limits and cancellation, and `points verify`."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from consult.activities import services as activities
from consult.activities.signals import attendance_confirmed, wish_confirmed
from consult.core.audit import AuditEntry
from consult.core.clock import month_bounds, now as clock_now
from consult.core.errors import Conflict, PermissionDenied, RuleViolation
from consult.core.notifications import Notification
from consult.points import ledger, queries, rewards
from consult.points.models import Balance, LedgerEntry
from tests.factories import Factory


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


@pytest.mark.parametrize(
    "minutes, rate, points", [(60, 10, 10), (90, 10, 15), (45, 10, 8), (3, 10, 1), (2, 10, 0), (150, 7, 18), (30, 1, 1)]
)
def test_points_round_half_up(minutes, rate, points):
    assert ledger.points_for(minutes, rate) == points


def test_confirmed_minutes_post_once(db, world, clock):
    attendance = served(world, clock, 90)
    entries = list(db.session.scalars(sa.select(LedgerEntry).where(LedgerEntry.user_id == world.party.id)))
    assert [(e.delta, e.reason, e.source_type, e.source_id) for e in entries] == [(15, "attendance", "attendance", attendance.id)]
    assert balance(db, world.party, world.a) == 15
    with pytest.raises(Conflict):
        ledger.post_attendance(
            attendance, actor=world.worker, activity=db.session.get(activities.Activity, attendance.activity_id)
        )
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
    ledger.bonus(world.worker, world.resident, world.a, 20, "协助组织议事会")
    assert balance(db, world.resident, world.a) == 20
    for bad in (0, -5, 1001, 10**9):
        with pytest.raises(RuleViolation):
            ledger.bonus(world.worker, world.resident, world.a, bad, "x")
    with pytest.raises(RuleViolation):
        ledger.bonus(world.worker, world.resident, world.a, 5, "")
    with pytest.raises(PermissionDenied):
        ledger.bonus(world.other_worker, world.resident, world.a, 5, "x")
    with pytest.raises(RuleViolation):
        ledger.bonus(world.worker, world.pending, world.a, 5, "x")


def test_reversal_once_and_never_of_a_reversal(db, world):
    entry = ledger.bonus(world.worker, world.resident, world.a, 20, "误发")
    with pytest.raises(RuleViolation):
        ledger.reverse(world.worker, entry, "")
    reversal = ledger.reverse(world.worker, entry, "发错人了")
    assert reversal.delta == -20 and reversal.reverses_id == entry.id
    assert balance(db, world.resident, world.a) == 0
    with pytest.raises(Conflict):
        ledger.reverse(world.worker, entry, "again")
    with pytest.raises(Conflict):
        ledger.reverse(world.worker, reversal, "reverse the reversal")
    with pytest.raises(PermissionDenied):
        ledger.reverse(world.other_worker, entry, "x")


def test_correction_reverses_and_replaces(db, world, clock):
    attendance = served(world, clock, 60)
    original = db.session.scalar(
        sa.select(LedgerEntry).where(LedgerEntry.source_type == "attendance", LedgerEntry.source_id == attendance.id)
    )
    corrected = ledger.correct(world.worker, original, 12, "时长登记错误")
    assert corrected.replaces_id == original.id and corrected.source_id == attendance.id and corrected.delta == 12
    assert balance(db, world.party, world.a) == 12
    with pytest.raises(Conflict):
        ledger.correct(world.worker, original, 13, "again")  # already reversed
    assert queries.verify_balances() == []


def test_reversal_of_spent_points_is_recorded_and_leaves_the_balance_owed(db, world):
    entry = ledger.bonus(world.worker, world.resident, world.a, 30, "奖励")
    reward = rewards.create_reward(world.worker, world.a, name="洗衣液", price=25, stock=3)
    rewards.redeem(world.resident, reward)
    reversal = ledger.reverse(world.worker, entry, "发错人了")
    assert reversal.delta == -30 and reversal.balance_after == -25
    assert balance(db, world.resident, world.a) == -25
    assert queries.verify_balances() == []
    with pytest.raises(Conflict, match="欠 25"):
        rewards.redeem(world.resident, reward)  # owed: no redemption until the balance is positive again
    ledger.bonus(world.street_admin, world.resident, world.a, 45, "清雪")
    with pytest.raises(Conflict):
        rewards.redeem(world.resident, reward)  # 20 < 25
    ledger.bonus(world.street_admin, world.resident, world.a, 5, "清雪")
    assert rewards.redeem(world.resident, reward).price == 25 and balance(db, world.resident, world.a) == 0
    assert queries.verify_balances() == []


def test_correction_of_spent_points_is_recorded_and_tells_the_member(db, world):
    entry = ledger.bonus(world.worker, world.resident, world.a, 30, "奖励")
    rewards.redeem(world.resident, rewards.create_reward(world.worker, world.a, name="洗衣液", price=25, stock=3))
    corrected = ledger.correct(world.worker, entry, 10, "只应奖励10分")
    assert corrected.balance_after == -15 and balance(db, world.resident, world.a) == -15
    texts = [n.message for n in db.session.scalars(sa.select(Notification).where(Notification.recipient_id == world.resident.id))]
    assert any("10" in t and "30" in t and "只应奖励10分" in t for t in texts), texts
    assert queries.verify_balances() == []


def test_redemption_limits(db, world):
    reward = rewards.create_reward(world.worker, world.a, name="毛巾", price=10, stock=1)
    with pytest.raises(Conflict):
        rewards.redeem(world.resident, reward)  # no points
    ledger.bonus(world.worker, world.resident, world.a, 25, "奖励")
    rewards.redeem(world.resident, reward)
    assert reward.stock == 0 and balance(db, world.resident, world.a) == 15
    with pytest.raises(Conflict):
        rewards.redeem(world.resident, reward)  # sold out
    rewards.update_reward(world.worker, reward, stock=5, active=False)
    with pytest.raises(Conflict):
        rewards.redeem(world.resident, reward)  # not offered
    with pytest.raises(PermissionDenied):
        rewards.redeem(world.pending, reward)
    for bad in (dict(name="", price=1, stock=1), dict(name="x", price=0, stock=1), dict(name="x", price=1, stock=-1)):
        with pytest.raises(RuleViolation):
            rewards.create_reward(world.worker, world.a, **bad)


def test_cancelled_redemption_restores_points_and_stock(db, world):
    ledger.bonus(world.worker, world.resident, world.a, 25, "奖励")
    reward = rewards.create_reward(world.worker, world.a, name="毛巾", price=10, stock=2)
    redemption = rewards.redeem(world.resident, reward)
    rewards.cancel_redemption(world.resident, redemption)
    db.session.refresh(reward)
    assert reward.stock == 2 and balance(db, world.resident, world.a) == 25 and redemption.status == "cancelled"
    with pytest.raises(Conflict):
        rewards.cancel_redemption(world.worker, redemption)
    second = rewards.redeem(world.resident, reward)
    rewards.hand_over(world.worker, second)
    with pytest.raises(Conflict):
        rewards.cancel_redemption(world.worker, second)
    with pytest.raises(Conflict):
        ledger.reverse(world.worker, db.session.get(LedgerEntry, second.entry_id), "no")
    assert queries.verify_balances() == []


def test_verify_catches_a_tampered_balance(db, world):
    ledger.bonus(world.worker, world.resident, world.a, 25, "奖励")
    assert queries.verify_balances() == []
    db.session.execute(sa.update(Balance).where(Balance.user_id == world.resident.id).values(balance=999))
    assert queries.verify_balances() == [{"user_id": world.resident.id, "community_id": world.a.id, "balance": 999, "ledger": 25}]


def test_points_verify_command(app, committed_db):
    world = Factory(committed_db.session).world()
    ledger.bonus(world.worker, world.resident, world.a, 5, "x")
    committed_db.session.commit()
    runner = app.test_cli_runner()
    assert runner.invoke(args=["points", "verify"]).exit_code == 0
    committed_db.session.execute(sa.update(Balance).values(balance=1))
    committed_db.session.commit()
    result = runner.invoke(args=["points", "verify"])
    assert result.exit_code == 1 and "balance 1 but ledger 5" in result.output


def test_the_database_refuses_update_delete_and_truncate_of_the_ledger(db, world):
    """On every engine: each statement that would change or remove an entry is refused by the database."""
    entry = ledger.bonus(world.worker, world.resident, world.a, 5, "x")
    db.session.flush()
    statements = [
        f"UPDATE ledger_entries SET delta = 500 WHERE id = {entry.id}",
        "UPDATE ledger_entries SET note = 'changed'",
        f"DELETE FROM ledger_entries WHERE id = {entry.id}",
        "DELETE FROM ledger_entries",  # SQLite's TRUNCATE
    ]
    if db.engine.dialect.name == "postgresql":
        # (A bare TRUNCATE ledger_entries is refused anyway: redemptions refer to it.)
        statements += ["TRUNCATE ledger_entries CASCADE", "TRUNCATE ledger_entries, redemptions"]
    for statement in statements:
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), db.session.begin_nested():
            db.session.execute(sa.text(statement))
    db.session.expire_all()
    assert db.session.get(LedgerEntry, entry.id).delta == 5 and db.session.get(LedgerEntry, entry.id).note == "x"


def test_the_database_refuses_a_redemption_that_overdraws(db, world):
    """The CHECK on balance_after and the trigger tying it to the balance row, without Python's checks."""
    ledger.bonus(world.worker, world.resident, world.a, 5, "x")
    db.session.flush()
    insert = (
        "INSERT INTO ledger_entries (user_id, community_id, delta, reason, balance_after, created_at) "
        "VALUES (:user, :community, :delta, :reason, :after, :at)"
    )
    base = {"user": world.resident.id, "community": world.a.id, "at": clock_now()}
    for delta, reason, after in (
        (-10, "redemption", -5),  # overdraws: the CHECK
        (-10, "redemption", 0),  # lies about the balance: the trigger
        (20, "bonus", 999),
    ):  # any entry must follow the balance
        with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
            db.session.execute(sa.text(insert), {**base, "delta": delta, "reason": reason, "after": after})
    with db.session.begin_nested():  # a bonus that follows the balance is fine
        db.session.execute(sa.text(insert), {**base, "delta": 20, "reason": "bonus", "after": 25})


def test_monthly_totals_and_month_bounds(db, world, clock):
    clock.set(2026, 9, 30, 15, 30)  # 23:30 on 30 September in Shanghai
    ledger.bonus(world.worker, world.resident, world.a, 25, "奖励")
    clock.set(2026, 9, 30, 16, 30)  # 00:30 on 1 October in Shanghai
    ledger.bonus(world.worker, world.resident, world.a, 7, "奖励")
    rewards.redeem(world.resident, rewards.create_reward(world.worker, world.a, name="毛巾", price=10, stock=1))
    clock.set(2026, 11, 15, 4, 0)
    assert queries.monthly_totals(world.resident.id) == [("2026-10", 7, 10), ("2026-09", 25, 0)]
    assert queries.monthly_totals(world.resident.id, months=2) == [("2026-10", 7, 10)]
    for bad in ("2026-13", "26-1", "abc", ""):
        with pytest.raises(RuleViolation):
            month_bounds(bad)


def test_monthly_totals_count_every_entry_in_one_query(db, world, clock, count_queries):
    """Not only the last 500 entries: 600 bonuses in one month are all counted, in one statement."""
    clock.set(2026, 11, 3, 4, 0)
    ledger.bonus(world.worker, world.resident, world.a, 3, "x")
    first = db.session.scalar(sa.select(LedgerEntry))
    rows = [
        {
            "user_id": world.resident.id,
            "community_id": world.a.id,
            "delta": 1,
            "reason": "bonus",
            "balance_after": 4 + i,
            "created_at": first.created_at,
        }
        for i in range(600)
    ]
    for row in rows:  # one by one: each follows the balance row, as the trigger demands
        db.session.execute(sa.insert(LedgerEntry), [row])
        db.session.execute(sa.update(Balance).where(Balance.user_id == world.resident.id).values(balance=row["balance_after"]))
    with count_queries() as q:
        totals = queries.monthly_totals(world.resident.id)
    assert totals == [("2026-11", 603, 0)] and q.count == 1
    assert queries.verify_balances() == []


def test_redemptions_are_audited_and_a_committee_cancellation_tells_the_member(db, world):
    ledger.bonus(world.worker, world.resident, world.a, 25, "奖励")
    reward = rewards.create_reward(world.worker, world.a, name="毛巾", price=10, stock=2)
    redemption = rewards.redeem(world.resident, reward)
    audited = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "reward.redeem"))
    assert audited.actor_id == world.resident.id and audited.target_id == redemption.id and audited.community_id == world.a.id
    assert audited.after["price"] == 10 and audited.after["balance_after"] == 15
    rewards.cancel_redemption(world.worker, redemption)
    told = db.session.scalar(
        sa.select(Notification).where(
            Notification.recipient_id == world.resident.id, Notification.event_key == f"redemption:{redemption.id}:cancelled"
        )
    )
    assert told is not None and "毛巾" in told.message and "10" in told.message
    own = rewards.redeem(world.resident, reward)
    rewards.cancel_redemption(world.resident, own)  # cancelling one's own: no notice to oneself
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(Notification).where(Notification.event_key == f"redemption:{own.id}:cancelled")
        )
        == 0
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.action == "reward.cancel")) == 2


def test_every_listener_is_connected_where_registrations_says():
    """The ledger hears of confirmed minutes and wishes through the activities signals."""
    assert ledger.post_attendance in attendance_confirmed.receivers.values()
    assert ledger.post_wish in wish_confirmed.receivers.values()
