"""The state × action × role table of providers and services (consult/offerings/policy.py)."""

from __future__ import annotations

import pytest

from consult.core.clock import now
from consult.offerings.policy import ProviderPolicy, ServicePolicy

ROLES = ("visitor", "resident", "worker", "street_admin", "other_worker", "provider", "other_provider")
COMMITTEE = {"worker", "street_admin"}


def people(world, factory):
    other = factory.provider(world.a, name="别家")
    return {
        "visitor": None,
        "resident": world.resident,
        "worker": world.worker,
        "street_admin": world.street_admin,
        "other_worker": world.other_worker,
        "provider": world.provider_staff,
        "other_provider": factory.provider_staff(other),
    }


def provider_in(world, factory, state: str):
    provider = world.provider if state == "confirmed" else factory.provider(world.a, confirmed=False)
    if state == "ended":
        provider.ended_at = now()
    return provider


#: (state, action) -> who may
PROVIDER = {
    ("pending", "confirm"): COMMITTEE,
    ("confirmed", "confirm"): set(),
    ("ended", "confirm"): set(),
    ("pending", "end"): COMMITTEE,
    ("confirmed", "end"): COMMITTEE,
    ("ended", "end"): set(),
    ("pending", "appoint_staff"): set(),
    ("confirmed", "appoint_staff"): COMMITTEE,
    ("ended", "appoint_staff"): set(),
    ("pending", "add_service"): COMMITTEE,
    ("confirmed", "add_service"): COMMITTEE | {"provider"},
    ("ended", "add_service"): set(),
}


@pytest.mark.parametrize("state, action", sorted(PROVIDER))
def test_provider_table(db, world, factory, state, action):
    persons = people(world, factory)
    provider = provider_in(world, factory, state)
    if state == "pending":  # world.provider_staff works for world.provider, not for this one
        persons["provider"] = factory.provider_staff(provider)
    policy = ProviderPolicy(provider)
    assert policy.state == state
    may = {role for role in ROLES if policy.can(action, persons[role])}
    assert may == PROVIDER[state, action]


SERVICE = {
    ("listed", "view"): set(ROLES),
    ("listed", "edit"): COMMITTEE | {"provider"},
    ("listed", "withdraw"): COMMITTEE | {"provider"},
    ("withdrawn", "view"): COMMITTEE | {"provider"},
    ("withdrawn", "edit"): set(),
    ("withdrawn", "withdraw"): set(),
    ("ended", "view"): COMMITTEE | {"provider"},
    ("ended", "edit"): set(),
    ("ended", "withdraw"): set(),
}


@pytest.mark.parametrize("state, action", sorted(SERVICE))
def test_service_table(db, world, factory, state, action):
    persons = people(world, factory)
    service = factory.service(world.provider)
    if state == "withdrawn":
        service.withdrawn_at = now()
    if state == "ended":
        world.provider.ended_at = now()
    policy = ServicePolicy(service)
    assert policy.state == state
    may = {role for role in ROLES if policy.can(action, persons[role])}
    assert may == SERVICE[state, action]


def test_a_pending_providers_service_is_hidden_from_everyone_but_its_keepers(db, world, factory):
    persons = people(world, factory)
    pending = factory.provider(world.a, confirmed=False)
    service = factory.service(pending)
    policy = ServicePolicy(service)
    assert policy.state == "hidden"
    assert {role for role in ROLES if policy.can("view", persons[role])} == COMMITTEE
    assert {role for role in ROLES if policy.can("edit", persons[role])} == COMMITTEE
