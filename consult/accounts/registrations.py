"""What accounts adds to "download my data": the account, residences, staff appointments, reset codes,
documents about the person and notifications."""

from consult.accounts import services
from consult.core.registries import STAFF_ACTION, not_personal, personal
from consult.places.signals import staff_appointed

staff_appointed.connect(services.revoke_reset_codes, weak=False)

personal("account")(services.export_account)
personal("residences", covers={"residences.user_id": ""})(services.export_residences)
personal("staff_appointments", covers={"staff_appointments.user_id": ""})(services.export_appointments)
personal("reset_codes", covers={"password_reset_codes.user_id": ""})(services.export_reset_codes)
personal("sessions", covers={"user_sessions.user_id": ""})(services.export_sessions)
personal("documents", covers={"documents.subject_id": ""})(services.export_documents)
personal("notifications", covers={"notifications.recipient_id": ""})(services.export_notifications)
not_personal(
    {
        "residences.decided_by_id": STAFF_ACTION,
        "residences.recorded_by_id": STAFF_ACTION,
        "staff_appointments.appointed_by_id": STAFF_ACTION,
        "staff_appointments.ended_by_id": STAFF_ACTION,
        "password_reset_codes.issued_by_id": STAFF_ACTION,
        "documents.issued_by_id": STAFF_ACTION,
        "documents.revoked_by_id": STAFF_ACTION,
        "audit_entries.actor_id": "the committee's accountability record of actions; its entries hold other people's data and "
        "are kept unchanged (what a person did to their own records is in those records)",
    }
)
