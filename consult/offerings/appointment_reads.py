"""What a service's page reads about appointments: its coming slots, which the viewer booked, the
provider's satisfaction counts and the board's address for its keepers (three statements)."""

from __future__ import annotations

from flask import url_for

from consult.core.clock import now
from consult.offerings import appointment_queries as queries
from consult.offerings.appointment_policy import keeper
from consult.offerings.models import Service


def appointment_reads(service: Service, user) -> dict:
    slots = queries.coming_slots(service) if service.takes_appointments else []
    return {
        "slots": slots,
        "booked": queries.booked_slot_ids(user, [slot.id for slot in slots]),
        "satisfaction": queries.satisfaction_of_provider(service.provider_id),
        "board_url": url_for("appointments_manage.board", service_id=service.id)
        if service.takes_appointments and keeper(user, service)
        else None,
        "now": now(),
    }
