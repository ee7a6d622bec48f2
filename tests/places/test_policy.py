"""The residence policy (consult/places/policy.py): the state table of docs/design.md as
parametrised tests over state × action × role, and the refusals the services raise through it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from consult.core.clock import now
from consult.core.errors import Conflict, DomainError, PermissionDenied, RuleViolation
from consult.core.policy import policy_of
from consult.places import services
from consult.places.models import EndReason, Residence, ResidenceStatus, StaffAppointment
from consult.places.policy import ResidencePolicy

STATES = ("pending", "confirmed", "rejected", "ended")
ROLES = ("owner", "worker", "street_admin", "other_worker", "other_street_admin", "neighbour", "visitor")
COMMITTEE = {"worker", "street_admin"}

#: (state, action) -> the roles that may; every other combination is refused
ALLOWED = {
    ("pending", "confirm"): COMMITTEE,
    ("pending", "reject"): COMMITTEE,
    ("pending", "withdraw"): {"owner"},
    ("confirmed", "end"): COMMITTEE,
}


def _residence(world, factory, state: str) -> Residence:
    ending = {}
    if state in ("rejected", "ended"):
        ending = {"ended_at": now(), "end_reason": EndReason.REJECTED if state == "rejected" else EndReason.MOVED_OUT}
    return factory.residence(factory.user(), world.a, ResidenceStatus(state), **ending)


def _actor(world, residence: Residence, role: str):
    if role == "owner":
        return residence.user
    if role == "neighbour":
        return world.resident
    if role == "visitor":
        return None
    return getattr(world, role)


@pytest.fixture
def make(world, factory, db):
    def make(state: str) -> Residence:
        residence = _residence(world, factory, state)
        db.session.refresh(residence, ["user"])
        return residence

    return make


def test_the_policy_is_registered_for_residences(make):
    assert isinstance(policy_of(make("pending")), ResidencePolicy)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ResidencePolicy.actions)
@pytest.mark.parametrize("state", STATES)
def test_state_action_role(make, world, state, action, role):
    residence = make(state)
    expected = role in ALLOWED.get((state, action), set())
    assert policy_of(residence).can(action, _actor(world, residence, role)) is expected


@pytest.mark.parametrize(
    ("state", "action"), [(s, a) for s in STATES for a in ("confirm", "reject", "end") if (s, a) not in ALLOWED]
)
def test_a_decided_residence_is_a_conflict_for_the_committee(make, world, state, action):
    residence = make(state)
    assert isinstance(policy_of(residence).refusal(action, world.worker), Conflict)


@pytest.mark.parametrize("role", ["other_worker", "other_street_admin", "neighbour", "owner", "visitor"])
@pytest.mark.parametrize("action", ["confirm", "reject"])
def test_only_the_committee_of_its_community_decides(make, world, action, role):
    residence = make("pending")
    assert isinstance(policy_of(residence).refusal(action, _actor(world, residence, role)), PermissionDenied)


def test_nobody_confirms_their_own_residence(world, factory, db):
    residence = factory.residence(world.worker, world.a, ResidenceStatus.PENDING)
    policy = policy_of(residence)
    assert not policy.can("confirm", world.worker)
    assert isinstance(policy.refusal("confirm", world.worker), PermissionDenied)
    assert policy.can("reject", world.worker)  # rejecting one's own application is not refused
    assert policy.can("confirm", world.street_admin)


@pytest.mark.parametrize("role", ["worker", "neighbour", "visitor"])
def test_only_the_person_withdraws_their_application(make, world, role):
    residence = make("pending")
    assert isinstance(policy_of(residence).refusal("withdraw", _actor(world, residence, role)), PermissionDenied)


# --- the services refuse through the policy, and change nothing ------------------------------

SERVICES = {
    "confirm": lambda actor, r: services.confirm_residence(actor, r),
    "reject": lambda actor, r: services.reject_residence(actor, r, "不在本社区"),
    "withdraw": lambda actor, r: services.withdraw_application(actor, r),
    "end": lambda actor, r: services.end_residence(actor, r, "搬走"),
}


REFUSED = [
    (state, action, role)
    for state in STATES
    for action in ResidencePolicy.actions
    for role in ROLES
    if role != "visitor" and role not in ALLOWED.get((state, action), set())
]


@pytest.mark.parametrize(("state", "action", "role"), REFUSED)
def test_services_refuse_what_the_policy_refuses(make, world, db, state, action, role):
    residence = make(state)
    actor = _actor(world, residence, role)
    expected = type(policy_of(residence).refusal(action, actor))
    with pytest.raises(DomainError) as refused:
        SERVICES[action](actor, residence)
    assert type(refused.value) is expected
    db.session.refresh(residence)
    assert residence.status == state


@pytest.mark.parametrize(("state", "action"), sorted(ALLOWED))
def test_services_do_what_the_policy_allows(make, world, state, action):
    residence = make(state)
    actor = residence.user if action == "withdraw" else world.worker
    done = SERVICES[action](actor, residence)
    assert done.status != state


# --- templates ask the policy, never a status --------------------------------------------------

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
STATUS_TEST = re.compile(r"status\s*(==|!=|in\b|not in\b)|['\"](pending|confirmed|rejected|ended)['\"]")


@pytest.mark.parametrize("folder", ["accounts", "places", "manage"])
def test_no_template_of_people_tests_a_status(folder):
    offenders = [
        f"{path.name}:{number}"
        for path in sorted((TEMPLATES / folder).glob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if STATUS_TEST.search(line)
    ]
    assert offenders == []


# --- staff appointments ------------------------------------------------------------------------

APPOINTERS = ("street_admin", "other_street_admin", "site_admin", "worker", "resident")
#: the appointment's role -> who may end it
MAY_END = {"worker": {"street_admin"}, "street_admin": {"site_admin"}, "site_admin": {"site_admin"}}


def _appointment(world, factory, role: str, ended: bool):
    person = factory.user()
    scope = {"worker": {"community": world.a}, "street_admin": {"street": world.street}, "site_admin": {}}[role]
    appointment = factory.appoint(person, role, **scope)
    if ended:
        appointment.ended_at = now()
        factory.session.flush()
    return appointment


@pytest.mark.parametrize("actor", APPOINTERS)
@pytest.mark.parametrize("role", sorted(MAY_END))
@pytest.mark.parametrize("ended", [False, True])
def test_who_ends_which_appointment(world, factory, db, ended, role, actor):
    appointment = _appointment(world, factory, role, ended)
    expected = not ended and actor in MAY_END[role]
    policy = policy_of(appointment)
    assert policy.can("end", getattr(world, actor)) is expected
    if ended:
        assert isinstance(policy.refusal("end", getattr(world, actor)), Conflict)
    elif not expected:
        assert isinstance(policy.refusal("end", getattr(world, actor)), PermissionDenied)


def test_nobody_ends_their_own_site_administration(world, db):
    appointment = db.session.scalar(
        sa.select(StaffAppointment).where(StaffAppointment.user_id == world.site_admin.id, StaffAppointment.ended_at.is_(None))
    )
    assert isinstance(policy_of(appointment).refusal("end", world.site_admin), RuleViolation)
    with pytest.raises(RuleViolation):
        services.end_appointment(world.site_admin, appointment)
    assert appointment.ended_at is None


@pytest.mark.parametrize("actor", ["other_street_admin", "worker"])
def test_ending_a_workers_appointment_is_refused_outside_the_street(world, db, actor):
    appointment = db.session.scalar(sa.select(StaffAppointment).where(StaffAppointment.user_id == world.worker.id))
    with pytest.raises(PermissionDenied):
        services.end_appointment(getattr(world, actor), appointment)
    assert appointment.ended_at is None
