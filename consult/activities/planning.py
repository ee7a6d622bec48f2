"""Activities: the committee creates one, changes it before it starts, or calls it off."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _

from consult.accounts.models import User
from consult.activities import queries, signups
from consult.activities.common import local_text, text
from consult.activities.models import (
    ACTIVITY_DESCRIPTION_MAX,
    CAPACITY_MAX,
    CHECKIN_BEFORE_MAX,
    PLACE_MAX,
    POINTS_PER_HOUR_MAX,
    REASON_MAX,
    TITLE_MAX,
    Activity,
    ActivityKind,
)
from consult.core import audit
from consult.core.clock import now
from consult.core.errors import RuleViolation
from consult.core.notifications import N_, notify
from consult.core.policy import policy_of
from consult.extensions import db
from consult.places import queries as places
from consult.places.models import Community
from consult.places.rules import require_committee

#: Fields a worker may change before the start, as (attribute, whether people signed up are told of the change).
EDITABLE = (
    ("title", False),
    ("description", False),
    ("kind", False),
    ("starts_at", True),
    ("ends_at", True),
    ("place", True),
    ("capacity", False),
    ("points_per_hour", False),
    ("checkin_minutes_before", False),
    ("waitlist_cutoff_at", False),
    ("organiser_id", False),
    ("party_only", False),
)


def _checked_values(
    community: Community,
    *,
    title: str,
    description: str,
    kind: str,
    starts_at: datetime,
    ends_at: datetime,
    place: str,
    capacity: int,
    points_per_hour: int,
    checkin_minutes_before: int = 30,
    waitlist_cutoff_at: datetime | None = None,
    organiser=None,
    party_only: bool = False,
) -> dict:
    """Check an activity's fields; the values to store (the waitlist cut-off defaults to the start)."""
    if kind not in {k.value for k in ActivityKind}:
        raise RuleViolation(_("Choose the kind of activity."), field="kind")
    if not (starts_at.year >= 2000 and ends_at.year <= 2100):
        raise RuleViolation(_("Give dates between 2000 and 2100."), field="starts_at")
    if ends_at <= starts_at:
        raise RuleViolation(_("The activity must end after it starts."), field="ends_at")
    if ends_at - starts_at > timedelta(days=2):
        raise RuleViolation(_("An activity lasts at most two days."), field="ends_at")
    if not 1 <= capacity <= CAPACITY_MAX:
        raise RuleViolation(_("Places must be between 1 and 10000."), field="capacity")
    if not 0 <= points_per_hour <= POINTS_PER_HOUR_MAX:
        raise RuleViolation(_("Points per hour must be between 0 and 1000."), field="points_per_hour")
    if not 0 <= checkin_minutes_before <= CHECKIN_BEFORE_MAX:
        raise RuleViolation(_("Check-in may open at most 240 minutes before the start."), field="checkin_minutes_before")
    cutoff = waitlist_cutoff_at or starts_at
    if cutoff > starts_at or cutoff.year < 2000:
        raise RuleViolation(_("The waitlist cut-off must be before the start."), field="waitlist_cutoff_at")
    return {
        "kind": kind,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "capacity": capacity,
        "points_per_hour": points_per_hour,
        "checkin_minutes_before": checkin_minutes_before,
        "waitlist_cutoff_at": cutoff,
        "party_only": bool(party_only),
        "organiser": organiser,
        "title": title,
        "description": description,
        "place": place,
    }


def _checked_text(values: dict) -> dict:
    return {
        **values,
        "title": text(values["title"], "title", TITLE_MAX, _("Give a title of 1 to 80 characters.")),
        "description": text(
            values["description"], "description", ACTIVITY_DESCRIPTION_MAX, _("Describe the activity in 1 to 5000 characters.")
        ),
        "place": text(values["place"], "place", PLACE_MAX, _("Say where (at most 80 characters).")),
    }


