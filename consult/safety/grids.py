"""Grids (网格) and their buildings: the committee divides its community's buildings into grids.

Every function takes the acting person, asks the grid's policy, flushes and leaves the commit to
the caller; every change is audit-logged with the grid's community.
"""

from __future__ import annotations

import logging

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from consult.accounts.models import User
from consult.core import audit
from consult.core.clock import now
from consult.core.database import add_unique
from consult.core.errors import Conflict, RuleViolation
from consult.core.forms import has_control_chars
from consult.extensions import db
from consult.places.addresses import normalise
from consult.places.models import Community
from consult.places.rules import require_committee
from consult.safety import queries
from consult.safety.models import GRID_NAME_MAX, Grid, GridBuilding
from consult.safety.policy import GridPolicy

log = logging.getLogger(__name__)


def _name(name: str | None) -> str:
    name = (name or "").strip()
    if not name or len(name) > GRID_NAME_MAX or has_control_chars(name) or "\n" in name:
        raise RuleViolation(_("Give the grid a name of at most %(limit)d characters.", limit=GRID_NAME_MAX), field="name")
    return name


def _duplicate() -> Conflict:
    return Conflict(_("This community already has a grid of that name."), field="name")


def create_grid(actor: User, community: Community, name: str) -> Grid:
    """The committee adds a grid to its community (its name unique among the community's grids)."""
    require_committee(actor, community)
    grid = Grid(community_id=community.id, name=_name(name))
    add_unique(grid, str(_duplicate()), "name")
    audit.record(actor, "grid.create", grid, community_id=community.id, street_id=community.street_id, after={"name": grid.name})
    log.info("grid %s created in community %s by user %s", grid.id, community.id, actor.id)
    return grid


def rename_grid(actor: User, grid: Grid, name: str) -> Grid:
    """The committee renames a grid."""
    GridPolicy(grid).require("manage", actor)
    new, old = _name(name), grid.name
    if new == old:
        return grid
    try:
        with db.session.begin_nested():
            grid.name = new
    except IntegrityError:
        db.session.refresh(grid)
        raise _duplicate() from None
    community = queries.community_of(grid)
    audit.record(
        actor,
        "grid.rename",
        grid,
        community_id=community.id,
        street_id=community.street_id,
        before={"name": old},
        after={"name": new},
    )
    return grid


def delete_grid(actor: User, grid: Grid) -> None:
    """The committee deletes an empty grid: no buildings, no grid worker (their history stays)."""
    GridPolicy(grid).require("manage", actor)
    if queries.buildings_of([grid.id])[grid.id]:
        raise RuleViolation(_("Move this grid's buildings to another grid (or remove them) before deleting it."))
    if queries.grid_workers([grid.id]):
        raise RuleViolation(_("End the appointments of this grid's grid workers before deleting it."))
    grid.deleted_at = now()
    db.session.flush()
    community = queries.community_of(grid)
    audit.record(actor, "grid.delete", grid, community_id=community.id, street_id=community.street_id, before={"name": grid.name})


def place_building(actor: User, grid: Grid, building: str | None) -> GridBuilding:
    """The committee puts a building in a grid: added if no grid holds it, moved if another does."""
    GridPolicy(grid).require("manage", actor)
    stored = normalise(building, "building")
    if not stored:
        raise RuleViolation(_("Name the building (as residents give it, e.g. 5 or 5号楼)."), field="building")
    community = queries.community_of(grid)
    row = queries.placed_building(grid.community_id, stored)
    if row is None:
        row = add_unique(
            GridBuilding(community_id=grid.community_id, grid_id=grid.id, building=stored),
            _("Another grid already holds this building."),
            "building",
        )
        audit.record(
            actor, "grid.add_building", grid, community_id=community.id, street_id=community.street_id, after={"building": stored}
        )
        return row
    if row.grid_id == grid.id:
        raise Conflict(_("This building is already in this grid."), field="building")
    before = queries.grid_by_id(row.grid_id).name
    row.grid_id = grid.id
    db.session.flush()
    audit.record(
        actor,
        "grid.move_building",
        grid,
        community_id=community.id,
        street_id=community.street_id,
        before={"building": stored, "grid": before},
        after={"building": stored, "grid": grid.name},
    )
    return row


def remove_building(actor: User, row: GridBuilding) -> None:
    """The committee takes a building out of its grid (its residences then belong to no grid)."""
    grid = queries.grid_by_id(row.grid_id)
    GridPolicy(grid).require("manage", actor)
    if queries.volunteers_of(row.community_id, [row.building]):
        raise RuleViolation(_("End the building volunteer's role for this building first."))
    community = queries.community_of(grid)
    db.session.delete(row)
    db.session.flush()
    audit.record(
        actor,
        "grid.remove_building",
        grid,
        community_id=community.id,
        street_id=community.street_id,
        before={"building": row.building},
    )
