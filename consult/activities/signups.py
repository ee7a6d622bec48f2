"""Sign-ups: a place at an activity, or a place on the waitlist that moves up until the cut-off."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from consult.activities import queries
from consult.activities.models import Activity, Signup, SignupStatus
from consult.core import audit
from consult.core.clock import now
from consult.core.database import add_unique
from consult.core.errors import Conflict
from consult.core.notifications import N_, notify
from consult.core.policy import policy_of
from consult.extensions import db
from consult.places.rules import require_committee


def lock_activity(activity: Activity) -> Activity:
    """The activity row, locked: places and counts hold under concurrent sign-ups."""
    return db.session.scalars(
        sa.select(Activity).where(Activity.id == activity.id).with_for_update().execution_options(populate_existing=True)
    ).one()


def sign_up(user, activity: Activity, *, recorded_by=None) -> Signup:
    """A resident takes a place, or a place on the waitlist once the activity is full.

    The activity row is locked, so places hold under concurrent sign-ups.
    """
    community = queries.community_of(activity.community_id)
    if recorded_by is not None:
        require_committee(recorded_by, community)
    activity = lock_activity(activity)
    policy_of(activity).require("sign_up", user)
    # Anyone already waiting goes first: a newcomer joins the waitlist even if a place is free.
    full = activity.signup_count >= activity.capacity or activity.waitlist_count > 0
    signup = Signup(
        activity_id=activity.id,
        user_id=user.id,
        status=SignupStatus.WAITLISTED if full else SignupStatus.CONFIRMED,
        recorded_by_id=recorded_by.id if recorded_by else None,
    )
    add_unique(signup, _("You have already signed up for this activity."))
    if full:
        activity.waitlist_count += 1
    else:
        activity.signup_count += 1
    db.session.flush()
    if recorded_by is not None:
        audit.record(
            recorded_by,
            "activity.signup_recorded",
            signup,
            community_id=community.id,
            after={"user_id": user.id, "activity_id": activity.id, "status": signup.status},
        )
    return signup


def cancel_signup(actor, activity: Activity, person=None) -> Signup:
    """Give up a place (or a place on the waitlist); the next person moves up until the cut-off.

    ``person`` defaults to the actor; the committee may cancel anyone's sign-up (a resident
    without a phone who asks in person), marked as cancelled by the worker and audited.
    """
    person = person or actor
    by_staff = person.id != actor.id
    community = queries.community_of(activity.community_id)
    if by_staff:
        require_committee(actor, community)
    activity = lock_activity(activity)
    signup = queries.active_signup(person, activity)
    if signup is None:
        raise Conflict(
            _("This person is not signed up for this activity.") if by_staff else _("You are not signed up for this activity.")
        )
    policy_of(signup).require("cancel", actor)
    _cancel(activity, signup, actor if by_staff else None)
    if by_staff:
        audit.record(
            actor,
            "activity.signup_cancelled",
            signup,
            community_id=community.id,
            after={"user_id": person.id, "activity_id": activity.id},
        )
        notify(
            person.id,
            f"activity.signup_cancelled:{signup.id}",
            N_("The committee cancelled your sign-up for “%(title)s”."),
            link=f"/activities/{activity.id}",
            title=activity.title,
        )
    return signup


def _cancel(activity: Activity, signup: Signup, by) -> None:
    """Cancel a sign-up of the locked ``activity``; a freed place goes to the waitlist until the cut-off."""
    was = signup.status
    signup.status, signup.cancelled_at = SignupStatus.CANCELLED, now()
    signup.cancelled_by_id = by.id if by is not None else None
    if was == SignupStatus.WAITLISTED:
        activity.waitlist_count -= 1
    else:
        activity.signup_count -= 1
        if now() < activity.waitlist_cutoff_at:
            promote_next(activity)
    db.session.flush()


def cancel_all(worker, activity: Activity) -> list[Signup]:
    """Cancel every sign-up of the locked ``activity`` (it is called off); returns them."""
    signups = list(
        db.session.scalars(
            sa.select(Signup)
            .where(Signup.activity_id == activity.id, Signup.status.in_(queries.ACTIVE_SIGNUPS))
            .with_for_update()
        )
    )
    for signup in signups:
        signup.status, signup.cancelled_at, signup.cancelled_by_id = SignupStatus.CANCELLED, now(), worker.id
    activity.signup_count = activity.waitlist_count = 0
    return signups


def cancel_signups_of_closed_account(user) -> int:
    """Closing an account gives up the person's places at activities not yet started (not the ones they checked in at)."""
    moment = now()
    ids = list(
        db.session.scalars(
            sa.select(Signup.activity_id)
            .join(Activity, Activity.id == Signup.activity_id)
            .where(Signup.user_id == user.id, Signup.status.in_(queries.ACTIVE_SIGNUPS), Activity.starts_at > moment)
            .order_by(Signup.activity_id)
        )
    )
    for activity_id in ids:
        activity = lock_activity(db.session.get_one(Activity, activity_id))
        signup = queries.active_signup(user, activity)
        if signup is not None and queries.attendance_of(user, activity) is None:
            _cancel(activity, signup, None)
    return len(ids)


def promote_next(activity: Activity) -> Signup | None:
    """The first person on the waitlist of the locked ``activity`` takes the free place, and is told."""
    nxt = db.session.scalar(
        sa.select(Signup)
        .where(Signup.activity_id == activity.id, Signup.status == SignupStatus.WAITLISTED)
        .order_by(Signup.created_at, Signup.id)
        .limit(1)
        .with_for_update()
    )
    if nxt is None:
        return None
    nxt.status, nxt.promoted_at = SignupStatus.CONFIRMED, now()
    activity.waitlist_count -= 1
    activity.signup_count += 1
    notify(
        nxt.user_id,
        f"activity.promoted:{nxt.id}",
        N_("A place came free: you are now signed up for “%(title)s”."),
        link=f"/activities/{activity.id}",
        title=activity.title,
    )
    return nxt
