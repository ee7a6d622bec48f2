"""A street's targets and a community's categories: who may change them, and what new requests get."""

from __future__ import annotations

from datetime import timedelta

import pytest

from consult.core.errors import PermissionDenied, RuleViolation
from consult.requests import reporting, settings
from consult.requests.targets import categories_of, category_choices

TARGETS = {
    "response_minutes": 60,
    "service_start_minute": 9 * 60,
    "service_end_minute": 18 * 60,
    "next_morning_minute": 10 * 60,
    "resolution_days": 5,
    "department_response_minutes": 480,
    "department_resolution_days": 10,
}


def test_the_street_sets_targets_that_new_requests_use(db, world, clock):
    clock.set(2026, 12, 1, 2, 0)  # 10:00 Beijing
    settings.save_targets(world.street_admin, world.street, **TARGETS)
    request = reporting.report(world.resident, world.a, category="repairs", description="x")
    assert request.response_due_at - request.created_at == timedelta(hours=1)
    assert request.resolution_due_at - request.created_at == timedelta(days=5)


@pytest.mark.parametrize(
    ("who", "changes", "error", "field"),
    [
        ("worker", {}, PermissionDenied, None),
        ("other_street_admin", {}, PermissionDenied, None),
        ("street_admin", {"response_minutes": 5}, RuleViolation, "response_minutes"),
        ("street_admin", {"service_end_minute": 8 * 60}, RuleViolation, "service_end_minute"),
        ("street_admin", {"next_morning_minute": 20 * 60}, RuleViolation, "next_morning_minute"),
        ("street_admin", {"resolution_days": 0}, RuleViolation, "resolution_days"),
    ],
)
def test_bad_targets_are_refused(db, world, who, changes, error, field):
    with pytest.raises(error) as refused:
        settings.save_targets(getattr(world, who), world.street, **(TARGETS | changes))
    assert refused.value.field == field


def test_categories_rename_retire_add_and_their_own_days(db, world, clock):
    assert categories_of(world.a.id) == [] and ("repairs", "设施维修") in category_choices(world.a.id)  # defaults, no rows yet
    added = settings.save_category(world.worker, world.a, None, name="电梯", resolution_days=2)
    lift = reporting.report(world.resident, world.a, category=added.key, description="电梯停了")
    assert lift.resolution_due_at - lift.created_at == timedelta(days=2)
    noise = next(c for c in categories_of(world.a.id) if c.key == "noise")
    settings.save_category(world.worker, world.a, noise.id, name="噪音", resolution_days=None, active=False)
    assert "noise" not in dict(category_choices(world.a.id))
    with pytest.raises(RuleViolation, match="category of this community"):
        reporting.report(world.resident, world.a, category="noise", description="x")
    with pytest.raises(RuleViolation, match="already has a category"):
        settings.save_category(world.worker, world.a, None, name="电梯", resolution_days=None)
    with pytest.raises(PermissionDenied):
        settings.save_category(world.other_worker, world.a, None, name="别的", resolution_days=None)
    other = settings.save_category(world.other_worker, world.b, None, name="b的类别", resolution_days=None)
    with pytest.raises(RuleViolation, match="category of this community"):
        settings.save_category(world.worker, world.a, other.id, name="改名", resolution_days=None)
