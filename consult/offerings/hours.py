"""Opening hours: a weekly pattern of intervals plus closed days, and what it says at a moment.

Pure: no database, no clock, no Flask. Moments are naive wall-clock datetimes in the site's
time zone (the caller converts with ``consult.core.clock.local``). Minutes count from midnight:
an interval opens at ``opens`` (0–1439) and closes at ``closes``; a same-day interval has
``opens < closes <= 1440`` (24:00 is the end of the day); an overnight one closes the next day,
``closes < opens`` (22:00–02:00). A closed day cancels the intervals that *start* on it; an
overnight interval begun the evening before still runs to its end.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

DAY = 1440
WEEK = 7 * DAY
#: at most this many intervals on one weekday (a lunch break and an evening opening fit easily)
MAX_PER_DAY = 4
#: how far ahead "next opening" looks; a service closed longer than this has no next opening to show
LOOK_AHEAD_DAYS = 370


class HoursError(ValueError):
    """Opening hours that cannot be: the message says which interval and why (``params`` for translation)."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True, order=True)
class Interval:
    """One opening on a weekday (0 Monday … 6 Sunday), in minutes from midnight."""

    weekday: int
    opens: int
    closes: int
    overnight: bool = False

    @property
    def length(self) -> int:
        return self.closes - self.opens + (DAY if self.overnight else 0)

    def label(self) -> str:
        """ "08:30–12:00", an overnight one "22:00–02:00+1"."""
        return f"{clock_text(self.opens)}–{clock_text(self.closes)}{'+1' if self.overnight else ''}"


def clock_text(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def check(intervals: Sequence[Interval]) -> list[Interval]:
    """The intervals sorted, or HoursError: a bad weekday or time, an end before its start on the same
    day when not marked overnight, an interval of 24 hours or more, overlapping intervals (across
    midnight and from Sunday into Monday too), too many on one day."""
    for i in intervals:
        if not 0 <= i.weekday <= 6:
            raise HoursError("weekday", weekday=i.weekday)
        if not 0 <= i.opens < DAY or not 0 <= i.closes <= DAY:
            raise HoursError("time", interval=i.label(), weekday=i.weekday)
        if i.overnight and not i.closes < i.opens:
            raise HoursError("overnight_too_long", interval=i.label(), weekday=i.weekday)
        if not i.overnight and not i.opens < i.closes:
            raise HoursError("end_before_start", interval=i.label(), weekday=i.weekday)
    ordered = sorted(intervals)
    for weekday in range(7):
        if sum(1 for i in ordered if i.weekday == weekday) > MAX_PER_DAY:
            raise HoursError("too_many", weekday=weekday, max=MAX_PER_DAY)
    spans = [(i.weekday * DAY + i.opens, i.weekday * DAY + i.opens + i.length, i) for i in ordered]
    for n, (start, end, first) in enumerate(spans):
        for other_start, other_end, second in spans[n + 1 :]:
            # compare on the week's circle: a Sunday night interval runs into Monday morning
            if any(start < other_end + shift and other_start + shift < end for shift in (-WEEK, 0, WEEK)):
                raise HoursError(
                    "overlap", first=first.label(), second=second.label(), weekday=first.weekday, other=second.weekday
                )
    return ordered


_RANGE = re.compile(
    r"^([0-2]?[0-9])[:：]([0-5][0-9])\s*[-–—~至到]\s*(次日)?\s*([0-2]?[0-9])[:：]([0-5][0-9])\s*(\+1|（次日）|\(次日\)|次日)?$"
)


def parse_day(weekday: int, text: str | None) -> list[Interval]:
    """A weekday's intervals from what a person typed: "08:30-12:00, 14:00-17:30, 22:00-02:00+1"
    (commas, semicolons, spaces or line breaks between them; "+1" or "次日" marks an overnight end)."""
    out = []
    for part in re.split(r"[,，;；、\s]+(?=[0-9])", (text or "").strip()):
        part = part.strip().rstrip(",，;；")
        if not part:
            continue
        match = _RANGE.match(part)
        if match is None:
            raise HoursError("unreadable", weekday=weekday, text=part[:40])
        h1, m1, next_day, h2, m2, night = match.groups()
        opens, closes = int(h1) * 60 + int(m1), int(h2) * 60 + int(m2)
        if opens >= DAY or closes > DAY:
            raise HoursError("time", interval=part[:40], weekday=weekday)
        out.append(Interval(weekday, opens, closes, bool(next_day or night)))
    return out


def day_text(intervals: Iterable[Interval], weekday: int) -> str:
    """The form's text for one weekday (the inverse of parse_day)."""
    return ", ".join(i.label() for i in sorted(intervals) if i.weekday == weekday)


def _starts_on(intervals: Sequence[Interval], day: date, closed: frozenset[date]) -> list[Interval]:
    if day in closed:
        return []
    return [i for i in intervals if i.weekday == day.weekday()]


def _bounds(i: Interval, day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time()) + timedelta(minutes=i.opens)
    return start, start + timedelta(minutes=i.length)


def open_interval(intervals: Sequence[Interval], closed: Iterable[date], moment: datetime) -> tuple[datetime, datetime] | None:
    """The opening ``moment`` falls in, as (start, end), or None when closed then."""
    closed = frozenset(closed)
    for day in (moment.date() - timedelta(days=1), moment.date()):
        for i in _starts_on(intervals, day, closed):
            start, end = _bounds(i, day)
            if start <= moment < end:
                return start, end
    return None


def is_open(intervals: Sequence[Interval], closed: Iterable[date], moment: datetime) -> bool:
    """Whether the service is open at ``moment`` (site wall-clock time)."""
    return open_interval(intervals, closed, moment) is not None


def next_opening(intervals: Sequence[Interval], closed: Iterable[date], moment: datetime) -> datetime | None:
    """The first opening that starts after ``moment`` (within LOOK_AHEAD_DAYS), or None."""
    closed = frozenset(closed)
    if not intervals:
        return None
    for offset in range(LOOK_AHEAD_DAYS + 1):
        day = moment.date() + timedelta(days=offset)
        starts = sorted(_bounds(i, day)[0] for i in _starts_on(intervals, day, closed))
        for start in starts:
            if start > moment:
                return start
    return None


def on_day(intervals: Sequence[Interval], closed: Iterable[date], day: date) -> list[Interval]:
    """The openings that start on ``day`` ("hours today"); none on a closed day."""
    return sorted(_starts_on(intervals, day, frozenset(closed)))
