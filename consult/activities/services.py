"""Rules of 报到, activities, check-ins, micro-wishes and service records.

Every function takes the acting person, checks them against the object, writes history and
audit where docs/design.md asks for it, notifies the people involved, and flushes.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from consult.accounts.models import User
from consult.activities import signals
from consult.activities.models import (
    AUTO_CONFIRM_AFTER,
    Activity,
    ActivityKind,
    Attendance,
    PartyRegistration,
    RegistrationStatus,
    Signup,
    SignupStatus,
    Wish,
    WishEvent,
    WishStatus,
)
from consult.core import audit
from consult.core.clock import now, site_zone
from consult.core.database import add_unique
from consult.core.errors import Conflict, NotFound, PermissionDenied, RuleViolation
from consult.core.notifications import N_, notify
from consult.core.rules import require_not_self
from consult.extensions import db
from consult.places import queries as places
from consult.places.models import Community
from consult.places.rules import require_committee, require_member

log = logging.getLogger(__name__)
CODE_STEP_SECONDS = 60
CODE_GRACE = timedelta(minutes=10)
CHECKOUT_GRACE = timedelta(minutes=30)


def _community(community_id: int) -> Community:
    return db.session.get(Community, community_id)


def _text(value: str | None, field: str, maximum: int, message: str) -> str:
    value = (value or "").strip()
    if not value or len(value) > maximum:
        raise RuleViolation(message, field=field)
    return value


# --- 报到 ------------------------------------------------------------------------------------


def active_registration(user) -> PartyRegistration | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        sa.select(PartyRegistration).where(
            PartyRegistration.user_id == user.id,
            PartyRegistration.status.in_([RegistrationStatus.PENDING, RegistrationStatus.CONFIRMED]),
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


def register_party_member(user, community: Community, *, work_unit: str, party_branch: str) -> PartyRegistration:
    """A confirmed resident registers (报到) as an in-service party member; a worker confirms it."""
    require_member(user, community)
    registration = PartyRegistration(
        user_id=user.id,
        community_id=community.id,
        work_unit=_text(work_unit, "work_unit", 60, _("Give your work unit (at most 60 characters).")),
        party_branch=_text(party_branch, "party_branch", 60, _("Give your party branch (at most 60 characters).")),
    )
    return add_unique(registration, _("You already have a 报到 registration that is pending or confirmed."))


def _decide_registration(worker, registration: PartyRegistration, to: str, reason: str | None) -> PartyRegistration:
    community = _community(registration.community_id)
    require_committee(worker, community)
    require_not_self(worker, registration.user_id, _("Another staff member must decide your own 报到."))
    registration = db.session.scalar(
        sa.select(PartyRegistration)
        .where(PartyRegistration.id == registration.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if registration.status != RegistrationStatus.PENDING:
        raise Conflict(_("This registration has already been decided."))
    registration.status, registration.decided_at, registration.decided_by_id = to, now(), worker.id
    registration.reason = reason
    if to == RegistrationStatus.REJECTED:
        registration.ended_at = now()
    db.session.flush()
    audit.record(
        worker,
        f"party.{to}",
        registration,
        community_id=community.id,
        before={"status": "pending"},
        after={"status": to, "user_id": registration.user_id, "reason": reason},
    )
    text = (
        N_("Your 报到 at %(community)s was confirmed.")
        if to == RegistrationStatus.CONFIRMED
        else N_("Your 报到 at %(community)s was not accepted: %(reason)s")
    )
    notify(
        registration.user_id,
        f"party.{to}:{registration.id}",
        text,
        link="/me/party",
        community=community.name,
        reason=reason or "",
    )
    return registration


def confirm_registration(worker, registration: PartyRegistration) -> PartyRegistration:
    return _decide_registration(worker, registration, RegistrationStatus.CONFIRMED, None)


def reject_registration(worker, registration: PartyRegistration, reason: str) -> PartyRegistration:
    reason = _text(reason, "reason", 300, _("Give a reason the person will see."))
    return _decide_registration(worker, registration, RegistrationStatus.REJECTED, reason)


def end_with_residence(residence, *, actor) -> None:
    """A 报到 ends when its member stops living in the community (moved out, closed account)."""
    for registration in db.session.scalars(
        sa.select(PartyRegistration).where(
            PartyRegistration.user_id == residence.user_id,
            PartyRegistration.community_id == residence.community_id,
            PartyRegistration.status.in_([RegistrationStatus.PENDING, RegistrationStatus.CONFIRMED]),
        )
    ):
        registration.status, registration.ended_at = RegistrationStatus.ENDED, now()
        registration.reason = _("The residence ended.")
    db.session.flush()


def end_registration(actor, registration: PartyRegistration) -> None:
    """The member (or the committee) ends a 报到; the history stays."""
    if actor.id != registration.user_id:
        require_committee(actor, _community(registration.community_id))
    if registration.status not in (RegistrationStatus.PENDING, RegistrationStatus.CONFIRMED):
        raise Conflict(_("This registration has already ended."))
    registration.status, registration.ended_at = RegistrationStatus.ENDED, now()
    db.session.flush()
    audit.record(
        actor, "party.end", registration, community_id=registration.community_id, after={"user_id": registration.user_id}
    )


# --- activities ------------------------------------------------------------------------------


def _checked_activity_fields(
    community: Community,
    *,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    points_per_hour: int,
    checkin_minutes_before: int,
    waitlist_cutoff_at: datetime | None,
) -> datetime:
    """Check the times and numbers of an activity; returns the waitlist cut-off (default: the start)."""
    if not (starts_at.year >= 2000 and ends_at.year <= 2100):
        raise RuleViolation(_("Give dates between 2000 and 2100."), field="starts_at")
    if ends_at <= starts_at:
        raise RuleViolation(_("The activity must end after it starts."), field="ends_at")
    if ends_at - starts_at > timedelta(days=2):
        raise RuleViolation(_("An activity lasts at most two days."), field="ends_at")
    if not 1 <= capacity <= 10000:
        raise RuleViolation(_("Places must be between 1 and 10000."), field="capacity")
    if not 0 <= points_per_hour <= 1000:
        raise RuleViolation(_("Points per hour must be between 0 and 1000."), field="points_per_hour")
    if not 0 <= checkin_minutes_before <= 240:
        raise RuleViolation(_("Check-in may open at most 240 minutes before the start."), field="checkin_minutes_before")
    cutoff = waitlist_cutoff_at or starts_at
    if cutoff > starts_at or cutoff.year < 2000:
        raise RuleViolation(_("The waitlist cut-off must be before the start."), field="waitlist_cutoff_at")
    return cutoff


def _check_organiser(organiser, community: Community) -> None:
    if not (places.can_manage_community(organiser, community) or places.is_confirmed_member(organiser, community)):
        raise RuleViolation(_("The organiser must be a worker or a confirmed resident of this community."), field="organiser")


def create_activity(
    worker,
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
) -> Activity:
    """The committee creates an activity."""
    require_committee(worker, community)
    if kind not in {k.value for k in ActivityKind}:
        raise RuleViolation(_("Choose the kind of activity."), field="kind")
    cutoff = _checked_activity_fields(
        community,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        points_per_hour=points_per_hour,
        checkin_minutes_before=checkin_minutes_before,
        waitlist_cutoff_at=waitlist_cutoff_at,
    )
    organiser = organiser or worker
    _check_organiser(organiser, community)
    activity = Activity(
        community_id=community.id,
        title=_text(title, "title", 80, _("Give a title of 1 to 80 characters.")),
        description=_text(description, "description", 5000, _("Describe the activity in 1 to 5000 characters.")),
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        place=_text(place, "place", 80, _("Say where (at most 80 characters).")),
        capacity=capacity,
        points_per_hour=points_per_hour,
        checkin_minutes_before=checkin_minutes_before,
        waitlist_cutoff_at=cutoff,
        organiser_id=organiser.id,
        party_only=party_only,
        created_by_id=worker.id,
    )
    db.session.add(activity)
    db.session.flush()
    audit.record(
        worker,
        "activity.create",
        activity,
        community_id=community.id,
        after={"title": activity.title, "starts_at": starts_at, "capacity": capacity, "points_per_hour": points_per_hour},
    )
    return activity


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


def _require_changeable(worker, activity: Activity) -> Community:
    community = _community(activity.community_id)
    require_committee(worker, community)
    if activity.cancelled_at is not None:
        raise Conflict(_("This activity was called off."))
    if now() >= activity.starts_at:
        raise RuleViolation(_("The activity has started; it can no longer be changed or called off."))
    return community


def update_activity(
    worker,
    activity: Activity,
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
) -> Activity:
    """The committee changes an activity before it starts; people signed up are told of a new time or place.

    Places cannot go below the people already confirmed; more places move the waitlist up.
    """
    activity = _lock(activity)
    community = _require_changeable(worker, activity)
    if kind not in {k.value for k in ActivityKind}:
        raise RuleViolation(_("Choose the kind of activity."), field="kind")
    cutoff = _checked_activity_fields(
        community,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        points_per_hour=points_per_hour,
        checkin_minutes_before=checkin_minutes_before,
        waitlist_cutoff_at=waitlist_cutoff_at,
    )
    if starts_at <= now():
        raise RuleViolation(_("The new start must be in the future."), field="starts_at")
    if capacity < activity.signup_count:
        raise RuleViolation(
            _("%(n)d people already have a place: places cannot be fewer.", n=activity.signup_count), field="capacity"
        )
    organiser = organiser or db.session.get(User, activity.organiser_id)
    _check_organiser(organiser, community)
    values = {
        "title": _text(title, "title", 80, _("Give a title of 1 to 80 characters.")),
        "description": _text(description, "description", 5000, _("Describe the activity in 1 to 5000 characters.")),
        "kind": kind,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "place": _text(place, "place", 80, _("Say where (at most 80 characters).")),
        "capacity": capacity,
        "points_per_hour": points_per_hour,
        "checkin_minutes_before": checkin_minutes_before,
        "waitlist_cutoff_at": cutoff,
        "organiser_id": organiser.id,
        "party_only": bool(party_only),
    }
    before, after, tell = {}, {}, False
    for name, told in EDITABLE:
        if getattr(activity, name) != values[name]:
            before[name], after[name] = getattr(activity, name), values[name]
            setattr(activity, name, values[name])
            tell = tell or told
    if not after:
        return activity
    while activity.signup_count < activity.capacity and activity.waitlist_count > 0 and now() < activity.waitlist_cutoff_at:
        if not _promote_next(activity):
            break
    db.session.flush()
    entry = audit.record(worker, "activity.update", activity, community_id=community.id, before=before, after=after)
    if tell:
        for user_id in _signed_up_ids(activity):
            notify(
                user_id,
                f"activity.changed:{activity.id}:{entry.id}",
                N_("“%(title)s” has changed: now %(when)s at %(place)s."),
                link=f"/activities/{activity.id}",
                title=activity.title,
                when=_local(activity.starts_at),
                place=activity.place,
            )
    return activity


def _signed_up_ids(activity: Activity) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(Signup.user_id).where(
                Signup.activity_id == activity.id, Signup.status.in_([SignupStatus.CONFIRMED, SignupStatus.WAITLISTED])
            )
        )
    )


def cancel_activity(worker, activity: Activity, reason: str) -> Activity:
    """The committee calls an activity off before it starts: every sign-up is cancelled and its person told why."""
    reason = _text(reason, "reason", 300, _("Give a reason the people signed up will see."))
    activity = _lock(activity)
    community = _require_changeable(worker, activity)
    signups = list(
        db.session.scalars(
            sa.select(Signup)
            .where(Signup.activity_id == activity.id, Signup.status.in_([SignupStatus.CONFIRMED, SignupStatus.WAITLISTED]))
            .with_for_update()
        )
    )
    for signup in signups:
        signup.status, signup.cancelled_at, signup.cancelled_by_id = SignupStatus.CANCELLED, now(), worker.id
        notify(
            signup.user_id,
            f"activity.called_off:{activity.id}",
            N_("“%(title)s” on %(when)s is called off: %(reason)s"),
            link=f"/activities/{activity.id}",
            title=activity.title,
            when=_local(activity.starts_at),
            reason=reason,
        )
    activity.signup_count = activity.waitlist_count = 0
    activity.cancelled_at, activity.cancelled_by_id, activity.cancel_reason = now(), worker.id, reason
    db.session.flush()
    audit.record(
        worker,
        "activity.cancel",
        activity,
        community_id=community.id,
        after={"reason": reason, "signups_cancelled": len(signups)},
    )
    return activity


def can_run(user, activity: Activity) -> bool:
    """The organiser and the community's committee run the kiosk and the attendance."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.id == activity.organiser_id or places.can_manage_community(user, _community(activity.community_id))


