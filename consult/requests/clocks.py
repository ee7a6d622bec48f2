"""The clocks of a request (接诉即办): when it must be answered and when it must be solved.

Pure functions of a moment and the street's targets, so the same rule serves the service that
stores the due times, the to-do page, ``flask tick`` and the tests with the frozen clock.

- Response (响应): a request reported during service hours (08:00–20:00 site time by default) is
  due ``response`` later (2 h by default), counting service hours only: reported at 19:30, the
  last 90 minutes run from 08:00 the next day. Reported outside service hours, it is due at 10:00
  the next morning (the same calendar day when reported after midnight). A due time never falls
  later than that out-of-hours rule would give.
- Resolution (解决): ``resolution`` after it was reported (7 days by default, per category).
- Reminder: the holder is reminded when 75 % of the time from start to due has passed.

Due times are stored when a request is reported (and when it is handed over); moving one later
keeps the original, so a late request never becomes an on-time one (see ``Request.original_*``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

REMINDER_SHARE = 0.75


@dataclass(frozen=True)
class Targets:
    """A street's targets (``RequestSettings`` stores them; these are the defaults)."""

    response: timedelta = timedelta(hours=2)
    service_start: time = time(8, 0)
    service_end: time = time(20, 0)
    #: outside service hours, the answer is due by this time the next morning
    next_morning_by: time = time(10, 0)
    resolution: timedelta = timedelta(days=7)


DEFAULT_TARGETS = Targets()


def _at(day: date, clock: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=zone)


def response_due(reported_at: datetime, targets: Targets, zone: ZoneInfo) -> datetime:
    """When the resident must have been contacted (aware, in UTC's instant; any zone)."""
    local = reported_at.astimezone(zone)
    today = local.date()
    opens, closes = _at(today, targets.service_start, zone), _at(today, targets.service_end, zone)
    if local < opens:
        return _at(today, targets.next_morning_by, zone)
    tomorrow = today + timedelta(days=1)
    latest = _at(tomorrow, targets.next_morning_by, zone)
    if local >= closes:
        return latest
    left_today = closes - local
    if targets.response <= left_today:
        return local + targets.response
    return min(_at(tomorrow, targets.service_start, zone) + (targets.response - left_today), latest)


def resolution_due(reported_at: datetime, resolution: timedelta) -> datetime:
    """When the request must be solved."""
    return reported_at + resolution


def reminder_at(start: datetime, due: datetime) -> datetime:
    """When the holder is reminded: 75 % of the way from ``start`` to ``due``."""
    return start + (due - start) * REMINDER_SHARE


def is_late(done_at: datetime | None, due: datetime, moment: datetime) -> bool:
    """Late: done after ``due``, or not done and ``due`` has passed at ``moment``."""
    return (done_at or moment) > due
