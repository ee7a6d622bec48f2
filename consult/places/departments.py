"""A street's departments (职能部门) and their members: created and appointed by the street's admins.

Every function takes the acting person, checks them, flushes, and leaves the commit to the caller.
A department member's appointment ends through ``services.end_appointment`` like any other.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from consult.accounts.models import User
from consult.core import audit
from consult.core.database import add_unique
from consult.core.errors import NotFound, RuleViolation
from consult.core.notifications import N_, notify
from consult.extensions import db
from consult.places import queries, services
from consult.places.models import NAME_MAX, Department, StaffAppointment, StaffRole, Street
from consult.places.rules import require_street_admin


def create_department(actor: User, street: Street, name: str) -> Department:
    """A street admin adds a department to their street (its name unique in the street)."""
    require_street_admin(actor, street)
    name = (name or "").strip()
    if not name or len(name) > NAME_MAX:
        raise RuleViolation(_("Give the department a name of at most %(limit)d characters.", limit=NAME_MAX), field="name")
    department = Department(street_id=street.id, name=name)
    add_unique(department, _("This street already has a department of that name."), "name")
    audit.record(actor, "department.create", department, street_id=street.id, after={"name": name})
    return department


def appoint_department_member(actor: User, user: User, department: Department) -> StaffAppointment:
    """A street admin appoints a member of one of the street's departments."""
    street = db.session.get_one(Street, department.street_id)
    require_street_admin(actor, street)
    appointment = StaffAppointment(
        user_id=user.id, role=StaffRole.DEPARTMENT, department_id=department.id, appointed_by_id=actor.id
    )
    add_unique(appointment, _("%(name)s is already a member of this department.", name=user.display_name), "username")
    audit.record(
        actor,
        "staff.appoint_department",
        appointment,
        street_id=street.id,
        after={"user_id": user.id, "username": user.username, "department_id": department.id},
    )
    notify(
        user.id,
        f"staff.appointed:{appointment.id}",
        N_("You were appointed a member of %(department)s."),
        department=department.name,
        link=f"/manage/departments/{department.id}/requests/",
    )
    services.appointed(actor, user)
    queries.forget_roles()
    return appointment


def departments_of_street(street_id: int) -> list[Department]:
    return list(db.session.scalars(sa.select(Department).where(Department.street_id == street_id).order_by(Department.name)))


def department_by_id(department_id: int) -> Department:
    department = db.session.get(Department, department_id)
    if department is None:
        raise NotFound(_("No such department."))
    return department


def department_members(street_id: int) -> list[StaffAppointment]:
    """Active department appointments of a street's departments."""
    return list(
        db.session.scalars(
            sa.select(StaffAppointment)
            .join(Department, Department.id == StaffAppointment.department_id)
            .where(Department.street_id == street_id, StaffAppointment.ended_at.is_(None))
            .options(sa.orm.joinedload(StaffAppointment.user))
            .order_by(Department.name, StaffAppointment.id)
        )
    )


def members_of(department_id: int) -> list[int]:
    """User ids of a department's active members."""
    return list(
        db.session.scalars(
            sa.select(StaffAppointment.user_id).where(
                StaffAppointment.department_id == department_id,
                StaffAppointment.role == StaffRole.DEPARTMENT,
                StaffAppointment.ended_at.is_(None),
            )
        )
    )
