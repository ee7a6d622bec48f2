"""Every cell of the hazard ledger's policies: hazard state × action × role (and the fixer), grid
rounds, inspections and emergency points × role."""

from __future__ import annotations

from datetime import timedelta

import pytest

from consult.core.clock import local_now
from consult.safety import hazards, inspections, stations
from consult.safety.hazard_models import ITEM_KIND
from consult.safety.hazard_policy import TRANSITIONS, EmergencyPointPolicy, GridRoundsPolicy, HazardPolicy, InspectionPolicy
from tests import registry

ROLES = registry.ROLES
PEOPLE = {"grid_worker", "worker", "street_admin"}
COMMITTEE = {"worker", "street_admin"}
#: (state, action) -> roles allowed on a hazard of world.grid; the fixer is world.worker
HAZARD = {
    ("open", "view"): PEOPLE,
    ("open", "plan"): COMMITTEE,
    ("open", "start"): PEOPLE,
    ("open", "fix"): set(),
    ("open", "check"): set(),
    ("open", "reopen"): set(),
    ("fixing", "view"): PEOPLE,
    ("fixing", "plan"): COMMITTEE,
    ("fixing", "start"): set(),
    ("fixing", "fix"): PEOPLE,
    ("fixing", "check"): set(),
    ("fixing", "reopen"): set(),
    ("fixed", "view"): PEOPLE,
    ("fixed", "plan"): set(),
    ("fixed", "start"): set(),
    ("fixed", "fix"): set(),
    ("fixed", "check"): {"grid_worker", "street_admin"},  # not world.worker, who marked it fixed
    ("fixed", "reopen"): {"grid_worker", "street_admin"},
    ("checked", "view"): PEOPLE,
    ("checked", "plan"): set(),
    ("checked", "start"): set(),
    ("checked", "fix"): set(),
    ("checked", "check"): set(),
    ("checked", "reopen"): set(),
}
ROUNDS = {"inspect": {"grid_worker"}, "inspections": PEOPLE}
INSPECTION = {"view": PEOPLE, "open_hazard": PEOPLE}
POINT = {"manage": COMMITTEE}


def _hazard(world, state):
    hazard = hazards.record(
        world.worker,
        world.a,
        hazards.HazardInput("gas_smell", "high", "2单元", "有煤气味", "燃气公司", local_now().date() + timedelta(days=1), "3"),
    )
    path = {"open": [], "fixing": ["start"], "fixed": ["start", "fix"], "checked": ["start", "fix"]}[state]
    for action in path:
        hazards.step(world.worker, hazard, action)
    if state == "checked":
        hazards.step(world.grid_worker, hazard, "check")
    return hazard


@pytest.mark.parametrize("state, action", sorted(HAZARD))
def test_hazard_policy(db, world, state, action):
    policy = HazardPolicy(_hazard(world, state))
    assert {role for role in ROLES if policy.can(action, world.roles()[role])} == HAZARD[(state, action)]


@pytest.mark.parametrize("action", sorted(ROUNDS))
def test_grid_rounds_policy(db, world, action):
    policy = GridRoundsPolicy(world.grid)
    assert {role for role in ROLES if policy.can(action, world.roles()[role])} == ROUNDS[action]


@pytest.mark.parametrize("action", sorted(INSPECTION))
def test_inspection_policy(db, world, action):
    policy = InspectionPolicy(inspections.inspect(world.grid_worker, world.grid, dict.fromkeys(ITEM_KIND, True)))
    assert {role for role in ROLES if policy.can(action, world.roles()[role])} == INSPECTION[action]


def test_emergency_point_policy(db, world):
    point = stations.add_point(
        world.worker,
        world.a,
        name="站",
        place="居委会",
        opening="24小时",
        open_at_night=True,
        keeper_name="李",
        keeper_phone="110",
        counts={},
    )
    policy = EmergencyPointPolicy(point)
    assert {role for role in ROLES if policy.can("manage", world.roles()[role])} == POINT["manage"]


def test_every_action_and_state_is_in_the_tables():
    assert {action for _state, action in HAZARD} == set(HazardPolicy.actions) == {"view", "plan", *TRANSITIONS}
    assert {state for state, _action in HAZARD} == {"open", "fixing", "fixed", "checked"}
    assert set(ROUNDS) == set(GridRoundsPolicy.actions) and set(INSPECTION) == set(InspectionPolicy.actions)
    assert set(POINT) == set(EmergencyPointPolicy.actions)
