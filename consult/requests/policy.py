"""The request's state table and who may move it (docs/requests.md has the same table).

| action       | from                              | who                                  | to                         |
|--------------|-----------------------------------|--------------------------------------|----------------------------|
| accept       | submitted                         | the committee                        | accepted                   |
| assign       | accepted, in progress             | the committee, while it holds it     | in progress                |
| escalate     | accepted, in progress             | the committee, while it holds it     | in progress, street holds  |
| dispatch     | in progress                       | the street, while it holds it        | in progress, department    |
| accept       | in progress, department holds     | the department, once                 | same (department answered) |
| send_back    | in progress                       | the street, while it holds it        | in progress, community     |
| send_back    | in progress, department holds     | the department                       | in progress, street        |
| resolve      | accepted, in progress             | whoever holds it                     | resolved                   |
| confirm      | resolved                          | the reporter (none for Open311)      | confirmed                  |
| not_solved   | resolved, never reopened          | the reporter (none for Open311)      | in progress (reopened)     |
| call_back    | resolved                          | the committee                        | confirmed, or reopened     |
| close        | confirmed                         | the committee                        | closed                     |
| merge        | submitted, accepted, in progress  | the committee                        | merged                     |
| refer        | submitted, accepted               | the committee                        | out of scope               |
| move_due     | submitted, accepted, in progress  | whoever holds it                     | same (original due kept)   |
| view         | any                               | the reporter, committee, street,     |                            |
|              |                                   | the department holding it now        |                            |

"The committee" is a worker of the request's community or an admin of its street; "the street"
is an admin of its street; "the department" is a member of the department that holds it now
(a department that held it before no longer sees it). Nobody acts on a request they reported themselves except as its
reporter (a worker who reports a broken lift in their own building does not accept it). A request
sent through Open311 has no reporter account: nobody confirms it or says "not solved"; the
committee's call-back records the answer.
"""

from __future__ import annotations

from flask_babel import gettext as _

from consult.core.errors import PermissionDenied
from consult.core.policy import Policy, policy_for
from consult.core.rules import acts_on_self
from consult.extensions import db
from consult.places import queries as places
from consult.places.models import Community
from consult.requests.labels import STATUS_LABELS
from consult.requests.models import OPEN_STATES, Holder, Request, RequestStatus as S

ACTIONS = (
    "accept",
    "assign",
    "escalate",
    "send_back",
    "dispatch",
    "resolve",
    "confirm",
    "not_solved",
    "call_back",
    "close",
    "merge",
    "refer",
    "move_due",
    "view",
)


