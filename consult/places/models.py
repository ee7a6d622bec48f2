"""Streets, communities, residences and staff appointments."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from consult.core.clock import now
from consult.extensions import Model
from consult.places.addresses import ADDRESS_PART_MAX, normalise

SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
NAME_MAX = 60
SLUG_MAX = 40
#: The committee's words on a rejection or an ending.
REASON_MAX = 200
#: A grid worker's work phone (entered by the committee, never the person's own).
WORK_PHONE_MAX = 20
ACTIVE_GRID_WORKER = "role = 'grid_worker' AND ended_at IS NULL"


class Street(Model):
    """A street (街道): the communities it oversees. Its slug never changes."""

    __tablename__ = "streets"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(SLUG_MAX), unique=True)
    name: Mapped[str] = mapped_column(sa.String(NAME_MAX))
    created_at: Mapped[datetime] = mapped_column(default=now)

    communities: Mapped[list[Community]] = relationship(back_populates="street", order_by="Community.name", lazy="raise_on_sql")


class Community(Model):
    """A community (社区) run by its neighbourhood committee. Its slug never changes."""

    __tablename__ = "communities"

    id: Mapped[int] = mapped_column(primary_key=True)
    street_id: Mapped[int] = mapped_column(sa.ForeignKey("streets.id"), index=True)
    slug: Mapped[str] = mapped_column(sa.String(SLUG_MAX), unique=True)
    name: Mapped[str] = mapped_column(sa.String(NAME_MAX))
    #: Confirmed residences, kept in the same transaction as each confirmation or ending.
    member_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=now)

    street: Mapped[Street] = relationship(back_populates="communities", lazy="joined")

    __table_args__ = (sa.CheckConstraint("member_count >= 0", name="member_count"),)


class Department(Model):
    """A department (职能部门) of a street: the street hands it requests its communities cannot solve."""

    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    street_id: Mapped[int] = mapped_column(sa.ForeignKey("streets.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(NAME_MAX))
    created_at: Mapped[datetime] = mapped_column(default=now)

    __table_args__ = (sa.UniqueConstraint("street_id", "name"),)


class ResidenceStatus(enum.StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    ENDED = "ended"


class EndReason(enum.StrEnum):
    MOVED_OUT = "moved_out"
    REJECTED = "rejected"
    CLOSED_ACCOUNT = "closed_account"
    WITHDRAWN = "withdrawn"


ACTIVE_RESIDENCE = "status IN ('pending', 'confirmed')"


class Residence(Model):
    """That a person lives in a community, as the committee confirmed it (or not yet)."""

    __tablename__ = "residences"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"))
    building: Mapped[str | None] = mapped_column(sa.String(ADDRESS_PART_MAX))
    unit: Mapped[str | None] = mapped_column(sa.String(ADDRESS_PART_MAX))
    room: Mapped[str | None] = mapped_column(sa.String(ADDRESS_PART_MAX))
    status: Mapped[str] = mapped_column(sa.String(12), default=ResidenceStatus.PENDING)
    created_at: Mapped[datetime] = mapped_column(default=now)
    confirmed_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(sa.String(20))
    #: The committee's words on a rejection or an ending, shown to the person.
    reason: Mapped[str | None] = mapped_column(sa.String(REASON_MAX))
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    #: Set when a worker registered this person on their behalf (no phone).
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    user = relationship("User", foreign_keys=[user_id], lazy="raise_on_sql")
    community: Mapped[Community] = relationship(lazy="raise_on_sql")
    recorded_by = relationship("User", foreign_keys=[recorded_by_id], lazy="raise_on_sql")

    @validates("building", "unit", "room")
    def _normalise_address(self, key: str, value: str | None) -> str | None:
        # Every write stores the one form of an address, so one flat is one household.
        return normalise(value, key)

    __table_args__ = (
        sa.CheckConstraint("status IN ('pending', 'confirmed', 'rejected', 'ended')", name="status"),
        sa.CheckConstraint("(status != 'confirmed') OR (confirmed_at IS NOT NULL)", name="confirmed_has_time"),
        sa.CheckConstraint(
            "(status NOT IN ('rejected', 'ended')) OR (ended_at IS NOT NULL AND end_reason IS NOT NULL)",
            name="ended_has_time",
        ),
        # One active residence per person: a rejected or moved-out person may apply again.
        sa.Index(
            "uq_residences_active_user",
            "user_id",
            unique=True,
            sqlite_where=sa.text(ACTIVE_RESIDENCE),
            postgresql_where=sa.text(ACTIVE_RESIDENCE),
        ),
        sa.Index("ix_residences_community_status", "community_id", "status"),
    )


class StaffRole(enum.StrEnum):
    WORKER = "worker"
    STREET_ADMIN = "street_admin"
    SITE_ADMIN = "site_admin"
    DEPARTMENT = "department"
    GRID_WORKER = "grid_worker"
    PROVIDER = "provider"  # staff of a service provider (consult/offerings), appointed by its committee


class StaffAppointment(Model):
    """An appointment as committee worker, street admin, site admin, department member, grid
    worker (网格员, scoped to a grid of its community: consult/safety) or provider staff
    (consult/offerings); kept apart from residence."""

    __tablename__ = "staff_appointments"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(sa.String(16))
    community_id: Mapped[int | None] = mapped_column(sa.ForeignKey("communities.id"), index=True)
    street_id: Mapped[int | None] = mapped_column(sa.ForeignKey("streets.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("departments.id"), index=True)
    #: A grid worker's grid (consult.safety.models.Grid), in the appointment's own community.
    grid_id: Mapped[int | None] = mapped_column(index=True)
    #: A grid worker's work contact, shown to the residents of the grid.
    work_phone: Mapped[str | None] = mapped_column(sa.String(WORK_PHONE_MAX))
    #: a provider of the service list (table of consult/offerings; places never imports it)
    provider_id: Mapped[int | None] = mapped_column(sa.ForeignKey("providers.id"), index=True)
    appointed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
    ended_at: Mapped[datetime | None]
    ended_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    user = relationship("User", foreign_keys=[user_id], lazy="raise_on_sql")
    community: Mapped[Community | None] = relationship(lazy="raise_on_sql")
    street: Mapped[Street | None] = relationship(lazy="raise_on_sql")

    __table_args__ = (
        sa.CheckConstraint(
            "(role = 'worker' AND community_id IS NOT NULL AND street_id IS NULL)"
            " OR (role = 'street_admin' AND street_id IS NOT NULL AND community_id IS NULL)"
            " OR (role = 'site_admin' AND street_id IS NULL AND community_id IS NULL)"
            " OR (role = 'department' AND department_id IS NOT NULL AND community_id IS NULL AND street_id IS NULL)"
            " OR (role = 'grid_worker' AND grid_id IS NOT NULL AND community_id IS NOT NULL AND street_id IS NULL)"
            " OR (role = 'provider' AND provider_id IS NOT NULL AND community_id IS NOT NULL AND street_id IS NULL)",
            name="role_scope",
        ),
        sa.CheckConstraint("(grid_id IS NULL) OR (role = 'grid_worker')", name="grid_scope"),
        # The grid is one of the appointment's community (the table is consult.safety's).
        sa.ForeignKeyConstraint(["grid_id", "community_id"], ["grids.id", "grids.community_id"]),
        sa.Index(
            "uq_staff_appointments_active_grid_worker",
            "user_id",
            "grid_id",
            unique=True,
            sqlite_where=sa.text(ACTIVE_GRID_WORKER),
            postgresql_where=sa.text(ACTIVE_GRID_WORKER),
        ),
        sa.Index(
            "uq_staff_appointments_active_worker",
            "user_id",
            "community_id",
            unique=True,
            sqlite_where=sa.text("role = 'worker' AND ended_at IS NULL"),
            postgresql_where=sa.text("role = 'worker' AND ended_at IS NULL"),
        ),
        sa.Index(
            "uq_staff_appointments_active_street_admin",
            "user_id",
            "street_id",
            unique=True,
            sqlite_where=sa.text("role = 'street_admin' AND ended_at IS NULL"),
            postgresql_where=sa.text("role = 'street_admin' AND ended_at IS NULL"),
        ),
        sa.Index(
            "uq_staff_appointments_active_department",
            "user_id",
            "department_id",
            unique=True,
            sqlite_where=sa.text("role = 'department' AND ended_at IS NULL"),
            postgresql_where=sa.text("role = 'department' AND ended_at IS NULL"),
        ),
        sa.Index(
            "uq_staff_appointments_active_provider",
            "user_id",
            "provider_id",
            unique=True,
            sqlite_where=sa.text("role = 'provider' AND ended_at IS NULL"),
            postgresql_where=sa.text("role = 'provider' AND ended_at IS NULL"),
        ),
        sa.Index(
            "uq_staff_appointments_active_site_admin",
            "user_id",
            unique=True,
            sqlite_where=sa.text("role = 'site_admin' AND ended_at IS NULL"),
            postgresql_where=sa.text("role = 'site_admin' AND ended_at IS NULL"),
        ),
    )
