"""Who may do what with a hazard, an inspection and an emergency point, and the hazard's state table.

| record           | action      | who (and when)                                                                   |
|------------------|-------------|----------------------------------------------------------------------------------|
| community ledger | manage      | the committee (workers of the community, admins of its street): list, add, CSV    |
| hazard           | view        | the committee; grid workers of the hazard's grid                                  |
| hazard           | plan        | the committee; open or being fixed (owner, measures, due date)                    |
| hazard           | start       | the committee, grid workers of its grid; open → being fixed                       |
| hazard           | fix         | the same; being fixed → fixed (who marked it is kept)                             |
| hazard           | check       | the same, but never the person who marked it fixed; fixed → checked               |
| hazard           | reopen      | the same as check; fixed → being fixed (the check failed)                         |
| grid             | inspect     | its grid workers only (the committee reads inspections, it does not make them)    |
| grid             | inspections | its grid workers; the committee                                                   |
| inspection       | view        | grid workers of its grid; the committee                                           |
| inspection       | open_hazard | grid workers of its grid; the committee (a failed item, once)                     |
| emergency point  | manage      | the committee                                                                     |

A state or a person that does not fit is refused: the wrong state 409, the wrong person 403.
"""

from __future__ import annotations

from flask_babel import gettext as _

from consult.core.errors import Conflict, PermissionDenied
from consult.core.policy import Policy, policy_for
from consult.extensions import db
from consult.places import queries as places
from consult.places.models import Community
from consult.safety.hazard_models import EmergencyPoint, Hazard, HazardStatus as S, Inspection
from consult.safety.models import Grid
from consult.safety.policy import is_grid_worker

#: The hazard's state table: action -> (the states it starts from, the state it leads to).
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "start": ((S.OPEN,), S.FIXING),
    "fix": ((S.FIXING,), S.FIXED),
    "check": ((S.FIXED,), S.CHECKED),
    "reopen": ((S.FIXED,), S.FIXING),
}


def committee(user, community_id: int) -> bool:
    """Workers of the community and admins of its street."""
    return places.can_manage_community(user, db.session.get_one(Community, community_id))


def _refuse_person() -> None:
    raise PermissionDenied(_("Only the committee and the grid workers of this grid may do this."))


@policy_for(Hazard)
class HazardPolicy(Policy[Hazard]):
    actions = ("view", "plan", *TRANSITIONS)

    def _people(self, user) -> None:
        if is_grid_worker(user, self.subject.grid_id) or committee(user, self.subject.community_id):
            return
        _refuse_person()

    def _from(self, action: str) -> None:
        if self.state not in TRANSITIONS[action][0]:
            raise Conflict(_("This hazard is no longer at that step; the page shows where it is now."))

    def check_view(self, user) -> None:
        self._people(user)

    def check_plan(self, user) -> None:
        if not committee(user, self.subject.community_id):
            raise PermissionDenied(_("Only the committee may change the owner, measures or due date."))
        if self.state not in (S.OPEN, S.FIXING):
            raise Conflict(_("A fixed hazard's plan can no longer change."))

    def check_start(self, user) -> None:
        self._people(user)
        self._from("start")

    def check_fix(self, user) -> None:
        self._people(user)
        self._from("fix")

    def check_check(self, user) -> None:
        self._people(user)
        self._from("check")
        if getattr(user, "id", None) == self.subject.fixed_by_id:
            raise PermissionDenied(_("Someone other than the person who marked it fixed must check it."))

    def check_reopen(self, user) -> None:
        self.check_check(user)


class GridRoundsPolicy(Policy[Grid]):
    """Inspections of a grid (not registered for ``|can``: the grid's own policy is GridPolicy)."""

    actions = ("inspect", "inspections")

    @property
    def state(self) -> str:
        return "deleted" if self.subject.deleted_at is not None else "active"

    def check_inspect(self, user) -> None:
        if self.state == "deleted" or not is_grid_worker(user, self.subject.id):
            raise PermissionDenied(_("Only the grid workers of this grid inspect it."))

    def check_inspections(self, user) -> None:
        if is_grid_worker(user, self.subject.id) or committee(user, self.subject.community_id):
            return
        _refuse_person()


@policy_for(Inspection)
class InspectionPolicy(Policy[Inspection]):
    actions = ("view", "open_hazard")

    @property
    def state(self) -> str:
        return "done"

    def check_view(self, user) -> None:
        if is_grid_worker(user, self.subject.grid_id) or committee(user, self.subject.community_id):
            return
        _refuse_person()

    def check_open_hazard(self, user) -> None:
        self.check_view(user)


@policy_for(EmergencyPoint)
class EmergencyPointPolicy(Policy[EmergencyPoint]):
    actions = ("manage",)

    @property
    def state(self) -> str:
        return "listed"

    def check_manage(self, user) -> None:
        if not committee(user, self.subject.community_id):
            raise PermissionDenied(_("Only the committee of this community may do this."))
