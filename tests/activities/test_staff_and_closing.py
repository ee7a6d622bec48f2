"""Staff finishing what they start for people without phones, activities changed or called off,
micro-wishes as of now, and what closing an account gives up — without HTTP."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from consult.accounts import services as accounts
from consult.activities import checkin as checkins, planning, queries, records, signups, wishes as wish_rules
from consult.activities.models import Signup, Wish, WishStatus
from consult.core.audit import AuditEntry
from consult.core.cli import run_tick
from consult.core.errors import Conflict, PermissionDenied, RuleViolation
from consult.core.notifications import Notification
from consult.core.policy import policy_of
from consult.core.registries import closing_account
from consult.places import queries as places
from consult.points import ledger, rewards
from consult.points.models import Balance
from tests.factories import PASSWORD


def notices(db, user):
    return list(db.session.scalars(sa.select(Notification.event_key).where(Notification.recipient_id == user.id)))


def audited(db, action):
    return list(db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)))


# --- sign-ups cancelled by the committee ---------------------------------------------------------


def test_worker_cancels_a_sign_up_and_the_waitlist_moves_up(db, world, factory):
    activity = world.factory.activity(world, capacity=1)
    signups.sign_up(world.resident, activity, recorded_by=world.worker)
    waiting = factory.resident(world.a)
    signups.sign_up(waiting, activity)
    with pytest.raises(PermissionDenied):
        signups.cancel_signup(world.other_worker, activity, world.resident)
    with pytest.raises(PermissionDenied):
        signups.cancel_signup(world.party, activity, world.resident)  # a resident cancels only their own
    signup = signups.cancel_signup(world.worker, activity, world.resident)
    assert signup.status == "cancelled" and signup.cancelled_by_id == world.worker.id
    assert queries.active_signup(waiting, activity).status == "confirmed"
    assert [e.after["user_id"] for e in audited(db, "activity.signup_cancelled")] == [world.resident.id]
    assert f"activity.signup_cancelled:{signup.id}" in notices(db, world.resident)
    with pytest.raises(Conflict):
        signups.cancel_signup(world.worker, activity, world.resident)


def test_own_cancellation_is_not_marked_as_staff(db, world):
    activity = world.factory.activity(world)
    signups.sign_up(world.resident, activity)
    signup = signups.cancel_signup(world.resident, activity)
    assert signup.cancelled_by_id is None and not audited(db, "activity.signup_cancelled")


def test_no_cancelling_after_check_in(db, world, clock):
    activity = world.factory.activity(world, starts_in=timedelta(minutes=20))
    signups.sign_up(world.party, activity)
    checkins.check_in(world.party, activity, checkins.checkin_code(activity))
    for actor in (world.party, world.worker):
        with pytest.raises(Conflict):
            signups.cancel_signup(actor, activity, world.party)


# --- changing and calling off an activity --------------------------------------------------------


def fields(activity, **changes):
    data = {
        name: getattr(activity, name)
        for name in (
            "title",
            "description",
            "kind",
            "starts_at",
            "ends_at",
            "place",
            "capacity",
            "points_per_hour",
            "checkin_minutes_before",
            "waitlist_cutoff_at",
            "party_only",
        )
    }
    data.update(changes)
    return data


def test_worker_changes_an_activity_and_people_are_told(db, world, factory):
    activity = world.factory.activity(world, capacity=1)
    signups.sign_up(world.resident, activity)
    waiting = factory.resident(world.a)
    signups.sign_up(waiting, activity)
    planning.update_activity(world.worker, activity, **fields(activity, title="新标题"))
    assert activity.title == "新标题"
    assert not any(k.startswith("activity.changed") for k in notices(db, world.resident))  # a new title is not news
    later = activity.starts_at + timedelta(hours=1)
    planning.update_activity(
        world.worker,
        activity,
        **fields(activity, starts_at=later, ends_at=later + timedelta(hours=2), waitlist_cutoff_at=later, place="社区礼堂"),
    )
    assert activity.place == "社区礼堂"
    for person in (world.resident, waiting):
        assert any(k.startswith(f"activity.changed:{activity.id}:") for k in notices(db, person))
    planning.update_activity(world.worker, activity, **fields(activity, capacity=2))
    assert queries.active_signup(waiting, activity).status == "confirmed"  # a new place goes to the waitlist
    assert (activity.signup_count, activity.waitlist_count) == (2, 0)
    with pytest.raises(RuleViolation):
        planning.update_activity(world.worker, activity, **fields(activity, capacity=1))
    assert [e.after for e in audited(db, "activity.update")][0] == {"title": "新标题"}


def test_changes_are_refused_to_others_and_after_the_start(db, world, clock):
    activity = world.factory.activity(world, starts_in=timedelta(hours=1))
    with pytest.raises(PermissionDenied):
        planning.update_activity(world.other_worker, activity, **fields(activity, title="x"))
    with pytest.raises(RuleViolation):
        planning.update_activity(world.worker, activity, **fields(activity, ends_at=activity.starts_at))
    clock.advance(hours=1, minutes=1)
    with pytest.raises(RuleViolation):
        planning.update_activity(world.worker, activity, **fields(activity, title="x"))
    with pytest.raises(RuleViolation):
        planning.cancel_activity(world.worker, activity, "下雨")


def test_calling_off_cancels_every_sign_up_with_the_reason(db, world, factory, clock):
    activity = world.factory.activity(world, capacity=1, starts_in=timedelta(minutes=20))
    signups.sign_up(world.party, activity)
    waiting = factory.resident(world.a)
    signups.sign_up(waiting, activity)
    with pytest.raises(RuleViolation):
        planning.cancel_activity(world.worker, activity, "")
    with pytest.raises(PermissionDenied):
        planning.cancel_activity(world.other_worker, activity, "下雨")
    planning.cancel_activity(world.worker, activity, "暴雨预警")
    assert activity.cancelled_at is not None and (activity.signup_count, activity.waitlist_count) == (0, 0)
    for person in (world.party, waiting):
        assert queries.active_signup(person, activity) is None
        assert f"activity.called_off:{activity.id}" in notices(db, person)
    with pytest.raises(Conflict):
        signups.sign_up(world.resident, activity)
    with pytest.raises(Conflict):
        checkins.check_in(world.party, activity, checkins.checkin_code(activity))
    with pytest.raises(Conflict):
        planning.cancel_activity(world.worker, activity, "again")
    assert audited(db, "activity.cancel")[0].after == {"reason": "暴雨预警", "signups_cancelled": 2}


# --- micro-wishes --------------------------------------------------------------------------------


@pytest.fixture
def wish(db, world):
    item = wish_rules.post_wish(world.resident, world.a, title="帮忙换灯泡", description="厨房的灯泡坏了")
    wish_rules.approve_wish(world.worker, item)
    return item


def test_committee_releases_a_stuck_claim_with_a_reason(db, world, wish):
    wish_rules.claim_wish(world.party, wish)
    with pytest.raises(PermissionDenied):
        wish_rules.release_wish(world.resident, wish, "没人来")
    with pytest.raises(PermissionDenied):
        wish_rules.release_wish(world.other_worker, wish, "没人来")
    with pytest.raises(RuleViolation):
        wish_rules.release_wish(world.worker, wish, "")
    wish_rules.release_wish(world.worker, wish, "认领两周未联系")
    assert wish.status == "open" and wish.claimer_id is None
    assert audited(db, "wish.release")[0].after == {"claimer_id": world.party.id, "reason": "认领两周未联系"}
    assert any(k.startswith(f"wish:{wish.id}:open") for k in notices(db, world.party))
    assert any(k.startswith(f"wish:{wish.id}:open") for k in notices(db, world.resident))


def test_worker_posts_a_wish_for_a_resident_in_person(db, world, factory):
    with pytest.raises(PermissionDenied):
        wish_rules.record_wish(world.other_worker, world.resident, world.a, title="买菜", description="腿脚不便")
    with pytest.raises(RuleViolation):
        wish_rules.record_wish(world.worker, world.pending, world.a, title="买菜", description="腿脚不便")
    item = wish_rules.record_wish(world.worker, world.resident, world.a, title="买菜", description="腿脚不便")
    assert item.author_id == world.resident.id and item.recorded_by_id == world.worker.id
    assert item.status == "open"  # the worker heard the need: open for party members at once
    assert audited(db, "wish.recorded")[0].after["author_id"] == world.resident.id
    wish_rules.claim_wish(world.party, item)


def test_wish_is_confirmed_as_of_now_before_tick(db, world, wish, clock):
    wish_rules.claim_wish(world.party, wish)
    wish_rules.fulfil_wish(world.party, wish)
    fulfilled = clock.now()
    clock.advance(days=7, minutes=1)
    assert wish.status == "fulfilled" and policy_of(wish).state == "confirmed"
    year = clock.now().year
    assert [w["title"] for w in records.service_record(world.party, world.a, year)["wishes"]] == ["帮忙换灯泡"]
    with pytest.raises(Conflict):  # too late: it counts as confirmed already
        wish_rules.confirm_wish(world.resident, wish, "satisfied")
    db.session.refresh(wish)
    assert wish.status == "confirmed" and wish.auto_confirmed
    assert wish.confirmed_at == fulfilled + timedelta(days=7)  # dated when it became due, not when noticed
    assert f"wish:{wish.id}:auto_confirmed" in notices(db, world.resident)
    assert run_tick()["wishes"] == 0


def test_tick_tells_the_author_of_an_automatic_confirmation(db, world, wish, clock):
    wish_rules.claim_wish(world.party, wish)
    wish_rules.fulfil_wish(world.party, wish)
    clock.advance(days=8)
    assert run_tick()["wishes"] == 1
    assert f"wish:{wish.id}:auto_confirmed" in notices(db, world.resident)


def test_withdrawing_tells_the_committee(db, world, wish):
    wish_rules.withdraw_wish(world.resident, wish)
    assert f"wish:{wish.id}:withdrawn" in notices(db, world.worker)
    assert f"wish:{wish.id}:withdrawn" not in notices(db, world.resident)


# --- closing an account --------------------------------------------------------------------------


def test_closing_cancels_sign_ups_and_the_waitlist_moves_up(db, world, factory, clock):
    coming = world.factory.activity(world, capacity=1)
    started = world.factory.activity(world, starts_in=timedelta(minutes=20))
    signups.sign_up(world.resident, coming)
    signups.sign_up(world.resident, started)
    checkins.check_in(world.resident, started, checkins.checkin_code(started))
    waiting = factory.resident(world.a)
    signups.sign_up(waiting, coming)
    accounts.close_account(world.resident, PASSWORD)
    statuses = dict(
        db.session.execute(sa.select(Signup.activity_id, Signup.status).where(Signup.user_id == world.resident.id)).all()
    )
    assert statuses == {coming.id: "cancelled", started.id: "confirmed"}  # checked in: that one happened
    assert queries.active_signup(waiting, coming).status == "confirmed"
    assert any(k.startswith("activity.promoted:") for k in notices(db, waiting))


def test_closing_releases_claims_and_withdraws_own_wishes(db, world, wish, factory):
    wish_rules.claim_wish(world.party, wish)
    own = wish_rules.post_wish(world.party, world.a, title="修水管", description="漏水")
    wish_rules.approve_wish(world.worker, own)
    accounts.close_account(world.party, PASSWORD)
    db.session.refresh(wish)
    assert wish.status == "open" and wish.claimer_id is None
    assert any(k.startswith(f"wish:{wish.id}:open") for k in notices(db, world.resident))
    assert db.session.get(Wish, own.id).status == WishStatus.WITHDRAWN


def test_closing_the_authors_account_tells_the_claimer(db, world, wish):
    wish_rules.claim_wish(world.party, wish)
    accounts.close_account(world.resident, PASSWORD)
    assert wish.status == "withdrawn"
    assert f"wish:{wish.id}:withdrawn" in notices(db, world.party)


def test_closing_cancels_pending_redemptions_and_refunds(db, world):
    ledger.bonus(world.worker, world.resident, world.a, 50, "帮助邻居")
    reward = rewards.create_reward(world.worker, world.a, name="毛巾", price=30, stock=2)
    redemption = rewards.redeem(world.resident, reward)
    accounts.close_account(world.resident, PASSWORD)
    assert redemption.status == "cancelled"
    balance = db.session.scalar(sa.select(Balance).where(Balance.user_id == world.resident.id))
    assert balance.balance == 50 and reward.stock == 2


def test_closing_ends_staff_appointments(db, world):
    factory = world.factory
    factory.residence(world.worker, world.a)
    assert places.can_manage_community(world.worker, world.a)
    accounts.close_account(world.worker, PASSWORD)
    places.forget_roles()
    assert not places.can_manage_community(world.worker, world.a)
    assert [e.target_type for e in audited(db, "staff.end_worker")] == ["staff_appointments"]


def test_closing_registry_has_every_domain(app):
    assert {"activities", "points", "places"} <= set(closing_account)
