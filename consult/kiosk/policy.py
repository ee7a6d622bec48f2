"""Who may do what with kiosks and kiosk PINs (docs/kiosk.md has the same table).

| subject   | action   | when                                                   | who                                       |
|-----------|----------|--------------------------------------------------------|-------------------------------------------|
| community | register | always                                                 | the committee (its workers, street admins)|
| kiosk     | revoke   | active                                                 | the committee of the kiosk's community    |
| kiosk PIN | set      | the holder is a confirmed resident there, not staff    | the committee, never for themselves       |
| kiosk PIN | unlock   | locked; the holder as for ``set``                      | the committee, never for themselves       |
| kiosk PIN | issue_card | (a sign-in card) the holder as for ``set``           | the committee, never for themselves       |
| kiosk PIN | log_in   | not locked; the holder as for ``set``, of the kiosk's community | the holder, at a registered kiosk |

Residents, party members, other communities' workers, departments, grid workers, providers and
visitors may do none of the committee's actions. A staff account never gets a kiosk PIN: a
6-digit PIN is a weaker secret than a password, and a kiosk is a shared terminal.
"""

from __future__ import annotations

from flask_babel import gettext as _

from consult.accounts import hooks
from consult.core.errors import Conflict, PermissionDenied
from consult.core.policy import Policy, policy_for
from consult.extensions import db
from consult.kiosk.models import PIN_TRIES, Kiosk, KioskPin
from consult.places import queries as places
from consult.places.models import Community


class PinLocked(PermissionDenied):
    """The PIN is locked: 423 Locked, with what to do."""

    status = 423


def committee(user, community: Community) -> bool:
    """A worker of ``community`` or an admin of its street."""
    return getattr(user, "is_authenticated", False) and places.can_manage_community(user, community)


def may_hold_pin(holder, community: Community) -> bool:
    """A confirmed resident of ``community`` who holds no staff role anywhere."""
    return places.is_confirmed_member(holder, community) and not hooks.is_staff(holder)


@policy_for(Kiosk)
class KioskPolicy(Policy[Kiosk]):
    actions = ("revoke",)

    @property
    def state(self) -> str:
        return "revoked" if self.subject.revoked else "active"

    def check_revoke(self, user) -> None:
        if not committee(user, db.session.get_one(Community, self.subject.community_id)):
            self.refuse(_("Only the committee of this community may do this."), PermissionDenied)
        if self.state == "revoked":
            self.refuse(_("This kiosk is already revoked."), Conflict)


@policy_for(KioskPin)
class PinPolicy(Policy[KioskPin]):
    """A PIN (a transient one before it is first set) with ``community`` and ``holder`` in the context."""

    actions = ("set", "unlock", "issue_card", "log_in")

    @property
    def state(self) -> str:
        return "locked" if self.subject.locked else "usable"

    def _require_committee(self, user) -> None:
        community, holder = self.context["community"], self.context["holder"]
        if not committee(user, community):
            self.refuse(_("Only the committee of this community may do this."), PermissionDenied)
        if getattr(user, "id", None) == holder.id:
            self.refuse(_("Another staff member must do this for you."), PermissionDenied)
        if not may_hold_pin(holder, community):
            self.refuse(_("Kiosk PINs are for confirmed residents of this community who are not staff."), PermissionDenied)

    def check_set(self, user) -> None:
        self._require_committee(user)

    def check_issue_card(self, user) -> None:
        self._require_committee(user)

    def check_unlock(self, user) -> None:
        self._require_committee(user)
        if self.state != "locked":
            self.refuse(_("This kiosk PIN is not locked."), Conflict)

    def check_log_in(self, user) -> None:
        if getattr(user, "id", None) != self.context["holder"].id or not may_hold_pin(user, self.context["community"]):
            self.refuse(_("This account cannot log in at this community's kiosk."), PermissionDenied)
        if self.state == "locked":
            self.refuse(
                _("This kiosk PIN is locked after %(n)d wrong tries. A worker at the service desk can unlock it.", n=PIN_TRIES),
                PinLocked,
            )
