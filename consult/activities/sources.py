"""What activities lends the read-only domains above it: its parts of the evaluation's figures
(registered in ``consult.core.registries``) and the open-data API's list of activities.

Evaluation and the API never read activities' models; they read these. Registered when
``create_app`` imports this module.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from consult.activities.models import (
    Activity,
    ActivityRating,
    Attendance,
    PartyRegistration,
    RegistrationStatus,
    Wish,
    WishStatus,
)
from consult.core import timeliness
from consult.core.exports import Listing, iso
from consult.core.registries import evaluation_record, evaluation_source
from consult.extensions import db

# --- evaluation ----------------------------------------------------------------------------------


@evaluation_source("topics_response", "wishes")
def posted_wishes(community_ids, start, end, moment, target):
    """Micro-wishes posted in the month, due a decision ``target`` after."""
    rows = db.session.execute(
        sa.select(Wish.id, Wish.community_id, Wish.created_at, Wish.decided_at, Wish.status == WishStatus.WITHDRAWN).where(
            Wish.community_id.in_(community_ids), Wish.created_at >= start, Wish.created_at < end
        )
    ).all()
    return [
        ("wish", wish_id, cid, *timeliness.answered(decided, at + target, moment), withdrawn)
        for wish_id, cid, at, decided, withdrawn in rows
    ]


@evaluation_source("topics_satisfaction", "wish_ratings")
def wish_ratings(community_ids, start, end, moment):
    """Micro-wish ratings given in the month (with the confirmation)."""
    return db.session.execute(
        sa.select(sa.literal("wish_rating"), Wish.id, Wish.community_id, Wish.rating).where(
            Wish.community_id.in_(community_ids),
            Wish.rating.is_not(None),
            Wish.confirmed_at >= start,
            Wish.confirmed_at < end,
        )
    ).all()


@evaluation_source("topics_satisfaction", "activity_ratings")
def activity_ratings(community_ids, start, end, moment):
    """Activity ratings given in the month."""
    return db.session.execute(
        sa.select(sa.literal("activity_rating"), ActivityRating.id, Activity.community_id, ActivityRating.level)
        .join(Activity, Activity.id == ActivityRating.activity_id)
        .where(Activity.community_id.in_(community_ids), ActivityRating.created_at >= start, ActivityRating.created_at < end)
    ).all()


def _in_month(community_ids, start, end) -> tuple:
    """Confirmed attendances at the community's activities that started in the month."""
    return (
        Activity.community_id.in_(community_ids),
        Attendance.confirmed_at.is_not(None),
        Activity.starts_at >= start,
        Activity.starts_at < end,
    )


@evaluation_source("volunteer_minutes", "activities")
def volunteer_minutes(community_ids, start, end, moment):
    """Per activity of the month: the confirmed minutes (activities with none are left out)."""
    rows = db.session.execute(
        sa.select(Activity.community_id, Activity.id, sa.func.sum(Attendance.minutes))
        .join(Attendance, Attendance.activity_id == Activity.id)
        .where(*_in_month(community_ids, start, end))
        .group_by(Activity.community_id, Activity.id)
        .order_by(Activity.id)
    ).all()
    return [("activity", activity_id, cid, int(minutes)) for cid, activity_id, minutes in rows if minutes]


@evaluation_source("party_services", "attendances")
def party_services(community_ids, start, end, moment):
    """Attendances of party members registered (报到) at the community when the activity started."""
    rows = db.session.execute(
        sa.select(Activity.community_id, Attendance.id, Activity.id, Attendance.minutes)
        .join(Attendance, Attendance.activity_id == Activity.id)
        .join(
            PartyRegistration,
            sa.and_(PartyRegistration.user_id == Attendance.user_id, PartyRegistration.community_id == Activity.community_id),
        )
        .where(
            *_in_month(community_ids, start, end),
            Attendance.minutes > 0,
            PartyRegistration.decided_at.is_not(None),
            PartyRegistration.decided_at <= Activity.starts_at,
            PartyRegistration.status.in_([RegistrationStatus.CONFIRMED.value, RegistrationStatus.ENDED.value]),
            sa.or_(PartyRegistration.ended_at.is_(None), PartyRegistration.ended_at > Activity.starts_at),
        )
        .distinct()
        .order_by(Attendance.id)
    ).all()
    return [("party_service", activity_id, cid, int(minutes)) for cid, _attendance_id, activity_id, minutes in rows]


