"""What activities adds: its listener (a 报到 ends with the residence), to-do items, the tick job, personal data, a home panel."""

from datetime import timedelta

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _

from consult.activities import (
    labels,  # noqa: F401  (registers labels)
    party,
    policy,  # noqa: F401  (registers the policies: templates ask obj|can('action'))
    queries,
    signups,
    wishes,
)
from consult.activities.models import (
    Activity,
    ActivityRating,
    Attendance,
    PartyRegistration,
    Signup,
    Wish,
    WishEvent,
    WishStatus,
)
from consult.core import cache_writes
from consult.core.registries import STAFF_ACTION, TodoItem, closing, community_panel, not_personal, personal, tick, todo
from consult.extensions import db
from consult.places import queries as places
from consult.places.signals import residence_ended

residence_ended.connect(party.end_with_residence, weak=False)


@todo("activities")
def activity_items(community):
    """报到 to confirm, micro-wishes to review, minutes to confirm after activities."""
    items = []
    for registration in queries.pending_registrations(community.id):
        items.append(
            TodoItem(
                kind=_("报到 to confirm"),
                title=registration.user.display_name,
                since=registration.created_at,
                link=url_for("activities_manage.party", community=community.slug),
            )
        )
    for wish in db.session.scalars(queries.wishes(community.id, WishStatus.PENDING_REVIEW).limit(200)):
        items.append(
            TodoItem(
                kind=_("Micro-wish to review"),
                title=wish.title,
                since=wish.created_at,
                link=url_for("activities_manage.wishes", community=community.slug),
            )
        )
    for activity, count in queries.minutes_to_confirm(community.id):
        items.append(
            TodoItem(
                kind=_("Minutes to confirm"),
                title=f"{activity.title} ({count})",
                since=activity.ends_at,
                link=url_for("activities_manage.attendance", community=community.slug, activity_id=activity.id),
                target=timedelta(days=3),
            )
        )
    return items


@tick("wishes")
def confirm_old_wishes() -> int:
    """Micro-wishes fulfilled seven days ago are confirmed for the resident."""
    return wishes.auto_confirm_due()


@personal(
    "activities",
    covers={
        "party_registrations.user_id": "party_registrations",
        "activity_signups.user_id": "signups",
        "activity_attendances.user_id": "attendances",
        "activity_ratings.user_id": "activity_ratings",
        "wishes.author_id": "wishes",
        "wishes.claimer_id": "wishes_claimed",
        "activities.organiser_id": "activities_organised",
    },
)
def my_activities(user):
    """My 报到, sign-ups, attendances, activity ratings, micro-wishes posted and claimed, activities I organised."""
    return {
        "party_registrations": [
            {
                "community_id": r.community_id,
                "work_unit": r.work_unit,
                "party_branch": r.party_branch,
                "status": r.status,
                "created_at": r.created_at.isoformat(),
            }
            for r in queries.registrations_of(user.id)
        ],
        "signups": [
            {"activity_id": s.activity_id, "status": s.status, "created_at": s.created_at.isoformat()}
            for s in db.session.scalars(sa.select(Signup).where(Signup.user_id == user.id))
        ],
        "attendances": [
            {
                "activity_id": a.activity_id,
                "checked_in_at": a.checked_in_at.isoformat() if a.checked_in_at else None,
                "checked_out_at": a.checked_out_at.isoformat() if a.checked_out_at else None,
                "minutes": a.minutes,
            }
            for a in db.session.scalars(sa.select(Attendance).where(Attendance.user_id == user.id))
        ],
        "wishes": [
            {
                "title": w.title,
                "description": w.description,
                "status": w.status,
                "rating": w.rating,
                "created_at": w.created_at.isoformat(),
            }
            for w in db.session.scalars(sa.select(Wish).where(Wish.author_id == user.id))
        ],
        "wishes_claimed": [
            {
                "wish_id": w.id,
                "title": w.title,
                "status": w.status,
                "claimed_at": w.claimed_at.isoformat() if w.claimed_at else None,
                "fulfilled_at": w.fulfilled_at.isoformat() if w.fulfilled_at else None,
            }
            for w in db.session.scalars(sa.select(Wish).where(Wish.claimer_id == user.id))
        ],
        "activity_ratings": [
            {"activity_id": r.activity_id, "level": r.level, "comment": r.comment, "created_at": r.created_at.isoformat()}
            for r in db.session.scalars(sa.select(ActivityRating).where(ActivityRating.user_id == user.id))
        ],
        "activities_organised": [
            {"activity_id": a.id, "title": a.title, "starts_at": a.starts_at.isoformat()}
            for a in db.session.scalars(sa.select(Activity).where(Activity.organiser_id == user.id))
        ],
    }


not_personal(
    {
        "activities.created_by_id": STAFF_ACTION,
        "activities.cancelled_by_id": STAFF_ACTION,
        "activity_signups.cancelled_by_id": STAFF_ACTION,
        "wishes.recorded_by_id": STAFF_ACTION,
        "party_registrations.decided_by_id": STAFF_ACTION,
        "activity_signups.recorded_by_id": STAFF_ACTION,
        "activity_attendances.marked_by_id": STAFF_ACTION,
        "activity_attendances.confirmed_by_id": STAFF_ACTION,
        "wish_events.actor_id": "a micro-wish's history; the person's own wishes, posted or claimed, are exported",
    }
)


@community_panel("activities")
def community_activities(community, user):
    """Upcoming activities and open micro-wishes on the community's home page."""
    return {
        "upcoming": list(db.session.scalars(queries.upcoming(community.id, limit=5))),
        "open_wishes": list(db.session.scalars(queries.wishes(community.id, WishStatus.OPEN).limit(5))),
    }


@closing("activities")
def give_up_on_closing(user) -> None:
    """Cancel sign-ups for activities not yet started (the waitlist moves up), release claimed
    micro-wishes and withdraw the person's own ones not yet fulfilled."""
    signups.cancel_signups_of_closed_account(user)
    wishes.release_claims_of_closed_account(user)
    wishes.withdraw_wishes_of_closed_account(user)


# --- what a change shows on cached public pages (consult.core.cache_writes) -------------------


def _activity_scopes(activity_id: int | None) -> list[str]:
    """An activity's page, and its community's and street's pages (lists, panels, evaluation)."""
    activity = db.session.get(Activity, activity_id) if activity_id is not None else None
    if activity is None:
        return [cache_writes.SITE]
    return [f"activity:{activity.id}", *places.cache_scopes(activity.community_id)]


def _wish_scopes(wish_id: int | None) -> list[str]:
    wish = db.session.get(Wish, wish_id) if wish_id is not None else None
    return places.cache_scopes(wish.community_id) if wish is not None else [cache_writes.SITE]


cache_writes.scopes_for(Activity)(lambda activity: _activity_scopes(activity.id))
for _model in (Signup, Attendance, ActivityRating):
    cache_writes.scopes_for(_model)(lambda row: _activity_scopes(row.activity_id))
cache_writes.scopes_for(Wish)(lambda wish: places.cache_scopes(wish.community_id))
cache_writes.scopes_for(WishEvent)(lambda event: _wish_scopes(event.wish_id))
cache_writes.scopes_for(PartyRegistration)(lambda registration: places.cache_scopes(registration.community_id))
