"""Appointment ratings feed the evaluation's satisfaction rate beside the requests' answers, in the month
given and the community of the service; the records page lists them without the rater."""

from __future__ import annotations

from consult.evaluation import services
from consult.evaluation.queries import record_details
from consult.offerings import booking
from tests.offerings.appointment_helpers import at, slot as make_slot


def figures_of(world, month):
    return services.compute([world.a.id], month, services.settings_for(world.street.id))[world.a.id]


def test_appointment_ratings_count_in_the_satisfaction_rate(db, world, clock):
    clock.set(2026, 10, 14, 23, 0)  # 07:00 on 15 October in Beijing
    world.factory.request(world, "confirmed", level="satisfied")
    world.factory.request(world, "closed", level="unsatisfied")
    slot = make_slot(world, capacity=5)
    people = [world.resident, world.party] + [world.factory.resident(world.a) for _ in range(2)]
    appointments = [booking.book(slot, p, p) for p in people]
    clock.set(at(1, 10))
    for appointment in appointments:
        booking.mark(world.provider_staff, appointment, True)
    for appointment, level in zip(appointments, ("satisfied", "basically", "unsatisfied", None), strict=True):
        if level:
            booking.rate(_user(db, appointment), appointment, level)
    figure = figures_of(world, "2026-10")["satisfaction"]
    # requests: 1 of 2 satisfied; appointments: 2 of 3 (satisfied, basically) -> 3 of 5
    assert (figure["num"], figure["den"]) == (3, 5)
    assert figure["levels"] == {"satisfied": 2, "basically": 1, "unsatisfied": 2}
    kinds = [kind for kind, _id in figure["records"]]
    assert kinds.count("appointment_rating") == 3
    details = record_details([r for r in figure["records"] if r[0] == "appointment_rating"])
    assert all(d["title"] == "上门理发" and d["level"] for d in details)
    clock.set(2026, 11, 2, 2, 0)
    assert figures_of(world, "2026-11")["satisfaction"]["den"] == 0


def _user(db, appointment):
    from consult.accounts.models import User  # noqa: PLC0415

    return db.session.get(User, appointment.user_id)
