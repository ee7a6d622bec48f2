"""Residents who need help in an emergency: their own marks, a worker's record with consent, who
sees them (and who does not), removal, "download my data"; without HTTP."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from consult.accounts import services as accounts
from consult.core.audit import AuditEntry
from consult.core.errors import PermissionDenied, RuleViolation
from consult.places import queries as places
from consult.safety import grids, needs, queries, staff
from consult.safety.models import HelpNeed
from consult.safety.policy import GridPolicy, HelpNeedPolicy
from tests.factories import PASSWORD

ALONE = {"lives_alone_over_70": True}


def count(db) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(HelpNeed))


def test_a_resident_marks_changes_and_removes(db, world):
    need = needs.set_own(world.resident, {"limited_mobility": True, "other": True}, "轮椅")
    assert need.marks == ["limited_mobility", "other"] and need.recorded_by_id is None
    needs.set_own(world.resident, ALONE, None)
    assert queries.need_of(world.resident.id).marks == ["lives_alone_over_70"] and count(db) == 1
    assert needs.remove_own(world.resident) is True
    assert queries.need_of(world.resident.id) is None and count(db) == 0
    assert needs.remove_own(world.resident) is False


def test_the_audit_log_keeps_that_it_changed_never_the_marks(db, world):
    needs.set_own(world.resident, {"no_phone": True, "other": True}, "耳背，敲门要大声")
    needs.remove_own(world.resident)
    entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action.like("safety.%"))).all()
    assert [e.action for e in entries] == ["safety.need_set", "safety.need_removed"]
    for entry in entries:
        text = repr(entry.before) + repr(entry.after)
        assert "no_phone" not in text and "耳背" not in text and "other" not in text


@pytest.mark.parametrize(
    ("marks", "note", "field"),
    [({}, None, "lives_alone_over_70"), ({"other": True}, "", "note"), (ALONE, "长" * 201, "note")],
)
def test_bad_marks_are_refused_and_nothing_written(db, world, marks, note, field):
    with pytest.raises(RuleViolation) as refused:
        needs.set_own(world.resident, marks, note)
    assert refused.value.field == field and count(db) == 0


def test_only_a_confirmed_resident_can_be_marked(db, world):
    for person in (world.pending, world.worker):
        with pytest.raises(RuleViolation):
            needs.set_own(person, ALONE, None)
    assert count(db) == 0


def test_a_worker_records_with_consent_noted(db, world, clock):
    need = needs.record_for(world.grid_worker, world.resident, ALONE, None, "本人", "入户当面同意")
    assert (need.recorded_by_id, need.consent_by, need.consent_how, need.consent_at) == (
        world.grid_worker.id,
        "本人",
        "入户当面同意",
        clock.now(),
    )
    needs.record_for(world.worker, world.party, {"no_phone": True}, None, "女儿张某", "电话")  # building 5: no grid
    # The resident's own change makes the marks theirs again.
    needs.set_own(world.resident, {"limited_mobility": True}, None)
    assert queries.need_of(world.resident.id).recorded_by_id is None and queries.need_of(world.resident.id).consent_by is None


@pytest.mark.parametrize(
    ("by", "how", "field"), [("", "电话", "consent_by"), ("本人", "  ", "consent_how"), ("本人", "长" * 101, "consent_how")]
)
def test_a_record_without_consent_noted_is_refused(db, world, by, how, field):
    with pytest.raises(RuleViolation) as refused:
        needs.record_for(world.worker, world.resident, ALONE, None, by, how)
    assert refused.value.field == field and count(db) == 0


def test_who_may_record_for_a_resident(db, world, factory):
    # Building 5 (world.party) is in no grid: the grid worker of world.grid may not; street admins never.
    refused = [
        (world.grid_worker, world.party),
        (world.street_admin, world.resident),
        (world.other_worker, world.resident),
        (world.resident, world.party),
        (world.worker, world.worker),  # not a resident; and nobody records for themselves
    ]
    for actor, person in refused:
        with pytest.raises((PermissionDenied, RuleViolation)):
            needs.record_for(actor, person, ALONE, None, "本人", "当面")
    assert count(db) == 0


def viewers(world, need) -> set[str]:
    policy = HelpNeedPolicy(need)
    return {role for role, user in world.roles().items() if policy.can("view", user)}


def test_marks_are_seen_by_the_person_their_grid_workers_and_their_committees_workers_only(db, world, factory):
    need = needs.set_own(world.resident, ALONE, None)
    assert viewers(world, need) == {"resident", "grid_worker", "worker"}  # street admins: not
    other_grid = grids.create_grid(world.worker, world.a, "第二网格")
    stranger = factory.grid_worker(other_grid, username="gw2")
    places.forget_roles()
    assert not HelpNeedPolicy(need).can("view", stranger)  # a grid worker of another grid
    # Moving the building moves who sees it (the grid is derived from the building).
    grids.place_building(world.worker, other_grid, "3")
    places.forget_roles()
    assert HelpNeedPolicy(need).can("view", stranger) and not HelpNeedPolicy(need).can("view", world.grid_worker)
    assert {role for role, user in world.roles().items() if HelpNeedPolicy(need).can("remove", user)} == {"resident"}


def test_lists_of_who_needs_help_follow_the_grid(db, world, factory):
    needs.set_own(world.resident, ALONE, None)  # building 3, world.grid
    needs.set_own(world.party, {"no_phone": True}, None)  # building 5, no grid
    assert [n.user_id for n, _ in queries.needs_in(world.a.id, [world.grid.id])] == [world.resident.id]
    assert {n.user_id for n, _ in queries.needs_in(world.a.id)} == {world.resident.id, world.party.id}
    assert queries.need_counts(world.a.id) == {world.grid.id: 1, None: 1}
    assert queries.needs_in(world.b.id) == []


def test_a_grid_worker_sees_only_their_grids(db, world, factory):
    mine, other = world.grid, grids.create_grid(world.worker, world.a, "第二网格")
    assert GridPolicy(mine).can("view", world.grid_worker) and GridPolicy(mine).can("see_needs", world.grid_worker)
    assert not GridPolicy(other).can("view", world.grid_worker)
    assert not GridPolicy(other).can("see_needs", world.grid_worker)
    assert not GridPolicy(mine).can("manage", world.grid_worker)
    assert GridPolicy(mine).can("view", world.street_admin) and not GridPolicy(mine).can("see_needs", world.street_admin)
    assert not GridPolicy(mine).can("view", world.other_worker)
    staff.end_grid_worker(world.worker, queries.grid_workers([mine.id])[0])
    places.forget_roles()
    assert not GridPolicy(mine).can("view", world.grid_worker)  # an ended appointment sees nothing


def test_in_my_data_and_removed_with_a_closed_account(db, world):
    needs.set_own(world.resident, {"other": True}, "需要氧气瓶")
    staff.name_volunteer(world.worker, world.a, world.resident, "3")
    data = accounts.personal_data(world.resident)
    assert data["help_needs"][0]["marks"] == ["other"] and data["help_needs"][0]["note"] == "需要氧气瓶"
    assert data["building_volunteers"][0]["building"] == "3"
    accounts.close_account(world.resident, PASSWORD)
    assert queries.need_of(world.resident.id) is None  # closing an account deletes the marks
    assert queries.volunteers_of(world.a.id) == []  # and ends the building volunteer's role
