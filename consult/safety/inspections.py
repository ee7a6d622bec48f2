"""Inspections (巡查): a grid worker walks one of their grids (or one building of it) through the
checklist of every hazard kind; a failed item opens a hazard in one step (``open_hazard``)."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask_babel import gettext as _

from consult.accounts.models import User
from consult.core import audit
from consult.core.errors import Conflict, NotFound, RuleViolation
from consult.extensions import db
from consult.places.addresses import normalise
from consult.places.models import Community
from consult.safety import hazards, queries
from consult.safety.hazard_models import ITEM_KIND, NOTE_MAX, Hazard, Inspection, InspectionItem
from consult.safety.hazard_policy import GridRoundsPolicy, InspectionPolicy
from consult.safety.models import Grid

log = logging.getLogger(__name__)


def inspect(
    actor: User, grid: Grid, results: dict[str, bool], building: str | None = None, note: str | None = None
) -> Inspection:
    """A grid worker records an inspection of their grid: every checklist item passed or failed."""
    GridRoundsPolicy(grid).require("inspect", actor)
    if set(results) != set(ITEM_KIND):
        raise RuleViolation(_("Answer every item of the checklist."))
    stored = normalise(building, "building")
    if stored and stored not in {row.building for row in queries.buildings_of([grid.id])[grid.id]}:
        raise RuleViolation(_("That building is not in this grid."), field="building")
    inspection = Inspection(
        community_id=grid.community_id,
        grid_id=grid.id,
        building=stored,
        inspector_id=actor.id,
        note=hazards.text(note, NOTE_MAX, "note", required=False),
    )
    db.session.add(inspection)
    db.session.flush()
    db.session.add_all(InspectionItem(inspection_id=inspection.id, item=item, passed=bool(results[item])) for item in ITEM_KIND)
    db.session.flush()
    community = db.session.get_one(Community, grid.community_id)
    failed = sum(1 for passed in results.values() if not passed)
    after = {"grid": grid.name, "failed": failed}
    audit.record(actor, "inspection.record", inspection, community_id=community.id, street_id=community.street_id, after=after)
    log.info("inspection %s of grid %s by user %s: %d failed", inspection.id, grid.id, actor.id, failed)
    return inspection


def open_hazard(actor: User, inspection: Inspection, item: str, data: hazards.HazardInput) -> Hazard:
    """A failed item of an inspection becomes a hazard of its kind, linked both ways (once per item)."""
    InspectionPolicy(inspection).require("open_hazard", actor)
    row = db.session.scalars(
        sa.select(InspectionItem)
        .where(InspectionItem.inspection_id == inspection.id, InspectionItem.item == item)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()
    if row is None:
        raise NotFound(_("This inspection has no such item."))
    if row.passed:
        raise RuleViolation(_("Only a failed item opens a hazard."))
    if row.hazard_id is not None:
        raise Conflict(_("This item has already opened a hazard."))
    data.kind = ITEM_KIND[item]
    community = db.session.get_one(Community, inspection.community_id)
    hazard = hazards.record(actor, community, data, inspection=inspection)
    row.hazard_id = hazard.id
    db.session.flush()
    return hazard
