"""The service record (服务记录) and the volunteer record certificate (志愿服务记录证明): what a person
did in a period, read from activities and micro-wishes, and issued as verifiable documents."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from consult.activities.common import local_text
from consult.activities.models import Activity, Attendance, PartyRegistration, RegistrationStatus, Wish
from consult.core import documents
from consult.core.clock import local, now, site_zone
from consult.core.errors import PermissionDenied, RuleViolation
from consult.extensions import db
from consult.places import queries as places
from consult.places.models import Community


def period_bounds(year: int, quarter: int | None) -> tuple[datetime, datetime]:
    """A year or quarter as [start, end) in the site's time zone."""
    if not 2000 <= year <= 2100 or (quarter is not None and quarter not in (1, 2, 3, 4)):
        raise RuleViolation(_("Choose a year and, if you like, a quarter."))
    zone = site_zone()
    if quarter is None:
        start, end = datetime(year, 1, 1, tzinfo=zone), datetime(year + 1, 1, 1, tzinfo=zone)
    else:
        month = 3 * (quarter - 1) + 1
        start = datetime(year, month, 1, tzinfo=zone)
        end = datetime(year + (1 if quarter == 4 else 0), 1 if quarter == 4 else month + 3, 1, tzinfo=zone)
    return start, end


def can_see_record(viewer, subject_id: int, community: Community) -> bool:
    """The person themselves, or the committee of a community the person lives or lived in."""
    if not getattr(viewer, "is_authenticated", False):
        return False
    if viewer.id == subject_id:
        return True
    return places.can_manage_community(viewer, community) and places.has_lived_in(subject_id, community.id)


def _served(subject_id: int, community_id: int, start: datetime, end: datetime, *where):
    """Confirmed attendances of a person at a community's activities starting in [start, end)."""
    return db.session.execute(
        sa.select(Activity.starts_at, Activity.title, Activity.kind, Attendance.minutes)
        .join(Attendance, Attendance.activity_id == Activity.id)
        .where(
            Attendance.user_id == subject_id,
            Activity.community_id == community_id,
            Attendance.confirmed_at.is_not(None),
            Activity.starts_at >= start,
            Activity.starts_at < end,
            *where,
        )
        .order_by(Activity.starts_at)
    ).all()


def _confirmed_on(wish: Wish, moment: datetime) -> datetime:
    """When a wish the record lists (confirmed as of ``moment``) was confirmed."""
    confirmed = wish.confirmed_as_of(moment)
    assert confirmed is not None  # the query keeps confirmed wishes only
    return confirmed


def service_record(subject, community: Community, year: int, quarter: int | None = None) -> dict:
    """A party member's service in a year or quarter: activities and minutes, micro-wishes and ratings."""
    start, end = period_bounds(year, quarter)
    registration = db.session.scalar(
        sa.select(PartyRegistration)
        .where(PartyRegistration.user_id == subject.id, PartyRegistration.community_id == community.id)
        .order_by(PartyRegistration.status != RegistrationStatus.CONFIRMED, PartyRegistration.created_at.desc())
        .limit(1)
    )
    rows = _served(subject.id, community.id, start, end)
    moment = now()
    wishes = sorted(
        db.session.scalars(
            sa.select(Wish).where(
                Wish.claimer_id == subject.id, Wish.community_id == community.id, Wish.confirmed_between(start, end, moment)
            )
        ),
        key=lambda w: (_confirmed_on(w, moment), w.id),
    )
    return {
        "name": subject.display_name,
        "community": community.name,
        "street": community.street.name,
        "work_unit": registration.work_unit if registration else "",
        "party_branch": registration.party_branch if registration else "",
        "period": f"{year}" + (f"-Q{quarter}" if quarter else ""),
        "activities": [
            {"date": local_text(r.starts_at)[:10], "title": r.title, "kind": r.kind, "minutes": r.minutes} for r in rows
        ],
        "total_minutes": sum(r.minutes for r in rows),
        "wishes": [{"date": local_text(_confirmed_on(w, moment))[:10], "title": w.title, "rating": w.rating} for w in wishes],
    }


def issue_service_record(actor, subject, community: Community, year: int, quarter: int | None = None):
    """Issue the record as a verifiable document (the person, or the committee for them)."""
    if not can_see_record(actor, subject.id, community):
        raise PermissionDenied(_("Only the member or the committee may issue this record."))
    content = service_record(subject, community, year, quarter)
    return documents.issue("service_record", subject=subject, community_id=community.id, content=content, issued_by=actor)


def certificate_content(subject, community: Community, year: int) -> dict:
    """Name, service content, hours and dates, the recording organisation; blanks for what the site does not hold."""
    start, end = period_bounds(year, None)
    rows = _served(subject.id, community.id, start, end, Attendance.minutes > 0)
    minutes = sum(r.minutes for r in rows)
    return {
        "name": subject.display_name,
        "community": community.name,
        "street": community.street.name,
        "period": str(year),
        "services": [{"date": local(r.starts_at).strftime("%Y-%m-%d"), "title": r.title, "minutes": r.minutes} for r in rows],
        "total_minutes": minutes,
        "hours": round(minutes / 60, 1),
        "first_date": local(rows[0].starts_at).strftime("%Y-%m-%d") if rows else "",
        "last_date": local(rows[-1].starts_at).strftime("%Y-%m-%d") if rows else "",
    }


def issue_certificate(actor, subject, community: Community, year: int):
    """Issue the volunteer record certificate (the person, or the committee for them)."""
    if not can_see_record(actor, subject.id, community):
        raise PermissionDenied(_("Only the person or the committee may issue this certificate."))
    return documents.issue(
        "volunteer_certificate",
        subject=subject,
        community_id=community.id,
        content=certificate_content(subject, community, year),
        issued_by=actor,
    )
