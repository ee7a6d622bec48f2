"""Demo appointments of 家庭医生签约 (kept by the account ``provider``): a past slot where ``resident``
came and rated the service 满意 and ``party`` (booked by the worker) did not come, and coming slots,
one of them booked by ``resident``. The clock is put back as it was found."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from consult.core import clock
from consult.offerings import booking, slots
from consult.offerings.models import Service


def _opening_day(start: int, step: int):
    """The first day from ``start`` days away (going ``step``) that is not a Sunday (the clinic's day off)."""
    today = clock.local_now().date()
    offset = start
    while (today + timedelta(days=offset)).weekday() == 6:
        offset += step
    return today + timedelta(days=offset)


def _at(day, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=clock.site_zone())


def seed(world: dict, service: Service, staff) -> None:
    real_now, frozen = clock.now(), clock.frozen_at()
    resident, party, worker = world["resident"], world["party"], world["worker"]
    try:
        past = _opening_day(-3, -1)
        clock.set_now(_at(past, 6))
        done = slots.add_slot(staff, service, _at(past, 9), _at(past, 10), 4)
        came = booking.book(done, resident, resident)
        away = booking.book(done, party, worker)  # booked by the worker on the party member's behalf
        clock.set_now(_at(past, 10) + timedelta(minutes=30))
        booking.mark(staff, came, True)
        booking.mark(staff, away, False)
        booking.rate(resident, came, "satisfied")
        clock.set_now(real_now)
        for offset in (1, 2):
            day = _opening_day(offset, 1)
            first = slots.add_slot(staff, service, _at(day, 9), _at(day, 10), 3)
            slots.add_slot(staff, service, _at(day, 10), _at(day, 11), 2)
            slots.add_slot(staff, service, _at(day, 14), _at(day, 15), 3)
            if offset == 1:
                booking.book(first, resident, resident)
    finally:
        clock.set_now(frozen)
