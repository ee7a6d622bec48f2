"""Rules of 报到, activities, check-ins, micro-wishes, service records and documents, without HTTP."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from consult.activities import checkin as checkins, party as parties, planning, queries, records, signups, wishes as wish_rules
from consult.activities.models import RegistrationStatus, WishEvent
from consult.core import documents
from consult.core.audit import AuditEntry
from consult.core.cli import run_tick
from consult.core.clock import now
from consult.core.errors import Conflict, NotFound, PermissionDenied, RuleViolation
from consult.core.exports import csv_text
from consult.core.notifications import Notification
from consult.core.policy import policy_of


def notices(db, user):
    return list(db.session.scalars(sa.select(Notification.event_key).where(Notification.recipient_id == user.id)))


# --- 报到 ------------------------------------------------------------------------------------


def test_register_confirm_and_history(db, world):
    registration = parties.register_party_member(world.resident, world.a, work_unit="区教育局", party_branch="机关第二支部")
    assert registration.status == RegistrationStatus.PENDING
    with pytest.raises(Conflict):
        parties.register_party_member(world.resident, world.a, work_unit="x", party_branch="y")
    with pytest.raises(PermissionDenied):
        parties.confirm_registration(world.other_worker, registration)
    parties.confirm_registration(world.worker, registration)
    assert queries.is_party_member(world.resident, world.a)
    assert (
        db.session.scalar(sa.select(AuditEntry.action).where(AuditEntry.target_type == "party_registrations"))
        == "party.confirmed"
    )
    with pytest.raises(Conflict):
        parties.confirm_registration(world.worker, registration)
    parties.end_registration(world.resident, registration)
    assert not queries.is_party_member(world.resident, world.a)
    again = parties.register_party_member(world.resident, world.a, work_unit="区教育局", party_branch="机关第二支部")
    assert again.status == RegistrationStatus.PENDING


def test_reject_needs_a_reason(db, world):
    registration = parties.register_party_member(world.resident, world.a, work_unit="区教育局", party_branch="支部")
    with pytest.raises(RuleViolation):
        parties.reject_registration(world.worker, registration, "")
    parties.reject_registration(world.worker, registration, "请先到原单位开具证明")
    assert registration.status == RegistrationStatus.REJECTED
    assert f"party.rejected:{registration.id}" in notices(db, world.resident)


def test_only_confirmed_residents_register(db, world):
    for person in (world.pending, world.other_worker):
        with pytest.raises(PermissionDenied):
            parties.register_party_member(person, world.a, work_unit="x", party_branch="y")
    with pytest.raises(RuleViolation):
        parties.register_party_member(world.resident, world.a, work_unit="", party_branch="y")


# --- activities and the waitlist --------------------------------------------------------------


def test_capacity_waitlist_and_promotion(db, world, factory):
    activity = world.factory.activity(world, capacity=2)
    people = [factory.resident(world.a) for _ in range(4)]
    statuses = [signups.sign_up(p, activity).status for p in people]
    assert statuses == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert (activity.signup_count, activity.waitlist_count) == (2, 2)
    with pytest.raises(Conflict):
        signups.sign_up(people[0], activity)
    signups.cancel_signup(people[1], activity)
    promoted = queries.active_signup(people[2], activity)
    assert promoted.status == "confirmed" and promoted.promoted_at is not None
    assert (activity.signup_count, activity.waitlist_count) == (2, 1)
    assert any(k.startswith("activity.promoted:") for k in notices(db, people[2]))
    signups.cancel_signup(people[3], activity)
    assert (activity.signup_count, activity.waitlist_count) == (2, 0)


def test_no_promotion_after_the_cutoff(db, world, factory, clock):
    activity = world.factory.activity(world, capacity=1, waitlist_cutoff_at=clock.now() + timedelta(hours=1))
    first, second = factory.resident(world.a), factory.resident(world.a)
    signups.sign_up(first, activity)
    signups.sign_up(second, activity)
    clock.advance(hours=2)
    signups.cancel_signup(first, activity)
    assert queries.active_signup(second, activity).status == "waitlisted"
    assert activity.signup_count == 0


def test_signup_rules(db, world, clock):
    party_only = world.factory.activity(world, party_only=True)
    with pytest.raises(PermissionDenied):
        signups.sign_up(world.resident, party_only)
    signups.sign_up(world.party, party_only)
    with pytest.raises(PermissionDenied):
        signups.sign_up(world.pending, world.factory.activity(world))
    with pytest.raises(PermissionDenied):
        signups.sign_up(world.other_worker, world.factory.activity(world))
    started = world.factory.activity(world, starts_in=timedelta(hours=1))
    clock.advance(hours=1, minutes=1)
    with pytest.raises(RuleViolation):
        signups.sign_up(world.resident, started)


def test_worker_signs_up_a_resident_without_phone(db, world):
    activity = world.factory.activity(world)
    signup = signups.sign_up(world.resident, activity, recorded_by=world.worker)
    assert signup.recorded_by_id == world.worker.id
    with pytest.raises(PermissionDenied):
        signups.sign_up(world.party, activity, recorded_by=world.other_worker)


@pytest.mark.parametrize(
    "kw",
    [
        dict(hours=-1),
        dict(capacity=0),
        dict(points_per_hour=-5),
        dict(points_per_hour=5000),
        dict(kind="party-time"),
        dict(title=""),
        dict(checkin_minutes_before=999),
        dict(hours=72),
    ],
)
def test_bad_activities_refused(db, world, kw):
    with pytest.raises(RuleViolation):
        world.factory.activity(world, **kw)


def test_only_the_committee_creates_activities(db, world, clock):
    with pytest.raises(PermissionDenied):
        planning.create_activity(
            world.other_worker,
            world.a,
            title="x",
            description="y",
            kind="volunteer",
            starts_at=now(),
            ends_at=now() + timedelta(hours=1),
            place="z",
            capacity=1,
            points_per_hour=1,
        )


# --- check-in --------------------------------------------------------------------------------


@pytest.fixture
def running(db, world, clock):
    """An activity starting in 20 minutes (check-in open), the party member signed up."""
    activity = world.factory.activity(world, starts_in=timedelta(minutes=20), hours=2)
    signups.sign_up(world.party, activity)
    return activity


def test_code_rotates_every_minute_previous_accepted(running, clock):
    clock.set(clock.now().replace(second=5))
    code = checkins.checkin_code(running)
    assert len(code) == 6 and code.isdigit()
    assert checkins.code_is_valid(running, code)
    clock.advance(seconds=60)
    assert checkins.code_is_valid(running, code)  # the previous step
    clock.advance(seconds=60)
    assert not checkins.code_is_valid(running, code)  # two steps old
    for bad in ("", "12345", "abcdef", "1234567", None, " 12 34 "):
        assert not checkins.code_is_valid(running, bad)
    future = checkins.checkin_code(running, clock.now() + timedelta(seconds=60))
    assert not checkins.code_is_valid(running, future)  # next minute's code is not accepted yet


def test_codes_differ_between_activities_and_minutes(db, world, running, clock):
    other = world.factory.activity(world, starts_in=timedelta(minutes=20))
    codes = set()
    for _ in range(5):
        assert checkins.checkin_code(running) != checkins.checkin_code(other)
        codes.add(checkins.checkin_code(running))
        clock.advance(seconds=60)
    assert len(codes) == 5


def test_check_in_once_inside_the_window(db, world, running, clock):
    code = checkins.checkin_code(running)
    attendance = checkins.check_in(world.party, running, code)
    assert attendance.checked_in_at == clock.now()
    with pytest.raises(Conflict):
        checkins.check_in(world.party, running, checkins.checkin_code(running))


def test_check_in_refusals(db, world, clock, factory):
    activity = world.factory.activity(world, starts_in=timedelta(hours=3))
    signups.sign_up(world.party, activity)
    with pytest.raises(RuleViolation):  # the window has not opened
        checkins.check_in(world.party, activity, checkins.checkin_code(activity))
    clock.advance(hours=2, minutes=45)
    with pytest.raises(RuleViolation):
        checkins.check_in(world.party, activity, "000000" if checkins.checkin_code(activity) != "000000" else "111111")
    with pytest.raises(PermissionDenied):  # no sign-up
        checkins.check_in(world.resident, activity, checkins.checkin_code(activity))
    clock.advance(hours=3)
    with pytest.raises(RuleViolation):  # after the end
        checkins.check_in(world.party, activity, checkins.checkin_code(activity))


def test_code_from_a_link_counts_for_ten_minutes(db, world, running, clock):
    presented = clock.now()
    code = checkins.checkin_code(running)
    clock.advance(minutes=9)  # logging in took a while; the screen has moved on
    with pytest.raises(RuleViolation):  # a wrong code from a link is still wrong
        checkins.check_in(world.party, running, "000000" if code != "000000" else "111111", presented_at=presented)
    checkins.check_in(world.party, running, code, presented_at=presented)
    other = world.factory.activity(world, starts_in=timedelta(minutes=20))
    signups.sign_up(world.resident, other)
    presented, code = clock.now(), checkins.checkin_code(other)
    clock.advance(minutes=11)
    with pytest.raises(RuleViolation):
        checkins.check_in(world.resident, other, code, presented_at=presented)


def test_check_out_until_thirty_minutes_after_the_end(db, world, running, clock):
    with pytest.raises(Conflict):
        checkins.check_out(world.party, running)
    checkins.check_in(world.party, running, checkins.checkin_code(running))
    clock.advance(hours=2, minutes=20 + 29)
    checkins.check_out(world.party, running)
    with pytest.raises(Conflict):
        checkins.check_out(world.party, running)


def test_check_out_too_late(db, world, running, clock):
    checkins.check_in(world.party, running, checkins.checkin_code(running))
    clock.advance(hours=2, minutes=20 + 31)
    with pytest.raises(RuleViolation):
        checkins.check_out(world.party, running)


def test_minutes_prefilled_capped_and_confirmed_once(db, world, running, clock):
    clock.advance(minutes=30)  # ten minutes after the start
    checkins.check_in(world.party, running, checkins.checkin_code(running))
    clock.advance(hours=3)
    attendance = queries.attendance_of(world.party, running)
    assert checkins.suggested_minutes(running, attendance) == 110  # capped at the end
    with pytest.raises(RuleViolation):
        checkins.confirm_minutes(world.worker, running, attendance, 121)
    with pytest.raises(RuleViolation):
        checkins.confirm_minutes(world.worker, running, attendance, -1)
    with pytest.raises(PermissionDenied):
        checkins.confirm_minutes(world.other_worker, running, attendance, 100)
    checkins.confirm_minutes(world.worker, running, attendance, 110)
    assert attendance.minutes == 110 and attendance.confirmed_by_id == world.worker.id
    with pytest.raises(Conflict):
        checkins.confirm_minutes(world.worker, running, attendance, 100)


def test_minutes_only_after_the_end(db, world, running):
    attendance = checkins.check_in(world.party, running, checkins.checkin_code(running))
    with pytest.raises(RuleViolation):
        checkins.confirm_minutes(world.worker, running, attendance, 10)


def test_organiser_marks_attendance_by_hand(db, world, running, clock):
    with pytest.raises(PermissionDenied):
        checkins.mark_attendance(world.resident, running, world.party)
    attendance = checkins.mark_attendance(world.worker, running, world.party)
    assert attendance.marked_by_id == world.worker.id and attendance.checked_in_at is None
    assert (
        db.session.scalar(sa.select(AuditEntry.action).where(AuditEntry.target_type == "activity_attendances"))
        == "activity.mark_attendance"
    )
    with pytest.raises(RuleViolation):
        checkins.mark_attendance(world.worker, running, world.resident)  # not signed up
    clock.advance(hours=3)
    assert checkins.suggested_minutes(running, attendance) == 120


# --- micro-wishes ----------------------------------------------------------------------------


@pytest.fixture
def wish(db, world):
    item = wish_rules.post_wish(world.resident, world.a, title="帮忙换灯泡", description="厨房的灯泡坏了")
    wish_rules.approve_wish(world.worker, item)
    return item


def history(db, item):
    return [
        e.to_status for e in db.session.scalars(sa.select(WishEvent).where(WishEvent.wish_id == item.id).order_by(WishEvent.id))
    ]


def test_wish_full_life(db, world, wish):
    wish_rules.claim_wish(world.party, wish)
    wish_rules.fulfil_wish(world.party, wish)
    wish_rules.confirm_wish(world.resident, wish, "satisfied", "谢谢")
    assert history(db, wish) == ["pending_review", "open", "claimed", "fulfilled", "confirmed"]
    assert wish.rating == "satisfied" and wish.confirmed_at is not None
    keys = notices(db, world.resident)
    assert any(k.startswith(f"wish:{wish.id}:claimed") for k in keys) and any(
        k.startswith(f"wish:{wish.id}:fulfilled") for k in keys
    )
    assert any(k.startswith(f"wish:{wish.id}:confirmed") for k in notices(db, world.party))


def test_wish_refusals(db, world, wish, factory):
    with pytest.raises(PermissionDenied):
        wish_rules.claim_wish(world.resident, wish)  # not a party member
    wish_rules.claim_wish(world.party, wish)
    other_party = factory.resident(world.a)
    factory.party_registration(other_party, world.a)
    with pytest.raises(Conflict):
        wish_rules.claim_wish(other_party, wish)
    with pytest.raises(Conflict):
        wish_rules.withdraw_wish(world.resident, wish)
    with pytest.raises(PermissionDenied):
        wish_rules.fulfil_wish(other_party, wish)
    with pytest.raises(Conflict):
        wish_rules.confirm_wish(world.resident, wish, "satisfied")  # not fulfilled yet
    wish_rules.release_wish(world.party, wish)
    assert wish.status == "open" and wish.claimer_id is None
    wish_rules.withdraw_wish(world.resident, wish)
    assert wish.status == "withdrawn"


def test_wish_of_another_community_cannot_be_claimed(db, world, factory):
    item = wish_rules.post_wish(factory.resident(world.b), world.b, title="x", description="y")
    wish_rules.approve_wish(world.other_worker, item)
    with pytest.raises(PermissionDenied):
        wish_rules.claim_wish(world.party, item)
    with pytest.raises(PermissionDenied):
        wish_rules.approve_wish(world.worker, item)


def test_wish_auto_confirmed_after_seven_days(db, world, wish, clock):
    wish_rules.claim_wish(world.party, wish)
    wish_rules.fulfil_wish(world.party, wish)
    clock.advance(days=6, hours=23)
    assert run_tick()["wishes"] == 0
    clock.advance(hours=2)
    assert run_tick()["wishes"] == 1
    db.session.refresh(wish)
    assert wish.status == "confirmed" and wish.auto_confirmed and wish.rating is None
    assert run_tick()["wishes"] == 0


def test_reject_wish_with_reason(db, world):
    item = wish_rules.post_wish(world.resident, world.a, title="x", description="y")
    with pytest.raises(RuleViolation):
        wish_rules.reject_wish(world.worker, item, "")
    wish_rules.reject_wish(world.worker, item, "不属于微心愿范围")
    assert item.status == "rejected"


# --- service record and documents -----------------------------------------------------------


def served(world, clock, minutes=95):
    activity = world.factory.activity(world, starts_in=timedelta(minutes=20), hours=2, title="清理楼道")
    signups.sign_up(world.party, activity)
    attendance = checkins.check_in(world.party, activity, checkins.checkin_code(activity))
    clock.advance(hours=3)
    checkins.confirm_minutes(world.worker, activity, attendance, minutes)
    return activity


def test_service_record_and_document(db, world, clock):
    served(world, clock)
    year = clock.now().year
    record = records.service_record(world.party, world.a, year)
    assert record["total_minutes"] == 95 and record["work_unit"] == "区税务局"
    assert record["activities"][0]["title"] == "清理楼道"
    document = records.issue_service_record(world.party, world.party, world.a, year)
    code = documents.check_code(document.number)
    assert documents.find(document.number, code).content["total_minutes"] == 95
    assert documents.find(document.number, code.lower()) is not None
    for bad in (None, "", "WRONG", code[:-1] + ("0" if code[-1] != "0" else "1")):
        with pytest.raises(NotFound):
            documents.find(document.number, bad)
    with pytest.raises(NotFound):
        documents.find("SR-2026-999999", code)
    with pytest.raises(PermissionDenied):
        records.issue_service_record(world.resident, world.party, world.a, year)
    with pytest.raises(PermissionDenied):
        documents.revoke(world.other_worker, document, "错误")
    documents.revoke(world.worker, document, "时长有误")
    assert documents.find(document.number, code).revoked_at is not None
    with pytest.raises(Conflict):
        documents.revoke(world.worker, document, "again")


def test_snapshot_does_not_change_afterwards(db, world, clock):
    served(world, clock, minutes=60)
    document = records.issue_service_record(world.worker, world.party, world.a, clock.now().year)
    number = document.number
    db.session.commit()
    served(world, clock, minutes=30)
    db.session.commit()
    db.session.expire_all()  # read the stored snapshot back, not the dict still held in memory
    stored = documents.find(number, documents.check_code(number))
    assert stored.content["total_minutes"] == 60 and len(stored.content["activities"]) == 1
    assert records.service_record(world.party, world.a, clock.now().year)["total_minutes"] == 90


def test_quarters_in_the_site_time_zone(db):
    start, end = records.period_bounds(2026, 1)
    assert start.astimezone(UTC) == datetime(2025, 12, 31, 16, 0, tzinfo=UTC)
    assert end.astimezone(UTC) == datetime(2026, 3, 31, 16, 0, tzinfo=UTC)
    with pytest.raises(RuleViolation):
        records.period_bounds(2026, 5)


def test_csv_helper_neutralises_formulas():
    text = csv_text(["名字", "=cmd"], [["=1+1", "+x", "-y", "@z", -5, 3.5, None, "普通"]])
    assert text.startswith("\ufeff")
    assert "'=cmd" in text and "'=1+1" in text and "'+x" in text and "'-y" in text and "'@z" in text
    assert ",-5," in text and ",3.5," in text and "普通" in text


def test_wish_actions_follow_state_and_person(db, world, wish, clock):
    """What the wish page offers comes from one rule: open → the party member claims; claimed → the
    claimer fulfils or gives up, the committee releases; fulfilled → the author confirms; never past 7 days."""

    def offered(user, *, party=False, manage=False):  # party / manage: what the world's roles already are
        return policy_of(wish).allowed(user) - {"see", "see_contact"}

    assert offered(world.party, party=True) == {"claim"}
    assert offered(world.resident) == {"withdraw"}  # the author, while open
    assert offered(world.worker, manage=True) == set()
    wish_rules.claim_wish(world.party, wish)
    assert offered(world.party, party=True) == {"fulfil", "give_up"}
    assert offered(world.worker, manage=True) == {"release"}
    assert offered(world.resident) == set()
    wish_rules.fulfil_wish(world.party, wish)
    assert offered(world.resident) == {"confirm"} and offered(world.party, party=True) == set()
    clock.advance(days=7, minutes=1)
    assert offered(world.resident) == set()  # confirmed as of now, before tick runs
