"""What places gives up when a person closes their account: staff appointments, then residences."""

import sqlalchemy as sa

from consult.core import audit
from consult.core.clock import now
from consult.core.registries import closing
from consult.extensions import db
from consult.places import queries, services
from consult.places.models import Community, StaffAppointment


@closing("places")
def give_up_places(user) -> None:
    """End the person's appointments, then their pending or confirmed residence."""
    end_appointments(user)
    services.end_all_for_closed_account(user)


def end_appointments(user) -> None:
    """End every active appointment of the person (audited in the community or street it was for)."""
    appointments = list(
        db.session.scalars(
            sa.select(StaffAppointment)
            .where(StaffAppointment.user_id == user.id, StaffAppointment.ended_at.is_(None))
            .order_by(StaffAppointment.id)
            .with_for_update()
        )
    )
    for appointment in appointments:
        appointment.ended_at, appointment.ended_by_id = now(), user.id
        scope = {}
        if appointment.community_id is not None:
            community = db.session.get(Community, appointment.community_id)
            scope = {"community_id": community.id, "street_id": community.street_id}
        elif appointment.street_id is not None:
            scope = {"street_id": appointment.street_id}
        db.session.flush()
        audit.record(
            user,
            f"staff.end_{appointment.role}",
            appointment,
            before={"user_id": user.id},
            after={"reason": "closed_account"},
            **scope,
        )
    if appointments:
        queries.forget_roles()
