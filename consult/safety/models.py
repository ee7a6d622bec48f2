"""Grids (网格), building volunteers (楼栋长) and the marks of residents who need help in an emergency.

A grid worker (网格员) is a staff appointment (``consult.places.models.StaffAppointment``, role
``grid_worker``) naming its grid; a resident's grid is derived from their residence's building,
never copied (docs/safety.md).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, validates

from consult.core.clock import now
from consult.extensions import Model
from consult.places.addresses import ADDRESS_PART_MAX, normalise

GRID_NAME_MAX = 40
NOTE_MAX = 200
#: Who gave consent (the resident, or e.g. their daughter) and how (in person, by phone…).
CONSENT_MAX = 100
ACTIVE_GRID = "deleted_at IS NULL"
ACTIVE_VOLUNTEER = "ended_at IS NULL"
#: The marks a person may set, in the order they are shown.
MARKS = ("lives_alone_over_70", "limited_mobility", "no_phone", "other")


class Grid(Model):
    """A grid (网格) of a community: a named set of its buildings. Deleted grids are kept for the
    history of their grid workers' appointments."""

    __tablename__ = "grids"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(GRID_NAME_MAX))
    created_at: Mapped[datetime] = mapped_column(default=now)
    deleted_at: Mapped[datetime | None]

    __table_args__ = (
        # The target of the (grid, community) foreign keys that keep a building or a grid worker
        # in the grid's own community.
        sa.UniqueConstraint("id", "community_id"),
        sa.Index(
            "uq_grids_active_name",
            "community_id",
            "name",
            unique=True,
            sqlite_where=sa.text(ACTIVE_GRID),
            postgresql_where=sa.text(ACTIVE_GRID),
        ),
    )


class GridBuilding(Model):
    """A building of a community placed in one of its grids: at most one grid per building."""

    __tablename__ = "grid_buildings"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"))
    grid_id: Mapped[int] = mapped_column(index=True)
    #: Stored in the residences' form (consult/places/addresses.py), so residences match it.
    building: Mapped[str] = mapped_column(sa.String(ADDRESS_PART_MAX))
    created_at: Mapped[datetime] = mapped_column(default=now)

    @validates("building")
    def _normalise(self, key: str, value: str | None) -> str | None:
        return normalise(value, "building")

    __table_args__ = (
        sa.ForeignKeyConstraint(["grid_id", "community_id"], ["grids.id", "grids.community_id"]),
        sa.UniqueConstraint("community_id", "building"),
    )


class BuildingVolunteer(Model):
    """A confirmed resident named by the committee as a building's volunteer (楼栋长); not staff."""

    __tablename__ = "building_volunteers"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"))
    building: Mapped[str] = mapped_column(sa.String(ADDRESS_PART_MAX))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    named_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
    ended_at: Mapped[datetime | None]
    ended_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    user = sa.orm.relationship("User", foreign_keys=[user_id], lazy="raise_on_sql")

    @validates("building")
    def _normalise(self, key: str, value: str | None) -> str | None:
        return normalise(value, "building")

    __table_args__ = (
        # One volunteer per building at a time; the ended ones stay as history.
        sa.Index(
            "uq_building_volunteers_active",
            "community_id",
            "building",
            unique=True,
            sqlite_where=sa.text(ACTIVE_VOLUNTEER),
            postgresql_where=sa.text(ACTIVE_VOLUNTEER),
        ),
    )


class HelpNeed(Model):
    """That a person needs help in an emergency, and why: set by themselves, or by a worker with
    their consent noted. Removing it deletes the row (the audit log keeps only that it changed)."""

    __tablename__ = "help_needs"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), unique=True)
    lives_alone_over_70: Mapped[bool] = mapped_column(default=False)
    limited_mobility: Mapped[bool] = mapped_column(default=False)
    no_phone: Mapped[bool] = mapped_column(default=False)
    other: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str | None] = mapped_column(sa.String(NOTE_MAX))
    #: The worker who recorded it for the person (None: the person set it themselves).
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    consent_by: Mapped[str | None] = mapped_column(sa.String(CONSENT_MAX))
    consent_how: Mapped[str | None] = mapped_column(sa.String(CONSENT_MAX))
    consent_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=now)

    user = sa.orm.relationship("User", foreign_keys=[user_id], lazy="raise_on_sql")

    @property
    def marks(self) -> list[str]:
        return [mark for mark in MARKS if getattr(self, mark)]

    __table_args__ = (
        sa.CheckConstraint("lives_alone_over_70 OR limited_mobility OR no_phone OR other", name="some_mark"),
        sa.CheckConstraint("(NOT other) OR (note IS NOT NULL)", name="other_has_note"),
        sa.CheckConstraint(
            "(recorded_by_id IS NULL) OR (consent_by IS NOT NULL AND consent_how IS NOT NULL AND consent_at IS NOT NULL)",
            name="recorded_has_consent",
        ),
    )
