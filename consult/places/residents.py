"""People and their accounts, as places sees them: registering with a residence, a worker
recording a resident, and what the committee or a site administrator may do to someone's
account (a reset code, logging them out everywhere).

Places decides who may act (roles and residences live here); accounts, the bottom domain, does
the rest (``consult.accounts.services`` and ``consult.accounts.sessions``). Each function
flushes and leaves the commit to the caller.
"""

from __future__ import annotations

import logging

from flask_babel import gettext as _

from consult.accounts import services as accounts, sessions
from consult.accounts.models import User
from consult.core.errors import PermissionDenied, RuleViolation
from consult.places import queries, services
from consult.places.models import Community
from consult.places.rules import require_committee, require_site_admin

log = logging.getLogger(__name__)


def register(
    *,
    username: str,
    display_name: str,
    password: str,
    community: Community,
    phone: str | None = None,
    building: str | None = None,
    unit: str | None = None,
    room: str | None = None,
    language: str = "zh_CN",
) -> User:
    """A person registers and applies to live in a community; the residence starts pending."""
    user = accounts.create_user(username, display_name, password=password, phone=phone, language=language)
    services.apply_for_residence(user, community, building=building, unit=unit, room=room)
    log.info("user %s registered in community %s", user.id, community.id)
    return user


def record_resident(
    worker: User,
    community: Community,
    *,
    username: str,
    display_name: str,
    phone: str | None = None,
    building: str | None = None,
    unit: str | None = None,
    room: str | None = None,
) -> User:
    """A worker registers a resident who has no phone: confirmed at once, marked "recorded by"."""
    require_committee(worker, community)
    user = accounts.create_user(username, display_name, password=None, phone=phone)
    residence = services.apply_for_residence(user, community, building=building, unit=unit, room=room, recorded_by=worker)
    services.confirm_residence(worker, residence)
    return user


def create_site_admin(username: str, display_name: str, password: str) -> User:
    """The first site administrator of an installation (``flask create-admin``)."""
    user = accounts.create_user(username, display_name, password=password)
    services.appoint_site_admin(None, user)
    return user


def _require_resident_of(worker: User, user: User, community: Community) -> None:
    require_committee(worker, community)
    residence = queries.active_residence(user)
    if residence is None or residence.community_id != community.id:
        raise PermissionDenied(_("This person is not a resident of your community."))


def issue_reset_code(worker: User, user: User, community: Community) -> str:
    """A worker issues a one-time reset code for a resident of their community, in person.

    Returns the code (shown once to the worker); only its hash is kept. Earlier unused codes
    stop working.
    """
    _require_resident_of(worker, user, community)
    if user.is_closed:
        raise RuleViolation(_("This account is closed."))
    if user.id == worker.id:
        raise PermissionDenied(_("Nobody issues their own reset code: another staff member must."))
    if queries.roles_of(user).is_staff:
        # A worker must not be able to take over a colleague's or an administrator's account.
        raise PermissionDenied(_("Staff accounts are reset by a site administrator, not with a code."))
    return accounts.issue_reset_code(worker, user, community.id)


def issue_staff_reset_code(site_admin: User, user: User) -> str:
    """A site administrator issues a reset code for anyone, staff included (audited); shown once."""
    require_site_admin(site_admin)
    if user.id == site_admin.id:
        raise PermissionDenied(_("Nobody issues their own reset code: another staff member must."))
    if user.is_closed or not user.active:
        raise RuleViolation(_("This account is closed."))
    return accounts.issue_reset_code(site_admin, user, None)


def end_all_by_worker(worker: User, user: User, community: Community) -> int:
    """A worker ends all of a resident's sessions (a lost phone), audited; returns how many.

    Only for a resident of the worker's own community, never for staff (a site administrator
    does that) and never for oneself (use "log out everywhere" on one's own page).
    """
    _require_resident_of(worker, user, community)
    if user.id == worker.id:
        raise PermissionDenied(_("Another staff member must do this for you."))
    if queries.roles_of(user).is_staff:
        raise PermissionDenied(_("Staff sessions are ended by a site administrator."))
    return sessions.end_all_by_staff(worker, user, community.id)


def end_all_by_site_admin(site_admin: User, user: User) -> int:
    """A site administrator ends all sessions of anyone, staff included (audited)."""
    require_site_admin(site_admin)
    return sessions.end_all_by_staff(site_admin, user)
