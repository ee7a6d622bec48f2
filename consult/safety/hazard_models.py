"""The hazard ledger (风险隐患台账), grid workers' inspections (巡查) and emergency points (应急服务站).

The kinds, severities, checklist items and equipment are named once here (codes); their labels are
in ``consult.safety.hazard_labels``. The rules are in ``hazards``, ``inspections`` and ``stations``
(docs/safety.md).
"""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from consult.core.clock import now
from consult.extensions import Model
from consult.places.addresses import ADDRESS_PART_MAX, normalise

PLACE_MAX = 120
DESCRIPTION_MAX = 500
MEASURES_MAX = 500
OWNER_MAX = 60
NOTE_MAX = 200
POINT_NAME_MAX = 40
OPENING_MAX = 60
KEEPER_MAX = 40
COUNT_MAX = 999

#: Hazard kinds, in the order they are shown.
KINDS = ("fire_lane", "ebike_charging", "loose_facade", "gas_smell", "flooding", "electrical", "other")
SEVERITIES = ("low", "medium", "high")
#: Each kind's checklist items (code -> kind), in the order an inspection shows them.
CHECKLIST = {
    "fire_lane": ("fire_lane_clear", "fire_doors_closed", "extinguishers_present"),
    "ebike_charging": ("no_ebike_in_stairwell", "no_flying_leads"),
    "loose_facade": ("facade_intact", "no_loose_objects_on_balconies"),
    "gas_smell": ("no_gas_smell", "gas_pipes_intact"),
    "flooding": ("drains_clear", "basement_dry"),
    "electrical": ("meter_boxes_closed", "no_exposed_wires"),
}
ITEM_KIND = {item: kind for kind, items in CHECKLIST.items() for item in items}
#: What an emergency point may hold, in the order shown.
EQUIPMENT = ("aed", "stretcher", "sandbags", "generator", "first_aid_kit", "flashlights", "water_pump", "life_jackets")


class HazardStatus(enum.StrEnum):
    OPEN = "open"
    FIXING = "fixing"
    FIXED = "fixed"
    CHECKED = "checked"


#: Still to be dealt with: these are overdue after their due date (a fixed one waits for its check).
UNRESOLVED = (HazardStatus.OPEN.value, HazardStatus.FIXING.value)


def _in(column: str, values) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


class Inspection(Model):
    """A grid worker's round of one of their grids (optionally one building), item by item."""

    __tablename__ = "inspections"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"))
    grid_id: Mapped[int] = mapped_column(index=True)
    building: Mapped[str | None] = mapped_column(sa.String(ADDRESS_PART_MAX))
    inspector_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    note: Mapped[str | None] = mapped_column(sa.String(NOTE_MAX))
    done_at: Mapped[datetime] = mapped_column(default=now)

    inspector = relationship("User", foreign_keys=[inspector_id], lazy="raise_on_sql")

    @validates("building")
    def _normalise(self, key: str, value: str | None) -> str | None:
        return normalise(value, "building")

    __table_args__ = (
        sa.ForeignKeyConstraint(["grid_id", "community_id"], ["grids.id", "grids.community_id"]),
        sa.UniqueConstraint("id", "grid_id"),
    )


class InspectionItem(Model):
    """One checklist item of an inspection: passed or failed (a failed one may open one hazard)."""

    __tablename__ = "inspection_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(sa.ForeignKey("inspections.id"))
    item: Mapped[str] = mapped_column(sa.String(40))
    passed: Mapped[bool]
    hazard_id: Mapped[int | None] = mapped_column(sa.ForeignKey("hazards.id"), unique=True)

    __table_args__ = (
        sa.UniqueConstraint("inspection_id", "item"),
        sa.CheckConstraint(_in("item", ITEM_KIND), name="item"),
        sa.CheckConstraint("(hazard_id IS NULL) OR (NOT passed)", name="hazard_of_failed"),
    )


