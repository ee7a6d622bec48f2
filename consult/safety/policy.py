"""Who may do what with a grid and with the marks of a person who needs help (``consult.core.policy``).

| record    | action      | who                                                                           |
|-----------|-------------|-------------------------------------------------------------------------------|
| grid      | view        | its grid workers; the committee of its community (workers, street admins)     |
| grid      | manage      | the committee (rename, delete, buildings, grid workers, volunteers); not deleted |
| grid      | see_needs   | its grid workers; workers of its community — not street admins (docs/safety.md) |
| grid      | record_need | the same people, for a resident of the grid (with consent noted)               |
| help need | view        | the person; grid workers of the grid they live in; workers of their community  |
| help need | change      | the person (a worker records through ``record_need`` on the grid)             |
| help need | remove      | the person, at any time                                                        |

A grid worker sees only their grids: ``/manage/grids/<id>/`` of another grid is refused (403).
Services call ``GridPolicy(grid).require(action, actor)``; templates ask ``grid|can('manage')``.
"""

from __future__ import annotations

from flask_babel import gettext as _

from consult.core.errors import NotFound, PermissionDenied
from consult.core.policy import Policy, policy_for
from consult.extensions import db
from consult.places import queries as places
from consult.places.models import Community
from consult.safety import queries
from consult.safety.models import Grid, HelpNeed


def is_grid_worker(user, grid_id: int | None) -> bool:
    """Whether ``user`` holds an active grid-worker appointment for this grid."""
    return grid_id is not None and grid_id in places.roles_of(user).grid_of


def is_committee_worker(user, community_id: int | None) -> bool:
    """A worker of the community (street admins excluded: they do not see who needs help)."""
    return community_id is not None and community_id in places.roles_of(user).worker_of


@policy_for(Grid)
class GridPolicy(Policy[Grid]):
    actions = ("view", "manage", "see_needs", "record_need")

    @property
    def state(self) -> str:
        return "deleted" if self.subject.deleted_at is not None else "active"

    def _exists(self) -> None:
        if self.state == "deleted":
            self.refuse(_("No such grid."), NotFound)

    def _community(self) -> Community:
        return db.session.get_one(Community, self.subject.community_id)

    def check_view(self, user) -> None:
        self._exists()
        if is_grid_worker(user, self.subject.id) or places.can_manage_community(user, self._community()):
            return
        self.refuse(_("Only the grid workers of this grid and its committee may see it."), PermissionDenied)

    def check_manage(self, user) -> None:
        self._exists()
        if not places.can_manage_community(user, self._community()):
            self.refuse(_("Only the committee of this community may do this."), PermissionDenied)

    def check_see_needs(self, user) -> None:
        self._exists()
        if is_grid_worker(user, self.subject.id) or is_committee_worker(user, self.subject.community_id):
            return
        self.refuse(_("Only the grid workers of this grid and the committee's workers see who needs help."), PermissionDenied)

    def check_record_need(self, user) -> None:
        self.check_see_needs(user)


@policy_for(HelpNeed)
class HelpNeedPolicy(Policy[HelpNeed]):
    actions = ("view", "change", "remove")

    @property
    def state(self) -> str:
        return "marked"

    def _own(self, user) -> bool:
        return getattr(user, "id", None) == self.subject.user_id

    def check_view(self, user) -> None:
        if self._own(user):
            return
        home = queries.home_of(self.subject.user_id)
        if home is not None:
            grid = queries.grid_of_home(home)
            if is_committee_worker(user, home.community_id) or (grid is not None and is_grid_worker(user, grid.id)):
                return
        self.refuse(_("Only the person, their grid workers and their committee's workers see this."), PermissionDenied)

    def check_change(self, user) -> None:
        if not self._own(user):
            self.refuse(_("Only the person may change their own marks here."), PermissionDenied)

    def check_remove(self, user) -> None:
        if not self._own(user):
            self.refuse(_("Only the person may remove their marks."), PermissionDenied)
