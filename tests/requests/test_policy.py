"""The request state table (consult/requests/policy.py, docs/requests.md) over state × action × role.

Each cell says whether the person may take the step; every refusal names its reason and has the
status of its kind (403 for the wrong person, 400 for the wrong moment).
"""

from __future__ import annotations

import pytest

from consult.core.policy import policy_of
from consult.requests import reporting, services
from consult.requests.policy import ACTIONS

COMMITTEE = {"worker", "street_admin"}
ROLES = (
    "visitor",
    "reporter",
    "party",
    "worker",
    "other_worker",
    "street_admin",
    "other_street_admin",
    "site_admin",
    "department",
)
AT_DEPARTMENT = {"at_department", "department_accepted"}
OPEN = {"submitted", "accepted", "in_progress", "at_street", "reopened"} | AT_DEPARTMENT


def build(world, stage: str):
    """A request of community a, reported by world.resident, brought to ``stage`` through the services."""
    request = reporting.report(world.resident, world.a, category="repairs", description="电梯坏了")
    steps = {
        "submitted": [],
        "accepted": ["accept"],
        "in_progress": ["accept", "assign"],
        "at_street": ["accept", "escalate"],
        "at_department": ["accept", "escalate", "dispatch"],
        "department_accepted": ["accept", "escalate", "dispatch", "department_accept"],
        "resolved": ["accept", "resolve"],
        "reopened": ["accept", "resolve", "not_solved"],
        "resolved_again": ["accept", "resolve", "not_solved", "resolve"],
        "confirmed": ["accept", "resolve", "confirm"],
        "closed": ["accept", "resolve", "confirm", "close"],
        "merged": ["merge"],
        "out_of_scope": ["out_of_scope"],
    }[stage]
    for step in steps:
        if step == "accept":
            services.accept(world.worker, request)
        elif step == "assign":
            services.assign(world.worker, request, world.worker)
        elif step == "escalate":
            services.escalate(world.worker, request, "需要街道")
        elif step == "dispatch":
            services.dispatch(world.street_admin, request, world.department)
        elif step == "department_accept":
            services.accept(world.department_member, request)
        elif step == "resolve":
            services.resolve(world.worker, request, "修好了")
        elif step == "not_solved":
            services.confirm(world.resident, request, solved=False)
        elif step == "confirm":
            services.confirm(world.resident, request, solved=True, level="satisfied")
        elif step == "close":
            services.close(world.worker, request)
        elif step == "merge":
            other = reporting.report(world.resident, world.a, category="repairs", description="同一部电梯")
            services.merge(world.worker, request, other)
        elif step == "out_of_scope":
            services.out_of_scope(world.worker, request, "不归社区管", "街道城管科")
    return request


def expected(stage: str, action: str, role: str) -> bool:
    """The state table, written out a second time."""
    at_street = stage == "at_street"
    at_department = stage in AT_DEPARTMENT
    holder_staff = {"street_admin"} if at_street else {"department"} if at_department else COMMITTEE
    resolved = stage in ("resolved", "resolved_again")
    rule = {
        "view": role in {"reporter"} | COMMITTEE or (at_department and role == "department"),
        "accept": (stage == "submitted" and role in COMMITTEE) or (stage == "at_department" and role == "department"),
        "assign": stage in ("accepted", "in_progress", "reopened") and role in COMMITTEE,
        "escalate": stage in ("accepted", "in_progress", "reopened") and role in COMMITTEE,
        "send_back": (at_street and role == "street_admin") or (at_department and role == "department"),
        "dispatch": at_street and role == "street_admin",
        "resolve": stage in {"accepted", "in_progress", "at_street", "reopened"} | AT_DEPARTMENT and role in holder_staff,
        "move_due": stage in OPEN and role in holder_staff,
        "confirm": resolved and role == "reporter",
        "not_solved": stage == "resolved" and role == "reporter",
        "call_back": resolved and role in COMMITTEE,
        "close": stage == "confirmed" and role in COMMITTEE,
        "merge": stage in OPEN and role in COMMITTEE,
        "refer": stage in ("submitted", "accepted") and role in COMMITTEE,
    }
    return rule[action]


STAGES = (
    "submitted",
    "accepted",
    "in_progress",
    "at_street",
    "at_department",
    "department_accepted",
    "resolved",
    "reopened",
    "resolved_again",
    "confirmed",
    "closed",
    "merged",
    "out_of_scope",
)


@pytest.mark.parametrize("stage", STAGES)
def test_state_table(db, world, stage):
    request = build(world, stage)
    people = {role: getattr(world, role, None) for role in ROLES} | {
        "reporter": world.resident,
        "party": world.party,
        "department": world.department_member,
    }
    wrong = []
    for action in ACTIONS:
        for role in ROLES:
            refusal = policy_of(request).refusal(action, people[role])
            if (refusal is None) != expected(stage, action, role):
                wrong.append(f"{action} by {role}: {'allowed' if refusal is None else refusal.message}")
            elif refusal is not None:
                assert refusal.message and refusal.status in (400, 403), (action, role, refusal)
                staff_or_reporter = role in COMMITTEE or role in ("reporter", "department")
                if not staff_or_reporter and action != "view":
                    assert refusal.status == 403, (action, role, refusal.message)
    assert not wrong, f"{stage}: " + "; ".join(wrong)


def test_every_action_is_in_the_table():
    assert set(ACTIONS) == {
        "view",
        "accept",
        "assign",
        "escalate",
        "send_back",
        "dispatch",
        "resolve",
        "move_due",
        "confirm",
        "not_solved",
        "call_back",
        "close",
        "merge",
        "refer",
    }
