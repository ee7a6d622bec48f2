"""On PostgreSQL: 30 residents booking a slot of 5 places at once leave exactly 5 bookings (the rest 409);
two slots added at once that overlap leave one."""

import pytest
import sqlalchemy as sa

from consult.accounts.models import User
from consult.core.errors import Conflict, DomainError
from consult.extensions import db
from consult.offerings import booking, slots
from consult.offerings.appointment_models import Appointment, Slot
from consult.offerings.models import Service
from tests.core.test_concurrency import run_threads
from tests.factories import Factory
from tests.offerings.appointment_helpers import at, service_with_appointments, slot as make_slot

pytestmark = pytest.mark.postgresql


def test_thirty_bookings_for_five_places(app, committed_db):
    factory = Factory(committed_db.session)
    world = factory.world()
    slot = make_slot(world, capacity=5)
    people = [factory.resident(world.a).id for _ in range(30)]
    committed_db.session.commit()
    slot_id = slot.id

    def book(i):
        person = db.session.get(User, people[i])
        return booking.book(db.session.get(Slot, slot_id), person, person).status

    results = run_threads(app, 30, book)
    assert results.count("booked") == 5
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(refused) == 25 and all(isinstance(r, Conflict) and r.status == 409 for r in refused)
    session = committed_db.session
    session.expire_all()
    assert session.scalar(sa.select(sa.func.count()).select_from(Appointment).where(Appointment.slot_id == slot_id)) == 5
    assert session.get(Slot, slot_id).booked_count == 5


def test_overlapping_slots_added_at_once_leave_one(app, committed_db):
    world = Factory(committed_db.session).world()
    service = service_with_appointments(world)
    committed_db.session.commit()
    service_id, worker_id = service.id, world.worker.id
    starts = [at(1, 9), at(1, 9, 15), at(1, 9, 30), at(1, 9, 45)]

    def add(i):
        service = db.session.get(Service, service_id)
        return slots.add_slot(db.session.get(User, worker_id), service, starts[i], starts[i] + (at(1, 10) - at(1, 9)), 2).id

    results = run_threads(app, 4, add)
    assert sum(isinstance(r, int) for r in results) == 1
    committed_db.session.expire_all()
    assert committed_db.session.scalar(sa.select(sa.func.count()).select_from(Slot)) == 1


def test_the_database_refuses_overlapping_slots(app, committed_db):
    """The exclusion constraint holds even if the service's check were skipped."""
    world = Factory(committed_db.session).world()
    slot = make_slot(world)
    committed_db.session.commit()
    with pytest.raises(sa.exc.IntegrityError):
        committed_db.session.add(Slot(service_id=slot.service_id, starts_at=at(1, 9, 30), ends_at=at(1, 10, 30), capacity=1))
        committed_db.session.commit()
    committed_db.session.rollback()
