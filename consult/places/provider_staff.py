"""Staff of a service provider (consult/offerings): appointed by the committee of its community.

Places keeps every appointment; offerings owns the providers and calls these functions (places
never imports offerings, so a provider is named by its id and name). Their appointments end
through ``services.end_appointment`` like any other (AppointmentPolicy: the committee).
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from consult.accounts.models import User
from consult.core import audit
from consult.core.database import add_unique
from consult.core.notifications import N_, notify
from consult.extensions import db
from consult.places import queries, services
from consult.places.models import Community, StaffAppointment, StaffRole
from consult.places.rules import require_committee


def appoint_provider_staff(
    actor: User, user: User, community: Community, provider_id: int, provider_name: str
) -> StaffAppointment:
    """The committee appoints ``user`` to edit the services of one of its community's providers."""
    require_committee(actor, community)
    appointment = StaffAppointment(
        user_id=user.id, role=StaffRole.PROVIDER, community_id=community.id, provider_id=provider_id, appointed_by_id=actor.id
    )
    add_unique(appointment, _("%(name)s already works for this provider.", name=user.display_name), "username")
    audit.record(
        actor,
        "staff.appoint_provider",
        appointment,
        community_id=community.id,
        street_id=community.street_id,
        after={"user_id": user.id, "username": user.username, "provider_id": provider_id},
    )
    notify(
        user.id,
        f"staff.appointed:{appointment.id}",
        N_("You were appointed to keep the services of %(provider)s."),
        provider=provider_name,
        link=f"/manage/providers/{provider_id}/",
    )
    services.appointed(actor, user)
    queries.forget_roles()
    return appointment


def staff_of_provider(provider_id: int) -> list[StaffAppointment]:
    """A provider's active staff appointments, with their people."""
    return list(
        db.session.scalars(
            sa.select(StaffAppointment)
            .where(
                StaffAppointment.provider_id == provider_id,
                StaffAppointment.role == StaffRole.PROVIDER,
                StaffAppointment.ended_at.is_(None),
            )
            .options(sa.orm.joinedload(StaffAppointment.user))
            .order_by(StaffAppointment.id)
        )
    )


def provider_appointment(appointment_id: int) -> StaffAppointment | None:
    """A provider staff appointment by id (None for any other kind)."""
    appointment = db.session.get(StaffAppointment, appointment_id)
    return appointment if appointment is not None and appointment.role == StaffRole.PROVIDER else None
