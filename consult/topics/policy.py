"""The rules of a topic, its vote and its outcome, in one place (docs/design.md, "Topics").

- ``TRANSITIONS``: the state table — which status may follow which.
- ``state_at`` / ``state_sql``: the time rule (support window ending, vote opening and closing),
  once in Python for one topic and once as a SQL expression for queries, ``settle_due`` and
  evaluation. A property test keeps the two in agreement.
- ``TopicPolicy`` / ``OutcomePolicy``: ``can(action, user)`` for templates and
  ``require(action, user)`` for services, from the state table and the roles (author, committee,
  confirmed resident). The refusal messages are the ones people see.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from consult.core import cache
from consult.core.clock import now
from consult.core.errors import Conflict, NotFound, PermissionDenied
from consult.core.policy import Policy, policy_for
from consult.core.templating import label
from consult.extensions import db
from consult.places import queries as places
from consult.places.models import Community
from consult.places.rules import require_committee, require_member
from consult.topics.models import Outcome, ProgressStatus, Topic, TopicStatus, Vote, is_public

S = TopicStatus

#: The state table of docs/design.md: which status may follow which.
TRANSITIONS: dict[str, set[str]] = {
    S.DRAFT: {S.PENDING_REVIEW, S.WITHDRAWN},
    S.PENDING_REVIEW: {S.REJECTED, S.COLLECTING_SUPPORT, S.READY_FOR_VOTE, S.WITHDRAWN},
    S.COLLECTING_SUPPORT: {S.NOT_ENOUGH_SUPPORT, S.READY_FOR_VOTE, S.WITHDRAWN},
    S.READY_FOR_VOTE: {S.VOTE_SCHEDULED, S.VOTING},
    S.VOTE_SCHEDULED: {S.VOTING, S.READY_FOR_VOTE},  # back when the committee cancels the vote before it opens
    S.VOTING: {S.CLOSED},
    S.CLOSED: {S.OUTCOME_PUBLISHED},
}

#: Statuses whose state depends on the topic's vote (its opening and closing times).
VOTE_STATUSES = (S.VOTE_SCHEDULED.value, S.VOTING.value)


# --- the time rule ----------------------------------------------------------------------------


def state_at(topic: Topic, vote: Vote | None, moment: datetime) -> str:
    """The topic's state as of ``moment``, whether or not ``flask tick`` has made it permanent yet."""
    cache.valid_until(next_change(topic, vote, moment))
    if topic.status == S.COLLECTING_SUPPORT and topic.support_deadline and topic.support_deadline <= moment:
        return S.NOT_ENOUGH_SUPPORT.value
    if topic.status in VOTE_STATUSES and vote is not None:
        if vote.closes_at <= moment:
            return S.CLOSED.value
        if vote.opens_at <= moment:
            return S.VOTING.value
    return str(topic.status)


def next_change(topic: Topic, vote: Vote | None, moment: datetime) -> datetime | None:
    """When ``state_at`` next gives another answer by the clock alone (a cached page expires then)."""
    times = [topic.support_deadline] if topic.status == S.COLLECTING_SUPPORT else []
    if topic.status in VOTE_STATUSES and vote is not None:
        times += [vote.opens_at, vote.closes_at]
    return min((t for t in times if t is not None and t > moment), default=None)


def state_of(topic: Topic, vote: Vote | None = None) -> str:
    """The topic's state now (``vote``: its vote, when the caller has it; lists pass it to save queries)."""
    return state_at(topic, vote, now())


def deadline_running(state: str) -> bool:
    """Whether a topic in ``state`` is counting down to its ``closes_at`` (support window or vote)."""
    return state in (S.COLLECTING_SUPPORT, S.VOTE_SCHEDULED, S.VOTING)


