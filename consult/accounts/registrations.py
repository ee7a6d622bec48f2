"""What accounts adds to "download my data": the account, reset codes, sessions, documents about
the person and notifications (places adds residences and appointments)."""

from consult.accounts import services
from consult.accounts.models import User
from consult.core import cache_writes
from consult.core.registries import STAFF_ACTION, not_personal, personal

personal("account")(services.export_account)
personal("reset_codes", covers={"password_reset_codes.user_id": ""})(services.export_reset_codes)
personal("sessions", covers={"user_sessions.user_id": ""})(services.export_sessions)
personal("documents", covers={"documents.subject_id": ""})(services.export_documents)
personal("notifications", covers={"notifications.recipient_id": ""})(services.export_notifications)
not_personal(
    {
        "password_reset_codes.issued_by_id": STAFF_ACTION,
        "documents.issued_by_id": STAFF_ACTION,
        "documents.revoked_by_id": STAFF_ACTION,
        "audit_entries.actor_id": "the committee's accountability record of actions; its entries hold other people's data and "
        "are kept unchanged (what a person did to their own records is in those records)",
    }
)


@cache_writes.scopes_for(User)
def _user_changed(user: User) -> list[str]:
    """A person's name shows on every page naming them (topics, comments, committees); it rarely changes."""
    return [cache_writes.SITE] if cache_writes.changed(user, "display_name", "closed_at", new=False) else []
