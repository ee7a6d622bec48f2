"""Page data of the grid pages and of a resident's safety page: one query function per page."""

from __future__ import annotations

from dataclasses import dataclass, field

from consult.places import queries as places
from consult.places.models import Community, Residence, StaffAppointment
from consult.safety import queries
from consult.safety.models import BuildingVolunteer, Grid, GridBuilding, HelpNeed
from consult.safety.policy import GridPolicy, is_committee_worker


@dataclass
class BuildingRow:
    placed: GridBuilding
    residences: int
    volunteer: BuildingVolunteer | None


@dataclass
class GridRow:
    grid: Grid
    buildings: list[BuildingRow]
    workers: list[StaffAppointment]
    needing_help: int

    @property
    def residences(self) -> int:
        return sum(row.residences for row in self.buildings)


@dataclass
class GridsPage:
    """The committee's page: every grid with its buildings, workers, volunteers."""

    community: Community
    grids: list[GridRow]
    unplaced: list[str]
    history: list[StaffAppointment]
    #: None for a street admin: they see how many need help, never who (docs/safety.md)
    needs: list[tuple[HelpNeed, Residence]] | None
    needs_outside_grids: int = 0


def _rows(community_id: int, grids: list[Grid]) -> list[GridRow]:
    ids = [g.id for g in grids]
    buildings = queries.buildings_of(ids)
    names = [b.building for rows in buildings.values() for b in rows]
    counts = queries.residence_counts(community_id, names)
    volunteers = {v.building: v for v in queries.volunteers_of(community_id, names)}
    workers = queries.grid_workers(ids)
    needs = queries.need_counts(community_id)
    return [
        GridRow(
            grid=g,
            buildings=[BuildingRow(b, counts.get(b.building, 0), volunteers.get(b.building)) for b in buildings[g.id]],
            workers=[w for w in workers if w.grid_id == g.id],
            needing_help=needs.get(g.id, 0),
        )
        for g in grids
    ]


def grids_page(community: Community, viewer) -> GridsPage:
    """What the committee (workers, street admins) sees of its grids."""
    grids = queries.grids_of(community.id)
    return GridsPage(
        community=community,
        grids=_rows(community.id, grids),
        unplaced=queries.unplaced_buildings(community.id),
        history=queries.grid_worker_history(community.id),
        needs=queries.needs_in(community.id) if is_committee_worker(viewer, community.id) else None,
        needs_outside_grids=queries.need_counts(community.id).get(None, 0),
    )


@dataclass
class GridPage:
    """A grid worker's own grid: its buildings, residences, those needing help."""

    row: GridRow
    community: Community
    needs: list[tuple[HelpNeed, Residence]] | None
    others: list[Grid] = field(default_factory=list)


def grid_page(grid: Grid, viewer) -> GridPage:
    """The page of one grid, as ``viewer`` (who may view it) sees it."""
    sees_needs = GridPolicy(grid).can("see_needs", viewer)
    others = [g for g in queries.grids_by_ids(places.roles_of(viewer).grid_of) if g.id != grid.id]
    return GridPage(
        row=_rows(grid.community_id, [grid])[0],
        community=queries.community_of(grid),
        needs=queries.needs_in(grid.community_id, [grid.id]) if sees_needs else None,
        others=others,
    )


@dataclass
class MySafety:
    """A resident's own page: their grid, its workers' work phones, their building's volunteer, their marks."""

    home: Residence | None
    grid: Grid | None
    workers: list[StaffAppointment]
    volunteer: BuildingVolunteer | None
    need: HelpNeed | None


def my_safety(user) -> MySafety:
    home = queries.home_of(user.id)
    grid = queries.grid_of_home(home)
    volunteers = queries.volunteers_of(home.community_id, [home.building]) if home and home.building else []
    return MySafety(
        home=home,
        grid=grid,
        workers=queries.grid_workers([grid.id]) if grid else [],
        volunteer=volunteers[0] if volunteers else None,
        need=queries.need_of(user.id),
    )