def state_sql(moment: datetime) -> sa.ColumnElement[str]:
    """``state_at`` as a SQL expression over ``Topic`` (its vote read by correlated subqueries),
    for filters, ``settle_due`` and reports: ``select(Topic).where(state_sql(now()) == 'voting')``."""
    opens = sa.select(Vote.opens_at).where(Vote.topic_id == Topic.id).correlate(Topic).scalar_subquery()
    closes = sa.select(Vote.closes_at).where(Vote.topic_id == Topic.id).correlate(Topic).scalar_subquery()
    voting_phase = Topic.status.in_(VOTE_STATUSES)
    return sa.case(
        (
            sa.and_(Topic.status == S.COLLECTING_SUPPORT.value, Topic.support_deadline <= moment),
            sa.literal(S.NOT_ENOUGH_SUPPORT.value),
        ),
        (sa.and_(voting_phase, closes <= moment), sa.literal(S.CLOSED.value)),
        (sa.and_(voting_phase, opens <= moment), sa.literal(S.VOTING.value)),
        else_=Topic.status,
    )


def _sources(state: str) -> set[str]:
    """The stored statuses a topic can be in while its state is ``state``."""
    if state == S.NOT_ENOUGH_SUPPORT:
        return {S.COLLECTING_SUPPORT.value, state}
    if state == S.VOTING:
        return {*VOTE_STATUSES}
    if state == S.CLOSED:
        return {*VOTE_STATUSES, state}
    return {state}


def in_state(state: str, moment: datetime) -> sa.ColumnElement[bool]:
    """Topics whose state at ``moment`` is ``state``; the stored status narrows it first (an index)."""
    return sa.and_(Topic.status.in_(sorted(_sources(state))), state_sql(moment) == state)


def status_name(status: str) -> str:
    return str(label(status))


def vote_of(topic: Topic) -> Vote | None:
    """The vote of a topic, if one was set up."""
    return db.session.scalar(sa.select(Vote).where(Vote.topic_id == topic.id))


def _authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


# --- topics -----------------------------------------------------------------------------------


_UNSET: Any = object()


