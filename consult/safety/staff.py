"""Grid workers (网格员: staff appointments scoped to one grid) and building volunteers (楼栋长: residents).

The committee appoints and ends both. A grid worker's appointment is a ``StaffAppointment`` of
role ``grid_worker`` (places keeps every appointment and ends it: ``places.services.end_appointment``);
its work phone is entered by the committee and is what residents of the grid see, never the
person's own phone.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _

from consult.accounts.models import User
from consult.core import audit
from consult.core.clock import now
from consult.core.database import add_unique
from consult.core.errors import Conflict, RuleViolation
from consult.core.notifications import N_, notify
from consult.extensions import db
from consult.places import queries as places, services as places_services
from consult.places.models import WORK_PHONE_MAX, Community, StaffAppointment, StaffRole
from consult.places.rules import require_committee
from consult.safety import queries
from consult.safety.models import BuildingVolunteer, Grid
from consult.safety.policy import GridPolicy

#: Digits, with spaces, hyphens, brackets or a leading + (a landline with extension is fine).
WORK_PHONE = re.compile(r"^\+?[0-9][0-9 ()\-]{2,}$")


def clean_work_phone(value: str | None) -> str:
    """The work phone as stored, or a refusal on its field."""
    value = (value or "").strip()
    if len(value) > WORK_PHONE_MAX or not WORK_PHONE.fullmatch(value):
        raise RuleViolation(
            _("Give the grid worker's work phone (digits, at most %(limit)d characters).", limit=WORK_PHONE_MAX),
            field="work_phone",
        )
    return value


def appoint_grid_worker(actor: User, user: User, grid: Grid, work_phone: str | None) -> StaffAppointment:
    """The committee appoints a person grid worker of one of its grids, with a work phone."""
    GridPolicy(grid).require("manage", actor)
    phone = clean_work_phone(work_phone)
    community = queries.community_of(grid)
    appointment = StaffAppointment(
        user_id=user.id,
        role=StaffRole.GRID_WORKER,
        community_id=grid.community_id,
        grid_id=grid.id,
        work_phone=phone,
        appointed_by_id=actor.id,
    )
    add_unique(appointment, _("%(name)s is already a grid worker of this grid.", name=user.display_name), "username")
    audit.record(
        actor,
        "staff.appoint_grid_worker",
        appointment,
        community_id=community.id,
        street_id=community.street_id,
        after={"user_id": user.id, "username": user.username, "grid": grid.name, "work_phone": phone},
    )
    notify(
        user.id,
        f"staff.appointed:{appointment.id}",
        N_("You were appointed grid worker of %(grid)s in %(community)s."),
        grid=grid.name,
        community=community.name,
        link=f"/manage/grids/{grid.id}/",
    )
    places_services.appointed(actor, user)
    places.forget_roles()
    return appointment


def end_grid_worker(actor: User, appointment: StaffAppointment) -> None:
    """The committee ends a grid worker's appointment (kept, with who ended it and when)."""
    places_services.end_appointment(actor, appointment)


def name_volunteer(actor: User, community: Community, user: User, building: str | None) -> BuildingVolunteer:
    """The committee names a confirmed resident of the community volunteer (楼栋长) of a building in a grid."""
    require_committee(actor, community)
    volunteer = BuildingVolunteer(community_id=community.id, building=building, user_id=user.id, named_by_id=actor.id)
    if not volunteer.building or queries.placed_building(community.id, volunteer.building) is None:
        raise RuleViolation(_("Put the building in a grid first."), field="building")
    if not places.is_confirmed_member(user, community):
        raise RuleViolation(_("A building volunteer must be a confirmed resident of this community."), field="username")
    add_unique(volunteer, _("This building already has a volunteer."), "building")
    audit.record(
        actor,
        "grid.name_volunteer",
        volunteer,
        community_id=community.id,
        street_id=community.street_id,
        after={"user_id": user.id, "building": volunteer.building},
    )
    notify(
        user.id,
        f"safety.volunteer:{volunteer.id}",
        N_("You were named building volunteer of building %(building)s."),
        building=volunteer.building,
        link="/me/safety",
    )
    return volunteer


def end_volunteer(actor: User, volunteer: BuildingVolunteer) -> None:
    """The committee ends a building volunteer's role (kept as history)."""
    community = db.session.get_one(Community, volunteer.community_id)
    require_committee(actor, community)
    if volunteer.ended_at is not None:
        raise Conflict(_("This building volunteer's role has already ended."))
    volunteer.ended_at = now()
    volunteer.ended_by_id = actor.id
    db.session.flush()
    audit.record(
        actor,
        "grid.end_volunteer",
        volunteer,
        community_id=community.id,
        street_id=community.street_id,
        before={"user_id": volunteer.user_id, "building": volunteer.building},
    )


def end_volunteering(user: User) -> None:
    """End a person's building volunteer roles when their account closes."""
    for volunteer in queries.volunteering_of(user.id):
        if volunteer.ended_at is None:
            volunteer.ended_at = now()
    db.session.flush()
