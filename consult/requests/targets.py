"""A street's targets and a community's categories, as the request clocks use them."""

from __future__ import annotations

from dataclasses import replace
from datetime import time, timedelta

import sqlalchemy as sa

from consult.extensions import db
from consult.requests.clocks import DEFAULT_TARGETS, Targets
from consult.requests.models import DEFAULT_CATEGORIES, RequestCategory, RequestSettings

#: a department's time to answer when its street has set none (RequestSettings' default)
DEPARTMENT_RESPONSE = timedelta(minutes=240)


def _clock(minutes: int) -> time:
    return time(minutes // 60, minutes % 60) if minutes < 1440 else time(23, 59)


def targets_for(street_id: int, *, department: bool = False) -> Targets:
    """The street's targets (the defaults when it has set none); a department's own when asked."""
    row = db.session.get(RequestSettings, street_id)
    if row is None:
        return replace(DEFAULT_TARGETS, response=DEPARTMENT_RESPONSE) if department else DEFAULT_TARGETS
    return Targets(
        response=timedelta(minutes=row.department_response_minutes if department else row.response_minutes),
        service_start=_clock(row.service_start_minute),
        service_end=_clock(row.service_end_minute),
        next_morning_by=_clock(row.next_morning_minute),
        resolution=timedelta(days=row.department_resolution_days if department else row.resolution_days),
    )


def resolution_for(targets: Targets, category: RequestCategory) -> timedelta:
    """The resolution target of a category: its own when set, else the street's."""
    return timedelta(days=category.resolution_days) if category.resolution_days else targets.resolution


def categories_of(community_id: int, *, active_only: bool = True) -> list[RequestCategory]:
    query = sa.select(RequestCategory).where(RequestCategory.community_id == community_id)
    if active_only:
        query = query.where(RequestCategory.active.is_(True))
    return list(db.session.scalars(query.order_by(RequestCategory.position, RequestCategory.id)))


def ensure_categories(community_id: int) -> list[RequestCategory]:
    """The community's categories, creating the default list the first time (on a write path only)."""
    if not db.session.scalar(sa.select(RequestCategory.id).where(RequestCategory.community_id == community_id).limit(1)):
        for position, (key, name) in enumerate(DEFAULT_CATEGORIES):
            db.session.add(RequestCategory(community_id=community_id, key=key, name=name, position=position))
        db.session.flush()
    return categories_of(community_id)


def category_choices(community_id: int) -> list[tuple[str, str]]:
    """(key, name) for the report form: the community's list, or the defaults before it has one."""
    rows = categories_of(community_id)
    return [(c.key, c.name) for c in rows] if rows else list(DEFAULT_CATEGORIES)
