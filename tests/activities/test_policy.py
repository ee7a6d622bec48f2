"""The state tables of docs/design.md ("State tables of activities") as tests: for every state of
a 报到, an activity, a sign-up, an attendance and a micro-wish, and every kind of person, exactly
the actions the table allows — then the refusals the services give, which are the policy's."""

from __future__ import annotations

import pathlib
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from flask_login import AnonymousUserMixin

from consult.activities import checkin as checkins, party as parties, planning, signups, wishes as wish_rules
from consult.activities.models import Wish, WishStatus
from consult.core.errors import Conflict, PermissionDenied, RuleViolation
from consult.core.policy import policy_of

VISITOR = AnonymousUserMixin()


def person(world, role: str):
    """resident (a confirmed resident of a), party (a party member registered at a), worker (a's
    committee), outsider (b's committee), visitor (not logged in)."""
    return VISITOR if role == "visitor" else getattr(world, {"outsider": "other_worker"}.get(role, role))


ROLES = ("resident", "party", "worker", "outsider", "visitor")

# --- micro-wishes: posted by the resident, claimed by the party member ------------------------

WISH_TABLE: dict[str, dict[str, set[str]]] = {
    "pending_review": {"worker": {"see", "approve", "reject"}, "resident": {"see", "withdraw"}},
    "open": {"party": {"claim"}, "resident": {"withdraw"}},
    "claimed": {"party": {"give_up", "fulfil", "see_contact"}, "worker": {"release"}},
    "fulfilled": {"resident": {"confirm"}, "party": {"see_contact"}},
    "confirmed": {},
    "confirmed by the clock": {},  # fulfilled seven days ago, before tick makes it permanent
    "rejected": {"worker": {"see"}, "resident": {"see"}},
    "withdrawn": {"worker": {"see"}, "resident": {"see"}},
}
#: from approval on, everyone sees a wish
PUBLIC_WISH_STATES = {"open", "claimed", "fulfilled", "confirmed", "confirmed by the clock"}


def wish_in(world, clock, state: str) -> Wish:
    """A wish of the resident at community a in ``state``, made through the services."""
    wish = wish_rules.post_wish(world.resident, world.a, title="帮忙换灯泡", description="厨房的灯泡坏了")
    if state == "rejected":
        wish_rules.reject_wish(world.worker, wish, "不属于微心愿")
    elif state == "withdrawn":
        wish_rules.withdraw_wish(world.resident, wish)
    elif state != "pending_review":
        wish_rules.approve_wish(world.worker, wish)
    if state in ("claimed", "fulfilled", "confirmed", "confirmed by the clock"):
        wish_rules.claim_wish(world.party, wish)
    if state in ("fulfilled", "confirmed", "confirmed by the clock"):
        wish_rules.fulfil_wish(world.party, wish)
    if state == "confirmed":
        wish_rules.confirm_wish(world.resident, wish, "satisfied")
    if state == "confirmed by the clock":
        clock.advance(days=7, minutes=1)
    return wish


@pytest.mark.parametrize("state", WISH_TABLE)
@pytest.mark.parametrize("role", ROLES)
def test_wish_actions_follow_the_state_table(db, world, clock, state, role):
    wish = wish_in(world, clock, state)
    policy = policy_of(wish)
    assert policy.state == {"confirmed by the clock": "confirmed"}.get(state, state)
    seen = {"see"} if state in PUBLIC_WISH_STATES else set()
    assert policy.allowed(person(world, role)) == WISH_TABLE[state].get(role, set()) | seen


@pytest.mark.parametrize("status", list(WishStatus))
@pytest.mark.parametrize("days_ago", [None, 0, 6.9, 7.1])
def test_the_wish_state_rule_reads_the_same_in_sql(db, world, clock, status, days_ago):
    """``Wish.state_sql`` (queries, tick) and ``Wish.state_at`` (pages, services) agree."""
    fulfilled_at = None if days_ago is None else clock.now() - timedelta(days=days_ago)
    wish = Wish(community_id=world.a.id, author_id=world.resident.id, title="t", description="d", status=status)
    wish.fulfilled_at = fulfilled_at
    db.session.add(wish)
    db.session.flush()
    moment = clock.now()
    in_sql = db.session.scalar(sa.select(Wish.state_sql(moment)).where(Wish.id == wish.id))
    assert in_sql == wish.state_at(moment)
    due = db.session.scalar(sa.select(Wish.id).where(Wish.id == wish.id, Wish.auto_confirm_due(moment)))
    assert (due is not None) == (wish.status == "fulfilled" and wish.state_at(moment) == "confirmed")


