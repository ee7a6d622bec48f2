"""The one clock: every "now" in the code comes from here, so tests can set it.

Times are stored in UTC and shown in the site's zone. In the testing configuration the
live server used by browser tests can be told what time it is (see ``core.testing``).
"""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from flask_babel import gettext as _

from consult.core.errors import RuleViolation

_lock = threading.Lock()
_frozen: datetime | None = None
_offset = timedelta(0)


def now() -> datetime:
    """Return the current time, timezone-aware in UTC."""
    with _lock:
        if _frozen is not None:
            return _frozen
        offset = _offset
    return datetime.now(UTC) + offset


def set_now(moment: datetime | None) -> None:
    """Freeze the clock at ``moment`` (aware), or let it run again with None."""
    global _frozen, _offset
    if moment is not None and moment.tzinfo is None:
        raise ValueError("set_now needs an aware datetime")
    with _lock:
        _frozen = moment.astimezone(UTC) if moment else None
        _offset = timedelta(0)


def frozen_at() -> datetime | None:
    """The moment the clock is frozen at, or None when it runs (to put it back after moving it)."""
    with _lock:
        return _frozen


def advance(delta: timedelta) -> None:
    """Move the clock forward (frozen or running)."""
    global _frozen, _offset
    with _lock:
        if _frozen is not None:
            _frozen = _frozen + delta
        else:
            _offset = _offset + delta


def site_zone() -> ZoneInfo:
    """The site's time zone (Asia/Shanghai unless configured)."""
    name = current_app.config["SITE_TIMEZONE"] if has_app_context() else "Asia/Shanghai"
    return ZoneInfo(name)


def local(moment: datetime) -> datetime:
    """Convert an aware datetime to the site's zone."""
    return moment.astimezone(site_zone())


def local_now() -> datetime:
    """Now, in the site's zone."""
    return local(now())


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """A calendar month "YYYY-MM" as [start, end) in the site's time zone; a malformed one raises."""
    match = re.fullmatch(r"([0-9]{4})-([0-9]{2})", month or "")
    if not match or not 2000 <= int(match.group(1)) <= 2100 or not 1 <= int(match.group(2)) <= 12:
        raise RuleViolation(_("Give the month as YYYY-MM, for example 2026-11."))
    year, number = int(match.group(1)), int(match.group(2))
    zone = site_zone()
    start = datetime(year, number, 1, tzinfo=zone)
    end = datetime(year + (number == 12), 1 if number == 12 else number + 1, 1, tzinfo=zone)
    return start, end


def month_of(moment: datetime) -> str:
    """The "YYYY-MM" month a moment falls in, in the site's time zone."""
    return local(moment).strftime("%Y-%m")


def previous_month(month: str) -> str:
    year, number = int(month[:4]), int(month[5:7])
    return f"{year - (number == 1)}-{12 if number == 1 else number - 1:02d}"


def next_month(month: str) -> str:
    year, number = int(month[:4]), int(month[5:7])
    return f"{year + (number == 12)}-{1 if number == 12 else number + 1:02d}"
