"""Reads of the activities domain: 报到, activities and sign-ups, attendances, micro-wishes, ratings.

Other domains read activities through these functions (and the signals of ``signals.py``).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from consult.accounts.models import User
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
from consult.core.errors import NotFound
from consult.core.scales import SATISFACTION_LEVELS
from consult.extensions import db
from consult.places import queries as places
from consult.places.models import Community

PUBLIC_WISHES = (WishStatus.OPEN, WishStatus.CLAIMED, WishStatus.FULFILLED, WishStatus.CONFIRMED)
ACTIVE_REGISTRATIONS = (RegistrationStatus.PENDING, RegistrationStatus.CONFIRMED)
ACTIVE_SIGNUPS = (SignupStatus.CONFIRMED, SignupStatus.WAITLISTED)


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def community_of(community_id: int) -> Community:
    return db.session.get_one(Community, community_id)


def detail_reads(activity: Activity, viewer) -> dict:
    """What the activity page reads, in three statements: its community and organiser, the
    viewer's sign-up, attendance and rating, and the ratings' counts and comments."""
    signup, attendance, my_rating = viewer_records(viewer, activity)
    community, organiser = community_and_organiser(activity)
    return dict(
        activity=activity,
        community=community,
        organiser=organiser,
        signup=signup,
        attendance=attendance,
        my_rating=my_rating,
        ratings=rating_summary(activity.id),
    )


def community_and_organiser(activity: Activity):
    """An activity's community (with its street) and organiser, in one statement."""
    row = db.session.execute(
        sa.select(Community, User).join(User, User.id == activity.organiser_id).where(Community.id == activity.community_id)
    ).one()
    return row[0], row[1]


# --- 报到 ------------------------------------------------------------------------------------


def active_registration(user) -> PartyRegistration | None:
    """The person's pending or confirmed 报到 (at most one)."""
    if not _signed_in(user):
        return None
    return db.session.scalar(
        sa.select(PartyRegistration).where(
            PartyRegistration.user_id == user.id, PartyRegistration.status.in_(ACTIVE_REGISTRATIONS)
        )
    )


def is_party_member(user, community: Community) -> bool:
    """A confirmed resident with a confirmed 报到 at this community."""
    registration = active_registration(user)
    return bool(
        registration
        and registration.status == RegistrationStatus.CONFIRMED
        and registration.community_id == community.id
        and places.is_confirmed_member(user, community)
    )


def registration_in(community: Community, registration_id: int) -> PartyRegistration:
    registration = db.session.get(PartyRegistration, registration_id)
    if registration is None or registration.community_id != community.id:
        raise NotFound(_("No such registration in this community."))
    return registration


# --- activities, sign-ups, attendance ----------------------------------------------------------


def activity_in(community: Community, activity_id: int) -> Activity:
    activity = db.session.get(Activity, activity_id)
    if activity is None or activity.community_id != community.id:
        raise NotFound(_("No such activity in this community."))
    return activity


def active_signup(user, activity: Activity) -> Signup | None:
    """The person's place or place on the waitlist at ``activity``."""
    if not _signed_in(user):
        return None
    return db.session.scalar(
        sa.select(Signup).where(Signup.activity_id == activity.id, Signup.user_id == user.id, Signup.status.in_(ACTIVE_SIGNUPS))
    )


def signed_up_ids(activity: Activity) -> list[int]:
    return list(
        db.session.scalars(sa.select(Signup.user_id).where(Signup.activity_id == activity.id, Signup.status.in_(ACTIVE_SIGNUPS)))
    )


def attendance_of(user, activity: Activity) -> Attendance | None:
    if not _signed_in(user):
        return None
    return attendance_by(user.id, activity.id)


def attendance_by(user_id: int, activity_id: int) -> Attendance | None:
    return db.session.scalar(sa.select(Attendance).where(Attendance.activity_id == activity_id, Attendance.user_id == user_id))


def viewer_records(user, activity: Activity) -> tuple[Signup | None, Attendance | None, ActivityRating | None]:
    """The person's active sign-up, attendance and rating at an activity, in one statement."""
    if not _signed_in(user):
        return None, None, None
    viewer = sa.select(sa.literal(user.id).label("user_id")).subquery("viewer")
    row = db.session.execute(
        sa.select(Signup, Attendance, ActivityRating)
        .select_from(viewer)
        .outerjoin(
            Signup,
            sa.and_(Signup.activity_id == activity.id, Signup.user_id == viewer.c.user_id, Signup.status.in_(ACTIVE_SIGNUPS)),
        )
        .outerjoin(Attendance, sa.and_(Attendance.activity_id == activity.id, Attendance.user_id == viewer.c.user_id))
        .outerjoin(ActivityRating, sa.and_(ActivityRating.activity_id == activity.id, ActivityRating.user_id == viewer.c.user_id))
    ).first()
    return (row[0], row[1], row[2]) if row else (None, None, None)


def activity_rating_of(user, activity: Activity) -> ActivityRating | None:
    if not _signed_in(user):
        return None
    return db.session.scalar(
        sa.select(ActivityRating).where(ActivityRating.activity_id == activity.id, ActivityRating.user_id == user.id)
    )


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


def wishes(community_id: int, state: str | None = None):
    """A community's micro-wishes in ``state`` as of now (``Wish.state_sql``), or every public one."""
    stmt = sa.select(Wish).where(Wish.community_id == community_id).options(joinedload(Wish.author), joinedload(Wish.claimer))
    stmt = stmt.where(Wish.state_sql(now()) == state) if state else stmt.where(Wish.status.in_(PUBLIC_WISHES))
    return stmt.order_by(Wish.created_at.desc(), Wish.id.desc())


def wish_in(community: Community, wish_id: int) -> Wish:
    wish = db.session.get(Wish, wish_id)
    if wish is None or wish.community_id != community.id:
        raise NotFound(_("No such micro-wish in this community."))
    return wish


def wish_event_count(wish_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(WishEvent).where(WishEvent.wish_id == wish_id)) or 0


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
    """An activity's ratings by level, with the comments: level, date and text — never the rater.

    One statement: the counts by level (rows without a date) and the 50 newest comments."""
    where = ActivityRating.activity_id == activity_id
    newest = (
        sa.select(ActivityRating.level, sa.cast(sa.null(), sa.Integer).label("n"))
        .add_columns(ActivityRating.comment, ActivityRating.created_at)
        .where(where, ActivityRating.comment.is_not(None))
        .order_by(ActivityRating.created_at.desc())
        .limit(50)
        .subquery()
    )
    both = sa.union_all(  # the comments first: their column types (the stored times) type the union's
        sa.select(newest.c.level, newest.c.n, newest.c.comment, newest.c.created_at),
        sa.select(
            ActivityRating.level,
            sa.cast(sa.func.count(), sa.Integer),
            sa.cast(sa.null(), ActivityRating.comment.type),
            sa.cast(sa.null(), ActivityRating.created_at.type),
        )
        .where(where)
        .group_by(ActivityRating.level),
    ).subquery()
    rows = db.session.execute(sa.select(both).order_by(both.c[3].desc())).all()
    counts: dict[str, int] = {row[0]: row[1] for row in rows if row[3] is None}
    comments = [(row[0], row[2], row[3]) for row in rows if row[3] is not None]
    levels = [(level, counts.get(level, 0)) for level in SATISFACTION_LEVELS]
    return {"total": sum(counts.values()), "levels": levels, "comments": comments}
