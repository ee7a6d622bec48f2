"""Permission rows of kiosk mode: for each kind of person (tests/registry.py ROLES), who may register
and revoke community a's kiosks, set and unlock world.resident's PIN, print their sign-in card, and
log in at its kiosk."""

from __future__ import annotations

import pytest

from consult.core.errors import DomainError
from consult.kiosk import pins, services
from consult.kiosk.models import KioskPin
from consult.kiosk.policy import KioskPolicy, PinPolicy
from tests.registry import ROLES

COMMITTEE = {"worker", "street_admin"}
#: action -> the roles allowed
ROWS = {
    "register": COMMITTEE,
    "revoke": COMMITTEE,
    "set_pin": COMMITTEE,
    "unlock": COMMITTEE,
    "issue_card": COMMITTEE,
    # log in at community a's kiosk with one's own PIN: confirmed residents of a who are not staff
    "log_in": {"resident", "party"},
}


def _may(action: str, world, user) -> bool:
    if user is None:
        return False
    try:
        if action == "register":
            services.register_kiosk(user, world.a, "大厅")
        elif action == "revoke":
            KioskPolicy(services.register_kiosk(world.worker, world.a, "大厅")[0]).require("revoke", user)
        elif action in ("set_pin", "unlock", "issue_card"):
            pin = KioskPin(user_id=world.resident.id, failed_count=5, locked_at=world.a.created_at)
            PinPolicy(pin, community=world.a, holder=world.resident).require(action.removesuffix("_pin"), user)
        else:
            PinPolicy(KioskPin(user_id=user.id, failed_count=0), community=world.a, holder=user).require("log_in", user)
    except DomainError:
        return False
    return True


@pytest.mark.parametrize("action", sorted(ROWS))
def test_permission_rows(db, world, action):
    got = {role for role, user in world.roles().items() if _may(action, world, user)}
    assert got == ROWS[action], {"extra": got - ROWS[action], "missing": ROWS[action] - got}
    assert set(ROLES) >= got


def test_nobody_sets_or_unlocks_their_own_pin_even_on_the_committee(db, world, factory):
    """A worker who also lives in the community gets no PIN (staff), and cannot act on themselves."""
    holder = world.worker
    policy = PinPolicy(KioskPin(user_id=holder.id, failed_count=0), community=world.a, holder=holder)
    assert not policy.can("set", holder)


def test_a_locked_pin_refuses_log_in_with_423(db, world):
    pins.set_pin(world.worker, world.a, world.resident, "246810")
    row = pins.pin_of(world.resident.id)
    row.failed_count, row.locked_at = 5, row.set_at
    refusal = PinPolicy(row, community=world.a, holder=world.resident).refusal("log_in", world.resident)
    assert refusal is not None and refusal.status == 423