def _lock(activity: Activity) -> Activity:
    return db.session.scalar(
        sa.select(Activity).where(Activity.id == activity.id).with_for_update().execution_options(populate_existing=True)
    )


def active_signup(user, activity: Activity) -> Signup | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        sa.select(Signup).where(
            Signup.activity_id == activity.id,
            Signup.user_id == user.id,
            Signup.status.in_([SignupStatus.CONFIRMED, SignupStatus.WAITLISTED]),
        )
    )


def sign_up(user, activity: Activity, *, recorded_by=None) -> Signup:
    """A resident takes a place, or a place on the waitlist once the activity is full.

    The activity row is locked, so places hold under concurrent sign-ups.
    """
    community = _community(activity.community_id)
    if recorded_by is not None:
        require_committee(recorded_by, community)
    require_member(user, community)
    if activity.party_only and not is_party_member(user, community):
        raise PermissionDenied(_("This activity is for party members registered here."))
    activity = _lock(activity)
    if activity.cancelled_at is not None:
        raise Conflict(_("This activity was called off."))
    if now() >= activity.starts_at:
        raise RuleViolation(_("Sign-up has closed: the activity has started."))
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
    community = _community(activity.community_id)
    if by_staff:
        require_committee(actor, community)
    activity = _lock(activity)
    signup = active_signup(person, activity)
    if signup is None:
        raise Conflict(
            _("This person is not signed up for this activity.") if by_staff else _("You are not signed up for this activity.")
        )
    if now() >= activity.starts_at:
        raise RuleViolation(_("The activity has started; it can no longer be cancelled."))
    if attendance_of(person, activity) is not None:
        raise Conflict(_("You have already checked in; ask the organiser instead of cancelling."))
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
            _promote_next(activity)
    db.session.flush()


