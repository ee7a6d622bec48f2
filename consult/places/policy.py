"""The rules of a residence, in one place (``consult.core.policy``).

| state     | action   | by                                                   | to        |
|-----------|----------|------------------------------------------------------|-----------|
| pending   | confirm  | the committee of its community, not the person       | confirmed |
| pending   | reject   | the committee of its community (with a reason)       | rejected  |
| pending   | withdraw | the person                                           | ended     |
| confirmed | end      | the committee of its community (moved out, removed)  | ended     |

Closing an account ends a pending or confirmed residence too (``services.end_all_for_closed_account``).
Services call ``ResidencePolicy(residence).require(action, actor)``; templates ask ``residence|can(action)``.

A staff appointment is active until it is ended (``end``): a worker's by an administrator of
their community's street, a department member's by an administrator of its street, a grid worker's
by the committee of the grid's community (consult/safety), a street or
site administrator's by a site administrator, never one's own site administration.
"""

from __future__ import annotations

from flask_babel import gettext as _

from consult.core.errors import Conflict, PermissionDenied, RuleViolation
from consult.core.policy import Policy, policy_for
from consult.core.rules import require_not_self
from consult.extensions import db
from consult.places import queries
from consult.places.models import Community, Department, Residence, ResidenceStatus, StaffAppointment, StaffRole
from consult.places.rules import require_committee, require_site_admin


@policy_for(Residence)
class ResidencePolicy(Policy[Residence]):
    actions = ("confirm", "reject", "withdraw", "end")

    def _require_committee(self, user) -> None:
        require_committee(user, db.session.get_one(Community, self.subject.community_id))

    def check_confirm(self, user) -> None:
        self._require_committee(user)
        require_not_self(user, self.subject.user_id, _("Another staff member must confirm your own residence."))
        if self.state != ResidenceStatus.PENDING:
            self.refuse(_("This application has already been decided."), Conflict)

    def check_reject(self, user) -> None:
        self._require_committee(user)
        if self.state != ResidenceStatus.PENDING:
            self.refuse(_("This application has already been decided."), Conflict)

    def check_withdraw(self, user) -> None:
        if getattr(user, "id", None) != self.subject.user_id:
            self.refuse(_("This is not your application."), PermissionDenied)
        if self.state != ResidenceStatus.PENDING:
            self.refuse(_("Only a pending application can be withdrawn."), Conflict)

    def check_end(self, user) -> None:
        self._require_committee(user)
        if self.state != ResidenceStatus.CONFIRMED:
            self.refuse(_("Only a confirmed residence can be ended."), Conflict)


@policy_for(StaffAppointment)
class AppointmentPolicy(Policy[StaffAppointment]):
    actions = ("end",)

    @property
    def state(self) -> str:
        return "ended" if self.subject.ended_at is not None else "active"

    def check_end(self, user) -> None:
        if self.state == "ended":
            self.refuse(_("This appointment has already ended."), Conflict)
        if self.subject.role == StaffRole.WORKER:
            community = db.session.get_one(Community, self.subject.community_id)
            if not queries.can_manage_street(user, community.street):
                self.refuse(_("Only an administrator of this street may do this."), PermissionDenied)
            return
        if self.subject.role == StaffRole.GRID_WORKER:
            require_committee(user, db.session.get_one(Community, self.subject.community_id))
            return
        if self.subject.role == StaffRole.DEPARTMENT:
            department = db.session.get_one(Department, self.subject.department_id)
            if department.street_id not in queries.roles_of(user).admin_of_streets:
                self.refuse(_("Only an administrator of this street may do this."), PermissionDenied)
            return
        if self.subject.role == StaffRole.PROVIDER:  # a provider's staff: the committee that appointed them
            community = db.session.get_one(Community, self.subject.community_id)
            if not queries.can_manage_community(user, community):
                self.refuse(_("Only the committee of this community may do this."), PermissionDenied)
            return
        require_site_admin(user)
        if self.subject.role == StaffRole.SITE_ADMIN and self.subject.user_id == getattr(user, "id", None):
            self.refuse(_("You cannot remove your own site administration."), RuleViolation)
