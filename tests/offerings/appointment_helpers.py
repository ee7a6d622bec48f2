"""Shared set-up of the appointment tests: a service taking appointments, open 08:00–12:00 every day."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from consult.core.clock import local_now, site_zone
from consult.offerings import slots


def service_with_appointments(world, hours: str = "08:00-12:00", **fields):
    return world.factory.service(world.provider, "上门理发", hours, takes_appointments=True, **fields)


def at(days: int, hour: int, minute: int = 0) -> datetime:
    """``days`` from today's date in the site's zone, at ``hour:minute`` wall-clock time there."""
    return datetime.combine(local_now().date() + timedelta(days=days), time(hour, minute), tzinfo=site_zone())


def slot(world, service=None, days: int = 1, hour: int = 9, capacity: int = 3, minutes: int = 60):
    service = service or service_with_appointments(world)
    starts = at(days, hour)
    return slots.add_slot(world.worker, service, starts, starts + timedelta(minutes=minutes), capacity)
