"""Rules of places: creating streets and communities, appointments, residences.

Every function takes the acting person explicitly, checks that they may act on the object
given, flushes, and leaves the commit to the caller.
"""

from __future__ import annotations

import logging
import re

import sqlalchemy as sa
from flask_babel import gettext as _

from consult.accounts import services as accounts
from consult.accounts.models import User
from consult.core import audit
from consult.core.clock import now
from consult.core.database import add_unique
from consult.core.errors import RuleViolation
from consult.core.notifications import N_, notify
from consult.extensions import db
from consult.places import queries, signals
from consult.places.models import (
    SLUG_MAX,
    SLUG_PATTERN,
    Community,
    EndReason,
    Residence,
    ResidenceStatus,
    StaffAppointment,
    StaffRole,
    Street,
)
from consult.places.policy import AppointmentPolicy, ResidencePolicy
from consult.places.rules import require_committee, require_site_admin, require_street_admin

log = logging.getLogger(__name__)


def _check_slug(slug: str) -> str:
    slug = (slug or "").strip().lower()
    if not re.fullmatch(SLUG_PATTERN, slug) or len(slug) > SLUG_MAX:
        raise RuleViolation(_("Use lower-case letters, digits and single hyphens for the short name."), field="slug")
    return slug


def create_street(actor: User, slug: str, name: str) -> Street:
    """A site admin creates a street; its slug is fixed from now on."""
    require_site_admin(actor)
    street = Street(slug=_check_slug(slug), name=name.strip())
    add_unique(street, _("That short name is already taken."), "slug")
    audit.record(actor, "street.create", street, street_id=street.id, after={"slug": street.slug, "name": street.name})
    return street


def create_community(actor: User, street: Street, slug: str, name: str) -> Community:
    """A site admin creates a community in a street; its slug is fixed from now on."""
    require_site_admin(actor)
    community = Community(street_id=street.id, slug=_check_slug(slug), name=name.strip())
    add_unique(community, _("That short name is already taken."), "slug")
    audit.record(
        actor,
        "community.create",
        community,
        community_id=community.id,
        street_id=street.id,
        after={"slug": community.slug, "name": community.name},
    )
    return community


def appoint_worker(actor: User, user: User, community: Community) -> StaffAppointment:
    """A street admin (of the community's street) appoints a committee worker."""
    require_street_admin(actor, community.street)
    appointment = StaffAppointment(user_id=user.id, role=StaffRole.WORKER, community_id=community.id, appointed_by_id=actor.id)
    add_unique(appointment, _("%(name)s already works for this community.", name=user.display_name), "username")
    audit.record(
        actor,
        "staff.appoint_worker",
        appointment,
        community_id=community.id,
        street_id=community.street_id,
        after={"user_id": user.id, "username": user.username},
    )
    notify(
        user.id,
        f"staff.appointed:{appointment.id}",
        N_("You were appointed a worker of %(community)s."),
        community=community.name,
        link=f"/manage/c/{community.slug}/",
    )
    queries.forget_roles()
    appointed(actor, user)
    return appointment


def appoint_street_admin(actor: User, user: User, street: Street) -> StaffAppointment:
    """A site admin appoints a street admin."""
    require_site_admin(actor)
    appointment = StaffAppointment(user_id=user.id, role=StaffRole.STREET_ADMIN, street_id=street.id, appointed_by_id=actor.id)
    add_unique(appointment, _("%(name)s is already an administrator of this street.", name=user.display_name), "username")
    audit.record(
        actor,
        "staff.appoint_street_admin",
        appointment,
        street_id=street.id,
        after={"user_id": user.id, "username": user.username},
    )
    notify(
        user.id,
        f"staff.appointed:{appointment.id}",
        N_("You were appointed an administrator of %(street)s."),
        street=street.name,
        link=f"/manage/streets/{street.slug}/",
    )
    queries.forget_roles()
    appointed(actor, user)
    return appointment


def appoint_site_admin(actor: User | None, user: User) -> StaffAppointment:
    """Make ``user`` a site admin; ``actor`` None is the command line (`flask create-admin`)."""
    if actor is not None:
        require_site_admin(actor)
    appointment = StaffAppointment(user_id=user.id, role=StaffRole.SITE_ADMIN, appointed_by_id=actor.id if actor else None)
    add_unique(appointment, _("%(name)s is already a site administrator.", name=user.display_name))
    audit.record(actor, "staff.appoint_site_admin", appointment, after={"user_id": user.id})
    queries.forget_roles()
    appointed(actor, user)
    return appointment


def appointed(actor: User | None, user: User) -> None:
    """``user`` became staff: their unused reset codes stop working (staff are reset by a site administrator)."""
    accounts.revoke_reset_codes(user, actor=actor)


def end_appointment(actor: User, appointment: StaffAppointment) -> None:
    """End an appointment: street admins end their workers', site admins their street admins'."""
    AppointmentPolicy(appointment).require("end", actor)
    community_id: int | None = None
    street_id = appointment.street_id
    if appointment.community_id is not None:
        community = db.session.get_one(Community, appointment.community_id)
        community_id, street_id = community.id, community.street_id
    appointment.ended_at = now()
    appointment.ended_by_id = actor.id
    db.session.flush()
    audit.record(
        actor,
        f"staff.end_{appointment.role}",
        appointment,
        community_id=community_id,
        street_id=street_id,
        before={"user_id": appointment.user_id},
    )
    queries.forget_roles()


