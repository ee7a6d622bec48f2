"""Reads of appointments: a service's coming slots, a resident's appointments, the provider's day board,
no-show counts and satisfaction counts. Each is a fixed number of statements, however many bookings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from consult.core.clock import now, site_zone
from consult.core.errors import NotFound
from consult.core.scales import SATISFACTION_LEVELS, SATISFIED_LEVELS
from consult.extensions import db
from consult.offerings.appointment_models import ACTIVE_APPOINTMENT, Appointment, AppointmentStatus, Slot
from consult.offerings.models import Service

#: how far ahead a service's page lists slots, and how many at most
PAGE_DAYS = 14
PAGE_SLOTS = 60
#: a resident's page lists this many appointments, newest slot first
MY_LIMIT = 100


def slot_or_404(slot_id: int) -> Slot:
    slot = db.session.get(Slot, slot_id)
    if slot is None:
        raise NotFound(_("No such slot."))
    return slot


def appointment_or_404(appointment_id: int) -> Appointment:
    appointment = db.session.get(Appointment, appointment_id)
    if appointment is None:
        raise NotFound(_("No such appointment."))
    return appointment


def coming_slots(service: Service) -> list[Slot]:
    """The service's slots from now to PAGE_DAYS ahead, earliest first."""
    moment = now()
    return list(
        db.session.scalars(
            sa.select(Slot)
            .where(Slot.service_id == service.id, Slot.ends_at > moment, Slot.starts_at < moment + timedelta(days=PAGE_DAYS))
            .order_by(Slot.starts_at)
            .limit(PAGE_SLOTS)
        )
    )


def booked_slot_ids(user, slot_ids: list[int]) -> set[int]:
    """Which of these slots the person has an active booking in (one statement)."""
    if not slot_ids or not getattr(user, "is_authenticated", False):
        return set()
    return set(
        db.session.scalars(
            sa.select(Appointment.slot_id).where(
                Appointment.user_id == user.id, Appointment.slot_id.in_(slot_ids), sa.text(ACTIVE_APPOINTMENT)
            )
        )
    )


def my_appointments(user) -> list[Appointment]:
    """The person's appointments with their slots and services, the latest slot first."""
    return list(
        db.session.scalars(
            sa.select(Appointment)
            .join(Slot, Slot.id == Appointment.slot_id)
            .where(Appointment.user_id == user.id)
            .order_by(Slot.starts_at.desc(), Appointment.id.desc())
            .limit(MY_LIMIT)
        )
    )


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """A day in the site's time zone as [start, end) in UTC-aware datetimes."""
    start = datetime.combine(day, time(), tzinfo=site_zone())
    return start, start + timedelta(days=1)


@dataclass
class Board:
    """The provider's day: each slot with its bookings (cancelled ones last), and no-show counts."""

    service: Service
    day: date
    slots: list[tuple[Slot, list[Appointment]]] = field(default_factory=list)
    #: user id -> how many times they did not come to this provider's appointments
    no_shows: dict[int, int] = field(default_factory=dict)
    no_show_total: int = 0


def board(service: Service, day: date) -> Board:
    """The slots of ``day`` with their bookings and the people booked: four statements in all."""
    start, end = day_bounds(day)
    slots = list(
        db.session.scalars(
            sa.select(Slot)
            .where(Slot.service_id == service.id, Slot.starts_at >= start, Slot.starts_at < end)
            .order_by(Slot.starts_at)
        )
    )
    result = Board(service, day)
    by_slot: dict[int, list[Appointment]] = {slot.id: [] for slot in slots}
    if slots:
        rows = db.session.scalars(
            sa.select(Appointment)
            .where(Appointment.slot_id.in_(by_slot))
            .options(sa.orm.joinedload(Appointment.user))
            .order_by(Appointment.status == AppointmentStatus.CANCELLED, Appointment.created_at, Appointment.id)
        )
        for appointment in rows:
            by_slot[appointment.slot_id].append(appointment)
    result.slots = [(slot, by_slot[slot.id]) for slot in slots]
    result.no_shows = dict(
        db.session.execute(
            sa.select(Appointment.user_id, sa.func.count())
            .join(Service, Service.id == Appointment.service_id)
            .where(Service.provider_id == service.provider_id, Appointment.status == AppointmentStatus.NO_SHOW)
            .group_by(Appointment.user_id)
        ).all()
    )
    result.no_show_total = sum(result.no_shows.values())
    return result


@dataclass
class Satisfaction:
    """A provider's ratings as counts per level: never who gave them."""

    levels: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.levels.values())

    @property
    def rate(self) -> float | None:
        """Satisfied and basically satisfied ÷ all ratings, or None without any."""
        return sum(self.levels[level] for level in SATISFIED_LEVELS) / self.total if self.total else None


def satisfaction_of_provider(provider_id: int) -> Satisfaction:
    """Counts per level of the ratings of every service of the provider (one statement)."""
    rows = db.session.execute(
        sa.select(Appointment.rating, sa.func.count())
        .join(Service, Service.id == Appointment.service_id)
        .where(Service.provider_id == provider_id, Appointment.rating.is_not(None))
        .group_by(Appointment.rating)
    ).all()
    levels = dict.fromkeys(SATISFACTION_LEVELS, 0) | {level: count for level, count in rows}
    return Satisfaction(levels)


def not_found():
    """Another person's appointment does not exist for this person."""
    raise NotFound(_("No such appointment."))