def cancel_signups_of_closed_account(user) -> int:
    """Closing an account gives up the person's places at activities not yet started (not the ones they checked in at)."""
    moment = now()
    ids = list(
        db.session.scalars(
            sa.select(Signup.activity_id)
            .join(Activity, Activity.id == Signup.activity_id)
            .where(
                Signup.user_id == user.id,
                Signup.status.in_([SignupStatus.CONFIRMED, SignupStatus.WAITLISTED]),
                Activity.starts_at > moment,
            )
            .order_by(Signup.activity_id)
        )
    )
    for activity_id in ids:
        activity = _lock(db.session.get(Activity, activity_id))
        signup = active_signup(user, activity)
        if signup is not None and attendance_of(user, activity) is None:
            _cancel(activity, signup, None)
    return len(ids)


def _promote_next(activity: Activity) -> Signup | None:
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


# --- check-in --------------------------------------------------------------------------------


def _step(moment: datetime) -> int:
    return int(moment.timestamp() // CODE_STEP_SECONDS)


def checkin_code(activity: Activity, moment: datetime | None = None) -> str:
    """The six-digit code for the minute ``moment`` falls in (HMAC of the secret, the activity and the step)."""
    step = _step(moment or now())
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"checkin:{activity.id}:{step}".encode(), hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 1_000_000:06d}"