def apply_for_residence(
    user: User,
    community: Community,
    *,
    building: str | None = None,
    unit: str | None = None,
    room: str | None = None,
    recorded_by: User | None = None,
) -> Residence:
    """A person (or a worker on their behalf) applies to be a resident; it starts pending."""
    if recorded_by is not None:
        require_committee(recorded_by, community)
    residence = Residence(
        user_id=user.id,
        community_id=community.id,
        building=building,  # normalised by the model (consult/places/addresses.py)
        unit=unit,
        room=room,
        status=ResidenceStatus.PENDING,
        recorded_by_id=recorded_by.id if recorded_by else None,
    )
    add_unique(residence, _("You already have a residence that is pending or confirmed. End it before applying again."))
    if recorded_by is not None:
        audit.record(
            recorded_by,
            "residence.record",
            residence,
            community_id=community.id,
            after={"user_id": user.id, "address": _address(residence)},
        )
    queries.forget_residence()
    log.info("user %s applied for residence in community %s", user.id, community.id)
    return residence


def _address(residence: Residence) -> str:
    return "/".join(p for p in (residence.building, residence.unit, residence.room) if p)


def _load_for_update(residence: Residence) -> Residence:
    """Re-read a residence with a row lock, so two workers cannot decide it twice."""
    return db.session.execute(
        sa.select(Residence).where(Residence.id == residence.id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()


def confirm_residence(actor: User, residence: Residence) -> Residence:
    """A worker confirms a pending residence; the person becomes a resident."""
    community = db.session.get_one(Community, residence.community_id)
    residence = _load_for_update(residence)
    ResidencePolicy(residence).require("confirm", actor)
    residence.status = ResidenceStatus.CONFIRMED
    residence.confirmed_at = now()
    residence.decided_by_id = actor.id
    db.session.execute(sa.update(Community).where(Community.id == community.id).values(member_count=Community.member_count + 1))
    db.session.flush()
    audit.record(
        actor,
        "residence.confirm",
        residence,
        community_id=community.id,
        before={"status": ResidenceStatus.PENDING.value},
        after={"status": residence.status, "user_id": residence.user_id},
    )
    notify(
        residence.user_id,
        f"residence.confirmed:{residence.id}",
        N_("Your residence in %(community)s was confirmed. Welcome!"),
        community=community.name,
        link=f"/c/{community.slug}/",
    )
    queries.forget_residence()
    return residence


def reject_residence(actor: User, residence: Residence, reason: str) -> Residence:
    """A worker rejects a pending residence with a reason the person sees."""
    community = db.session.get_one(Community, residence.community_id)
    residence = _load_for_update(residence)
    ResidencePolicy(residence).require("reject", actor)
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation(_("Give a reason the applicant will see."), field="reason")
    residence.status = ResidenceStatus.REJECTED
    residence.ended_at = now()
    residence.end_reason = EndReason.REJECTED
    residence.reason = reason
    residence.decided_by_id = actor.id
    db.session.flush()
    audit.record(
        actor,
        "residence.reject",
        residence,
        community_id=community.id,
        before={"status": ResidenceStatus.PENDING.value},
        after={"status": residence.status, "reason": reason, "user_id": residence.user_id},
    )
    notify(
        residence.user_id,
        f"residence.rejected:{residence.id}",
        N_("Your application to %(community)s was not accepted: %(reason)s"),
        community=community.name,
        reason=reason,
        link="/me/",
    )
    queries.forget_residence()
    return residence


def end_residence(actor: User, residence: Residence, reason: str, end_reason: str = EndReason.MOVED_OUT) -> Residence:
    """A worker ends a confirmed residence (the person moved out)."""
    community = db.session.get_one(Community, residence.community_id)
    residence = _load_for_update(residence)
    ResidencePolicy(residence).require("end", actor)
    _end(residence, end_reason, (reason or "").strip() or None, actor)
    audit.record(
        actor,
        "residence.end",
        residence,
        community_id=community.id,
        before={"status": ResidenceStatus.CONFIRMED.value},
        after={"status": residence.status, "end_reason": end_reason, "user_id": residence.user_id},
    )
    notify(
        residence.user_id,
        f"residence.ended:{residence.id}",
        N_("Your residence in %(community)s was ended by the committee."),
        community=community.name,
        link="/me/",
    )
    return residence


def _end(residence: Residence, end_reason: str, reason: str | None, actor: User | None) -> None:
    was_confirmed = residence.status == ResidenceStatus.CONFIRMED
    residence.status = ResidenceStatus.ENDED
    residence.ended_at = now()
    residence.end_reason = end_reason
    residence.reason = reason
    residence.decided_by_id = actor.id if actor is not None else None
    if was_confirmed:
        db.session.execute(
            sa.update(Community).where(Community.id == residence.community_id).values(member_count=Community.member_count - 1)
        )
    db.session.flush()
    queries.forget_residence()
    signals.residence_ended.send(residence, actor=actor)


def withdraw_application(user: User, residence: Residence) -> Residence:
    """A person withdraws their own pending application."""
    residence = _load_for_update(residence)
    ResidencePolicy(residence).require("withdraw", user)
    _end(residence, EndReason.WITHDRAWN, None, user)
    return residence


def end_all_for_closed_account(user: User) -> None:
    """End every active residence of a person who closes their account."""
    for residence in db.session.scalars(
        sa.select(Residence)
        .where(Residence.user_id == user.id, Residence.status.in_([ResidenceStatus.PENDING, ResidenceStatus.CONFIRMED]))
        .with_for_update()
    ):
        _end(residence, EndReason.CLOSED_ACCOUNT, None, user)
