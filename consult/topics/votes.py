"""Setting up, changing, cancelling and closing the vote of a topic (the committee)."""

from __future__ import annotations

import logging
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from consult.core import audit
from consult.core.clock import now
from consult.core.errors import RuleViolation
from consult.core.notifications import N_
from consult.extensions import db
from consult.topics import deadlines, lifecycle, policy
from consult.topics.models import (
    OPTION_MAX,
    Topic,
    TopicEvent,
    TopicStatus,
    Vote,
    VoteOption,
)

log = logging.getLogger(__name__)
S = TopicStatus


def schedule_vote(
    worker,
    topic: Topic,
    *,
    kind: str,
    options: list[str] | None,
    max_choices: int,
    scope: str,
    opens_at: datetime,
    closes_at: datetime,
    quorum_percent: int | None,
    live_results: bool,
) -> Vote:
    """The committee sets up the ballot of a topic ready for a vote."""
    topic = lifecycle.lock(topic)
    policy.TopicPolicy(topic).require("schedule_vote", worker)
    vote = Vote(topic_id=topic.id, created_by_id=worker.id)
    choices = _vote_settings(
        vote,
        kind=kind,
        options=options,
        max_choices=max_choices,
        scope=scope,
        opens_at=opens_at,
        closes_at=closes_at,
        quorum_percent=quorum_percent,
        live_results=live_results,
    )
    db.session.add(vote)
    db.session.flush()
    for option in choices:
        option.vote_id = vote.id
        db.session.add(option)
    lifecycle.transition(topic, S.VOTE_SCHEDULED if opens_at > now() else S.VOTING, worker, committee=True)
    topic.closes_at = closes_at
    db.session.flush()
    return vote


def _vote_settings(
    vote: Vote, *, kind, options, max_choices, scope, opens_at, closes_at, quorum_percent, live_results
) -> list[VoteOption]:
    """Check a vote's settings and put them on ``vote``; returns its options (not yet added)."""
    if scope not in ("resident", "household"):
        raise RuleViolation(_("Choose who votes: each resident or each household."), field="scope")
    if not (opens_at.year >= 2000 and closes_at.year <= 2100):
        raise RuleViolation(_("Give dates between 2000 and 2100."), field="opens_at")
    if closes_at <= opens_at:
        raise RuleViolation(_("The vote must close after it opens."), field="closes_at")
    if closes_at <= now():
        raise RuleViolation(_("The closing time has already passed."), field="closes_at")
    if quorum_percent is not None and not 1 <= quorum_percent <= 100:
        raise RuleViolation(_("A quorum is a percentage between 1 and 100."), field="quorum_percent")
    if kind == "yes_no":
        choices = [VoteOption(key=key, position=i) for i, key in enumerate(("for", "against", "abstain"))]
        max_choices = 1
    elif kind == "choices":
        labels = [o.strip() for o in (options or []) if o and o.strip()]
        if len(labels) < 2 or len(labels) > 10:
            raise RuleViolation(_("Give between 2 and 10 choices."), field="options")
        if len(set(labels)) != len(labels):
            raise RuleViolation(_("Each choice must be different."), field="options")
        if any(len(label) > OPTION_MAX for label in labels):
            raise RuleViolation(_("Keep each choice to 60 characters."), field="options")
        if not 1 <= max_choices <= len(labels):
            raise RuleViolation(_("Voters may choose between 1 and %(n)d options.", n=len(labels)), field="max_choices")
        choices = [VoteOption(label=label, position=i) for i, label in enumerate(labels)]
    else:
        raise RuleViolation(_("Choose the kind of ballot."), field="kind")
    vote.kind, vote.scope, vote.max_choices = kind, scope, max_choices
    vote.opens_at, vote.closes_at, vote.quorum_percent, vote.live_results = opens_at, closes_at, quorum_percent, live_results
    return choices


