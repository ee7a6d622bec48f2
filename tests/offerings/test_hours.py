"""Opening hours without a database: open now, next opening, closed days, overnight, bad patterns."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import assume, given, settings, strategies as st

from consult.offerings.hours import (
    DAY,
    WEEK,
    HoursError,
    Interval,
    check,
    is_open,
    next_opening,
    on_day,
    open_interval,
    parse_day,
)

MONDAY = date(2026, 11, 30)  # a Monday


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm)


def week(text: str, days=range(7)) -> list[Interval]:
    return check([i for d in days for i in parse_day(d, text)])


def test_open_within_an_interval_and_closed_at_its_end():
    hours = week("08:30-12:00, 14:00-17:30", days=range(5))
    assert is_open(hours, [], at(MONDAY, 8, 30))
    assert is_open(hours, [], at(MONDAY, 11, 59))
    assert not is_open(hours, [], at(MONDAY, 12, 0))  # the end is not open
    assert not is_open(hours, [], at(MONDAY, 13, 0))
    assert not is_open(hours, [], at(MONDAY + timedelta(days=5), 9, 0))  # Saturday


def test_next_opening_is_after_lunch_then_next_weekday_monday():
    hours = week("08:30-12:00, 14:00-17:30", days=range(5))
    assert next_opening(hours, [], at(MONDAY, 12, 30)) == at(MONDAY, 14, 0)
    friday = MONDAY + timedelta(days=4)
    assert next_opening(hours, [], at(friday, 18, 0)) == at(MONDAY + timedelta(days=7), 8, 30)
    assert next_opening([], [], at(MONDAY, 9)) is None


def test_overnight_runs_past_midnight_into_the_next_day():
    hours = week("22:00-02:00+1", days=[4])  # Friday night
    friday, saturday = MONDAY + timedelta(days=4), MONDAY + timedelta(days=5)
    assert is_open(hours, [], at(friday, 23, 0))
    assert is_open(hours, [], at(saturday, 1, 59))
    assert not is_open(hours, [], at(saturday, 2, 0))
    assert open_interval(hours, [], at(saturday, 1, 0)) == (at(friday, 22), at(saturday, 2))


def test_sunday_night_runs_into_monday():
    hours = week("23:00-01:00+1", days=[6])
    assert is_open(hours, [], at(MONDAY, 0, 30))  # from Sunday 29 November


def test_a_closed_day_cancels_the_openings_that_start_on_it():
    hours = week("08:00-12:00, 22:00-02:00+1")
    assert not is_open(hours, [MONDAY], at(MONDAY, 9))
    assert on_day(hours, [MONDAY], MONDAY) == []
    # Sunday night's opening started before the closed Monday: it runs to its end
    assert is_open(hours, [MONDAY], at(MONDAY, 1))
    assert next_opening(hours, [MONDAY], at(MONDAY, 3)) == at(MONDAY + timedelta(days=1), 8)


def test_hours_today_lists_the_days_openings_in_order():
    hours = week("14:00-17:00, 08:00-11:00", days=[0])
    assert [(i.opens, i.closes) for i in on_day(hours, [], MONDAY)] == [(480, 660), (840, 1020)]


def test_24_00_is_the_end_of_a_day():
    hours = week("00:00-24:00", days=[0])
    assert is_open(hours, [], at(MONDAY, 23, 59))


@pytest.mark.parametrize(
    "intervals, code",
    [
        ([Interval(0, 600, 540)], "end_before_start"),  # 10:00-09:00, not marked overnight
        ([Interval(0, 600, 600)], "end_before_start"),  # empty
        ([Interval(0, 600, 700, overnight=True)], "overnight_too_long"),  # 10:00-11:40 next day: 25 h
        ([Interval(0, 480, 720), Interval(0, 690, 900)], "overlap"),
        ([Interval(0, 1320, 120, True), Interval(1, 60, 300)], "overlap"),  # Monday night into Tuesday morning
        ([Interval(6, 1320, 120, True), Interval(0, 60, 300)], "overlap"),  # Sunday night into Monday morning
        ([Interval(7, 480, 720)], "weekday"),  # an eighth day
        ([Interval(-1, 480, 720)], "weekday"),
        ([Interval(0, 1440, 1500)], "time"),
        ([Interval(0, 60 * h, 60 * h + 30) for h in range(5)], "too_many"),
    ],
)
def test_bad_hours_are_refused_with_what_is_wrong(intervals, code):
    with pytest.raises(HoursError) as refused:
        check(intervals)
    assert refused.value.code == code


def test_touching_intervals_do_not_overlap():
    assert len(check([Interval(0, 480, 720), Interval(0, 720, 900)])) == 2


@pytest.mark.parametrize("text", ["8点到12点", "08:00", "08:00-12:00 x", "25:00-26:00", "08:60-09:00"])
def test_unreadable_text_is_refused(text):
    with pytest.raises(HoursError):
        parse_day(0, text)


def test_parse_reads_separators_and_the_overnight_mark():
    assert parse_day(2, "8:30-12:00，14:00~17:30；22:00-次日02:00") == [
        Interval(2, 510, 720),
        Interval(2, 840, 1050),
        Interval(2, 1320, 120, True),
    ]
    assert parse_day(2, "") == []


# --- a property: the rules agree with counting minutes of the week ---------------------------------


@st.composite
def patterns(draw):
    intervals = []
    for _n in range(draw(st.integers(0, 6))):
        weekday = draw(st.integers(0, 6))
        opens = draw(st.integers(0, DAY - 1))
        overnight = draw(st.booleans())
        closes = draw(st.integers(0, opens - 1)) if overnight and opens > 0 else draw(st.integers(opens + 1, DAY))
        intervals.append(Interval(weekday, opens, closes, overnight and opens > 0))
    try:
        return check(intervals)
    except HoursError:
        assume(False)


def minutes_open(intervals: list[Interval]) -> set[int]:
    """The open minutes of the week, counted one by one (0 = Monday 00:00)."""
    minutes = set()
    for i in intervals:
        start = i.weekday * DAY + i.opens
        minutes.update((start + m) % WEEK for m in range(i.length))
    return minutes


@settings(max_examples=200, deadline=None)
@given(patterns(), st.integers(0, 14 * DAY - 1))
def test_open_now_and_next_opening_agree_with_counting_minutes(intervals, minute):
    moment = at(MONDAY, 0) + timedelta(minutes=minute)
    open_minutes = minutes_open(intervals)
    assert is_open(intervals, [], moment) == ((minute % WEEK) in open_minutes)
    upcoming = next_opening(intervals, [], moment)
    if not intervals:
        assert upcoming is None
        return
    assert upcoming is not None and upcoming > moment
    assert is_open(intervals, [], upcoming)
    # nothing starts between now and the next opening
    starts = {(i.weekday * DAY + i.opens) % WEEK for i in intervals}
    gap = int((upcoming - moment).total_seconds() // 60)
    assert not any((minute + m) % WEEK in starts for m in range(1, gap))