def seconds_to_next_code(moment: datetime | None = None) -> int:
    moment = moment or now()
    return CODE_STEP_SECONDS - int(moment.timestamp()) % CODE_STEP_SECONDS


def code_is_valid(activity: Activity, code: str | None, moment: datetime | None = None) -> bool:
    """The code of the minute ``moment`` (default now) falls in, or the previous minute's."""
    code = (code or "").strip()
    if len(code) != 6 or not (code.isascii() and code.isdigit()):
        return False
    moment = moment or now()
    candidates = (checkin_code(activity, moment), checkin_code(activity, moment - timedelta(seconds=CODE_STEP_SECONDS)))
    return any(hmac.compare_digest(code, c) for c in candidates)


def checkin_window(activity: Activity) -> tuple[datetime, datetime]:
    return activity.starts_at - timedelta(minutes=activity.checkin_minutes_before), activity.ends_at


def check_in(user, activity: Activity, code: str | None, *, presented_at: datetime | None = None) -> Attendance:
    """Check in with the kiosk's code.

    ``presented_at`` is when the person opened the QR link carrying this code (kept through
    log-in): within 10 minutes, the code is checked against the screen as it was then, so
    logging in first does not make it expire. Nothing before this call says whether a code is right.
    """
    if activity.cancelled_at is not None:
        raise Conflict(_("This activity was called off."))
    opens, closes = checkin_window(activity)
    moment = now()
    if not (opens <= moment <= closes):
        raise RuleViolation(_("Check-in is open from %(opens)s to %(closes)s.", opens=_local(opens), closes=_local(closes)))
    fresh = presented_at is not None and timedelta(0) <= moment - presented_at <= CODE_GRACE
    if not (code_is_valid(activity, code) or (fresh and code_is_valid(activity, code, presented_at))):
        raise RuleViolation(_("That code is not right or has expired. Scan the code on the screen again."), field="code")
    signup = active_signup(user, activity)
    if signup is None or signup.status != SignupStatus.CONFIRMED:
        raise PermissionDenied(_("Only people signed up for this activity can check in."))
    return add_unique(
        Attendance(activity_id=activity.id, user_id=user.id, checked_in_at=moment), _("You have already checked in.")
    )


def attendance_of(user, activity: Activity) -> Attendance | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(sa.select(Attendance).where(Attendance.activity_id == activity.id, Attendance.user_id == user.id))


def check_out(user, activity: Activity) -> Attendance:
    """Check out, until 30 minutes after the end."""
    attendance = attendance_of(user, activity)
    if attendance is None or attendance.checked_in_at is None:
        raise Conflict(_("You have not checked in."))
    if attendance.checked_out_at is not None:
        raise Conflict(_("You have already checked out."))
    if now() > activity.ends_at + CHECKOUT_GRACE:
        raise RuleViolation(_("Check-out closed 30 minutes after the end. The organiser will confirm your time."))
    attendance.checked_out_at = now()
    db.session.flush()
    return attendance


def mark_attendance(actor, activity: Activity, person) -> Attendance:
    """The organiser marks by hand that a person was there (audited)."""
    if not can_run(actor, activity):
        raise PermissionDenied(_("Only the organiser or the committee may do this."))
    require_not_self(actor, person, _("Someone else must mark your own attendance."))
    if now() < checkin_window(activity)[0]:
        raise RuleViolation(_("Attendance can be marked once check-in opens."))
    signup = active_signup(person, activity)
    if signup is None or signup.status != SignupStatus.CONFIRMED:
        raise RuleViolation(_("This person is not signed up for the activity."))
    attendance = add_unique(
        Attendance(activity_id=activity.id, user_id=person.id, marked_by_id=actor.id),
        _("This person is already marked as present."),
    )
    audit.record(
        actor,
        "activity.mark_attendance",
        attendance,
        community_id=activity.community_id,
        after={"user_id": person.id, "activity_id": activity.id},
    )
    return attendance