WISH_REFUSALS = [
    ("pending_review", "claim", "party", Conflict, "cannot be done while"),
    ("open", "claim", "resident", PermissionDenied, "Only party members"),
    ("claimed", "claim", "party", Conflict, "already taken on"),
    ("open", "fulfil", "party", PermissionDenied, "mark it fulfilled"),
    ("claimed", "fulfil", "worker", PermissionDenied, "mark it fulfilled"),
    ("claimed", "withdraw", "resident", Conflict, "ask them to give it up"),
    ("open", "withdraw", "party", PermissionDenied, "Only the resident who posted it can withdraw"),
    ("open", "confirm", "resident", Conflict, "cannot be done while"),
    ("fulfilled", "confirm", "party", PermissionDenied, "Only the resident who posted it can confirm"),
    ("open", "approve", "worker", Conflict, "cannot be done while"),
    ("pending_review", "approve", "resident", PermissionDenied, "committee"),
    ("open", "release", "outsider", PermissionDenied, "Only the party member"),
    ("confirmed by the clock", "confirm", "resident", Conflict, "cannot be done while"),
]


def _wish_service(action: str):
    return {
        "approve": wish_rules.approve_wish,
        "claim": wish_rules.claim_wish,
        "fulfil": wish_rules.fulfil_wish,
        "withdraw": wish_rules.withdraw_wish,
        "release": lambda user, wish: wish_rules.release_wish(user, wish, "卡住了"),
        "confirm": lambda user, wish: wish_rules.confirm_wish(user, wish, "satisfied"),
    }[action]


@pytest.mark.parametrize(("state", "action", "role", "error", "message"), WISH_REFUSALS)
def test_wish_services_refuse_with_the_policy(db, world, clock, state, action, role, error, message):
    wish = wish_in(world, clock, state)
    user = person(world, role)
    assert not policy_of(wish).can(action, user)
    with force_locale("en"), pytest.raises(error, match=message):
        _wish_service(action)(user, wish)


# --- 报到 ------------------------------------------------------------------------------------

REGISTRATION_TABLE: dict[str, dict[str, set[str]]] = {
    "pending": {"worker": {"confirm", "reject", "end"}, "resident": {"end"}},
    "confirmed": {"worker": {"end"}, "resident": {"end"}},
    "rejected": {},
    "ended": {},
}


@pytest.mark.parametrize("state", REGISTRATION_TABLE)
@pytest.mark.parametrize("role", ROLES)
def test_registration_actions_follow_the_state_table(db, world, state, role):
    registration = world.factory.party_registration(world.resident, world.a, status=state)
    assert policy_of(registration).allowed(person(world, role)) == REGISTRATION_TABLE[state].get(role, set())


REGISTRATION_REFUSALS = [
    ("confirmed", "confirm", "worker", Conflict, "already been decided"),
    ("pending", "confirm", "party", PermissionDenied, "committee"),
    ("ended", "end", "resident", Conflict, "already ended"),
    ("pending", "end", "party", PermissionDenied, "committee"),
]


@pytest.mark.parametrize(("state", "action", "role", "error", "message"), REGISTRATION_REFUSALS)
def test_registration_services_refuse_with_the_policy(db, world, state, action, role, error, message):
    registration = world.factory.party_registration(world.resident, world.a, status=state)
    service = {"confirm": parties.confirm_registration, "end": parties.end_registration}[action]
    with force_locale("en"), pytest.raises(error, match=message):
        service(person(world, role), registration)


def test_nobody_decides_their_own_registration(db, world):
    registration = world.factory.party_registration(world.worker, world.a, status="pending")
    assert not policy_of(registration).can("confirm", world.worker)
    with force_locale("en"), pytest.raises(PermissionDenied, match="Another staff member"):
        parties.confirm_registration(world.worker, registration)


# --- activities: the resident has a place, the party member has not signed up -------------------

ACTIVITY_TABLE: dict[str, dict[str, set[str]]] = {
    "upcoming": {"party": {"sign_up"}, "worker": {"run", "change"}},
    "check-in open": {"resident": {"check_in"}, "party": {"sign_up"}, "worker": {"run", "change"}},
    "running": {"resident": {"check_in"}, "worker": {"run"}},
    "ended": {"resident": {"rate"}, "worker": {"run"}},  # the resident checked in while it ran
    "ratings closed": {"worker": {"run"}},
    "cancelled": {"worker": {"run"}},
}
ACTIVITY_STATES = {"check-in open": "upcoming", "ratings closed": "ended"}


