"""Reads of grids, their buildings, workers and volunteers, and of the marks of people who need help."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from flask_babel import gettext as _

from consult.core.errors import NotFound
from consult.extensions import db
from consult.places.models import Community, Residence, ResidenceStatus, StaffAppointment, StaffRole
from consult.safety.models import BuildingVolunteer, Grid, GridBuilding, HelpNeed


def grid_by_id(grid_id: int) -> Grid:
    """An existing (not deleted) grid, or 404."""
    grid = db.session.get(Grid, grid_id)
    if grid is None or grid.deleted_at is not None:
        raise NotFound(_("No such grid."), field="grid")
    return grid


def grid_in(community: Community, grid_id: int | None) -> Grid:
    """A grid of ``community`` by id (a tampered id, or one of another community, is not found)."""
    grid = grid_by_id(grid_id or 0)
    if grid.community_id != community.id:
        raise NotFound(_("No such grid."), field="grid")
    return grid


def community_of(grid: Grid) -> Community:
    return db.session.get_one(Community, grid.community_id)


def grids_of(community_id: int) -> list[Grid]:
    """The community's grids, by name."""
    return list(
        db.session.scalars(
            sa.select(Grid).where(Grid.community_id == community_id, Grid.deleted_at.is_(None)).order_by(Grid.name, Grid.id)
        )
    )


def grids_by_ids(grid_ids: Iterable[int]) -> list[Grid]:
    ids = list(grid_ids)
    if not ids:
        return []
    return list(db.session.scalars(sa.select(Grid).where(Grid.id.in_(ids), Grid.deleted_at.is_(None)).order_by(Grid.name)))


def buildings_of(grid_ids: Iterable[int]) -> dict[int, list[GridBuilding]]:
    """grid id -> its buildings, in order."""
    ids = list(grid_ids)
    result: dict[int, list[GridBuilding]] = {i: [] for i in ids}
    if ids:
        rows = db.session.scalars(sa.select(GridBuilding).where(GridBuilding.grid_id.in_(ids)).order_by(GridBuilding.building))
        for row in rows:
            result[row.grid_id].append(row)
    return result


def grid_building_in(community: Community, grid_building_id: int) -> GridBuilding:
    """A placed building of ``community`` by id (one of another community is not found)."""
    row = db.session.get(GridBuilding, grid_building_id)
    if row is None or row.community_id != community.id:
        raise NotFound(_("No such building in this community's grids."), field="building")
    return row


def placed_building(community_id: int, building: str) -> GridBuilding | None:
    return db.session.scalar(
        sa.select(GridBuilding).where(GridBuilding.community_id == community_id, GridBuilding.building == building)
    )


def home_of(user_id: int) -> Residence | None:
    """The person's confirmed residence (where they would be looked for in an emergency), if any."""
    return db.session.scalar(
        sa.select(Residence).where(Residence.user_id == user_id, Residence.status == ResidenceStatus.CONFIRMED)
    )


def grid_of_home(residence: Residence | None) -> Grid | None:
    """The grid a residence belongs to: derived from its building, never stored on it."""
    if residence is None or not residence.building:
        return None
    return db.session.scalar(
        sa.select(Grid)
        .join(GridBuilding, sa.and_(GridBuilding.grid_id == Grid.id, GridBuilding.community_id == Grid.community_id))
        .where(GridBuilding.community_id == residence.community_id, GridBuilding.building == residence.building)
    )


def grid_workers(grid_ids: Iterable[int]) -> list[StaffAppointment]:
    """Active grid-worker appointments of these grids, oldest first."""
    ids = list(grid_ids)
    if not ids:
        return []
    return list(
        db.session.scalars(
            sa.select(StaffAppointment)
            .where(
                StaffAppointment.grid_id.in_(ids),
                StaffAppointment.role == StaffRole.GRID_WORKER,
                StaffAppointment.ended_at.is_(None),
            )
            .options(sa.orm.joinedload(StaffAppointment.user))
            .order_by(StaffAppointment.created_at, StaffAppointment.id)
        )
    )


def grid_worker_history(community_id: int, limit: int = 50) -> list[StaffAppointment]:
    """Ended grid-worker appointments of a community, newest first (the history is kept)."""
    return list(
        db.session.scalars(
            sa.select(StaffAppointment)
            .where(
                StaffAppointment.community_id == community_id,
                StaffAppointment.role == StaffRole.GRID_WORKER,
                StaffAppointment.ended_at.is_not(None),
            )
            .options(sa.orm.joinedload(StaffAppointment.user))
            .order_by(StaffAppointment.ended_at.desc())
            .limit(limit)
        )
    )


