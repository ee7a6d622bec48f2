"""Check-in with the kiosk's rotating code, check-out, attendance marked by hand, confirmed minutes, ratings."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from consult.activities import queries, signals
from consult.activities.common import optional_text
from consult.activities.models import COMMENT_MAX, Activity, ActivityRating, Attendance
from consult.activities.policy import checkin_window
from consult.core import audit
from consult.core.clock import now
from consult.core.database import add_unique
from consult.core.errors import Conflict, NotFound, RuleViolation
from consult.core.notifications import N_, notify
from consult.core.policy import policy_of
from consult.core.scales import is_satisfaction
from consult.extensions import db

CODE_STEP_SECONDS = 60
#: A code from a QR link opened this long ago is still checked against the screen as it was then.
CODE_GRACE = timedelta(minutes=10)

__all__ = ["checkin_window"]


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


def check_in(user, activity: Activity, code: str | None, *, presented_at: datetime | None = None) -> Attendance:
    """Check in with the kiosk's code.

    ``presented_at`` is when the person opened the QR link carrying this code (kept through
    log-in): within 10 minutes, the code is checked against the screen as it was then, so
    logging in first does not make it expire. Nothing before this call says whether a code is right.
    """
    moment = now()
    policy_of(activity, moment).require("check_in", user)
    fresh = presented_at is not None and timedelta(0) <= moment - presented_at <= CODE_GRACE
    if not (code_is_valid(activity, code) or (fresh and code_is_valid(activity, code, presented_at))):
        raise RuleViolation(_("That code is not right or has expired. Scan the code on the screen again."), field="code")
    return add_unique(
        Attendance(activity_id=activity.id, user_id=user.id, checked_in_at=moment), _("You have already checked in.")
    )


def check_out(user, activity: Activity) -> Attendance:
    """Check out, until 30 minutes after the end."""
    attendance = queries.attendance_of(user, activity)
    if attendance is None:
        raise Conflict(_("You have not checked in."))
    policy_of(attendance).require("check_out", user)
    attendance.checked_out_at = now()
    db.session.flush()
    return attendance


def mark_attendance(actor, activity: Activity, person) -> Attendance:
    """The organiser marks by hand that a person was there (audited)."""
    policy_of(activity).require("run", actor)
    signup = queries.active_signup(person, activity)
    if signup is None:
        raise RuleViolation(_("This person is not signed up for the activity."))
    policy_of(signup).require("mark", actor)
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
    if attendance.activity_id != activity.id:
        raise NotFound(_("No such attendance at this activity."))
    attendance = db.session.scalars(
        sa.select(Attendance).where(Attendance.id == attendance.id).with_for_update().execution_options(populate_existing=True)
    ).one()
    policy_of(attendance).require("confirm_minutes", actor)
    if minutes is None or not 0 <= minutes <= length_minutes(activity):
        raise RuleViolation(
            _("Minutes must be between 0 and %(n)d, the activity's length.", n=length_minutes(activity)), field="minutes"
        )
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


def rate_activity(user, activity: Activity, level: str, comment: str | None = None) -> ActivityRating:
    """Rate an activity once (满意 / 基本满意 / 不满意); the committee sees the rating, never the rater."""
    policy_of(activity).require("rate", user)
    if not is_satisfaction(level):
        raise RuleViolation(_("Choose how satisfied you are."), field="level")
    comment = optional_text(comment, "comment", COMMENT_MAX, _("Keep the comment to 500 characters."))
    return add_unique(
        ActivityRating(activity_id=activity.id, user_id=user.id, level=level, comment=comment),
        _("You have already rated this activity."),
    )