def activity_in(world, clock, state: str):
    """An activity of a (organised by its worker) two hours from now, the resident signed up."""
    activity = world.factory.activity(world, starts_in=timedelta(hours=2), hours=2)
    signups.sign_up(world.resident, activity)
    if state == "cancelled":
        planning.cancel_activity(world.worker, activity, "下雨")
    elif state == "check-in open":
        clock.advance(hours=1, minutes=45)
    elif state != "upcoming":
        clock.advance(hours=2, minutes=30)
        if state != "running":
            checkins.check_in(world.resident, activity, checkins.checkin_code(activity))
            clock.advance(hours=2)
        if state == "ratings closed":
            clock.advance(days=8)
    return activity


@pytest.mark.parametrize("state", ACTIVITY_TABLE)
@pytest.mark.parametrize("role", ROLES)
def test_activity_actions_follow_the_state_table(db, world, clock, state, role):
    activity = activity_in(world, clock, state)
    policy = policy_of(activity)
    assert policy.state == ACTIVITY_STATES.get(state, state)
    assert policy.allowed(person(world, role)) == ACTIVITY_TABLE[state].get(role, set())


ACTIVITY_REFUSALS = [
    ("upcoming", "sign_up", "resident", Conflict, "already signed up"),
    ("running", "sign_up", "party", RuleViolation, "Sign-up has closed"),
    ("cancelled", "sign_up", "party", Conflict, "called off"),
    ("upcoming", "sign_up", "worker", PermissionDenied, "confirmed residents"),
    ("upcoming", "check_in", "resident", RuleViolation, "Check-in is open from"),
    ("running", "check_in", "party", PermissionDenied, "Only people signed up"),
    ("ended", "check_in", "resident", RuleViolation, "Check-in is open from"),
    ("running", "rate", "resident", PermissionDenied, "Only people who took part"),
    ("ratings closed", "rate", "resident", RuleViolation, "Ratings close"),
    ("running", "change", "worker", RuleViolation, "has started"),
    ("cancelled", "change", "worker", Conflict, "called off"),
]


def _activity_service(action: str):
    return {
        "sign_up": signups.sign_up,
        "check_in": lambda user, activity: checkins.check_in(user, activity, checkins.checkin_code(activity)),
        "rate": lambda user, activity: checkins.rate_activity(user, activity, "satisfied"),
        "change": lambda user, activity: planning.cancel_activity(user, activity, "改期"),
    }[action]


@pytest.mark.parametrize(("state", "action", "role", "error", "message"), ACTIVITY_REFUSALS)
def test_activity_services_refuse_with_the_policy(db, world, clock, state, action, role, error, message):
    activity = activity_in(world, clock, state)
    user = person(world, role)
    assert not policy_of(activity).can(action, user)
    with force_locale("en"), pytest.raises(error, match=message):
        _activity_service(action)(user, activity)


# --- sign-ups: capacity 1, the resident has the place, the party member waits ----------------------

SIGNUP_TABLE: dict[str, dict[str, set[str]]] = {
    "confirmed": {"resident": {"cancel"}, "worker": {"cancel"}},
    "waitlisted": {"party": {"cancel"}, "worker": {"cancel"}},
    "confirmed, check-in open": {"resident": {"cancel"}, "worker": {"cancel", "mark"}},
    "confirmed, started": {"worker": {"mark"}},
    "confirmed, checked in": {},
    "cancelled": {},
}


def signup_in(world, clock, state: str):
    activity = world.factory.activity(world, starts_in=timedelta(hours=2), hours=2, capacity=1)
    place = signups.sign_up(world.resident, activity)
    waiting = signups.sign_up(world.party, activity)
    if state == "cancelled":
        signups.cancel_signup(world.resident, activity)
    if "check-in open" in state or "checked in" in state:
        clock.advance(hours=1, minutes=45)
    if "checked in" in state:
        checkins.check_in(world.resident, activity, checkins.checkin_code(activity))
    if "started" in state:
        clock.advance(hours=2, minutes=30)
    return waiting if state == "waitlisted" else place


@pytest.mark.parametrize("state", SIGNUP_TABLE)
@pytest.mark.parametrize("role", ROLES)
def test_signup_actions_follow_the_state_table(db, world, clock, state, role):
    signup = signup_in(world, clock, state)
    assert policy_of(signup).allowed(person(world, role)) == SIGNUP_TABLE[state].get(role, set())


