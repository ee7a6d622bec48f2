"""Who a person is on the site: their active appointments (and, read with them, their active
residence), cached for the request; the checks built on them."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import g, has_request_context

from consult.extensions import db
from consult.places.models import Community, Residence, ResidenceStatus, StaffAppointment, StaffRole, Street

#: What a person's roles are read from: one list for both reads below (a scope column missing from
#: one of them once made a grid worker of two grids keep one).
APPOINTMENT_COLUMNS = (
    StaffAppointment.role,
    StaffAppointment.community_id,
    StaffAppointment.street_id,
    StaffAppointment.department_id,
    StaffAppointment.grid_id,
    StaffAppointment.provider_id,
)
ACTIVE_RESIDENCE = Residence.status.in_([ResidenceStatus.PENDING, ResidenceStatus.CONFIRMED])


@dataclass(frozen=True)
class Roles:
    """What a person is appointed to, read once per request."""

    worker_of: frozenset[int] = field(default_factory=frozenset)
    admin_of_streets: frozenset[int] = field(default_factory=frozenset)
    site_admin: bool = False
    department_of: frozenset[int] = field(default_factory=frozenset)
    #: grid ids (consult.safety) the person is a grid worker of
    grid_of: frozenset[int] = field(default_factory=frozenset)
    #: communities of those grids
    grid_communities: frozenset[int] = field(default_factory=frozenset)
    #: providers of the service list (consult/offerings) whose services the person edits
    provider_of: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_staff(self) -> bool:
        return bool(
            self.worker_of or self.admin_of_streets or self.site_admin or self.department_of or self.grid_of or self.provider_of
        )


def roles_of(user) -> Roles:
    """The active appointments of ``user`` (cached for the request)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Roles()
    cache = g.setdefault("_roles", {}) if has_request_context() else {}
    if user.id not in cache and has_request_context() and user.id not in g.setdefault("_residence", {}):
        load_viewer(user)
    if user.id not in cache:
        rows = db.session.execute(
            sa.select(*APPOINTMENT_COLUMNS).where(StaffAppointment.user_id == user.id, StaffAppointment.ended_at.is_(None))
        ).all()
        cache[user.id] = _roles(rows)
    return cache[user.id]


def _roles(rows) -> Roles:
    return Roles(
        worker_of=frozenset(r.community_id for r in rows if r.role == StaffRole.WORKER),
        admin_of_streets=frozenset(r.street_id for r in rows if r.role == StaffRole.STREET_ADMIN),
        site_admin=any(r.role == StaffRole.SITE_ADMIN for r in rows),
        department_of=frozenset(r.department_id for r in rows if r.role == StaffRole.DEPARTMENT),
        grid_of=frozenset(r.grid_id for r in rows if r.role == StaffRole.GRID_WORKER),
        grid_communities=frozenset(r.community_id for r in rows if r.role == StaffRole.GRID_WORKER),
        provider_of=frozenset(r.provider_id for r in rows if r.role == StaffRole.PROVIDER),
    )


def load_viewer(user) -> None:
    """The person's appointments and active residence in one statement, into both per-request
    caches: nearly every signed-in page asks for both (the header's menu, the page's rules)."""
    viewer = sa.select(sa.literal(user.id).label("user_id")).subquery("viewer")
    rows = db.session.execute(
        sa.select(
            Residence,
            *APPOINTMENT_COLUMNS,
        )
        .select_from(viewer)
        .outerjoin(Residence, sa.and_(Residence.user_id == viewer.c.user_id, ACTIVE_RESIDENCE))
        .outerjoin(StaffAppointment, sa.and_(StaffAppointment.user_id == viewer.c.user_id, StaffAppointment.ended_at.is_(None)))
        .options(sa.orm.joinedload(Residence.community))
    ).all()
    g.setdefault("_residence", {})[user.id] = next((row[0] for row in rows if row[0] is not None), None)
    # One row per appointment and residence pair: keep each appointment once, by all its columns.
    appointments = {tuple(getattr(row, c.key) for c in APPOINTMENT_COLUMNS): row for row in rows if row.role is not None}
    g.setdefault("_roles", {})[user.id] = _roles(list(appointments.values()))


def forget_roles() -> None:
    """Drop the per-request roles cache (after an appointment changes)."""
    if has_request_context():
        g.pop("_roles", None)


def can_manage_community(user, community: Community) -> bool:
    """Workers of the community and admins of its street run its committee pages."""
    roles = roles_of(user)
    return community.id in roles.worker_of or community.street_id in roles.admin_of_streets


def can_manage_street(user, street: Street) -> bool:
    """Admins of the street run its pages."""
    return street.id in roles_of(user).admin_of_streets


def is_site_admin(user) -> bool:
    return roles_of(user).site_admin