def _check_organiser(organiser, community: Community) -> None:
    if not (places.can_manage_community(organiser, community) or places.is_confirmed_member(organiser, community)):
        raise RuleViolation(_("The organiser must be a worker or a confirmed resident of this community."), field="organiser")


def create_activity(worker, community: Community, **fields) -> Activity:
    """The committee creates an activity (fields as ``_checked_values`` takes them)."""
    require_committee(worker, community)
    values = _checked_values(community, **fields)
    organiser = values.pop("organiser") or worker
    _check_organiser(organiser, community)
    values = _checked_text(values)
    activity = Activity(community_id=community.id, organiser_id=organiser.id, created_by_id=worker.id, **values)
    db.session.add(activity)
    db.session.flush()
    audit.record(
        worker,
        "activity.create",
        activity,
        community_id=community.id,
        after={
            "title": activity.title,
            "starts_at": activity.starts_at,
            "capacity": activity.capacity,
            "points_per_hour": activity.points_per_hour,
        },
    )
    return activity


def update_activity(worker, activity: Activity, **fields) -> Activity:
    """The committee changes an activity before it starts; people signed up are told of a new time or place.

    Places cannot go below the people already confirmed; more places move the waitlist up.
    """
    activity = signups.lock_activity(activity)
    policy_of(activity).require("change", worker)
    community = queries.community_of(activity.community_id)
    values = _checked_values(community, **fields)
    if values["starts_at"] <= now():
        raise RuleViolation(_("The new start must be in the future."), field="starts_at")
    if values["capacity"] < activity.signup_count:
        raise RuleViolation(
            _("%(n)d people already have a place: places cannot be fewer.", n=activity.signup_count), field="capacity"
        )
    organiser = values.pop("organiser") or db.session.get_one(User, activity.organiser_id)
    _check_organiser(organiser, community)
    values = {**_checked_text(values), "organiser_id": organiser.id}
    before, after, tell = {}, {}, False
    for name, told in EDITABLE:
        if getattr(activity, name) != values[name]:
            before[name], after[name] = getattr(activity, name), values[name]
            setattr(activity, name, values[name])
            tell = tell or told
    if not after:
        return activity
    while activity.signup_count < activity.capacity and activity.waitlist_count > 0 and now() < activity.waitlist_cutoff_at:
        if not signups.promote_next(activity):
            break
    db.session.flush()
    entry = audit.record(worker, "activity.update", activity, community_id=community.id, before=before, after=after)
    if tell:
        for user_id in queries.signed_up_ids(activity):
            notify(
                user_id,
                f"activity.changed:{activity.id}:{entry.id}",
                N_("“%(title)s” has changed: now %(when)s at %(place)s."),
                link=f"/activities/{activity.id}",
                title=activity.title,
                when=local_text(activity.starts_at),
                place=activity.place,
            )
    return activity


def cancel_activity(worker, activity: Activity, reason: str) -> Activity:
    """The committee calls an activity off before it starts: every sign-up is cancelled and its person told why."""
    reason = text(reason, "reason", REASON_MAX, _("Give a reason the people signed up will see."))
    activity = signups.lock_activity(activity)
    policy_of(activity).require("change", worker)
    cancelled = signups.cancel_all(worker, activity)
    for signup in cancelled:
        notify(
            signup.user_id,
            f"activity.called_off:{activity.id}",
            N_("“%(title)s” on %(when)s is called off: %(reason)s"),
            link=f"/activities/{activity.id}",
            title=activity.title,
            when=local_text(activity.starts_at),
            reason=reason,
        )
    activity.cancelled_at, activity.cancelled_by_id, activity.cancel_reason = now(), worker.id, reason
    db.session.flush()
    audit.record(
        worker,
        "activity.cancel",
        activity,
        community_id=activity.community_id,
        after={"reason": reason, "signups_cancelled": len(cancelled)},
    )
    return activity
