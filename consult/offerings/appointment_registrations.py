"""What appointments add to the registries: the reminder tick, personal data, closing an account, audit
labels, template labels, and the appointment ratings as a source of the evaluation's satisfaction rate."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from consult.core.audit import describe_actions
from consult.core.registries import (
    STAFF_ACTION,
    add_labels,
    closing,
    evaluation_record,
    evaluation_source,
    not_personal,
    personal,
    template_global,
    tick,
)
from consult.extensions import db
from consult.offerings import appointment_policy, booking  # noqa: F401  (the policies register themselves)
from consult.offerings.appointment_models import Appointment, Slot
from consult.offerings.models import Service

STATUS_LABELS = {
    "booked": _l("booked"),
    "cancelled": _l("cancelled"),
    "attended": _l("attended"),
    "no_show": _l("did not come"),
}
CHANNEL_LABELS = {"self": _l("by the resident"), "worker": _l("by a worker"), "kiosk": _l("at the kiosk")}

add_labels(
    {
        "slot.add": _l("appointment slot added"),
        "appointment.book": _l("appointment booked"),
        "appointment.cancel": _l("appointment cancelled"),
        "appointment.mark": _l("attendance recorded"),
    }
)
describe_actions({"appointment.mark": _l("Recorded the appointment as %(status)s.")})
not_personal(
    {
        "service_slots.created_by_id": STAFF_ACTION,
        "appointments.booked_by_id": STAFF_ACTION,
        "appointments.cancelled_by_id": STAFF_ACTION,
        "appointments.marked_by_id": STAFF_ACTION,
    }
)


@template_global
def appointment_status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


@template_global
def appointment_channel_label(channel: str) -> str:
    return str(CHANNEL_LABELS.get(channel, channel))


@tick("appointments")
def remind_appointments() -> int:
    """Residents booked for tomorrow (or later today) are reminded once."""
    return booking.remind_due()


@closing("appointments")
def cancel_appointments_on_closing(user) -> None:
    """Bookings of slots not yet started are given up (their places come free)."""
    booking.cancel_of_closed_account(user)


@personal("appointments", covers={"appointments.user_id": ""})
def my_appointments(user):
    """My appointments: the service, the time, the status, how booked, my rating."""
    rows = db.session.execute(
        sa.select(Appointment, Slot.starts_at, Service.title)
        .join(Slot, Slot.id == Appointment.slot_id)
        .join(Service, Service.id == Appointment.service_id)
        .where(Appointment.user_id == user.id)
        .order_by(Appointment.id)
    ).all()
    return [
        {
            "service": title,
            "starts_at": starts_at.isoformat(),
            "status": a.status,
            "channel": a.channel,
            "booked_at": a.created_at.isoformat(),
            "rating": a.rating,
        }
        for a, starts_at, title in rows
    ]


@evaluation_source("satisfaction", "appointment_ratings")
def appointment_ratings(community_ids, start, end, moment):
    """Appointment ratings given in the month, counted in the service's community: (kind, id, community, level)."""
    return db.session.execute(
        sa.select(sa.literal("appointment_rating"), Appointment.id, Service.community_id, Appointment.rating)
        .join(Service, Service.id == Appointment.service_id)
        .where(
            Service.community_id.in_(community_ids),
            Appointment.rating.is_not(None),
            Appointment.rated_at >= start,
            Appointment.rated_at < end,
        )
        .order_by(Appointment.id)
    ).all()


@evaluation_record("appointment_rating")
def appointment_rating_records(ids) -> dict[int, dict]:
    """An appointment rating behind the figure: the service, the level and the date, never who rated."""
    rows = db.session.execute(
        sa.select(Appointment.id, Appointment.service_id, Appointment.rating, Appointment.rated_at, Service.title)
        .join(Service, Service.id == Appointment.service_id)
        .where(Appointment.id.in_(ids))
    ).all()
    return {
        r.id: {
            "title": r.title,
            "endpoint": "offerings.detail",
            "args": {"service_id": r.service_id},
            "level": r.rating,
            "at": r.rated_at,
        }
        for r in rows
    }
