"""The request clocks across service hours, midnight and month ends (pure functions, no database)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, strategies as st

from consult.requests.clocks import DEFAULT_TARGETS, Targets, is_late, reminder_at, resolution_due, response_due

ZONE = ZoneInfo("Asia/Shanghai")


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZONE)


@pytest.mark.parametrize(
    ("reported", "due"),
    [
        ("2026-11-30 09:00", "2026-11-30 11:00"),  # within service hours: two hours
        ("2026-11-30 08:00", "2026-11-30 10:00"),  # the first minute of service hours
        ("2026-11-30 18:00", "2026-11-30 20:00"),  # ends exactly at closing
        ("2026-11-30 19:30", "2026-12-01 09:30"),  # 30 minutes today, 90 from 08:00 tomorrow
        ("2026-11-30 20:00", "2026-12-01 10:00"),  # closing time is outside service hours
        ("2026-11-30 23:59", "2026-12-01 10:00"),  # before midnight: by 10:00 the next day
        ("2026-12-01 00:30", "2026-12-01 10:00"),  # after midnight: by 10:00 that morning
        ("2026-12-01 07:59", "2026-12-01 10:00"),  # just before opening
        ("2026-12-31 21:00", "2027-01-01 10:00"),  # the year ends
        ("2027-02-28 19:00", "2027-03-01 09:00"),  # February ends (not a leap year)
    ],
)
def test_response_due(reported, due):
    assert response_due(local(reported), DEFAULT_TARGETS, ZONE) == local(due)


def test_a_long_response_target_never_passes_the_next_morning_rule():
    four_hours = Targets(response=timedelta(hours=4))
    assert response_due(local("2026-11-30 17:00"), four_hours, ZONE) == local("2026-12-01 09:00")
    assert response_due(local("2026-11-30 19:00"), four_hours, ZONE) == local("2026-12-01 10:00")


def test_other_service_hours():
    hours = Targets(service_start=time(9), service_end=time(17), next_morning_by=time(11))
    assert response_due(local("2026-11-30 16:00"), hours, ZONE) == local("2026-12-01 10:00")
    assert response_due(local("2026-11-30 08:30"), hours, ZONE) == local("2026-11-30 11:00")


def test_resolution_reminder_and_lateness():
    reported = local("2026-11-30 09:00")
    due = resolution_due(reported, timedelta(days=7))
    assert due == local("2026-12-07 09:00")
    assert reminder_at(reported, due) == reported + timedelta(days=5, hours=6)
    assert not is_late(None, due, due)
    assert is_late(None, due, due + timedelta(seconds=1))
    assert not is_late(due - timedelta(hours=1), due, due + timedelta(days=3))
    assert is_late(due + timedelta(minutes=1), due, due + timedelta(minutes=2))


@given(st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31)))
def test_the_answer_is_due_after_the_report_and_by_the_next_morning(moment):
    reported = moment.replace(tzinfo=ZONE)
    due = response_due(reported, DEFAULT_TARGETS, ZONE)
    assert reported < due <= reported + timedelta(hours=14)
    assert due.astimezone(ZONE).time() <= time(20, 0)
    assert time(8, 0) <= due.astimezone(ZONE).time()
