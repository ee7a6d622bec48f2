"""Reads for activity, 报到 and micro-wish pages."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from consult.activities.models import (
    Activity,
    ActivityRating,
    Attendance,
    PartyRegistration,
    RegistrationStatus,
    Signup,
    SignupStatus,
    Wish,
    WishEvent,
    WishStatus,
)
from consult.core.clock import now
from consult.extensions import db

PUBLIC_WISHES = (WishStatus.OPEN, WishStatus.CLAIMED, WishStatus.FULFILLED, WishStatus.CONFIRMED)


def upcoming(community_id: int, limit: int | None = None):
    stmt = (
        sa.select(Activity).where(Activity.community_id == community_id, Activity.ends_at >= now()).order_by(Activity.starts_at)
    )
    return stmt.limit(limit) if limit else stmt


def past(community_id: int):
    return (
        sa.select(Activity)
        .where(Activity.community_id == community_id, Activity.ends_at < now())
        .order_by(Activity.starts_at.desc())
    )


def signups_of(activity_id: int) -> list[Signup]:
    return list(
        db.session.scalars(
            sa.select(Signup)
            .where(Signup.activity_id == activity_id, Signup.status != SignupStatus.CANCELLED)
            .options(joinedload(Signup.user))
            .order_by(Signup.status, Signup.created_at, Signup.id)
        )
    )


def attendances_of(activity_id: int) -> dict[int, Attendance]:
    return {a.user_id: a for a in db.session.scalars(sa.select(Attendance).where(Attendance.activity_id == activity_id))}


def my_signups(user_id: int, activity_ids: list[int]) -> dict[int, Signup]:
    if not activity_ids:
        return {}
    return {
        s.activity_id: s
        for s in db.session.scalars(
            sa.select(Signup).where(
                Signup.user_id == user_id, Signup.activity_id.in_(activity_ids), Signup.status != SignupStatus.CANCELLED
            )
        )
    }


def pending_registrations(community_id: int) -> list[PartyRegistration]:
    return list(
        db.session.scalars(
            sa.select(PartyRegistration)
            .where(PartyRegistration.community_id == community_id, PartyRegistration.status == RegistrationStatus.PENDING)
            .options(joinedload(PartyRegistration.user))
            .order_by(PartyRegistration.created_at)
            .limit(200)
        )
    )


def members(community_id: int, work_unit: str | None, year_start: datetime, year_end: datetime):
    """Confirmed party members with this year's activities, minutes and fulfilled micro-wishes (one query)."""
    activities = (
        sa.select(Attendance.user_id, sa.func.count().label("n"), sa.func.sum(Attendance.minutes).label("minutes"))
        .join(Activity, Activity.id == Attendance.activity_id)
        .where(
            Activity.community_id == community_id,
            Attendance.confirmed_at.is_not(None),
            Activity.starts_at >= year_start,
            Activity.starts_at < year_end,
        )
        .group_by(Attendance.user_id)
        .subquery()
    )
    wishes = (
        sa.select(Wish.claimer_id.label("user_id"), sa.func.count().label("n"))
        .where(Wish.community_id == community_id, Wish.confirmed_between(year_start, year_end, now()))
        .group_by(Wish.claimer_id)
        .subquery()
    )
    stmt = (
        sa.select(
            PartyRegistration,
            sa.func.coalesce(activities.c.n, 0),
            sa.func.coalesce(activities.c.minutes, 0),
            sa.func.coalesce(wishes.c.n, 0),
        )
        .outerjoin(activities, activities.c.user_id == PartyRegistration.user_id)
        .outerjoin(wishes, wishes.c.user_id == PartyRegistration.user_id)
        .where(PartyRegistration.community_id == community_id, PartyRegistration.status == RegistrationStatus.CONFIRMED)
        .options(joinedload(PartyRegistration.user))
        .order_by(PartyRegistration.work_unit, PartyRegistration.id)
    )
    if work_unit:
        stmt = stmt.where(PartyRegistration.work_unit == work_unit)
    return db.session.execute(stmt).all()


def work_units(community_id: int) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(PartyRegistration.work_unit)
            .where(PartyRegistration.community_id == community_id, PartyRegistration.status == RegistrationStatus.CONFIRMED)
            .distinct()
            .order_by(PartyRegistration.work_unit)
        )
    )


def registrations_of(user_id: int) -> list[PartyRegistration]:
    return list(
        db.session.scalars(
            sa.select(PartyRegistration).where(PartyRegistration.user_id == user_id).order_by(PartyRegistration.created_at.desc())
        )
    )


def wishes(community_id: int, status: str | None = None):
    stmt = sa.select(Wish).where(Wish.community_id == community_id).options(joinedload(Wish.author), joinedload(Wish.claimer))
    stmt = stmt.where(Wish.status == status) if status else stmt.where(Wish.status.in_(PUBLIC_WISHES))
    return stmt.order_by(Wish.created_at.desc(), Wish.id.desc())


def my_wishes(user_id: int, community_id: int) -> list[Wish]:
    return list(
        db.session.scalars(
            sa.select(Wish)
            .where(Wish.community_id == community_id, sa.or_(Wish.author_id == user_id, Wish.claimer_id == user_id))
            .order_by(Wish.created_at.desc())
            .limit(50)
        )
    )


def wish_history(wish_id: int) -> list[WishEvent]:
    return list(
        db.session.scalars(
            sa.select(WishEvent).where(WishEvent.wish_id == wish_id).options(joinedload(WishEvent.actor)).order_by(WishEvent.id)
        )
    )


def minutes_to_confirm(community_id: int):
    """Ended activities with attendances whose minutes are not confirmed yet."""
    return db.session.execute(
        sa.select(Activity, sa.func.count(Attendance.id))
        .join(Attendance, Attendance.activity_id == Activity.id)
        .where(Activity.community_id == community_id, Activity.ends_at < now(), Attendance.confirmed_at.is_(None))
        .group_by(Activity.id)
        .order_by(Activity.ends_at)
        .limit(100)
    ).all()


def rating_summary(activity_id: int) -> dict:
    """An activity's ratings by level, with the comments: level, date and text — never the rater."""
    where = ActivityRating.activity_id == activity_id
    counts = dict(
        db.session.execute(sa.select(ActivityRating.level, sa.func.count()).where(where).group_by(ActivityRating.level)).all()
    )
    comments = db.session.execute(
        sa.select(ActivityRating.level, ActivityRating.comment, ActivityRating.created_at)
        .where(where, ActivityRating.comment.is_not(None))
        .order_by(ActivityRating.created_at.desc())
        .limit(50)
    ).all()
    levels = [(level, counts.get(level, 0)) for level in ("satisfied", "basically", "unsatisfied")]
    return {"total": sum(counts.values()), "levels": levels, "comments": comments}