SIGNUP_REFUSALS = [
    ("confirmed, started", "cancel", "resident", RuleViolation, "can no longer be cancelled"),
    ("confirmed, checked in", "cancel", "resident", Conflict, "already checked in"),
    ("confirmed", "mark", "worker", RuleViolation, "once check-in opens"),
    ("confirmed, checked in", "mark", "worker", Conflict, "already marked"),
    ("confirmed, started", "mark", "party", PermissionDenied, "organiser or the committee"),
]


@pytest.mark.parametrize(("state", "action", "role", "error", "message"), SIGNUP_REFUSALS)
def test_signup_services_refuse_with_the_policy(db, world, clock, state, action, role, error, message):
    signup = signup_in(world, clock, state)
    activity = policy_of(signup).activity
    owner = world.resident
    with force_locale("en"), pytest.raises(error, match=message):
        if action == "cancel":
            signups.cancel_signup(person(world, role), activity)
        else:
            checkins.mark_attendance(person(world, role), activity, owner)


# --- attendance: the resident checked in --------------------------------------------------------

ATTENDANCE_TABLE: dict[str, dict[str, set[str]]] = {
    "checked_in": {"resident": {"check_out"}},
    "checked_in, just ended": {"resident": {"check_out"}, "worker": {"confirm_minutes"}},
    "checked_in, ended an hour ago": {"worker": {"confirm_minutes"}},
    "checked_out": {"worker": {"confirm_minutes"}},
    "confirmed": {},
}


def attendance_in(world, clock, state: str):
    activity = world.factory.activity(world, starts_in=timedelta(minutes=10), hours=2)
    signups.sign_up(world.resident, activity)
    attendance = checkins.check_in(world.resident, activity, checkins.checkin_code(activity))
    if state == "checked_in, just ended":
        clock.advance(hours=2, minutes=20)
    elif state != "checked_in":
        clock.advance(hours=3, minutes=10)
    if state in ("checked_out", "confirmed"):
        attendance.checked_out_at = clock.now() - timedelta(hours=1)
    if state == "confirmed":
        checkins.confirm_minutes(world.worker, activity, attendance, 100)
    return attendance


@pytest.mark.parametrize("state", ATTENDANCE_TABLE)
@pytest.mark.parametrize("role", ROLES)
def test_attendance_actions_follow_the_state_table(db, world, clock, state, role):
    attendance = attendance_in(world, clock, state)
    assert policy_of(attendance).allowed(person(world, role)) == ATTENDANCE_TABLE[state].get(role, set())


ATTENDANCE_REFUSALS = [
    ("checked_in", "confirm_minutes", "worker", RuleViolation, "after the activity ends"),
    ("confirmed", "confirm_minutes", "worker", Conflict, "already confirmed"),
    ("checked_in, ended an hour ago", "check_out", "resident", RuleViolation, "Check-out closed"),
    ("checked_out", "check_out", "resident", Conflict, "already checked out"),
    ("checked_out", "confirm_minutes", "party", PermissionDenied, "organiser or the committee"),
]


@pytest.mark.parametrize(("state", "action", "role", "error", "message"), ATTENDANCE_REFUSALS)
def test_attendance_services_refuse_with_the_policy(db, world, clock, state, action, role, error, message):
    attendance = attendance_in(world, clock, state)
    activity = policy_of(attendance).activity
    with force_locale("en"), pytest.raises(error, match=message):
        if action == "check_out":
            checkins.check_out(person(world, role), activity)
        else:
            checkins.confirm_minutes(person(world, role), activity, attendance, 60)


def test_no_template_of_activities_tests_a_status():
    """Templates ask ``x|can('action')`` (or a property such as ``has_place``), never a status string."""
    root = pathlib.Path(__file__).parents[2] / "templates" / "activities"
    pattern = re.compile(
        r"status\s*(==|!=|in\b)|\bin actions\b|['\"](pending_review|pending|open|claimed|fulfilled|confirmed|"
        r"waitlisted|cancelled|rejected|ended|withdrawn)['\"]"
    )
    offenders = [
        f"{path.relative_to(root)}:{n}"
        for path in sorted(root.rglob("*.html"))
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []


def test_a_party_member_does_not_take_on_their_own_wish(db, world):
    wish = wish_rules.post_wish(world.party, world.a, title="帮忙搬家", description="周六上午")
    wish_rules.approve_wish(world.worker, wish)
    assert not policy_of(wish).can("claim", world.party)
    with force_locale("en"), pytest.raises(RuleViolation, match="your own micro-wish"):
        wish_rules.claim_wish(world.party, wish)
