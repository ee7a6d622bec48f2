"""Appointment pages over HTTP: booking from a service's page, my appointments, cancel and rate, the
provider's board (add slots, book for a resident, record attendance); bad input gets a clear message,
the right status and writes nothing; the pages' SQL statements do not grow with the bookings."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from consult.offerings import booking
from consult.offerings.appointment_models import Appointment
from tests.offerings.appointment_helpers import at, service_with_appointments, slot as make_slot
from tests.test_registry import database_rows


@pytest.fixture
def morning(clock):
    clock.set(2026, 11, 30, 23, 0)  # 07:00 on 1 December in Beijing
    return clock


def test_a_resident_books_from_the_service_page_and_sees_it_in_my_appointments(db, world, login_as, morning):
    slot = make_slot(world, capacity=2)
    page = login_as(None).get(f"/services/{slot.service_id}").get_data(as_text=True)
    assert "09:00" in page and f"/slots/{slot.id}/book" not in page
    client = login_as(world.resident)
    page = client.get(f"/services/{slot.service_id}").get_data(as_text=True)
    assert f"/slots/{slot.id}/book" in page
    response = client.post(f"/slots/{slot.id}/book", token_from=f"/services/{slot.service_id}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/me/appointments")
    mine = client.get("/me/appointments").get_data(as_text=True)
    assert "上门理发" in mine and "/cancel" in mine


def test_a_full_slot_or_a_second_booking_is_a_409_and_writes_nothing(db, world, login_as, morning):
    slot = make_slot(world, capacity=1)
    booking.book(slot, world.party, world.party)
    client = login_as(world.resident)
    before = database_rows(db.session)
    assert client.post(f"/slots/{slot.id}/book").status_code == 409
    assert database_rows(db.session) == before
    assert login_as(world.party).post(f"/slots/{slot.id}/book").status_code == 409


def test_cancelling_after_the_cut_off_is_a_400_and_another_persons_is_a_404(db, world, login_as, morning):
    appointment = booking.book(make_slot(world), world.resident, world.resident)
    assert login_as(world.party).post(f"/appointments/{appointment.id}/cancel").status_code == 404
    morning.set(at(1, 7, 30))
    client = login_as(world.resident)
    before = database_rows(db.session)
    response = client.post(f"/appointments/{appointment.id}/cancel")
    assert response.status_code == 400 and "two hours" in response.get_data(as_text=True).replace("两小时", "two hours")
    assert database_rows(db.session) == before


def test_cancel_and_rate_through_the_pages(db, world, login_as, morning):
    slot = make_slot(world)
    appointment = booking.book(slot, world.resident, world.resident)
    client = login_as(world.resident)
    assert client.post(f"/appointments/{appointment.id}/cancel").status_code == 302
    again = booking.book(slot, world.resident, world.resident)
    morning.set(at(1, 10))
    booking.mark(world.provider_staff, again, True)
    client = login_as(world.resident)  # the clock moved a day: log in again
    assert client.post(f"/appointments/{again.id}/rate", {"level": "nonsense"}).status_code == 400
    assert client.post(f"/appointments/{again.id}/rate", {"level": "satisfied"}).status_code == 302
    assert client.post(f"/appointments/{again.id}/rate", {"level": "satisfied"}).status_code == 409
    page = login_as(None).get(f"/services/{slot.service_id}").get_data(as_text=True)
    assert "100%" in page  # the provider's satisfaction, counts only


def test_the_provider_adds_slots_on_the_board_and_bad_slots_are_refused(db, world, login_as, morning):
    service = service_with_appointments(world)
    client = login_as(world.provider_staff)
    url = f"/manage/services/{service.id}/slots"
    day = at(1, 9).date().isoformat()
    good = {"day": day, "starts": "09:00", "ends": "10:00", "capacity": "4"}
    assert client.post(url, good, token_from=url).status_code == 302
    for bad, status in (
        ({"ends": "08:30"}, 400),  # ends before it starts
        ({"starts": "09:30", "ends": "10:30"}, 400),  # overlaps
        ({"day": at(-1, 9).date().isoformat()}, 400),  # in the past
        ({"starts": "13:00", "ends": "14:00"}, 400),  # outside the hours
        ({"capacity": "0"}, 400),
        ({"day": "2026-13-40"}, 400),
    ):
        before = database_rows(db.session)
        response = client.post(url, good | bad, token_from=url)
        assert response.status_code == status, bad
        assert 'class="error"' in response.get_data(as_text=True) or "form-errors" in response.get_data(as_text=True)
        assert database_rows(db.session) == before
    assert login_as(world.resident).get(url).status_code == 403
    assert login_as(world.other_worker).get(url).status_code == 403
    assert login_as(world.provider_staff).get(url + "?day=yesterday").status_code == 400


def test_a_worker_books_for_a_resident_and_the_provider_records_attendance(db, world, login_as, morning):
    slot = make_slot(world)
    client = login_as(world.worker)
    url = f"/manage/services/{slot.service_id}/book"
    board = f"/manage/services/{slot.service_id}/slots?day={at(1, 9).date().isoformat()}"
    assert client.post(url, {"slot": slot.id, "username": "nobody"}, token_from=board).status_code == 404
    assert client.post(url, {"slot": slot.id, "username": "resident"}, token_from=board).status_code == 302
    appointment = db.session.scalar(sa.select(Appointment))
    assert (appointment.user_id, appointment.booked_by_id, appointment.channel) == (world.resident.id, world.worker.id, "worker")
    assert client.post(url, {"slot": slot.id, "username": "resident"}, token_from=board).status_code == 409
    assert login_as(world.provider_staff).post(url, {"slot": slot.id, "username": "party"}, token_from=board).status_code == 403
    provider = login_as(world.provider_staff)
    assert provider.post(f"/manage/appointments/{appointment.id}/attended", token_from=board).status_code == 400  # not over yet
    morning.set(at(1, 10))
    provider = login_as(world.provider_staff)  # the clock moved a day: log in again
    assert provider.post(f"/manage/appointments/{appointment.id}/no_show", token_from=board).status_code == 302
    page = provider.get(board).get_data(as_text=True)
    assert "居民李" in page and "1" in page


def _grow(world, slot, n):
    for _ in range(n):
        person = world.factory.resident(world.a)
        booking.book(slot, person, person)


@pytest.mark.parametrize("who", ["provider", "worker"])
def test_the_board_costs_the_same_for_2_or_20_bookings(db, world, login_as, count_queries, morning, who):
    slot = make_slot(world, capacity=30)
    client = login_as(world.roles()[who])
    url = f"/manage/services/{slot.service_id}/slots?day={at(1, 9).date().isoformat()}"

    def cost():
        client.get(url)
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        return counter.count

    _grow(world, slot, 2)
    few = cost()
    _grow(world, slot, 18)
    assert cost() == few <= 9, few


def test_my_appointments_and_the_service_page_cost_the_same_for_2_or_20(db, world, login_as, count_queries, morning):
    service = service_with_appointments(world, hours="08:00-20:00")
    client = login_as(world.resident)

    def cost(url):
        client.get(url)
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        return counter.count

    def grow(first, n):
        for i in range(first, first + n):
            slot = make_slot(world, service, days=1 + i // 10, hour=8 + i % 10)
            booking.book(slot, world.resident, world.resident)

    grow(0, 2)
    few = (cost("/me/appointments"), cost(f"/services/{service.id}"))
    grow(2, 18)
    assert (cost("/me/appointments"), cost(f"/services/{service.id}")) == few
    assert few[0] <= 3 and few[1] <= 9, few


def test_the_committee_cancels_on_the_board_and_the_provider_may_not(db, world, login_as, morning):
    appointment = booking.book(make_slot(world), world.resident, world.resident)
    board = f"/manage/services/{appointment.service_id}/slots?day={at(1, 9).date().isoformat()}"
    url = f"/manage/appointments/{appointment.id}/cancel"
    assert login_as(world.provider_staff).post(url, token_from=board).status_code == 403
    assert login_as(world.worker).post(url, token_from=board).status_code == 302
    db.session.refresh(appointment)
    assert (appointment.status, appointment.cancelled_by_id) == ("cancelled", world.worker.id)
