"""Appointments (预约): a service's time slots with a capacity, the residents' bookings and their ratings.

The rules are in docs/offerings.md ("Appointments", "Ratings"); the services that enforce them in
consult/offerings/slots.py and consult/offerings/booking.py.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.core.clock import now
from consult.core.scales import SATISFACTION_LEVELS
from consult.extensions import Model
from consult.offerings.models import Service

#: places in one slot
SLOT_CAPACITY_MAX = 200
#: the longest slot (a whole opening of a day is the most a provider would offer at once)
SLOT_MINUTES_MAX = 24 * 60
#: how far ahead slots may be offered
SLOT_DAYS_AHEAD = 90
#: booking and cancelling close this long before the slot starts
CUTOFF = timedelta(hours=2)


class AppointmentStatus(enum.StrEnum):
    BOOKED = "booked"
    CANCELLED = "cancelled"
    ATTENDED = "attended"
    NO_SHOW = "no_show"


class Channel(enum.StrEnum):
    SELF = "self"  # the resident on their own phone or computer
    WORKER = "worker"  # a committee worker on the resident's behalf (noted who)
    KIOSK = "kiosk"  # the service hall's self-service terminal (一体机)


def _in(column: str, values) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


ACTIVE_APPOINTMENT = "status != 'cancelled'"


class Slot(Model):
    """A time a service takes appointments, with how many people it takes then."""

    __tablename__ = "service_slots"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(sa.ForeignKey("services.id"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    capacity: Mapped[int]
    #: bookings not cancelled, kept in the same transaction as each booking (the slot row is locked)
    booked_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=now)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    service: Mapped[Service] = relationship(lazy="joined")

    __table_args__ = (
        sa.UniqueConstraint("service_id", "starts_at"),
        sa.CheckConstraint("ends_at > starts_at", name="order"),
        sa.CheckConstraint(f"capacity BETWEEN 1 AND {SLOT_CAPACITY_MAX}", name="capacity"),
        sa.CheckConstraint("booked_count >= 0 AND booked_count <= capacity", name="booked_count"),
    )

    @property
    def free(self) -> int:
        return self.capacity - self.booked_count

    @property
    def cutoff_at(self) -> datetime:
        return self.starts_at - CUTOFF


class Appointment(Model):
    """A resident's place in a slot; attended or not once it is over; rated once after attending."""

    __tablename__ = "appointments"

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(sa.ForeignKey("service_slots.id"))
    #: the slot's service, kept here so a service's and a provider's figures are one indexed read
    service_id: Mapped[int] = mapped_column(sa.ForeignKey("services.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(sa.String(12), default=AppointmentStatus.BOOKED)
    channel: Mapped[str] = mapped_column(sa.String(8), default=Channel.SELF)
    #: the worker who booked it on the resident's behalf
    booked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
    cancelled_at: Mapped[datetime | None]
    #: set when someone other than the resident cancelled it
    cancelled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reminded_at: Mapped[datetime | None]
    #: when the provider recorded attended or no-show, and who
    marked_at: Mapped[datetime | None]
    marked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    #: 满意 / 基本满意 / 不满意 after attending, once; the provider sees counts only
    rating: Mapped[str | None] = mapped_column(sa.String(12))
    rated_at: Mapped[datetime | None]

    slot: Mapped[Slot] = relationship(lazy="joined")
    user = relationship("User", foreign_keys=[user_id], lazy="raise_on_sql")

    __table_args__ = (
        sa.CheckConstraint(_in("status", [s.value for s in AppointmentStatus]), name="status"),
        sa.CheckConstraint(_in("channel", [c.value for c in Channel]), name="channel"),
        sa.CheckConstraint("(channel = 'worker') = (booked_by_id IS NOT NULL)", name="booked_by"),
        sa.CheckConstraint("(marked_at IS NULL) = (status IN ('booked', 'cancelled'))", name="marked"),
        sa.CheckConstraint(
            "(rating IS NULL) = (rated_at IS NULL) AND (rating IS NULL OR (status = 'attended' AND "
            + _in("rating", SATISFACTION_LEVELS)
            + "))",
            name="rating",
        ),
        sa.Index(
            "uq_appointments_active",
            "slot_id",
            "user_id",
            unique=True,
            sqlite_where=sa.text(ACTIVE_APPOINTMENT),
            postgresql_where=sa.text(ACTIVE_APPOINTMENT),
        ),
        sa.Index("ix_appointments_slot_status", "slot_id", "status"),
        sa.Index("ix_appointments_rated_at", "rated_at"),
    )
