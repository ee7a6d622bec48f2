"""The permission rows of slots and appointments (consult/offerings/appointment_policy.py) for residents,
another resident, a pending one, the committee, another community's worker, the provider's staff,
another provider's staff, a grid worker and a visitor."""

from __future__ import annotations

import pytest

from consult.offerings import booking
from consult.offerings.appointment_policy import AppointmentPolicy, SlotPolicy, keeper
from tests.offerings.appointment_helpers import at, slot as make_slot

ROLES = (
    "visitor",
    "resident",
    "party",
    "pending",
    "worker",
    "street_admin",
    "other_worker",
    "provider",
    "other_provider",
    "grid_worker",
)
COMMITTEE = {"worker", "street_admin"}
KEEPERS = COMMITTEE | {"provider"}
RESIDENTS = {"resident", "party"}


def people(world, factory):
    return {
        "visitor": None,
        "resident": world.resident,
        "party": world.party,
        "pending": world.pending,
        "worker": world.worker,
        "street_admin": world.street_admin,
        "other_worker": world.other_worker,
        "provider": world.provider_staff,
        "other_provider": factory.provider_staff(factory.provider(world.a, name="别家")),
        "grid_worker": world.grid_worker,
    }


@pytest.fixture
def morning(clock):
    clock.set(2026, 11, 30, 23, 0)  # 07:00 on 1 December in Beijing
    return clock


#: slot state -> action -> who may
SLOT = {
    "open": {"book": RESIDENTS, "book_for": COMMITTEE},
    "full": {"book": set(), "book_for": set()},
    "closed": {"book": set(), "book_for": set()},
    "unavailable": {"book": set(), "book_for": set()},
}


@pytest.mark.parametrize("state", sorted(SLOT))
def test_slot_table(db, world, factory, morning, state):
    persons = people(world, factory)
    slot = make_slot(world, capacity=1)
    if state == "full":
        slot.booked_count = 1
    if state == "closed":
        morning.set(at(1, 7, 30))
    if state == "unavailable":
        slot.service.takes_appointments = False
    for action, allowed in SLOT[state].items():
        policy = SlotPolicy(slot)
        assert policy.state == state
        assert {role for role in ROLES if policy.can(action, persons[role])} == allowed, action
    assert {role for role in ROLES if keeper(persons[role], slot.service)} == KEEPERS


#: appointment state -> action -> who may (world.resident's appointment)
APPOINTMENT = {
    "booked": {"view": KEEPERS | {"resident"}, "cancel": COMMITTEE | {"resident"}, "mark": set(), "rate": set()},
    "booked_after_cutoff": {"view": KEEPERS | {"resident"}, "cancel": set(), "mark": set(), "rate": set()},
    "ended": {"view": KEEPERS | {"resident"}, "cancel": set(), "mark": KEEPERS, "rate": set()},
    "attended": {"view": KEEPERS | {"resident"}, "cancel": set(), "mark": set(), "rate": {"resident"}},
    "no_show": {"view": KEEPERS | {"resident"}, "cancel": set(), "mark": set(), "rate": set()},
    "cancelled": {"view": KEEPERS | {"resident"}, "cancel": set(), "mark": set(), "rate": set()},
}


@pytest.mark.parametrize("state", sorted(APPOINTMENT))
def test_appointment_table(db, world, factory, morning, state):
    persons = people(world, factory)
    appointment = booking.book(make_slot(world), world.resident, world.resident)
    if state == "cancelled":
        booking.cancel(world.resident, appointment)
    if state == "booked_after_cutoff":
        morning.set(at(1, 7, 30))
    if state in ("ended", "attended", "no_show"):
        morning.set(at(1, 10))
    if state in ("attended", "no_show"):
        booking.mark(world.provider_staff, appointment, state == "attended")
    for action, allowed in APPOINTMENT[state].items():
        policy = AppointmentPolicy(appointment)
        assert {role for role in ROLES if policy.can(action, persons[role])} == allowed, action
