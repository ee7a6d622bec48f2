"""Grids and their buildings, grid workers and building volunteers: the rules, without HTTP."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from consult.core.audit import AuditEntry
from consult.core.errors import Conflict, NotFound, PermissionDenied, RuleViolation
from consult.places import queries as places
from consult.places.models import StaffAppointment, StaffRole
from consult.safety import grids, queries, staff
from consult.safety.models import BuildingVolunteer, Grid, GridBuilding


def count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def audits(db, action: str) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.action == action))


def test_create_rename_place_move_remove_delete(db, world):
    east = grids.create_grid(world.worker, world.a, " 东区网格 ")
    assert east.name == "东区网格" and audits(db, "grid.create") == 1
    grids.rename_grid(world.worker, east, "东网格")
    assert east.name == "东网格" and audits(db, "grid.rename") == 1
    row = grids.place_building(world.worker, east, "7号楼")
    assert row.building == "7" and row.grid_id == east.id  # the residences' stored form
    moved = grids.place_building(world.worker, world.grid, "７栋")  # the same building, typed otherwise: moved
    assert moved.id == row.id and moved.grid_id == world.grid.id and audits(db, "grid.move_building") == 1
    grids.delete_grid(world.worker, east)
    assert east.deleted_at is not None and queries.grids_of(world.a.id) == [world.grid]
    grids.remove_building(world.worker, moved)
    assert queries.placed_building(world.a.id, "7") is None and audits(db, "grid.remove_building") == 1


def test_street_admin_manages_grids_too(db, world):
    grid = grids.create_grid(world.street_admin, world.a, "西区")
    assert grid.community_id == world.a.id


@pytest.mark.parametrize("name", ["", "   ", "网" * 41, "a\nb"])
def test_a_bad_grid_name_is_refused_and_nothing_written(db, world, name):
    before = count(db, Grid)
    with pytest.raises(RuleViolation) as refused:
        grids.create_grid(world.worker, world.a, name)
    assert refused.value.field == "name" and count(db, Grid) == before


def test_duplicate_names_are_refused_in_a_community_not_across(db, world):
    with pytest.raises(Conflict) as refused:
        grids.create_grid(world.worker, world.a, "第一网格")
    assert refused.value.field == "name"
    second = grids.create_grid(world.worker, world.a, "第二网格")
    with pytest.raises(Conflict):
        grids.rename_grid(world.worker, second, "第一网格")
    assert second.name == "第二网格"
    assert grids.create_grid(world.other_worker, world.b, "第一网格").community_id == world.b.id


def test_a_deleted_grid_frees_its_name(db, world):
    spare = grids.create_grid(world.worker, world.a, "备用")
    grids.delete_grid(world.worker, spare)
    assert grids.create_grid(world.worker, world.a, "备用").id != spare.id


def test_deleting_a_grid_with_buildings_or_workers_is_refused(db, world):
    with pytest.raises(RuleViolation, match="楼栋"):
        grids.delete_grid(world.worker, world.grid)  # building 3
    empty = grids.create_grid(world.worker, world.a, "空网格")
    staff.appoint_grid_worker(world.worker, world.party, empty, "010-1234567")
    with pytest.raises(RuleViolation, match="网格员"):
        grids.delete_grid(world.worker, empty)
    assert world.grid.deleted_at is None and empty.deleted_at is None


def test_a_building_twice_in_one_grid_is_refused(db, world):
    with pytest.raises(Conflict):
        grids.place_building(world.worker, world.grid, "3号楼")


def test_an_empty_building_is_refused(db, world):
    with pytest.raises(RuleViolation) as refused:
        grids.place_building(world.worker, world.grid, " \u3000 ")
    assert refused.value.field == "building"


def test_the_database_refuses_a_building_in_two_grids(db, world):
    other = grids.create_grid(world.worker, world.a, "第二网格")
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(GridBuilding(community_id=world.a.id, grid_id=other.id, building="3"))


def refused_by_the_foreign_key(db, row) -> None:
    """``row`` breaks the (grid, community) foreign key: the database refuses it. A SQLite test
    connection may come from the pool with foreign keys still off after the migrations
    (migrations/env.py): then the database's own check must list it."""
    sqlite = db.engine.dialect.name == "sqlite"
    if sqlite and not db.session.execute(sa.text("PRAGMA foreign_keys")).scalar():
        db.session.add(row)
        db.session.flush()
        broken = db.session.execute(sa.text("PRAGMA foreign_key_check")).all()
        assert (row.__tablename__, row.id, "grids") in [tuple(b[:3]) for b in broken]
        return
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(row)


def test_the_database_refuses_a_building_in_a_grid_of_another_community(db, world):
    refused_by_the_foreign_key(db, GridBuilding(community_id=world.b.id, grid_id=world.grid.id, building="9"))


def test_the_database_refuses_a_grid_worker_of_another_communitys_grid(db, world):
    appointment = StaffAppointment(
        user_id=world.party.id, role=StaffRole.GRID_WORKER, community_id=world.b.id, grid_id=world.grid.id
    )
    refused_by_the_foreign_key(db, appointment)


