"""Reads of the hazard ledger, inspections and emergency points: each page's rows in a fixed number
of queries, whatever the number of hazards (tests/safety/test_hazard_query_counts.py)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from consult.core.clock import local_now
from consult.core.errors import NotFound
from consult.core.exports import iso
from consult.extensions import db
from consult.places.models import Community
from consult.safety.hazard_labels import KIND_LABELS, SEVERITY_LABELS, STATUS_LABELS
from consult.safety.hazard_models import (
    ITEM_KIND,
    KINDS,
    UNRESOLVED,
    EmergencyPoint,
    EmergencyPointItem,
    Hazard,
    HazardStatus,
    Inspection,
    InspectionItem,
)
from consult.safety.models import Grid


def _with_people(select):
    return select.options(joinedload(Hazard.found_by), joinedload(Hazard.owner_user))


def hazard_by_id(hazard_id: int) -> Hazard:
    """A hazard with who found it and its owner, or 404."""
    hazard = db.session.scalar(_with_people(sa.select(Hazard).where(Hazard.id == hazard_id)))
    if hazard is None:
        raise NotFound(_("No such hazard."))
    return hazard


def ledger(community_id: int, status: str | None = None) -> list[Hazard]:
    """The community's hazards, the unresolved first by due date, then the rest newest first."""
    select = sa.select(Hazard).where(Hazard.community_id == community_id)
    if status in {s.value for s in HazardStatus}:
        select = select.where(Hazard.status == status)
    done = sa.case((Hazard.status.in_(UNRESOLVED), 0), else_=1)
    return list(db.session.scalars(_with_people(select).order_by(done, Hazard.due_on, Hazard.id.desc())))


def grid_names(community_id: int) -> dict[int, str]:
    """Every grid's name, deleted ones too (a hazard keeps the grid it was found in)."""
    return dict(db.session.execute(sa.select(Grid.id, Grid.name).where(Grid.community_id == community_id)).all())


def _overdue():
    return sa.and_(Hazard.status.in_(UNRESOLVED), Hazard.due_on < local_now().date())


def overdue(community_id: int) -> list[Hazard]:
    """Hazards past their due date and not yet fixed, the oldest due first."""
    return list(
        db.session.scalars(sa.select(Hazard).where(Hazard.community_id == community_id, _overdue()).order_by(Hazard.due_on))
    )


@dataclass
class StreetOverdue:
    community: Community
    hazards: list[Hazard] = field(default_factory=list)


def street_overdue(street_id: int) -> list[StreetOverdue]:
    """Overdue hazards of a street's communities, by community: one query."""
    rows = db.session.execute(
        sa.select(Hazard, Community)
        .join(Community, Community.id == Hazard.community_id)
        .where(Community.street_id == street_id, _overdue())
        .order_by(Community.name, Hazard.due_on)
    ).all()
    out: dict[int, StreetOverdue] = {}
    for hazard, community in rows:
        out.setdefault(community.id, StreetOverdue(community)).hazards.append(hazard)
    return list(out.values())


def summary(community_id: int) -> dict[str, dict[str, int]]:
    """The public counts: kind -> status -> number (every kind and status, zeros included); one query."""
    counts = {kind: dict.fromkeys([s.value for s in HazardStatus], 0) for kind in KINDS}
    rows = db.session.execute(
        sa.select(Hazard.kind, Hazard.status, sa.func.count())
        .where(Hazard.community_id == community_id)
        .group_by(Hazard.kind, Hazard.status)
    )
    for kind, status, count in rows:
        counts[kind][status] = count
    return counts


def inspection_in(inspection_id: int) -> Inspection:
    inspection = db.session.scalar(
        sa.select(Inspection).options(joinedload(Inspection.inspector)).where(Inspection.id == inspection_id)
    )
    if inspection is None:
        raise NotFound(_("No such inspection."))
    return inspection


@dataclass
class InspectionRow:
    inspection: Inspection
    failed: int


def inspections_of(grid_id: int, limit: int = 100) -> list[InspectionRow]:
    """A grid's latest inspections with their number of failed items: one query."""
    failed = (
        sa.select(sa.func.count())
        .where(InspectionItem.inspection_id == Inspection.id, InspectionItem.passed.is_(False))
        .scalar_subquery()
    )
    rows = db.session.execute(
        sa.select(Inspection, failed)
        .options(joinedload(Inspection.inspector))
        .where(Inspection.grid_id == grid_id)
        .order_by(Inspection.done_at.desc(), Inspection.id.desc())
        .limit(limit)
    ).all()
    return [InspectionRow(inspection, count) for inspection, count in rows]


def items_of(inspection_id: int) -> list[tuple[InspectionItem, Hazard | None]]:
    """An inspection's items in checklist order, each with the hazard it opened: one query."""
    rows = db.session.execute(
        sa.select(InspectionItem, Hazard)
        .outerjoin(Hazard, Hazard.id == InspectionItem.hazard_id)
        .where(InspectionItem.inspection_id == inspection_id)
    ).all()
    order = {item: index for index, item in enumerate(ITEM_KIND)}
    return sorted(((item, hazard) for item, hazard in rows), key=lambda pair: order[pair[0].item])


def point_in(community_id: int, point_id: int) -> EmergencyPoint:
    point = db.session.get(EmergencyPoint, point_id)
    if point is None or point.community_id != community_id:
        raise NotFound(_("No such emergency point."))
    return point


def points_of(community_id: int) -> list[tuple[EmergencyPoint, list[EmergencyPointItem]]]:
    """The community's emergency points, those open at night first, each with what it holds: two queries."""
    points = list(
        db.session.scalars(
            sa.select(EmergencyPoint)
            .where(EmergencyPoint.community_id == community_id)
            .order_by(EmergencyPoint.open_at_night.desc(), EmergencyPoint.name)
        )
    )
    held: dict[int, list[EmergencyPointItem]] = defaultdict(list)
    if points:
        for item in db.session.scalars(
            sa.select(EmergencyPointItem)
            .where(EmergencyPointItem.point_id.in_([p.id for p in points]))
            .order_by(EmergencyPointItem.id)
        ):
            held[item.point_id].append(item)
    return [(point, held[point.id]) for point in points]


def community(community_id: int) -> Community:
    return db.session.get_one(Community, community_id)


EXPORT_HEADER = [
    "id", "kind", "severity", "status", "grid", "building", "place", "description", "found_on", "found_by",
    "inspection_id", "request_id", "owner", "measures", "due_on", "fixed_at", "checked_at",
]  # fmt: skip


def export_rows(community_id: int) -> tuple[list[str], list[list]]:
    """The ledger as CSV rows for the committee (places included: it is the committee's own file)."""
    grids = grid_names(community_id)
    rows = [
        [
            h.id,
            str(KIND_LABELS[h.kind]),
            str(SEVERITY_LABELS[h.severity]),
            str(STATUS_LABELS[h.status]),
            grids.get(h.grid_id or 0, ""),
            h.building,
            h.place,
            h.description,
            iso(h.found_on),
            h.found_by.display_name,
            h.inspection_id,
            h.request_id,
            h.owner_name,
            h.measures,
            iso(h.due_on),
            iso(h.fixed_at),
            iso(h.checked_at),
        ]
        for h in ledger(community_id)
    ]
    return EXPORT_HEADER, rows
