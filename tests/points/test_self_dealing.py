"""Nobody acts on their own record: one rule (consult.core.rules.require_not_self) in every
service that confirms, awards or hands over, and pages that do not offer the button on one's own
record. The worker of world.a also lives there, so each test can try it on themselves."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from consult.activities import services as activities
from consult.core.errors import PermissionDenied
from consult.places import services as places
from consult.places.models import ResidenceStatus
from consult.points import ledger, rewards
from consult.points.models import LedgerEntry, Redemption


@pytest.fixture
def neighbour(world, factory):
    """The worker, confirmed as a resident of the community they work in."""
    factory.residence(world.worker, world.a)
    return world.worker


def test_own_residence_needs_another_staff_member(db, world):
    residence = places.apply_for_residence(world.worker, world.a)
    with pytest.raises(PermissionDenied, match="须由其他工作人员"):
        places.confirm_residence(world.worker, residence)
    assert residence.status == ResidenceStatus.PENDING
    assert places.confirm_residence(world.street_admin, residence).status == ResidenceStatus.CONFIRMED


def test_own_party_registration_needs_another_staff_member(db, world, neighbour):
    registration = activities.register_party_member(world.worker, world.a, work_unit="区民政局", party_branch="第二党支部")
    with pytest.raises(PermissionDenied):
        activities.confirm_registration(world.worker, registration)
    with pytest.raises(PermissionDenied):
        activities.reject_registration(world.worker, registration, "x")
    assert activities.confirm_registration(world.street_admin, registration).status == "confirmed"


def test_own_minutes_need_another_staff_member(db, world, neighbour, clock):
    activity = world.factory.activity(world, starts_in=timedelta(minutes=20), hours=2)
    activities.sign_up(world.worker, activity)
    attendance = activities.check_in(world.worker, activity, activities.checkin_code(activity))
    clock.advance(hours=3)
    with pytest.raises(PermissionDenied):
        activities.confirm_minutes(world.worker, activity, attendance, 60)
    activities.confirm_minutes(world.street_admin, activity, attendance, 60)
    assert db.session.scalar(sa.select(LedgerEntry.delta).where(LedgerEntry.user_id == world.worker.id)) == 10


def test_own_bonus_correction_and_hand_over_need_another_staff_member(db, world, neighbour):
    with pytest.raises(PermissionDenied) as refused:
        ledger.bonus(world.worker, world.worker, world.a, 1000, "自己奖励自己")
    assert refused.value.field == "username"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LedgerEntry)) == 0
    entry = ledger.bonus(world.street_admin, world.worker, world.a, 30, "清雪")
    with pytest.raises(PermissionDenied):
        ledger.correct(world.worker, entry, 300, "少记了")
    with pytest.raises(PermissionDenied):
        ledger.reverse(world.worker, entry, "x")
    redemption = rewards.redeem(world.worker, rewards.create_reward(world.worker, world.a, name="毛巾", price=10, stock=1))
    with pytest.raises(PermissionDenied):
        rewards.hand_over(world.worker, redemption)
    assert rewards.hand_over(world.street_admin, redemption).status == "handed_over"


def test_points_page_offers_no_hand_over_or_change_of_ones_own(db, world, neighbour, login_as):
    ledger.bonus(world.street_admin, world.worker, world.a, 30, "清雪")
    own_entry = db.session.scalar(sa.select(LedgerEntry).where(LedgerEntry.user_id == world.worker.id))
    other_entry = ledger.bonus(world.worker, world.resident, world.a, 5, "x")
    own = rewards.redeem(world.worker, rewards.create_reward(world.worker, world.a, name="毛巾", price=10, stock=1))
    other = rewards.redeem(world.resident, rewards.create_reward(world.worker, world.a, name="袋子", price=1, stock=1))
    client = login_as(world.worker)
    page = client.get(f"/manage/c/{world.a.slug}/points/").get_data(as_text=True)
    assert f"redemptions/{own.id}/hand-over" not in page and f"redemptions/{other.id}/hand-over" in page
    assert f"entries/{own_entry.id}/reverse" not in page and f"entries/{other_entry.id}/reverse" in page
    # A forged POST is refused with a clear message, on the points page.
    response = client.post(f"/manage/c/{world.a.slug}/points/redemptions/{own.id}/hand-over", {})
    assert response.status_code == 403
    assert "你兑换的奖品须由其他工作人员发放。" in response.get_data(as_text=True)
    assert db.session.get(Redemption, own.id).status == "pending"
    response = client.post(
        f"/manage/c/{world.a.slug}/points/bonus", {"username": "worker", "points": 1000, "reason": "自己奖励自己"}
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 403 and "你不能给自己发奖励积分，须由其他工作人员办理。" in text
    assert 'value="自己奖励自己"' in text and 'value="1000"' in text  # the form is kept
    assert db.session.scalar(sa.select(sa.func.sum(LedgerEntry.delta)).where(LedgerEntry.user_id == world.worker.id)) == 20


def test_residents_page_offers_no_confirm_of_ones_own_application(db, world, login_as):
    own = places.apply_for_residence(world.worker, world.a)
    other = places.apply_for_residence(world.factory.user(username="newcomer"), world.a)
    client = login_as(world.worker)
    page = client.get(f"/manage/c/{world.a.slug}/residents/").get_data(as_text=True)
    assert f"residences/{own.id}/confirm" not in page and f"residences/{other.id}/confirm" in page
    response = client.post(f"/manage/c/{world.a.slug}/residences/{own.id}/confirm", {})
    assert response.status_code == 403
    assert "你不能确认自己的居住登记，须由其他工作人员确认。" in response.get_data(as_text=True)


def test_party_and_attendance_pages_offer_no_decision_on_ones_own(db, world, neighbour, login_as, clock):
    registration = activities.register_party_member(world.worker, world.a, work_unit="区民政局", party_branch="第二党支部")
    activity = world.factory.activity(world, starts_in=timedelta(minutes=20), hours=2)
    activities.sign_up(world.worker, activity)
    activities.sign_up(world.resident, activity)
    own = activities.check_in(world.worker, activity, activities.checkin_code(activity))
    other = activities.check_in(world.resident, activity, activities.checkin_code(activity))
    clock.advance(hours=3)
    client = login_as(world.worker)
    page = client.get(f"/manage/c/{world.a.slug}/party/").get_data(as_text=True)
    assert f"party/{registration.id}/confirm" not in page
    response = client.post(f"/manage/c/{world.a.slug}/party/{registration.id}/confirm", {})
    assert response.status_code == 403 and "你不能审核自己的报到，须由其他工作人员审核。" in response.get_data(as_text=True)
    page = client.get(f"/manage/c/{world.a.slug}/activities/{activity.id}/").get_data(as_text=True)
    assert f"attendance/{own.id}/confirm" not in page and f"attendance/{other.id}/confirm" in page