def test_workers_of_another_community_are_refused(db, world):
    before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    for attempt in (
        lambda: grids.create_grid(world.other_worker, world.a, "外来"),
        lambda: grids.rename_grid(world.other_worker, world.grid, "外来"),
        lambda: grids.place_building(world.other_worker, world.grid, "9"),
        lambda: grids.delete_grid(world.other_street_admin, world.grid),
        lambda: staff.appoint_grid_worker(world.other_worker, world.party, world.grid, "010-1234567"),
        lambda: staff.name_volunteer(world.other_worker, world.a, world.party, "3"),
        lambda: grids.create_grid(world.grid_worker, world.a, "网格员不能建"),  # a grid worker is not the committee
    ):
        with pytest.raises(PermissionDenied):
            attempt()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == before


def test_a_grid_of_another_community_is_not_found(db, world):
    with pytest.raises(NotFound):
        queries.grid_in(world.b, world.grid.id)
    row = queries.placed_building(world.a.id, "3")
    with pytest.raises(NotFound):
        queries.grid_building_in(world.b, row.id)


def test_residences_belong_to_the_grid_of_their_building(db, world, factory):
    assert queries.grid_of_home(queries.home_of(world.resident.id)) == world.grid  # building 3
    assert queries.grid_of_home(queries.home_of(world.party.id)) is None  # building 5: no grid
    grids.place_building(world.worker, world.grid, "5")
    assert queries.grid_of_home(queries.home_of(world.party.id)) == world.grid  # derived, not copied
    factory.resident(world.a, building="3号楼", unit="1", room="101")
    assert queries.residence_counts(world.a.id, ["3", "5"]) == {"3": 2, "5": 1}


def test_appoint_and_end_a_grid_worker_keeps_the_history(db, world):
    second = grids.create_grid(world.worker, world.a, "第二网格")
    appointment = staff.appoint_grid_worker(world.worker, world.grid_worker, second, " 010-6234 5678 ")
    assert appointment.work_phone == "010-6234 5678" and appointment.community_id == world.a.id
    places.forget_roles()
    assert places.roles_of(world.grid_worker).grid_of == {world.grid.id, second.id}  # several grids
    assert places.roles_of(world.grid_worker).is_staff and not places.roles_of(world.grid_worker).worker_of
    with pytest.raises(Conflict):
        staff.appoint_grid_worker(world.worker, world.grid_worker, second, "010-1234567")
    staff.end_grid_worker(world.worker, appointment)
    assert appointment.ended_at is not None and appointment.ended_by_id == world.worker.id
    assert queries.grid_worker_history(world.a.id) == [appointment]
    assert audits(db, "staff.appoint_grid_worker") == 1 and audits(db, "staff.end_grid_worker") == 1
    places.forget_roles()
    assert places.roles_of(world.grid_worker).grid_of == {world.grid.id}


def test_only_the_committee_ends_a_grid_workers_appointment(db, world):
    appointment = queries.grid_workers([world.grid.id])[0]
    for outsider in (world.other_worker, world.grid_worker, world.other_street_admin):
        with pytest.raises(PermissionDenied):
            staff.end_grid_worker(outsider, appointment)
    assert appointment.ended_at is None


@pytest.mark.parametrize("phone", ["", "abc", "1", "1" * 21, "138-0013-800a"])
def test_a_bad_work_phone_is_refused(db, world, phone):
    with pytest.raises(RuleViolation) as refused:
        staff.appoint_grid_worker(world.worker, world.party, world.grid, phone)
    assert refused.value.field == "work_phone"
    assert queries.grid_workers([world.grid.id])[0].user_id == world.grid_worker.id


def test_building_volunteers(db, world, factory):
    volunteer = staff.name_volunteer(world.worker, world.a, world.party, "3号楼")
    assert volunteer.building == "3" and queries.volunteers_of(world.a.id, ["3"]) == [volunteer]
    assert not places.roles_of(world.party).is_staff  # not staff: no staff powers
    with pytest.raises(Conflict):
        staff.name_volunteer(world.worker, world.a, world.resident, "3")  # one per building
    with pytest.raises(RuleViolation, match="楼栋长"):
        grids.remove_building(world.worker, queries.placed_building(world.a.id, "3"))
    staff.end_volunteer(world.worker, volunteer)
    assert volunteer.ended_at is not None
    with pytest.raises(Conflict):
        staff.end_volunteer(world.worker, volunteer)
    assert staff.name_volunteer(world.worker, world.a, world.resident, "3").user_id == world.resident.id


def test_a_volunteer_must_be_a_confirmed_resident_for_a_building_in_a_grid(db, world):
    with pytest.raises(RuleViolation) as refused:
        staff.name_volunteer(world.worker, world.a, world.pending, "3")
    assert refused.value.field == "username"
    with pytest.raises(RuleViolation) as refused:
        staff.name_volunteer(world.worker, world.a, world.party, "5")  # in no grid
    assert refused.value.field == "building"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BuildingVolunteer)) == 0
