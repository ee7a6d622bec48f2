"""Translated names of the activities domain."""

from flask_babel import lazy_gettext as _l

from consult.core.audit import describe_actions
from consult.core.clock import now
from consult.core.registries import add_labels, template_global

LABELS = {
    "volunteer": _l("Volunteer service"),
    "party": _l("Party-member service"),
    "meeting": _l("Consultation meeting"),
    "drill": _l("Emergency drill"),
    "waitlisted": _l("on the waitlist"),
    "cancelled": _l("cancelled"),
    "open": _l("waiting for a party member"),
    "claimed": _l("taken on"),
    "fulfilled": _l("fulfilled, waiting for confirmation"),
    "wish.pending_review": _l("waiting for review"),
    "wish.rejected": _l("not approved"),
    "wish.open": _l("waiting for a party member"),
    "wish.claimed": _l("taken on"),
    "wish.fulfilled": _l("fulfilled, waiting for confirmation"),
    "wish.confirmed": _l("confirmed"),
    "wish.withdrawn": _l("withdrawn"),
    "party.confirmed": _l("报到 confirmed"),
    "party.rejected": _l("报到 rejected"),
    "party.end": _l("报到 ended"),
    "activity.create": _l("activity created"),
    "activity.signup_recorded": _l("sign-up recorded for a resident"),
    "activity.mark_attendance": _l("attendance marked by hand"),
    "activity.confirm_minutes": _l("minutes confirmed"),
    "activity.update": _l("activity changed"),
    "activity.cancel": _l("activity called off"),
    "activity.signup_cancelled": _l("sign-up cancelled for a resident"),
    "wish.recorded": _l("micro-wish posted for a resident"),
    "wish.release": _l("micro-wish claim released"),
    "wish.approve": _l("micro-wish approved"),
    "wish.reject": _l("micro-wish rejected"),
    "document.issue_service_record": _l("service record issued"),
    "document.revoke": _l("document revoked"),
    "document.service_record": _l("service record"),
    "document.volunteer_certificate": _l("volunteer record certificate"),
}
add_labels(LABELS)


@template_global
def wish_status(wish_or_status) -> str:
    """The label of a status, or of a wish's status as of now (confirmed seven days after fulfilment, tick or not)."""
    status = wish_or_status if isinstance(wish_or_status, str) else wish_or_status.state_at(now())
    return str(LABELS[f"wish.{status}"])


# How the audit log tells these actions (consult/core/audit.py).
describe_actions(
    {
        "party.confirmed": _l("Confirmed the 报到 of %(user_id)s."),
        "party.rejected": _l("Did not accept the 报到 of %(user_id)s."),
        "party.end": _l("Ended the 报到 of %(user_id)s."),
        "activity.create": _l("Created the activity “%(title)s”."),
        "activity.signup_recorded": _l("Signed %(user_id)s up on their behalf."),
        "activity.mark_attendance": _l("Marked %(user_id)s as present."),
        "activity.confirm_minutes": _l("Confirmed %(minutes)s minutes of service by %(user_id)s."),
        "wish.approve": _l("Approved a micro-wish."),
        "wish.reject": _l("Did not approve a micro-wish."),
        "document.issue_service_record": _l("Issued the service record %(number)s of %(subject_id)s."),
        "document.revoke": _l("Revoked the document %(number)s."),
    }
)
