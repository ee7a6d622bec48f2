"""What places adds to the shared registries: pending residences on the to-do page, labels,
``phone_of`` for templates (the one phone rule), its part of "download my data"; and what it
plugs into accounts (``consult.accounts.hooks``): who is staff, the residence on "My page"."""

from flask import url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user

from consult.accounts.hooks import me_section, staff_check
from consult.core import cache_writes
from consult.core.audit import describe_actions
from consult.core.registries import STAFF_ACTION, TodoItem, add_labels, not_personal, personal, template_global, todo
from consult.extensions import db
from consult.places import closing, personal as exports, queries  # noqa: F401  (closing registers its closing-account step)
from consult.places.models import Community, Department, Residence, StaffAppointment, Street

personal("residences", covers={"residences.user_id": ""})(exports.export_residences)
personal("staff_appointments", covers={"staff_appointments.user_id": ""})(exports.export_appointments)
not_personal(
    {
        "residences.decided_by_id": STAFF_ACTION,
        "residences.recorded_by_id": STAFF_ACTION,
        "staff_appointments.appointed_by_id": STAFF_ACTION,
        "staff_appointments.ended_by_id": STAFF_ACTION,
    }
)


@staff_check("places")
def is_staff(user) -> bool:
    """Workers, street and site administrators are staff (accounts refuses a worker's reset code for them)."""
    return queries.roles_of(user).is_staff


@me_section("places")
def my_residence(user):
    """ "My page": the person's residence (apply, withdraw) and its history."""
    return "places/_me_residence.html", {"residences": queries.residences_of(user.id), "active": queries.active_residence(user)}


@todo("residences")
def pending_residences(community):
    """Each application waiting for the committee's confirmation."""
    rows = db.session.scalars(queries.pending_residences(community.id).limit(200))
    link = url_for("places_manage.residents", community=community.slug)
    return [
        TodoItem(kind=_("Residence to confirm"), title=r.user.display_name, since=r.created_at, link=f"{link}#residence-{r.id}")
        for r in rows
    ]


@template_global
def phone_of(user) -> str:
    """A person's phone as the one viewing the page may see it: ``{{ phone_of(r.user) }}``."""
    return queries.phone_for(current_user, user)


add_labels(
    {
        "pending": _l("waiting for confirmation"),
        "confirmed": _l("confirmed"),
        "rejected": _l("not accepted"),
        "ended": _l("ended"),
        "street.create": _l("street created"),
        "community.create": _l("community created"),
        "staff.appoint_worker": _l("worker appointed"),
        "staff.appoint_street_admin": _l("street administrator appointed"),
        "staff.appoint_site_admin": _l("site administrator appointed"),
        "staff.end_worker": _l("worker removed"),
        "staff.end_street_admin": _l("street administrator removed"),
        "staff.end_site_admin": _l("site administrator removed"),
        "residence.record": _l("resident registered by the committee"),
        "residence.confirm": _l("residence confirmed"),
        "residence.reject": _l("application rejected"),
        "residence.end": _l("residence ended"),
        "account.reset_code": _l("reset code issued"),
        "account.reset_used": _l("password reset with a code"),
        "account.sessions_ended": _l("logged out on every device"),
        "account.reset_codes_revoked": _l("unused reset codes revoked"),
    }
)


# How the audit log tells these actions (consult/core/audit.py).
describe_actions(
    {
        "street.create": _l("Created the street %(name)s."),
        "community.create": _l("Created the community %(name)s."),
        "staff.appoint_worker": _l("Appointed %(user_id)s as a committee worker."),
        "staff.appoint_street_admin": _l("Appointed %(user_id)s as a street administrator."),
        "staff.appoint_site_admin": _l("Appointed %(user_id)s as a site administrator."),
        "staff.end_worker": _l("Ended the appointment of %(user_id)s as a committee worker."),
        "staff.end_street_admin": _l("Ended the appointment of %(user_id)s as a street administrator."),
        "staff.end_site_admin": _l("Ended the appointment of %(user_id)s as a site administrator."),
        "residence.record": _l("Registered %(user_id)s as a resident on their behalf."),
        "residence.confirm": _l("Confirmed %(user_id)s as a resident."),
        "residence.reject": _l("Did not accept the application of %(user_id)s."),
        "residence.end": _l("Ended the residence of %(user_id)s."),
        "account.reset_code": _l("Issued a password reset code for %(user_id)s."),
        "account.reset_used": _l("%(user_id)s set a new password with a reset code."),
    }
)
add_labels(
    {
        "moved_out": _l("moved out"),
        "closed_account": _l("account closed"),
    }
)


# --- what a change shows on cached public pages (consult.core.cache_writes) -------------------

cache_writes.scopes_for(Street)(lambda street: [cache_writes.SITE])  # names on every page's way in
cache_writes.scopes_for(Residence)(lambda residence: queries.cache_scopes(residence.community_id))
cache_writes.scopes_for(Department)(lambda department: queries.street_cache_scopes(department.street_id))


@cache_writes.scopes_for(Community)
def _community_changed(community: Community) -> list[str]:
    """A new or renamed community shows on every page's way in; its member count on its own pages."""
    if cache_writes.changed(community, "name", "slug", "street_id"):
        return [cache_writes.SITE]
    return queries.cache_scopes(community.id)


@cache_writes.scopes_for(StaffAppointment)
def _appointment_changed(appointment: StaffAppointment) -> list[str]:
    """The committee is listed on the community's home."""
    if appointment.community_id is not None:
        return queries.cache_scopes(appointment.community_id)
    return queries.street_cache_scopes(appointment.street_id) if appointment.street_id is not None else []