@policy_for(Request)
class RequestPolicy(Policy[Request]):
    actions = ACTIONS

    # -- who ---------------------------------------------------------------------------------
    @property
    def community(self) -> Community:
        community = self.context.get("community") or db.session.get(Community, self.subject.community_id)
        assert community is not None
        return community

    def is_reporter(self, user) -> bool:
        return acts_on_self(self.subject.reporter_id, user)

    def is_committee(self, user) -> bool:
        return getattr(user, "is_authenticated", False) and places.can_manage_community(user, self.community)

    def is_street(self, user) -> bool:
        return getattr(user, "is_authenticated", False) and self.community.street_id in places.roles_of(user).admin_of_streets

    def is_department(self, user) -> bool:
        """A member of the department that holds the request now."""
        department_id = self.subject.department_id
        return (
            self.subject.holder == Holder.DEPARTMENT
            and department_id is not None
            and getattr(user, "is_authenticated", False)
            and department_id in places.roles_of(user).department_of
        )

    def holds(self, user) -> bool:
        """Whether ``user`` acts for whoever holds the request now."""
        if self.subject.holder == Holder.DEPARTMENT:
            return self.is_department(user)
        if self.subject.holder == Holder.COMMUNITY:
            return self.is_committee(user)
        if self.subject.holder == Holder.STREET:
            return self.is_street(user)
        return False

    def sees_contact(self, user) -> bool:
        """The caller's contact of an Open311 request: for the staff holding it, and for the committee
        while the call-back (to that contact) is theirs to make, whoever resolved it."""
        return self.subject.reporter_id is None and (self.holds(user) or self.can("call_back", user))

    # -- checks ------------------------------------------------------------------------------
    def _state(self, *states: str) -> None:
        if self.state not in states:
            self.refuse(_("This request is %(status)s; that step is not possible now.", status=_status_label(self.state)))

    def _staff(self, allowed: bool, message: str | None = None) -> None:
        if not allowed:
            self.refuse(message or _("Only the committee of this community may do this."), PermissionDenied)

    def _not_own(self, user) -> None:
        if self.is_reporter(user):
            self.refuse(_("Another staff member must do this: nobody acts on their own record."), PermissionDenied)

    def check_view(self, user) -> None:
        if not (self.is_reporter(user) or self.is_committee(user) or self.is_street(user) or self.is_department(user)):
            self.refuse(_("This request can only be seen by its reporter and the staff who handle it."), PermissionDenied)

    def check_accept(self, user) -> None:
        if self.is_department(user):  # the department's answer, once, while it holds it
            self._not_own(user)
            self._state(S.IN_PROGRESS)
            if self.subject.department_accepted_at is not None:
                self.refuse(_("The department has already taken it up."))
            return
        self._staff(self.is_committee(user))
        self._not_own(user)
        self._state(S.SUBMITTED)

    def _holder_step(self, user, *states: str, holder: str | None = None) -> None:
        """A step only whoever holds the request takes (``holder``: only while that level holds it)."""
        self._staff(self.is_committee(user) or self.is_street(user) or self.is_department(user))
        self._not_own(user)
        self._state(*states)
        if (holder is not None and self.subject.holder != holder) or not self.holds(user):
            self.refuse(_("The request is with someone else now; only its holder can do this."))

    def check_assign(self, user) -> None:
        self._holder_step(user, S.ACCEPTED, S.IN_PROGRESS, holder=Holder.COMMUNITY)

    def check_escalate(self, user) -> None:
        self._holder_step(user, S.ACCEPTED, S.IN_PROGRESS, holder=Holder.COMMUNITY)

    def check_send_back(self, user) -> None:
        """The street sends it back to the committee; the department back to the street."""
        self._holder_step(user, S.IN_PROGRESS)
        if self.subject.holder == Holder.COMMUNITY:
            self.refuse(_("The request is with someone else now; only its holder can do this."))

    def check_dispatch(self, user) -> None:
        """部门报到: the street hands the request to one of its departments."""
        self._holder_step(user, S.IN_PROGRESS, holder=Holder.STREET)

    def check_resolve(self, user) -> None:
        self._holder_step(user, S.ACCEPTED, S.IN_PROGRESS)

    def check_move_due(self, user) -> None:
        self._holder_step(user, *OPEN_STATES)

    def check_confirm(self, user) -> None:
        if self.subject.reporter_id is None:
            self.refuse(
                _("This request came through Open311 and has no resident account: a worker records the answer by a call-back."),
                PermissionDenied,
            )
        if not self.is_reporter(user):
            self.refuse(_("Only the resident who reported it can confirm it."), PermissionDenied)
        self._state(S.RESOLVED)

    def check_not_solved(self, user) -> None:
        self.check_confirm(user)
        if self.subject.reopened_at is not None:
            self.refuse(_("It was reopened once already; please rate it, and call the committee if it is still not solved."))

    def check_call_back(self, user) -> None:
        self._staff(self.is_committee(user))
        self._not_own(user)
        self._state(S.RESOLVED)

    def check_close(self, user) -> None:
        self._staff(self.is_committee(user))
        self._state(S.CONFIRMED)

    def check_merge(self, user) -> None:
        self._staff(self.is_committee(user))
        self._not_own(user)
        self._state(*OPEN_STATES)

    def check_refer(self, user) -> None:
        self._staff(self.is_committee(user))
        self._not_own(user)
        self._state(S.SUBMITTED, S.ACCEPTED)


def _status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def open_clause():
    """SQL: the requests someone still has to act on (the same states as ``OPEN_STATES``)."""
    return Request.status.in_([s.value for s in OPEN_STATES])