@policy_for(Topic)
class TopicPolicy(Policy[Topic]):
    """What a person may do with a topic now. Context: ``vote=`` (saves a query when known)."""

    actions = (
        "see",
        "edit",
        "submit",
        "withdraw",
        "support",
        "follow",
        "comment",
        "print",
        "vote",
        "approve",
        "reject",
        "send_to_vote",
        "schedule_vote",
        "change_vote",
        "close_vote",
        "record_paper",
        "publish_outcome",
    )

    @property
    def vote(self) -> Vote | None:
        vote = self.context.get("vote", _UNSET)
        if vote is _UNSET:
            vote = self.context["vote"] = vote_of(self.subject) if self.subject.status in VOTE_STATUSES else None
        return vote

    @property
    def state(self) -> str:
        return state_at(self.subject, self.vote, self.moment)

    @property
    def community(self) -> Community:
        if "community" not in self.context:
            self.context["community"] = db.session.get_one(Community, self.subject.community_id)
        return self.context["community"]

    def committee(self, user) -> bool:
        return _authenticated(user) and places.can_manage_community(user, self.community)

    def member(self, user) -> bool:
        return places.is_confirmed_member(user, self.community)

    def _refuse_state(self) -> None:
        self.refuse(_("This cannot be done while the topic is “%(status)s”.", status=status_name(self.state)), Conflict)

    def _move(self, to: str) -> None:
        """Refuse unless the state table lets the topic go from its state now to ``to``."""
        if to not in TRANSITIONS.get(self.state, set()):
            self._refuse_state()

    def _author(self, user, message: str) -> None:
        if getattr(user, "id", None) != self.subject.author_id:
            self.refuse(message, PermissionDenied)

    # -- everyone

    def check_see(self, user) -> None:
        """Anyone if it is public, else its author and the committee (others: no such topic)."""
        if is_public(self.subject):
            return
        if not _authenticated(user) or (user.id != self.subject.author_id and not self.committee(user)):
            self.refuse(_("No such topic."), NotFound)

    def check_print(self, user) -> None:
        """A notice is for the noticeboard: published topics only."""
        if not is_public(self.subject):
            self.refuse(_("No such topic."), NotFound)

    def check_follow(self, user) -> None:
        if not _authenticated(user):
            self.refuse(_("Only confirmed residents of this community can do this."), PermissionDenied)
        self.check_see(user)

    # -- the author

    def check_edit(self, user) -> None:
        self._author(user, _("Only the author can edit this topic."))
        if self.state not in (S.DRAFT, S.PENDING_REVIEW):
            self.refuse(_("A topic can only be edited before the committee has reviewed it."), Conflict)

    def check_submit(self, user) -> None:
        self._author(user, _("Only the author can submit this topic."))
        self._move(S.PENDING_REVIEW)

    def check_withdraw(self, user) -> None:
        self._author(user, _("Only the author can withdraw this topic."))
        self._move(S.WITHDRAWN)

    # -- residents

    def check_support(self, user) -> None:
        require_member(user, self.community)
        if self.state != S.COLLECTING_SUPPORT:
            self.refuse(_("This topic is not collecting support."), Conflict)

    def check_comment(self, user) -> None:
        self.check_see(user)
        if not self.committee(user):
            require_member(user, self.community)
        if not is_public(self.subject) or self.subject.status == S.WITHDRAWN:
            self.refuse(_("Comments are closed on this topic."), Conflict)

    def _voting_open(self) -> None:
        if self.state == S.VOTE_SCHEDULED:
            self.refuse(_("Voting has not opened yet. It opens at the time shown on the topic."))
        if self.state != S.VOTING:
            self.refuse(_("Voting on this topic is closed."))

    def check_vote(self, user) -> None:
        """Confirmed residents while voting is open (a worker records paper ballots for them)."""
        self._voting_open()
        require_member(user, self.community, _("Only confirmed residents of this community can vote."))

    # -- the committee

    def check_approve(self, user) -> None:
        require_committee(user, self.community)
        self._move(S.COLLECTING_SUPPORT)

    def check_reject(self, user) -> None:
        require_committee(user, self.community)
        self._move(S.REJECTED)

    def check_send_to_vote(self, user) -> None:
        """From review or support only (a scheduled vote goes back to "ready" by being cancelled)."""
        require_committee(user, self.community)
        if self.state not in (S.PENDING_REVIEW, S.COLLECTING_SUPPORT):
            self._refuse_state()
        self._move(S.READY_FOR_VOTE)

    def check_schedule_vote(self, user) -> None:
        require_committee(user, self.community)
        if self.state != S.READY_FOR_VOTE:
            self.refuse(_("A vote can only be set up for a topic that is ready for a vote."), Conflict)

    def check_change_vote(self, user) -> None:
        """Change or cancel a scheduled vote: only before it opens (no ballot can exist yet)."""
        require_committee(user, self.community)
        if self.state != S.VOTE_SCHEDULED:
            self.refuse(_("A vote can only be changed or cancelled before it opens."), Conflict)

    def check_close_vote(self, user) -> None:
        require_committee(user, self.community)
        self._voting_open()

    def check_record_paper(self, user) -> None:
        require_committee(user, self.community)
        self._voting_open()

    def check_publish_outcome(self, user) -> None:
        require_committee(user, self.community)
        if self.state != S.CLOSED:
            self.refuse(_("An outcome can only be published once voting has closed."), Conflict)


# --- outcomes ---------------------------------------------------------------------------------


@policy_for(Outcome)
class OutcomePolicy(Policy[Outcome]):
    """Progress on a published outcome, and the residents' satisfaction ratings of a done one.

    Context: ``topic=`` and ``vote=`` (loaded when not given)."""

    actions = ("add_progress", "rate")

    @property
    def topic(self) -> Topic:
        if "topic" not in self.context:
            self.context["topic"] = db.session.get_one(Topic, self.subject.topic_id)
        return self.context["topic"]

    @property
    def vote(self) -> Vote | None:
        if "vote" not in self.context:
            self.context["vote"] = vote_of(self.topic)
        return self.context["vote"]

    def check_add_progress(self, user) -> None:
        require_committee(user, db.session.get_one(Community, self.topic.community_id))
        if self.state in (ProgressStatus.DONE, ProgressStatus.NOT_FEASIBLE):
            self.refuse(_("This outcome is finished; no more progress can be added."), Conflict)

    def check_rate(self, user) -> None:
        """Residents who were eligible to vote may rate a done outcome."""
        if self.state != ProgressStatus.DONE:
            self.refuse(_("An outcome can be rated once the committee marks it done."))
        vote = self.vote
        if (
            vote is None
            or not _authenticated(user)
            or vote.closed_at is None
            or not places.was_resident_at(user.id, self.topic.community_id, vote.closed_at)
        ):
            self.refuse(_("Only residents who could vote on this topic can rate its outcome."), PermissionDenied)