def grid_appointment_in(community: Community, appointment_id: int) -> StaffAppointment:
    """A grid-worker appointment of ``community`` by id, or 404."""
    appointment = db.session.get(StaffAppointment, appointment_id)
    if appointment is None or appointment.role != StaffRole.GRID_WORKER or appointment.community_id != community.id:
        raise NotFound(_("No such appointment."))
    return appointment


def volunteers_of(community_id: int, buildings: Iterable[str] | None = None) -> list[BuildingVolunteer]:
    """Active building volunteers of a community (of some of its buildings), by building."""
    query = sa.select(BuildingVolunteer).where(
        BuildingVolunteer.community_id == community_id, BuildingVolunteer.ended_at.is_(None)
    )
    if buildings is not None:
        query = query.where(BuildingVolunteer.building.in_(list(buildings)))
    return list(db.session.scalars(query.options(sa.orm.joinedload(BuildingVolunteer.user)).order_by(BuildingVolunteer.building)))


def volunteer_in(community: Community, volunteer_id: int) -> BuildingVolunteer:
    volunteer = db.session.get(BuildingVolunteer, volunteer_id)
    if volunteer is None or volunteer.community_id != community.id:
        raise NotFound(_("No such building volunteer."))
    return volunteer


def residence_counts(community_id: int, buildings: Iterable[str]) -> dict[str, int]:
    """building -> confirmed residences in it."""
    names = list(buildings)
    if not names:
        return {}
    rows = db.session.execute(
        sa.select(Residence.building, sa.func.count())
        .where(
            Residence.community_id == community_id,
            Residence.status == ResidenceStatus.CONFIRMED,
            Residence.building.in_(names),
        )
        .group_by(Residence.building)
    )
    return {str(building): count for building, count in rows.tuples()}


def unplaced_buildings(community_id: int, limit: int = 200) -> list[str]:
    """Buildings confirmed residents live in that no grid holds yet (for the committee to place)."""
    placed = sa.select(GridBuilding.building).where(GridBuilding.community_id == community_id)
    return list(
        db.session.scalars(
            sa.select(Residence.building)
            .where(
                Residence.community_id == community_id,
                Residence.status == ResidenceStatus.CONFIRMED,
                Residence.building.is_not(None),
                Residence.building.not_in(placed),
            )
            .distinct()
            .order_by(Residence.building)
            .limit(limit)
        )
    )


def need_of(user_id: int) -> HelpNeed | None:
    return db.session.scalar(sa.select(HelpNeed).where(HelpNeed.user_id == user_id))


def needs_in(community_id: int, grid_ids: Iterable[int] | None = None) -> list[tuple[HelpNeed, Residence]]:
    """People needing help who live (confirmed) in the community, or in these of its grids; by address.

    Callers ask the policy first (``GridPolicy`` "see_needs"): this read does not check who asks.
    """
    query = (
        sa.select(HelpNeed, Residence)
        .join(Residence, Residence.user_id == HelpNeed.user_id)
        .where(Residence.community_id == community_id, Residence.status == ResidenceStatus.CONFIRMED)
        .options(sa.orm.joinedload(HelpNeed.user))
        .order_by(Residence.building, Residence.unit, Residence.room, HelpNeed.id)
    )
    if grid_ids is not None:
        query = query.join(
            GridBuilding,
            sa.and_(GridBuilding.community_id == Residence.community_id, GridBuilding.building == Residence.building),
        ).where(GridBuilding.grid_id.in_(list(grid_ids)))
    return [(need, residence) for need, residence in db.session.execute(query).tuples()]


def need_counts(community_id: int) -> dict[int | None, int]:
    """grid id (None: a building in no grid) -> people needing help there (counts only)."""
    rows = db.session.execute(
        sa.select(GridBuilding.grid_id, sa.func.count(HelpNeed.id))
        .select_from(HelpNeed)
        .join(Residence, Residence.user_id == HelpNeed.user_id)
        .outerjoin(
            GridBuilding,
            sa.and_(GridBuilding.community_id == Residence.community_id, GridBuilding.building == Residence.building),
        )
        .where(Residence.community_id == community_id, Residence.status == ResidenceStatus.CONFIRMED)
        .group_by(GridBuilding.grid_id)
    )
    return {grid_id: count for grid_id, count in rows.tuples()}


def volunteering_of(user_id: int) -> list[BuildingVolunteer]:
    """Every building a person was named volunteer of, ended ones included, oldest first."""
    return list(
        db.session.scalars(
            sa.select(BuildingVolunteer).where(BuildingVolunteer.user_id == user_id).order_by(BuildingVolunteer.id)
        )
    )