@evaluation_source("wishes_fulfilled", "wishes")
def wishes_fulfilled(community_ids, start, end, moment):
    """Micro-wishes confirmed in the month."""
    rows = db.session.execute(
        sa.select(Wish.community_id, Wish.id)
        .where(
            Wish.community_id.in_(community_ids),
            Wish.status == WishStatus.CONFIRMED,
            Wish.confirmed_at >= start,
            Wish.confirmed_at < end,
        )
        .order_by(Wish.id)
    ).all()
    return [("wish_fulfilled", wish_id, cid) for cid, wish_id in rows]


@evaluation_record("activity", "party_service")
def activity_records(ids) -> dict[int, dict]:
    """An activity behind a figure: its title and page."""
    titles: dict[int, str] = {
        activity_id: title
        for activity_id, title in db.session.execute(sa.select(Activity.id, Activity.title).where(Activity.id.in_(ids)))
    }
    return {
        activity_id: {"title": titles.get(activity_id), "endpoint": "activities.detail", "args": {"activity_id": activity_id}}
        for activity_id in ids
    }


def _wishes(ids) -> Sequence[sa.Row]:
    return db.session.execute(
        sa.select(Wish.id, Wish.title, Wish.rating, Wish.rating_comment, Wish.confirmed_at).where(Wish.id.in_(ids))
    ).all()


@evaluation_record("wish", "wish_fulfilled")
def wish_records(ids) -> dict[int, dict]:
    """A micro-wish behind a figure: its title and page."""
    return {w.id: {"title": w.title, "endpoint": "activities.wish", "args": {"wish_id": w.id}} for w in _wishes(ids)}


@evaluation_record("wish_rating")
def wish_rating_records(ids) -> dict[int, dict]:
    """A micro-wish's rating: its level, comment and date, never who gave it."""
    return {
        w.id: {
            "title": w.title,
            "endpoint": "activities.wish",
            "args": {"wish_id": w.id},
            "level": w.rating,
            "comment": w.rating_comment,
            "at": w.confirmed_at,
        }
        for w in _wishes(ids)
    }


@evaluation_record("activity_rating")
def activity_rating_records(ids) -> dict[int, dict]:
    """An activity rating: its level, comment and date, and the activity (never who gave it)."""
    rows = db.session.execute(
        sa.select(
            ActivityRating.id,
            ActivityRating.level,
            ActivityRating.comment,
            ActivityRating.created_at,
            Activity.id.label("activity_id"),
            Activity.title,
        )
        .join(Activity, Activity.id == ActivityRating.activity_id)
        .where(ActivityRating.id.in_(ids))
    ).all()
    return {
        r.id: {
            "title": r.title,
            "endpoint": "activities.detail",
            "args": {"activity_id": r.activity_id},
            "level": r.level,
            "comment": r.comment,
            "at": r.created_at,
        }
        for r in rows
    }


# --- the open-data API ---------------------------------------------------------------------------


def _activities(batch: Sequence[Activity]) -> list[dict]:
    return [
        {
            "id": a.id,
            "title": a.title,
            "kind": a.kind,
            "starts_at": iso(a.starts_at),
            "ends_at": iso(a.ends_at),
            "place": a.place,
            "capacity": a.capacity,
            "signup_count": a.signup_count,
            "points_per_hour": a.points_per_hour,
        }
        for a in batch
    ]


def activities_listing(community_id: int, slug: str) -> Listing:
    """A community's activities: when, where, places and points per hour."""
    return Listing(
        sa.select(Activity).where(Activity.community_id == community_id).order_by(Activity.starts_at.desc(), Activity.id),
        _activities,
        ["id", "title", "kind", "starts_at", "ends_at", "place", "capacity", "signup_count", "points_per_hour"],
        f"activities-{slug}",
    )
