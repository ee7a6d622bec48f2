"""The activities services other domains (and their tests) call, under their old names.

The rules live by aggregate: ``party`` (报到), ``planning`` (activities), ``signups``, ``checkin``
(check-in, minutes, ratings), ``wishes``, ``records`` (service record and certificate); reads in
``queries``; who may do what in ``policy``. Code inside activities imports those modules directly.
"""

from consult.activities.checkin import check_in, checkin_code, confirm_minutes, mark_attendance, rate_activity
from consult.activities.models import Activity
from consult.activities.party import confirm_registration, register_party_member, reject_registration
from consult.activities.planning import cancel_activity, create_activity
from consult.activities.queries import active_registration, attendance_of
from consult.activities.records import can_see_record, issue_service_record, period_bounds
from consult.activities.signups import cancel_signup, sign_up
from consult.activities.wishes import approve_wish, claim_wish, confirm_wish, fulfil_wish, post_wish
from consult.core.clock import now

__all__ = [
    "Activity",
    "active_registration",
    "approve_wish",
    "attendance_of",
    "can_see_record",
    "cancel_activity",
    "cancel_signup",
    "check_in",
    "checkin_code",
    "claim_wish",
    "confirm_minutes",
    "confirm_registration",
    "confirm_wish",
    "create_activity",
    "fulfil_wish",
    "issue_service_record",
    "mark_attendance",
    "now",
    "period_bounds",
    "post_wish",
    "rate_activity",
    "register_party_member",
    "reject_registration",
    "sign_up",
]