class Hazard(Model):
    """A hazard of a community's ledger: where, what, how bad, who found it, who owns it, by when."""

    __tablename__ = "hazards"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"))
    grid_id: Mapped[int | None] = mapped_column(index=True)
    building: Mapped[str | None] = mapped_column(sa.String(ADDRESS_PART_MAX))
    place: Mapped[str] = mapped_column(sa.String(PLACE_MAX))
    kind: Mapped[str] = mapped_column(sa.String(20))
    severity: Mapped[str] = mapped_column(sa.String(10))
    description: Mapped[str] = mapped_column(sa.String(DESCRIPTION_MAX))
    #: The photo's key in the photo store (consult.core.photos), never the sender's file name.
    photo_key: Mapped[str | None] = mapped_column(sa.String(40))
    photo_mime: Mapped[str | None] = mapped_column(sa.String(20))
    #: The day it was found, in the site's time zone; the due date may not be earlier (a check).
    found_on: Mapped[date]
    found_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    inspection_id: Mapped[int | None] = mapped_column(sa.ForeignKey("inspections.id"), index=True)
    #: The resident request it was turned from (requests domain; read through a linked-record lookup).
    request_id: Mapped[int | None] = mapped_column(sa.ForeignKey("requests.id"), unique=True)
    owner_name: Mapped[str] = mapped_column(sa.String(OWNER_MAX))
    owner_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    measures: Mapped[str | None] = mapped_column(sa.String(MEASURES_MAX))
    due_on: Mapped[date]
    status: Mapped[str] = mapped_column(sa.String(10), default=HazardStatus.OPEN)
    fixed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    fixed_at: Mapped[datetime | None]
    checked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    checked_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=now)
    updated_at: Mapped[datetime] = mapped_column(default=now)

    found_by = relationship("User", foreign_keys=[found_by_id], lazy="raise_on_sql")
    owner_user = relationship("User", foreign_keys=[owner_user_id], lazy="raise_on_sql")

    @validates("building")
    def _normalise(self, key: str, value: str | None) -> str | None:
        return normalise(value, "building")

    __table_args__ = (
        sa.ForeignKeyConstraint(["grid_id", "community_id"], ["grids.id", "grids.community_id"]),
        sa.CheckConstraint(_in("kind", KINDS), name="kind"),
        sa.CheckConstraint(_in("severity", SEVERITIES), name="severity"),
        sa.CheckConstraint(_in("status", [s.value for s in HazardStatus]), name="status"),
        sa.CheckConstraint("due_on >= found_on", name="due_after_found"),
        sa.CheckConstraint("(status NOT IN ('fixed', 'checked')) OR (fixed_by_id IS NOT NULL)", name="fixed_has_fixer"),
        sa.CheckConstraint("(status <> 'checked') OR (checked_by_id IS NOT NULL)", name="checked_has_checker"),
        # The stricter choice: whoever marked it fixed never checks their own work.
        sa.CheckConstraint("(checked_by_id IS NULL) OR (checked_by_id <> fixed_by_id)", name="checker_not_fixer"),
        sa.Index("ix_hazards_community_status_due", "community_id", "status", "due_on"),
    )


class EmergencyPoint(Model):
    """An emergency point (应急服务站) of a community: where, when open, its keeper and what it holds."""

    __tablename__ = "emergency_points"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(POINT_NAME_MAX))
    place: Mapped[str] = mapped_column(sa.String(PLACE_MAX))
    opening: Mapped[str] = mapped_column(sa.String(OPENING_MAX))
    #: Whether residents can get in at night (the keeper answers the work phone round the clock).
    open_at_night: Mapped[bool] = mapped_column(default=False)
    keeper_name: Mapped[str] = mapped_column(sa.String(KEEPER_MAX))
    keeper_phone: Mapped[str] = mapped_column(sa.String(20))
    created_at: Mapped[datetime] = mapped_column(default=now)

    __table_args__ = (sa.UniqueConstraint("community_id", "name"),)


class EmergencyPointItem(Model):
    """What an emergency point holds, and how many."""

    __tablename__ = "emergency_point_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    point_id: Mapped[int] = mapped_column(sa.ForeignKey("emergency_points.id", ondelete="CASCADE"))
    item: Mapped[str] = mapped_column(sa.String(20))
    count: Mapped[int]

    __table_args__ = (
        sa.UniqueConstraint("point_id", "item"),
        sa.CheckConstraint(_in("item", EQUIPMENT), name="item"),
        sa.CheckConstraint(f"count BETWEEN 1 AND {COUNT_MAX}", name="count"),
    )
