"""Providers of the service list: created, confirmed and ended by the committee, which appoints their staff.

Every function takes the acting person, asks the policy, flushes, and leaves the commit to the caller.
"""

from __future__ import annotations

import logging
import re

from flask_babel import gettext as _

from consult.accounts.models import User
from consult.core import audit
from consult.core.clock import now
from consult.core.database import add_unique
from consult.core.errors import RuleViolation
from consult.core.forms import has_control_chars
from consult.extensions import db
from consult.offerings.models import NAME_MAX, PHONE_MAX, Provider, ProviderKind
from consult.offerings.policy import ProviderPolicy
from consult.places import provider_staff, services as places
from consult.places.models import Community, StaffAppointment
from consult.places.rules import require_committee

log = logging.getLogger(__name__)
PHONE_PATTERN = re.compile(rf"^[0-9][0-9 ()+\-]{{2,{PHONE_MAX - 1}}}$")


def check_phone(phone: str | None, field: str = "phone") -> str:
    """A work phone: digits with spaces, hyphens, brackets or a plus ("010-6512 3456"); empty is allowed."""
    phone = (phone or "").strip()
    if phone and not PHONE_PATTERN.fullmatch(phone):
        raise RuleViolation(
            _("Give a work phone number: digits, spaces and hyphens, at most %(max)d.", max=PHONE_MAX), field=field
        )
    return phone


def create_provider(actor: User, community: Community, kind: str, name: str, phone: str | None = None) -> Provider:
    """The committee adds a provider to its community; it waits for confirmation."""
    require_committee(actor, community)
    name = (name or "").strip()
    if not name or len(name) > NAME_MAX or has_control_chars(name) or "\n" in name:
        raise RuleViolation(_("Give the provider a name of at most %(limit)d characters.", limit=NAME_MAX), field="name")
    if kind not in set(ProviderKind):
        raise RuleViolation(_("Choose what kind of provider this is."), field="kind")
    provider = Provider(community_id=community.id, kind=kind, name=name, phone=check_phone(phone) or None, created_by_id=actor.id)
    add_unique(provider, _("This community already has a provider of that name."), "name")
    audit.record(actor, "provider.create", provider, community_id=community.id, after={"name": name, "kind": kind})
    log.info("user %s added provider %s to community %s", actor.id, provider.id, community.id)
    return provider


def confirm_provider(actor: User, provider: Provider) -> Provider:
    """The committee confirms a provider: its services are listed from now on."""
    ProviderPolicy(provider).require("confirm", actor)
    provider.confirmed_at = now()
    provider.confirmed_by_id = actor.id
    db.session.flush()
    audit.record(actor, "provider.confirm", provider, community_id=provider.community_id)
    return provider


def end_provider(actor: User, provider: Provider) -> Provider:
    """The committee ends a provider: its services leave the list and its staff appointments end."""
    ProviderPolicy(provider).require("end", actor)
    for appointment in provider_staff.staff_of_provider(provider.id):
        places.end_appointment(actor, appointment)
    provider.ended_at = now()
    db.session.flush()
    audit.record(actor, "provider.end", provider, community_id=provider.community_id)
    return provider


def appoint_staff(actor: User, provider: Provider, user: User) -> StaffAppointment:
    """The committee appoints a person to keep a confirmed provider's services."""
    ProviderPolicy(provider).require("appoint_staff", actor)
    if user.is_closed or not user.active:
        raise RuleViolation(_("This account is closed."), field="username")
    community = db.session.get_one(Community, provider.community_id)
    return provider_staff.appoint_provider_staff(actor, user, community, provider.id, provider.name)


def end_staff(actor: User, provider: Provider, appointment_id: int) -> None:
    """The committee ends one of the provider's staff appointments."""
    appointment = provider_staff.provider_appointment(appointment_id)
    if appointment is None or appointment.provider_id != provider.id:
        raise RuleViolation(_("That person does not work for this provider."))
    places.end_appointment(actor, appointment)
