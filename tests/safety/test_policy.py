"""Every cell of the safety policies: grid (active, deleted) × action × role, and a person's marks × action × role."""

from __future__ import annotations

import pytest

from consult.core.clock import now
from consult.safety import needs
from consult.safety.policy import GridPolicy, HelpNeedPolicy
from tests import registry

#: every kind of person of the route registry (world.roles())
ROLES = registry.ROLES

#: action -> roles allowed on world.grid (active); a deleted grid allows nobody anything
GRID = {
    "view": {"grid_worker", "worker", "street_admin"},
    "manage": {"worker", "street_admin"},
    "see_needs": {"grid_worker", "worker"},
    "record_need": {"grid_worker", "worker"},
}
#: action -> roles allowed on world.resident's marks (building 3, world.grid)
NEED = {
    "view": {"resident", "grid_worker", "worker"},
    "change": {"resident"},
    "remove": {"resident"},
}


@pytest.mark.parametrize("deleted", [False, True])
@pytest.mark.parametrize("action", sorted(GRID))
def test_grid_policy(db, world, action, deleted):
    if deleted:
        world.grid.deleted_at = now()
    policy = GridPolicy(world.grid)
    allowed = {role for role in ROLES if policy.can(action, world.roles()[role])}
    assert allowed == (set() if deleted else GRID[action])


@pytest.mark.parametrize("action", sorted(NEED))
def test_need_policy(db, world, action):
    policy = HelpNeedPolicy(needs.set_own(world.resident, {"no_phone": True}, None))
    assert {role for role in ROLES if policy.can(action, world.roles()[role])} == NEED[action]


def test_every_action_is_in_the_tables():
    assert set(GRID) == set(GridPolicy.actions) and set(NEED) == set(HelpNeedPolicy.actions)
