"""报到: a confirmed resident registers as an in-service party member; a worker confirms or rejects it."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from consult.activities import queries
from consult.activities.common import text
from consult.activities.models import REASON_MAX, UNIT_MAX, PartyRegistration, RegistrationStatus
from consult.core import audit
from consult.core.clock import now
from consult.core.database import add_unique
from consult.core.notifications import N_, notify
from consult.core.policy import policy_of
from consult.extensions import db
from consult.places.models import Community
from consult.places.rules import require_member


def register_party_member(user, community: Community, *, work_unit: str, party_branch: str) -> PartyRegistration:
    """A confirmed resident registers (报到) as an in-service party member; a worker confirms it."""
    require_member(user, community)
    registration = PartyRegistration(
        user_id=user.id,
        community_id=community.id,
        work_unit=text(work_unit, "work_unit", UNIT_MAX, _("Give your work unit (at most 60 characters).")),
        party_branch=text(party_branch, "party_branch", UNIT_MAX, _("Give your party branch (at most 60 characters).")),
    )
    return add_unique(registration, _("You already have a 报到 registration that is pending or confirmed."))


def _decide_registration(worker, registration: PartyRegistration, to: str, reason: str | None) -> PartyRegistration:
    registration = db.session.scalars(
        sa.select(PartyRegistration)
        .where(PartyRegistration.id == registration.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    policy_of(registration).require("confirm" if to == RegistrationStatus.CONFIRMED else "reject", worker)
    community = queries.community_of(registration.community_id)
    registration.status, registration.decided_at, registration.decided_by_id = to, now(), worker.id
    registration.reason = reason
    if to == RegistrationStatus.REJECTED:
        registration.ended_at = now()
    db.session.flush()
    audit.record(
        worker,
        f"party.{to}",
        registration,
        community_id=community.id,
        before={"status": "pending"},
        after={"status": to, "user_id": registration.user_id, "reason": reason},
    )
    message = (
        N_("Your 报到 at %(community)s was confirmed.")
        if to == RegistrationStatus.CONFIRMED
        else N_("Your 报到 at %(community)s was not accepted: %(reason)s")
    )
    notify(
        registration.user_id,
        f"party.{to}:{registration.id}",
        message,
        link="/me/party",
        community=community.name,
        reason=reason or "",
    )
    return registration


def confirm_registration(worker, registration: PartyRegistration) -> PartyRegistration:
    return _decide_registration(worker, registration, RegistrationStatus.CONFIRMED, None)


def reject_registration(worker, registration: PartyRegistration, reason: str) -> PartyRegistration:
    policy_of(registration).require("reject", worker)
    reason = text(reason, "reason", REASON_MAX, _("Give a reason the person will see."))
    return _decide_registration(worker, registration, RegistrationStatus.REJECTED, reason)


def end_with_residence(residence, *, actor) -> None:
    """A 报到 ends when its member stops living in the community (moved out, closed account)."""
    for registration in db.session.scalars(
        sa.select(PartyRegistration).where(
            PartyRegistration.user_id == residence.user_id,
            PartyRegistration.community_id == residence.community_id,
            PartyRegistration.status.in_(queries.ACTIVE_REGISTRATIONS),
        )
    ):
        registration.status, registration.ended_at = RegistrationStatus.ENDED, now()
        registration.reason = _("The residence ended.")
    db.session.flush()


def end_registration(actor, registration: PartyRegistration) -> None:
    """The member (or the committee) ends a 报到; the history stays."""
    policy_of(registration).require("end", actor)
    registration.status, registration.ended_at = RegistrationStatus.ENDED, now()
    db.session.flush()
    audit.record(
        actor, "party.end", registration, community_id=registration.community_id, after={"user_id": registration.user_id}
    )
