"""Small helpers the activities services share: checked text and times as people read them."""

from __future__ import annotations

from datetime import datetime

from consult.core.clock import site_zone
from consult.core.errors import RuleViolation


def text(value: str | None, field: str, maximum: int, message: str) -> str:
    """``value`` trimmed, refused (on ``field``) when empty or longer than ``maximum``."""
    value = (value or "").strip()
    if not value or len(value) > maximum:
        raise RuleViolation(message, field=field)
    return value


def optional_text(value: str | None, field: str, maximum: int, message: str) -> str | None:
    """``value`` trimmed, None when empty, refused when longer than ``maximum``."""
    value = (value or "").strip() or None
    if value and len(value) > maximum:
        raise RuleViolation(message, field=field)
    return value


def local_text(moment: datetime) -> str:
    """A time in the site's zone, as notifications write it."""
    return moment.astimezone(site_zone()).strftime("%Y-%m-%d %H:%M")
