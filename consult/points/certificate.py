"""The volunteer record certificate (志愿服务记录证明), issued as a verifiable document."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from consult.activities.models import Activity, Attendance
from consult.activities.services import can_see_record, period_bounds
from consult.core import documents
from consult.core.clock import local
from consult.core.errors import PermissionDenied
from consult.extensions import db


def certificate_content(subject, community, year: int) -> dict:
    """Name, service content, hours and dates, the recording organisation; blanks for what the site does not hold."""
    start, end = period_bounds(year, None)
    rows = db.session.execute(
        sa.select(Activity.starts_at, Activity.title, Attendance.minutes)
        .join(Attendance, Attendance.activity_id == Activity.id)
        .where(
            Attendance.user_id == subject.id,
            Activity.community_id == community.id,
            Attendance.confirmed_at.is_not(None),
            Attendance.minutes > 0,
            Activity.starts_at >= start,
            Activity.starts_at < end,
        )
        .order_by(Activity.starts_at)
    ).all()
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


def issue_certificate(actor, subject, community, year: int):
    """Issue the certificate (the person, or the committee for them)."""
    if not can_see_record(actor, subject.id, community):
        raise PermissionDenied(_("Only the person or the committee may issue this certificate."))
    return documents.issue(
        "volunteer_certificate",
        subject=subject,
        community_id=community.id,
        content=certificate_content(subject, community, year),
        issued_by=actor,
    )