def _vote_summary(vote: Vote) -> dict:
    """A vote's settings for the audit log and the change notice."""
    labels = [
        o.label or o.key
        for o in db.session.scalars(sa.select(VoteOption).where(VoteOption.vote_id == vote.id).order_by(VoteOption.position))
    ]
    return {
        "kind": vote.kind,
        "options": labels,
        "max_choices": vote.max_choices,
        "scope": vote.scope,
        "opens_at": vote.opens_at.isoformat(),
        "closes_at": vote.closes_at.isoformat(),
        "quorum_percent": vote.quorum_percent,
        "live_results": vote.live_results,
    }


def _scheduled_vote(worker, topic: Topic) -> tuple[Topic, Vote]:
    topic = lifecycle.lock(topic)
    deadlines.settle(topic)
    rules = policy.TopicPolicy(topic)
    rules.require("change_vote", worker)
    vote = rules.vote
    assert vote is not None  # a scheduled topic has its vote
    return topic, vote


def change_vote(
    worker,
    topic: Topic,
    *,
    kind: str,
    options: list[str] | None,
    max_choices: int,
    scope: str,
    opens_at: datetime,
    closes_at: datetime,
    quorum_percent: int | None,
    live_results: bool,
) -> Vote:
    """The committee changes a scheduled vote before it opens (no ballot can exist yet); audited, followers told."""
    topic, vote = _scheduled_vote(worker, topic)
    before = _vote_summary(vote)
    choices = _vote_settings(
        vote,
        kind=kind,
        options=options,
        max_choices=max_choices,
        scope=scope,
        opens_at=opens_at,
        closes_at=closes_at,
        quorum_percent=quorum_percent,
        live_results=live_results,
    )
    db.session.execute(sa.delete(VoteOption).where(VoteOption.vote_id == vote.id))
    for option in choices:
        option.vote_id = vote.id
        db.session.add(option)
    topic.closes_at = closes_at
    db.session.flush()
    after = _vote_summary(vote)
    audit.record(worker, "vote.change", topic, community_id=topic.community_id, before=before, after=after)
    db.session.add(
        TopicEvent(
            topic_id=topic.id,
            from_status=topic.status,
            to_status=topic.status,
            actor_id=worker.id,
            reason=_("The vote was changed before it opened."),
        )
    )
    lifecycle.notify_followers(
        topic,
        f"vote:{vote.id}:changed:{now().isoformat()}",
        N_("The vote on “%(title)s” was changed before it opened. It now opens %(opens)s."),
        exclude=worker,
        opens=lifecycle.local_time(opens_at),
    )
    if opens_at <= now():
        lifecycle.transition(topic, S.VOTING, worker, committee=True)
    db.session.flush()
    log.info("vote %s of topic %s changed by %s", vote.id, topic.id, worker.id)
    return vote


def cancel_vote(worker, topic: Topic, reason: str) -> Topic:
    """The committee cancels a scheduled vote before it opens: the topic is ready for a new one."""
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation(_("Give a reason for cancelling the vote."), field="reason")
    topic, vote = _scheduled_vote(worker, topic)
    before = _vote_summary(vote)
    db.session.execute(sa.delete(VoteOption).where(VoteOption.vote_id == vote.id))
    db.session.delete(vote)
    db.session.flush()
    audit.record(worker, "vote.cancel", topic, community_id=topic.community_id, before=before, after={"reason": reason})
    lifecycle.transition(
        topic,
        S.READY_FOR_VOTE,
        worker,
        reason=reason,
        committee=True,
        notice=N_("The vote on “%(title)s” was cancelled before it opened: %(reason)s"),
    )
    topic.closes_at = None
    db.session.flush()
    return topic


def close_early(worker, topic: Topic, reason: str) -> None:
    """The committee closes voting before its time, with a reason."""
    topic = lifecycle.lock(topic)
    deadlines.settle(topic)
    rules = policy.TopicPolicy(topic)
    rules.require("close_vote", worker)
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation(_("Give a reason for closing early."), field="reason")
    vote = rules.vote
    assert vote is not None  # voting is open
    deadlines.close_vote(topic, vote, now(), worker, reason)
