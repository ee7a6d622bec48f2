"""Appointments: booked by a resident (on their phone or at the kiosk) or by a worker on their behalf,
cancelled until the cut-off, marked attended or no-show by the provider, rated once, reminded by tick.

Capacity holds under concurrency as activity sign-ups do (consult/activities/signups.py): the slot
row is locked, the policy asks with the locked counts, and the counter ``booked_count`` changes in
the same transaction as the booking; the database refuses a count above the capacity and a second
active booking of one person in one slot. Every function flushes and leaves the commit to the caller.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from consult.core import audit
from consult.core.clock import local, now
from consult.core.database import add_unique
from consult.core.errors import RuleViolation
from consult.core.notifications import N_, notify
from consult.core.scales import SATISFACTION_LEVELS
from consult.extensions import db
from consult.offerings.appointment_models import Appointment, AppointmentStatus as S, Channel, Slot
from consult.offerings.appointment_policy import AppointmentPolicy, SlotPolicy, is_member

log = logging.getLogger(__name__)


def lock_slot(slot: Slot) -> Slot:
    """The slot row, locked: its places hold under concurrent bookings."""
    return db.session.scalars(
        sa.select(Slot).where(Slot.id == slot.id).with_for_update(of=Slot).execution_options(populate_existing=True)
    ).one()


def book(slot: Slot, resident, actor, channel: str = Channel.SELF) -> Appointment:
    """Book a place in ``slot`` for ``resident``.

    ``actor`` is the resident themself (``channel`` "self", or "kiosk" at the service hall's
    terminal) or a committee worker booking on the resident's behalf (the channel is then "worker"
    and the worker is noted as ``booked_by``). Refused: a full slot (409), a second booking (409),
    the cut-off passed (400), a person who may not book (403).
    """
    on_behalf = actor.id != resident.id
    if on_behalf:
        SlotPolicy(slot).require("book_for", actor)
        if not is_member(resident, slot.service):
            raise RuleViolation(_("This person is not a confirmed resident of this community."), field="username")
        channel = Channel.WORKER
    elif channel not in (Channel.SELF, Channel.KIOSK):
        raise RuleViolation(_("A resident books for themself, on their phone or at the kiosk."))
    slot = lock_slot(slot)
    SlotPolicy(slot).require("book", resident)
    appointment = Appointment(
        slot_id=slot.id,
        service_id=slot.service_id,
        user_id=resident.id,
        channel=channel,
        booked_by_id=actor.id if on_behalf else None,
    )
    add_unique(appointment, _("You have already booked this slot."))
    slot.booked_count += 1
    db.session.flush()
    audit.record(
        actor,
        "appointment.book",
        appointment,
        community_id=slot.service.community_id,
        after={"user_id": resident.id, "slot_id": slot.id, "channel": str(channel)},
    )
    if on_behalf:
        notify(
            resident.id,
            f"appointment.booked:{appointment.id}",
            N_("The committee booked “%(title)s” for you at %(when)s."),
            link="/me/appointments",
            title=slot.service.title,
            when=local(slot.starts_at).strftime("%Y-%m-%d %H:%M"),
        )
    log.info("user %s booked slot %s for user %s (%s)", actor.id, slot.id, resident.id, channel)
    return appointment


def cancel(actor, appointment: Appointment) -> Appointment:
    """The resident (or the committee) cancels a booking before the cut-off; the place comes free."""
    slot = lock_slot(appointment.slot)
    db.session.refresh(appointment)
    AppointmentPolicy(appointment).require("cancel", actor)
    appointment.status, appointment.cancelled_at = S.CANCELLED, now()
    appointment.cancelled_by_id = actor.id if actor.id != appointment.user_id else None
    slot.booked_count -= 1
    db.session.flush()
    audit.record(actor, "appointment.cancel", appointment, community_id=slot.service.community_id)
    if actor.id != appointment.user_id:
        notify(
            appointment.user_id,
            f"appointment.cancelled:{appointment.id}",
            N_("The committee cancelled your appointment for “%(title)s”."),
            link="/me/appointments",
            title=slot.service.title,
        )
    return appointment


def mark(actor, appointment: Appointment, attended: bool) -> Appointment:
    """After the slot, the provider (or the committee) records whether the resident came."""
    AppointmentPolicy(appointment).require("mark", actor)
    appointment.status = S.ATTENDED if attended else S.NO_SHOW
    appointment.marked_at, appointment.marked_by_id = now(), actor.id
    db.session.flush()
    audit.record(
        actor,
        "appointment.mark",
        appointment,
        community_id=appointment.slot.service.community_id,
        after={"status": appointment.status},
    )
    return appointment


def rate(actor, appointment: Appointment, level: str | None) -> Appointment:
    """The resident rates an appointment they attended, once (the provider sees counts, never who)."""
    if level not in SATISFACTION_LEVELS:
        raise RuleViolation(_("Choose how satisfied you are."), field="level")
    AppointmentPolicy(appointment).require("rate", actor)
    appointment.rating, appointment.rated_at = level, now()
    db.session.flush()
    return appointment


def remind_due() -> int:
    """`flask tick`: remind each booked resident once, from the start of the day before their slot."""
    moment = now()
    due = db.session.scalars(
        sa.select(Appointment)
        .join(Slot, Slot.id == Appointment.slot_id)
        .where(
            Appointment.status == S.BOOKED,
            Appointment.reminded_at.is_(None),
            Slot.starts_at > moment,
            Slot.starts_at <= moment + timedelta(days=2),
        )
        .order_by(Appointment.id)
    ).all()
    count = 0
    today = local(moment).date()
    for appointment in due:
        slot = appointment.slot
        if local(slot.starts_at).date() - today > timedelta(days=1):
            continue
        appointment.reminded_at = moment
        count += notify(
            appointment.user_id,
            f"appointment.reminder:{appointment.id}",
            N_("Reminder: your appointment for “%(title)s” is at %(when)s, at %(place)s."),
            link="/me/appointments",
            title=slot.service.title,
            when=local(slot.starts_at).strftime("%Y-%m-%d %H:%M"),
            place=slot.service.place,
        )
    db.session.flush()
    return count


def cancel_of_closed_account(user) -> int:
    """Closing an account gives up the person's bookings of slots not yet started (no cut-off applies)."""
    moment = now()
    ids = list(
        db.session.scalars(
            sa.select(Appointment.id)
            .join(Slot, Slot.id == Appointment.slot_id)
            .where(Appointment.user_id == user.id, Appointment.status == S.BOOKED, Slot.starts_at > moment)
            .order_by(Appointment.slot_id)
        )
    )
    for appointment_id in ids:
        appointment = db.session.get_one(Appointment, appointment_id)
        slot = lock_slot(appointment.slot)
        appointment.status, appointment.cancelled_at = S.CANCELLED, moment
        slot.booked_count -= 1
    db.session.flush()
    return len(ids)
