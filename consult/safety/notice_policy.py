"""Who may publish, follow up and acknowledge urgent notices, and answer as a first responder.

| record    | action       | state  | who                                                                             |
|-----------|--------------|--------|---------------------------------------------------------------------------------|
| community | publish      | any    | its committee (workers of the community, admins of its street); not grid workers |
| street    | publish      | any    | admins of the street                                                             |
| notice    | follow       | any    | admins of its street; committees of targeted communities; grid workers of reached grids |
| notice    | export       | any    | the same people as ``follow``, for the same rows                                 |
| notice    | acknowledge  | active | a recipient (a confirmed resident of a targeted place when it was published)     |
| notice    | acknowledge  | ended  | nobody (410)                                                                     |
| notice    | record_visit | active | grid workers of the recipient's grid; workers of the recipient's community |
| notice    | record_visit | ended  | nobody (410)                                                                     |
| notice    | answer       | active | a first responder it called (orange and red notices)                            |
| notice    | answer       | ended  | nobody (410)                                                                     |

The street's admins see totals only; committees their community's residents; grid workers their
grids' residents (``Scope``). Street admins record no visits: they do not knock on doors.
``record_visit`` needs the recipient: ``NoticePolicy(notice, recipient=row).require("record_visit", user)``;
a building outside the worker's grids is refused (403). Templates ask ``notice|can('follow')``.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from consult.core.errors import Gone, NotFound, PermissionDenied
from consult.core.policy import Policy, policy_for
from consult.extensions import db
from consult.places import queries as places
from consult.places.models import Community, Street
from consult.safety.notice_models import Notice, NoticeRecipient, NoticeResponder, NoticeTarget
from consult.safety.policy import is_committee_worker, is_grid_worker


class PublishPolicy(Policy[Community | Street]):
    """Publishing a notice for a community (its committee) or for a street (its admins)."""

    actions = ("publish",)

    @property
    def state(self) -> str:
        return "open"

    def check_publish(self, user) -> None:
        subject = self.subject
        if isinstance(subject, Street):
            if not places.can_manage_street(user, subject):
                self.refuse(_("Only the admins of this street may publish a notice for it."), PermissionDenied)
        elif not places.can_manage_community(user, subject):
            self.refuse(_("Only the committee of this community may publish a notice for it."), PermissionDenied)


def recipient_of(notice: Notice, user_id: int | None) -> NoticeRecipient | None:
    if user_id is None:
        return None
    return db.session.scalar(
        sa.select(NoticeRecipient).where(NoticeRecipient.notice_id == notice.id, NoticeRecipient.user_id == user_id)
    )


def target_communities(notice: Notice) -> set[int]:
    """The communities a notice reached (from its recipients' snapshot and its targets)."""
    return set(db.session.scalars(sa.select(NoticeTarget.community_id).where(NoticeTarget.notice_id == notice.id)))


@policy_for(Notice)
class NoticePolicy(Policy[Notice]):
    actions = ("follow", "export", "acknowledge", "record_visit", "answer")

    @property
    def state(self) -> str:
        return "active" if self.moment < self.subject.ends_at else "ended"

    def _active(self, message: str) -> None:
        if self.state != "active":
            self.refuse(message, Gone)

    def check_follow(self, user) -> None:
        if not scope_of(self.subject, user).any:
            self.refuse(
                _("Only the committee, the street and the grid workers of the places it reached follow a notice up."),
                PermissionDenied,
            )

    def check_export(self, user) -> None:
        self.check_follow(user)

    def check_acknowledge(self, user) -> None:
        if recipient_of(self.subject, getattr(user, "id", None)) is None:
            self.refuse(_("This notice was not sent to you."), NotFound)
        self._active(_("This notice has ended: there is nothing left to acknowledge."))

    def check_record_visit(self, user) -> None:
        recipient = self.context.get("recipient")
        if recipient is None or recipient.notice_id != self.subject.id:
            self.refuse(_("This person did not receive this notice."), NotFound)
        if not (is_grid_worker(user, recipient.grid_id) or is_committee_worker(user, recipient.community_id)):
            self.refuse(
                _("This resident lives outside your grids: only their own grid workers and committee record visits."),
                PermissionDenied,
            )
        self._active(_("This notice has ended: visits are no longer recorded."))

    def check_answer(self, user) -> None:
        called = db.session.scalar(
            sa.select(NoticeResponder.id).where(
                NoticeResponder.notice_id == self.subject.id, NoticeResponder.user_id == getattr(user, "id", None)
            )
        )
        if called is None:
            self.refuse(_("This notice did not call you as a first responder."), NotFound)
        self._active(_("This notice has ended: no answer is needed any more."))


class Scope:
    """The rows of a notice's follow-up a person sees: every community (the street), some
    communities (their committees), some grids (grid workers)."""

    def __init__(self, everything: bool = False, communities: frozenset[int] = frozenset(), grids: frozenset[int] = frozenset()):
        self.everything, self.communities, self.grids = everything, communities, grids

    @property
    def any(self) -> bool:
        return self.everything or bool(self.communities) or bool(self.grids)

    @property
    def sees_people(self) -> bool:
        """Names, addresses and who needs help: committee workers and grid workers, never the street as such."""
        return bool(self.communities) or bool(self.grids)

    def where(self):
        """The SQL condition on ``NoticeRecipient`` rows whose totals this scope sees."""
        return sa.true() if self.everything else self.people_where()

    def people_where(self):
        """The SQL condition on ``NoticeRecipient`` rows whose people this scope sees."""
        return sa.or_(NoticeRecipient.community_id.in_(list(self.communities)), NoticeRecipient.grid_id.in_(list(self.grids)))


def scope_of(notice: Notice, user) -> Scope:
    """What of ``notice``'s follow-up ``user`` sees (cached on the policy's request via roles_of)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Scope()
    roles = places.roles_of(user)
    reached = target_communities(notice)
    communities = frozenset(c for c in reached if c in roles.worker_of)
    grids = frozenset()
    if roles.grid_of and reached & roles.grid_communities:
        grids = frozenset(
            db.session.scalars(
                sa.select(NoticeRecipient.grid_id)
                .where(NoticeRecipient.notice_id == notice.id, NoticeRecipient.grid_id.in_(list(roles.grid_of)))
                .distinct()
            )
        )
    return Scope(everything=notice.street_id in roles.admin_of_streets, communities=communities, grids=grids)
