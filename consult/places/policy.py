"""The rules of a residence, in one place (``consult.core.policy``).

| state     | action   | by                                                   | to        |
|-----------|----------|------------------------------------------------------|-----------|
| pending   | confirm  | the committee of its community, not the person       | confirmed |
| pending   | reject   | the committee of its community (with a reason)       | rejected  |
| pending   | withdraw | the person                                           | ended     |
| confirmed | end      | the committee of its community (moved out, removed)  | ended     |

Closing an account ends a pending or confirmed residence too (``services.end_all_for_closed_account``).
Services call ``policy_of(residence).require(action, actor)``; templates ask ``residence|can(action)``.
"""

from __future__ import annotations

from flask_babel import gettext as _

from consult.core.errors import Conflict, PermissionDenied
from consult.core.policy import Policy, policy_for
from consult.core.rules import require_not_self
from consult.extensions import db
from consult.places.models import Community, Residence, ResidenceStatus
from consult.places.rules import require_committee


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
