"""Appointments through their services, without HTTP: slots, booking, cancel, attendance, rating,
reminders; every refusal with its status, nothing written."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from consult.core.errors import Conflict, PermissionDenied, RuleViolation
from consult.core.notifications import Notification
from consult.offerings import booking, slots
from consult.offerings.appointment_models import Appointment, Slot
from tests.offerings.appointment_helpers import at, service_with_appointments, slot as make_slot


def count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def morning(clock):
    """Tuesday 2026-12-01 at 07:00 in Beijing (Monday 23:00 UTC)."""
    clock.set(2026, 11, 30, 23, 0)
    return clock


# --- slots -----------------------------------------------------------------------------------


def test_the_provider_and_the_committee_add_slots_within_the_hours(db, world, morning):
    service = service_with_appointments(world)
    one = slots.add_slot(world.provider_staff, service, at(1, 9), at(1, 10), 2)
    two = slots.add_slot(world.street_admin, service, at(1, 10), at(1, 12), 5)  # touching is not overlapping
    assert (one.capacity, two.capacity, one.booked_count) == (2, 5, 0)


@pytest.mark.parametrize(
    "start, end, capacity, field",
    [
        ((1, 10), (1, 9), 2, "ends_at"),  # ends before it starts
        ((1, 10), (1, 10), 2, "ends_at"),  # ends when it starts
        ((0, 6), (0, 6, 30), 2, "starts_at"),  # in the past (06:00 today, it is 07:00)
        ((1, 7), (1, 8), 2, "starts_at"),  # before the service opens
        ((1, 11), (1, 13), 2, "starts_at"),  # runs past the closing time
        ((1, 9), (1, 10), 0, "capacity"),
        ((1, 9), (1, 10), 201, "capacity"),
        ((120, 9), (120, 10), 2, "starts_at"),  # more than 90 days ahead
    ],
)
def test_a_bad_slot_is_refused_with_a_400_and_nothing_written(db, world, morning, start, end, capacity, field):
    service = service_with_appointments(world)
    before = count(db, Slot)
    with pytest.raises(RuleViolation) as refused:
        slots.add_slot(world.worker, service, at(*start), at(*end), capacity)
    assert refused.value.status == 400 and refused.value.field == field
    assert count(db, Slot) == before


def test_overlapping_slots_of_one_service_are_refused(db, world, morning):
    service = service_with_appointments(world)
    slots.add_slot(world.worker, service, at(1, 9), at(1, 10), 2)
    for start, end in (((1, 9), (1, 10)), ((1, 9, 30), (1, 10, 30)), ((1, 8), (1, 11))):
        with pytest.raises(RuleViolation) as refused:
            slots.add_slot(world.worker, service, at(*start), at(*end), 2)
        assert refused.value.status == 400
    assert count(db, Slot) == 1
    other = world.factory.service(world.provider, "助浴", "08:00-12:00", takes_appointments=True)
    slots.add_slot(world.worker, other, at(1, 9), at(1, 10), 2)  # another service's slot may overlap


def test_a_closed_day_takes_no_slots(db, world, morning):
    service = service_with_appointments(world, closed_days=[at(1, 9).date()])
    with pytest.raises(RuleViolation):
        slots.add_slot(world.worker, service, at(1, 9), at(1, 10), 2)


def test_only_keepers_add_slots_and_only_to_a_service_taking_appointments(db, world, morning):
    service = service_with_appointments(world)
    for person in (world.resident, world.other_worker, world.grid_worker):
        with pytest.raises(PermissionDenied):
            slots.add_slot(person, service, at(1, 9), at(1, 10), 2)
    plain = world.factory.service(world.provider, "咨询", "08:00-12:00")
    with pytest.raises(Conflict):
        slots.add_slot(world.worker, plain, at(1, 9), at(1, 10), 2)


# --- booking ---------------------------------------------------------------------------------


def test_a_resident_books_once_and_the_count_follows(db, world, morning):
    slot = make_slot(world, capacity=2)
    appointment = booking.book(slot, world.resident, world.resident)
    assert (appointment.status, appointment.channel, appointment.booked_by_id) == ("booked", "self", None)
    assert slot.booked_count == 1
    with pytest.raises(Conflict) as refused:
        booking.book(slot, world.resident, world.resident)
    assert refused.value.status == 409 and slot.booked_count == 1 and count(db, Appointment) == 1


def test_a_full_slot_refuses_with_409(db, world, morning):
    slot = make_slot(world, capacity=1)
    booking.book(slot, world.resident, world.resident)
    with pytest.raises(Conflict) as refused:
        booking.book(slot, world.party, world.party)
    assert refused.value.status == 409 and count(db, Appointment) == 1 and slot.booked_count == 1


def test_booking_closes_two_hours_before_the_start(db, world, morning):
    slot = make_slot(world, days=0, hour=9)  # 09:00 today; it is 07:00
    morning.advance(minutes=1)  # 07:01: inside the two hours
    with pytest.raises(RuleViolation) as refused:
        booking.book(slot, world.resident, world.resident)
    assert refused.value.status == 400 and count(db, Appointment) == 0


def test_only_confirmed_residents_of_the_community_book(db, world, morning):
    slot = make_slot(world)
    outsider = world.factory.resident(world.b)
    for person in (world.pending, outsider, world.worker, world.provider_staff):
        with pytest.raises(PermissionDenied):
            booking.book(slot, person, person)
    assert count(db, Appointment) == 0


def test_a_worker_books_on_behalf_and_the_resident_is_told(db, world, morning):
    slot = make_slot(world)
    appointment = booking.book(slot, world.resident, world.worker, channel="self")
    assert (appointment.channel, appointment.booked_by_id) == ("worker", world.worker.id)
    assert db.session.scalar(sa.select(Notification.text).where(Notification.recipient_id == world.resident.id))
    for person in (world.other_worker, world.provider_staff, world.party):
        with pytest.raises(PermissionDenied):
            booking.book(slot, world.resident, person)
    with pytest.raises(RuleViolation):
        booking.book(slot, world.pending, world.worker)


def test_the_kiosk_books_for_the_resident_logged_in_there(db, world, morning):
    appointment = booking.book(make_slot(world), world.resident, world.resident, channel="kiosk")
    assert (appointment.channel, appointment.booked_by_id) == ("kiosk", None)


# --- cancel, attendance, rating ----------------------------------------------------------------


def test_cancel_until_the_cut_off_frees_the_place(db, world, morning):
    slot = make_slot(world, capacity=1)
    appointment = booking.book(slot, world.resident, world.resident)
    with pytest.raises(PermissionDenied):
        booking.cancel(world.party, appointment)
    booking.cancel(world.resident, appointment)
    assert (appointment.status, slot.booked_count) == ("cancelled", 0)
    again = booking.book(slot, world.resident, world.resident)  # a cancelled booking does not block a new one
    morning.set(at(1, 7, 1))
    with pytest.raises(RuleViolation) as refused:
        booking.cancel(world.resident, again)
    assert refused.value.status == 400 and again.status == "booked" and slot.booked_count == 1


def test_the_committee_cancels_for_a_resident(db, world, morning):
    appointment = booking.book(make_slot(world), world.resident, world.resident)
    booking.cancel(world.worker, appointment)
    assert appointment.cancelled_by_id == world.worker.id


def test_attendance_is_recorded_after_the_slot_and_then_rated_once(db, world, morning):
    slot = make_slot(world)
    came = booking.book(slot, world.resident, world.resident)
    stayed_away = booking.book(slot, world.party, world.party)
    with pytest.raises(RuleViolation):
        booking.mark(world.provider_staff, came, True)
    morning.set(at(1, 10))
    with pytest.raises(PermissionDenied):
        booking.mark(world.resident, came, True)
    booking.mark(world.provider_staff, came, True)
    booking.mark(world.worker, stayed_away, False)
    assert (came.status, stayed_away.status) == ("attended", "no_show")
    with pytest.raises(Conflict):
        booking.mark(world.provider_staff, came, False)
    with pytest.raises(RuleViolation):
        booking.rate(world.resident, came, "great")
    with pytest.raises(PermissionDenied):
        booking.rate(world.party, came, "satisfied")
    with pytest.raises(RuleViolation):
        booking.rate(world.party, stayed_away, "satisfied")
    booking.rate(world.resident, came, "basically")
    with pytest.raises(Conflict):
        booking.rate(world.resident, came, "satisfied")
    assert came.rating == "basically"


def test_ratings_close_thirty_days_after(db, world, morning):
    appointment = booking.book(make_slot(world), world.resident, world.resident)
    morning.set(at(1, 10))
    booking.mark(world.provider_staff, appointment, True)
    morning.set(at(32, 10))
    with pytest.raises(RuleViolation):
        booking.rate(world.resident, appointment, "satisfied")


# --- reminders ---------------------------------------------------------------------------------


def test_tick_reminds_the_day_before_once(db, world, morning):
    from consult.core.cli import run_tick  # noqa: PLC0415

    later = make_slot(world, days=3)
    tomorrow = make_slot(world, days=1, hour=10)
    booking.book(later, world.resident, world.resident)
    booked = booking.book(tomorrow, world.resident, world.resident)
    assert booking.remind_due() == 1
    assert booked.reminded_at is not None
    assert booking.remind_due() == 0  # once only
    morning.set(at(2, 0, 1))  # the day before the later slot
    run_tick()
    keys = db.session.scalars(sa.select(Notification.event_key).where(Notification.recipient_id == world.resident.id)).all()
    assert sorted(keys) == sorted(f"appointment.reminder:{a.id}" for a in db.session.scalars(sa.select(Appointment)))


def test_closing_an_account_gives_up_coming_bookings(db, world, morning):
    slot = make_slot(world)
    appointment = booking.book(slot, world.resident, world.resident)
    booking.cancel_of_closed_account(world.resident)
    assert (appointment.status, slot.booked_count) == ("cancelled", 0)