def length_minutes(activity: Activity) -> int:
    return int((activity.ends_at - activity.starts_at).total_seconds() // 60)


def suggested_minutes(activity: Activity, attendance: Attendance) -> int:
    """Minutes from check-in (or the start) to check-out (or the end), capped at the activity's length."""
    start = max(attendance.checked_in_at or activity.starts_at, activity.starts_at)
    end = min(attendance.checked_out_at or activity.ends_at, activity.ends_at)
    return max(0, min(length_minutes(activity), int((end - start).total_seconds() // 60)))


def confirm_minutes(actor, activity: Activity, attendance: Attendance, minutes: int) -> Attendance:
    """The organiser confirms a person's minutes after the activity; once (the ledger posts points from it)."""
    if not can_run(actor, activity):
        raise PermissionDenied(_("Only the organiser or the committee may do this."))
    if attendance.activity_id != activity.id:
        raise NotFound(_("No such attendance at this activity."))
    require_not_self(actor, attendance.user_id, _("Someone else must confirm your own minutes."))
    if now() < activity.ends_at:
        raise RuleViolation(_("Minutes are confirmed after the activity ends."))
    if minutes is None or not 0 <= minutes <= length_minutes(activity):
        raise RuleViolation(
            _("Minutes must be between 0 and %(n)d, the activity's length.", n=length_minutes(activity)), field="minutes"
        )
    attendance = db.session.scalar(
        sa.select(Attendance).where(Attendance.id == attendance.id).with_for_update().execution_options(populate_existing=True)
    )
    if attendance.confirmed_at is not None:
        raise Conflict(_("These minutes are already confirmed."))
    attendance.minutes, attendance.confirmed_at, attendance.confirmed_by_id = minutes, now(), actor.id
    db.session.flush()
    audit.record(
        actor,
        "activity.confirm_minutes",
        attendance,
        community_id=activity.community_id,
        after={"user_id": attendance.user_id, "activity_id": activity.id, "minutes": minutes},
    )
    notify(
        attendance.user_id,
        f"activity.minutes:{attendance.id}",
        N_("Your %(minutes)d minutes at “%(title)s” are confirmed."),
        link="/me/record",
        minutes=minutes,
        title=activity.title,
    )
    signals.attendance_confirmed.send(attendance, actor=actor, activity=activity)
    return attendance


RATING_DAYS = timedelta(days=7)


def can_rate_activity(user, activity: Activity) -> bool:
    """People who were there may rate it from its end until seven days later."""
    if not getattr(user, "is_authenticated", False):
        return False
    moment = now()
    return activity.ends_at <= moment <= activity.ends_at + RATING_DAYS and attendance_of(user, activity) is not None


def rate_activity(user, activity: Activity, level: str, comment: str | None = None):
    """Rate an activity once (满意 / 基本满意 / 不满意); the committee sees the rating, never the rater."""
    from consult.activities.models import ActivityRating

    if attendance_of(user, activity) is None:
        raise PermissionDenied(_("Only people who took part can rate this activity."))
    moment = now()
    if moment < activity.ends_at:
        raise RuleViolation(_("You can rate the activity once it has ended."))
    if moment > activity.ends_at + RATING_DAYS:
        raise RuleViolation(_("Ratings close seven days after the activity."))
    if level not in ("satisfied", "basically", "unsatisfied"):
        raise RuleViolation(_("Choose how satisfied you are."), field="level")
    comment = (comment or "").strip() or None
    if comment and len(comment) > 500:
        raise RuleViolation(_("Keep the comment to 500 characters."), field="comment")
    return add_unique(
        ActivityRating(activity_id=activity.id, user_id=user.id, level=level, comment=comment),
        _("You have already rated this activity."),
    )


def activity_rating_of(user, activity: Activity):
    from consult.activities.models import ActivityRating

    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        sa.select(ActivityRating).where(ActivityRating.activity_id == activity.id, ActivityRating.user_id == user.id)
    )


def _local(moment: datetime) -> str:
    return moment.astimezone(site_zone()).strftime("%Y-%m-%d %H:%M")


# --- micro-wishes ----------------------------------------------------------------------------

WISH_TRANSITIONS = {
    WishStatus.PENDING_REVIEW: {WishStatus.OPEN, WishStatus.REJECTED, WishStatus.WITHDRAWN},
    WishStatus.OPEN: {WishStatus.CLAIMED, WishStatus.WITHDRAWN},
    # Withdrawn while claimed only when the resident closes their account.
    WishStatus.CLAIMED: {WishStatus.OPEN, WishStatus.FULFILLED, WishStatus.WITHDRAWN},
    WishStatus.FULFILLED: {WishStatus.CONFIRMED},
}

WISH_NOTICES = {
    WishStatus.OPEN: N_("Your micro-wish “%(title)s” was approved and is waiting for a party member."),
    WishStatus.REJECTED: N_("Your micro-wish “%(title)s” was not approved: %(reason)s"),
    WishStatus.CLAIMED: N_("A party member has taken on your micro-wish “%(title)s”."),
    WishStatus.FULFILLED: N_("Your micro-wish “%(title)s” is marked fulfilled. Please confirm and rate it."),
    WishStatus.CONFIRMED: N_("The micro-wish “%(title)s” is confirmed. Thank you!"),
}


def _wish_lock(wish: Wish) -> Wish:
    """Lock the wish and make a due automatic confirmation permanent, so every action sees the state as of now."""
    wish = db.session.scalar(
        sa.select(Wish).where(Wish.id == wish.id).with_for_update().execution_options(populate_existing=True)
    )
    if wish.status == WishStatus.FULFILLED and wish.state_at(now()) == WishStatus.CONFIRMED:
        _auto_confirm(wish)
    return wish


def wish_state(wish: Wish) -> str:
    """The wish's status as of now (a wish fulfilled seven days ago is confirmed, whether or not tick has run)."""
    return wish.state_at(now())


def wish_actions(user, wish: Wish, *, party_member: bool, can_manage: bool) -> frozenset[str]:
    """What ``user`` may do to ``wish`` as of now, for the page to offer (the services check again):
    claim, fulfil, give_up, withdraw, confirm (its author), release (the committee, not the claimer)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    state, actions = wish_state(wish), set()
    if state == WishStatus.OPEN and party_member and user.id != wish.author_id:
        actions.add("claim")
    if state == WishStatus.CLAIMED and user.id == wish.claimer_id:
        actions |= {"fulfil", "give_up"}
    if state == WishStatus.CLAIMED and can_manage and user.id != wish.claimer_id:
        actions.add("release")
    if user.id == wish.author_id and state in (WishStatus.PENDING_REVIEW, WishStatus.OPEN):
        actions.add("withdraw")
    if user.id == wish.author_id and state == WishStatus.FULFILLED:
        actions.add("confirm")
    return frozenset(actions)


def _wish_move(wish: Wish, to: str, actor, reason: str | None = None, notify_ids: tuple = ()) -> None:
    if to not in WISH_TRANSITIONS.get(wish.status, set()):
        raise Conflict(_("This cannot be done while the micro-wish is “%(status)s”.", status=_wish_status_name(wish.status)))
    before = wish.status
    wish.status = to
    db.session.add(
        WishEvent(wish_id=wish.id, from_status=before, to_status=to, actor_id=actor.id if actor else None, reason=reason)
    )
    db.session.flush()
    text = WISH_NOTICES.get(to)
    if to == WishStatus.OPEN and before == WishStatus.CLAIMED:
        text = N_("The party member gave up your micro-wish “%(title)s”; it is open again.")
    if text:
        for user_id in {i for i in notify_ids if i and (actor is None or i != actor.id)}:
            notify(
                user_id,
                f"wish:{wish.id}:{to}:{len(_events(wish))}",
                text,
                link=f"/wishes/{wish.id}",
                title=wish.title,
                reason=reason or "",
            )


def _events(wish: Wish) -> list[WishEvent]:
    return list(db.session.scalars(sa.select(WishEvent).where(WishEvent.wish_id == wish.id)))


def _wish_status_name(status: str) -> str:
    from consult.core.templating import label

    return label(f"wish.{status}")


def post_wish(user, community: Community, *, title: str, description: str) -> Wish:
    """A confirmed resident posts a small need; the committee reviews it."""
    require_member(user, community)
    wish = Wish(
        community_id=community.id,
        author_id=user.id,
        title=_text(title, "title", 80, _("Give a title of 1 to 80 characters.")),
        description=_text(description, "description", 2000, _("Describe what you need in 1 to 2000 characters.")),
    )
    db.session.add(wish)
    db.session.flush()
    db.session.add(WishEvent(wish_id=wish.id, from_status=None, to_status=WishStatus.PENDING_REVIEW, actor_id=user.id))
    db.session.flush()
    return wish


def record_wish(worker, resident, community: Community, *, title: str, description: str) -> Wish:
    """A worker posts a micro-wish for a resident who asked in person (no phone).

    The worker has heard the need, so it is open for party members at once; marked "recorded by", audited.
    """
    require_committee(worker, community)
    if not places.is_confirmed_member(resident, community):
        raise RuleViolation(_("This person is not a confirmed resident of this community."), field="username")
    if resident.id == worker.id:
        raise RuleViolation(_("Post your own micro-wish yourself, on the micro-wishes page."), field="username")
    wish = post_wish(resident, community, title=title, description=description)
    wish.recorded_by_id = worker.id
    _wish_move(wish, WishStatus.OPEN, worker, notify_ids=(wish.author_id,))
    wish.decided_at = now()
    db.session.flush()
    audit.record(worker, "wish.recorded", wish, community_id=community.id, after={"author_id": resident.id, "title": wish.title})
    return wish


def approve_wish(worker, wish: Wish) -> Wish:
    require_committee(worker, _community(wish.community_id))
    wish = _wish_lock(wish)
    _wish_move(wish, WishStatus.OPEN, worker, notify_ids=(wish.author_id,))
    wish.decided_at = now()
    audit.record(worker, "wish.approve", wish, community_id=wish.community_id, after={"status": wish.status})
    return wish


def reject_wish(worker, wish: Wish, reason: str) -> Wish:
    require_committee(worker, _community(wish.community_id))
    reason = _text(reason, "reason", 300, _("Give a reason the resident will see."))
    wish = _wish_lock(wish)
    _wish_move(wish, WishStatus.REJECTED, worker, reason, notify_ids=(wish.author_id,))
    wish.decided_at, wish.reject_reason = now(), reason
    audit.record(worker, "wish.reject", wish, community_id=wish.community_id, after={"status": wish.status, "reason": reason})
    return wish


def claim_wish(member, wish: Wish) -> Wish:
    """A party member registered here takes on an open micro-wish."""
    community = _community(wish.community_id)
    if not is_party_member(member, community):
        raise PermissionDenied(_("Only party members registered at this community can take on micro-wishes."))
    wish = _wish_lock(wish)
    if wish.author_id == member.id:
        raise RuleViolation(_("You cannot take on your own micro-wish."))
    if wish.status == WishStatus.CLAIMED:
        raise Conflict(_("Someone has already taken on this micro-wish."))
    _wish_move(wish, WishStatus.CLAIMED, member, notify_ids=(wish.author_id,))
    wish.claimer_id, wish.claimed_at = member.id, now()
    db.session.flush()
    return wish


def release_wish(actor, wish: Wish, reason: str | None = None) -> Wish:
    """The claimer gives the micro-wish up, or the committee releases a claim that is stuck (with a reason); it is open again."""
    wish = _wish_lock(wish)
    by_staff = wish.claimer_id != actor.id
    if by_staff:
        if not places.can_manage_community(actor, _community(wish.community_id)):
            raise PermissionDenied(_("Only the party member who took it on can give it up."))
        reason = _text(reason, "reason", 300, _("Give a reason the party member will see."))
    claimer_id = wish.claimer_id
    _wish_move(
        wish,
        WishStatus.OPEN,
        actor,
        reason if by_staff else None,
        notify_ids=(wish.author_id, claimer_id) if by_staff else (wish.author_id,),
    )
    wish.claimer_id, wish.claimed_at = None, None
    db.session.flush()
    if by_staff:
        audit.record(
            actor, "wish.release", wish, community_id=wish.community_id, after={"claimer_id": claimer_id, "reason": reason}
        )
    return wish


def release_claims_of_closed_account(user) -> int:
    """Closing an account gives its claimed micro-wishes back (open again; the resident is told)."""
    ids = list(db.session.scalars(sa.select(Wish.id).where(Wish.claimer_id == user.id, Wish.status == WishStatus.CLAIMED)))
    for wish_id in ids:
        wish = _wish_lock(db.session.get(Wish, wish_id))
        if wish.status == WishStatus.CLAIMED and wish.claimer_id == user.id:
            _wish_move(wish, WishStatus.OPEN, user, notify_ids=(wish.author_id,))
            wish.claimer_id, wish.claimed_at = None, None
    db.session.flush()
    return len(ids)


def withdraw_wishes_of_closed_account(user) -> int:
    """Closing an account withdraws its own micro-wishes not yet fulfilled; a claimer and the committee are told."""
    ids = list(
        db.session.scalars(
            sa.select(Wish.id).where(
                Wish.author_id == user.id, Wish.status.in_([WishStatus.PENDING_REVIEW, WishStatus.OPEN, WishStatus.CLAIMED])
            )
        )
    )
    for wish_id in ids:
        wish = _wish_lock(db.session.get(Wish, wish_id))
        if wish.status == WishStatus.CLAIMED:
            _wish_move(wish, WishStatus.WITHDRAWN, user)
            notify(
                wish.claimer_id,
                f"wish:{wish.id}:withdrawn",
                N_("The resident of the micro-wish “%(title)s” closed their account; nothing more needs doing."),
                link=f"/wishes/{wish.id}",
                title=wish.title,
            )
        elif wish.status in (WishStatus.PENDING_REVIEW, WishStatus.OPEN):
            withdraw_wish(user, wish)
    return len(ids)


def fulfil_wish(member, wish: Wish) -> Wish:
    wish = _wish_lock(wish)
    if wish.claimer_id != member.id:
        raise PermissionDenied(_("Only the party member who took it on can mark it fulfilled."))
    _wish_move(wish, WishStatus.FULFILLED, member, notify_ids=(wish.author_id,))
    wish.fulfilled_at = now()
    db.session.flush()
    return wish


def confirm_wish(author, wish: Wish, rating: str, comment: str | None = None) -> Wish:
    """The resident confirms the micro-wish was fulfilled and rates it."""
    wish = _wish_lock(wish)
    if wish.author_id != author.id:
        raise PermissionDenied(_("Only the resident who posted it can confirm it."))
    if rating not in ("satisfied", "basically", "unsatisfied"):
        raise RuleViolation(_("Choose how satisfied you are."), field="rating")
    comment = (comment or "").strip() or None
    if comment and len(comment) > 500:
        raise RuleViolation(_("Keep the comment to 500 characters."), field="comment")
    _confirm(wish, author)
    wish.rating, wish.rating_comment = rating, comment
    db.session.flush()
    return wish


def _confirm(wish: Wish, actor, at: datetime | None = None) -> None:
    _wish_move(wish, WishStatus.CONFIRMED, actor, notify_ids=(wish.claimer_id,))
    wish.confirmed_at = at or now()
    db.session.flush()
    signals.wish_confirmed.send(wish, actor=actor)


def withdraw_wish(author, wish: Wish) -> Wish:
    """The resident withdraws the micro-wish until someone has taken it on; the committee is told."""
    wish = _wish_lock(wish)
    if wish.author_id != author.id:
        raise PermissionDenied(_("Only the resident who posted it can withdraw it."))
    if wish.status == WishStatus.CLAIMED:
        raise Conflict(_("A party member has already taken it on; ask them to give it up first."))
    _wish_move(wish, WishStatus.WITHDRAWN, author)
    told = {a.user_id for a in places.workers_of(wish.community_id)} | {wish.claimer_id}
    for user_id in sorted(i for i in told if i and i != author.id):
        notify(
            user_id,
            f"wish:{wish.id}:withdrawn",
            N_("The micro-wish “%(title)s” was withdrawn by the resident."),
            link=f"/wishes/{wish.id}",
            title=wish.title,
        )
    return wish


def contact_for_claimer(viewer, wish: Wish, author) -> dict | None:
    """How the party member who took a wish on reaches the resident (docs/design.md: phones masked except to owner and committee).

    The claimer sees the building and unit (never the room) and the phone masked; the full
    phone stays with the committee, which the claimer calls to be put through.
    """
    if not getattr(viewer, "is_authenticated", False) or wish.claimer_id != viewer.id:
        return None
    if wish.state_at(now()) not in (WishStatus.CLAIMED, WishStatus.FULFILLED):
        return None
    residence = places.active_residence(author)
    here = residence is not None and residence.community_id == wish.community_id
    return {
        "building": residence.building if here else None,
        "unit": residence.unit if here else None,
        "phone": places.phone_for(viewer, author),
        "committee": _community(wish.community_id).name,
    }


def _auto_confirm(wish: Wish) -> None:
    """Confirm for the resident seven days after fulfilment (dated then, not when tick ran), and tell them."""
    wish.auto_confirmed = True
    _confirm(wish, None, at=wish.fulfilled_at + AUTO_CONFIRM_AFTER)
    notify(
        wish.author_id,
        f"wish:{wish.id}:auto_confirmed",
        N_("Your micro-wish “%(title)s” was confirmed automatically seven days after it was marked fulfilled."),
        link=f"/wishes/{wish.id}",
        title=wish.title,
    )


def auto_confirm_due() -> int:
    """`flask tick`: micro-wishes fulfilled seven days ago and not confirmed are confirmed for the resident."""
    due = list(
        db.session.scalars(
            sa.select(Wish.id).where(Wish.status == WishStatus.FULFILLED, Wish.fulfilled_at <= now() - AUTO_CONFIRM_AFTER)
        )
    )
    confirmed = 0
    for wish_id in due:
        wish = _wish_lock(db.session.get(Wish, wish_id))  # the lock confirms it if still due
        confirmed += wish.auto_confirmed and wish.status == WishStatus.CONFIRMED
    return confirmed


def wish_in(community: Community, wish_id: int) -> Wish:
    wish = db.session.get(Wish, wish_id)
    if wish is None or wish.community_id != community.id:
        raise NotFound(_("No such micro-wish in this community."))
    return wish


def activity_in(community: Community, activity_id: int) -> Activity:
    activity = db.session.get(Activity, activity_id)
    if activity is None or activity.community_id != community.id:
        raise NotFound(_("No such activity in this community."))
    return activity


# --- service record --------------------------------------------------------------------------


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


def service_record(subject, community: Community, year: int, quarter: int | None = None) -> dict:
    """A party member's service in a year or quarter: activities and minutes, micro-wishes and ratings."""
    start, end = period_bounds(year, quarter)
    registration = db.session.scalar(
        sa.select(PartyRegistration)
        .where(PartyRegistration.user_id == subject.id, PartyRegistration.community_id == community.id)
        .order_by(PartyRegistration.status != RegistrationStatus.CONFIRMED, PartyRegistration.created_at.desc())
        .limit(1)
    )
    rows = db.session.execute(
        sa.select(Activity.starts_at, Activity.title, Activity.kind, Attendance.minutes)
        .join(Attendance, Attendance.activity_id == Activity.id)
        .where(
            Attendance.user_id == subject.id,
            Activity.community_id == community.id,
            Attendance.confirmed_at.is_not(None),
            Activity.starts_at >= start,
            Activity.starts_at < end,
        )
        .order_by(Activity.starts_at)
    ).all()
    moment = now()
    wishes = sorted(
        db.session.scalars(
            sa.select(Wish).where(
                Wish.claimer_id == subject.id, Wish.community_id == community.id, Wish.confirmed_between(start, end, moment)
            )
        ),
        key=lambda w: (w.confirmed_as_of(moment), w.id),
    )
    return {
        "name": subject.display_name,
        "community": community.name,
        "street": community.street.name,
        "work_unit": registration.work_unit if registration else "",
        "party_branch": registration.party_branch if registration else "",
        "period": f"{year}" + (f"-Q{quarter}" if quarter else ""),
        "activities": [{"date": _local(r.starts_at)[:10], "title": r.title, "kind": r.kind, "minutes": r.minutes} for r in rows],
        "total_minutes": sum(r.minutes for r in rows),
        "wishes": [{"date": _local(w.confirmed_as_of(moment))[:10], "title": w.title, "rating": w.rating} for w in wishes],
    }


def issue_service_record(actor, subject, community: Community, year: int, quarter: int | None = None):
    """Issue the record as a verifiable document (the person, or the committee for them)."""
    if not can_see_record(actor, subject.id, community):
        raise PermissionDenied(_("Only the member or the committee may issue this record."))
    from consult.core import documents

    content = service_record(subject, community, year, quarter)
    return documents.issue("service_record", subject=subject, community_id=community.id, content=content, issued_by=actor)
