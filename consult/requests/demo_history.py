"""Demo: past months of requests in every community of the street, so its stored months have the 三率
of 接诉即办 — and differ from the topics' (each community handles its requests its own way).

Each request is taken through the services at daytime hours of its day, as people would: answered
within the hour or the next day, solved in two to nine days, answered by the resident or a worker's
call-back. Requests are reported on days 2–17 of the month, so their seven-day resolution falls in it.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from consult.core import clock
from consult.requests import reporting, services

#: What happens to each request: answered late or on time, solved in how many days, and the answer.
#: ("ok", 2, "satisfied"): answered within the hour, solved two days later, confirmed satisfied.
OUTCOMES = {
    "ok": (False, 2, "satisfied"),
    "basic": (False, 3, "basically"),
    "late_answer": (True, 4, "satisfied"),
    "late_fix": (False, 9, "basically"),
    "unhappy": (False, 2, "unsatisfied"),
    "reopened": (False, 2, None),
}
#: Per community (by position in the street): how its six requests a month went.
PATTERNS = (
    ("ok", "ok", "basic", "reopened", "ok", "late_answer"),
    ("basic", "late_fix", "ok", "unhappy", "late_answer", "basic"),
    ("late_answer", "late_fix", "unhappy", "basic", "late_fix", "ok"),
)
REPORTS = (
    ("repairs", "楼道窗户玻璃破了。"),
    ("sanitation", "小区垃圾清运不及时。"),
    ("parking", "车位被长期停放的僵尸车占用。"),
    ("property", "单元门门禁坏了。"),
    ("noise", "广场舞音响太响。"),
    ("safety", "电动车在楼道充电。"),
)


def seed_months(months: list[str], communities: list[tuple]) -> None:
    """``communities``: (community, its worker, its residents) for each community of the street."""
    frozen = clock.frozen_at()  # put back as it was: running in production, frozen in a test
    try:
        for month in months:
            year, number = (int(part) for part in month.split("-"))
            for position, (community, worker, residents) in enumerate(communities):
                pattern = PATTERNS[position % len(PATTERNS)]
                for index, outcome in enumerate(pattern):
                    day = datetime(year, number, 2 + 3 * index, tzinfo=clock.site_zone())
                    _one(community, worker, residents[index % len(residents)], day, index, outcome)
    finally:
        clock.set_now(frozen)


def _at(day: datetime, hour: int) -> None:
    clock.set_now(datetime.combine(day.date(), time(hour), tzinfo=clock.site_zone()).astimezone(UTC))


def _one(community, worker, resident, day: datetime, index: int, outcome: str) -> None:
    late, days, level = OUTCOMES[outcome]
    category, text = REPORTS[index % len(REPORTS)]
    _at(day, 10)
    request = reporting.report(resident, community, category=category, description=text, building=str(1 + index % 6))
    _at(day + timedelta(days=1 if late else 0), 15 if late else 10)
    services.accept(worker, request, "已电话联系居民。")
    _at(day + timedelta(days=days), 16)
    services.resolve(worker, request, "已处理完毕。")
    clock.advance(timedelta(hours=18))
    if level is None:  # "not solved" once: worked on again, then a call-back
        services.confirm(resident, request, solved=False)
        clock.advance(timedelta(days=2))
        services.resolve(worker, request, "再次处理，已解决。")
        clock.advance(timedelta(hours=20))
        services.call_back(worker, request, solved=True, level="basically", note="回访：基本解决。")
    elif index % 2:
        services.call_back(worker, request, solved=True, level=level, note="电话回访。")
    else:
        services.confirm(resident, request, solved=True, level=level)
