"""Time-driven changes: support windows ending, votes opening and closing (the rule: policy.state_at / state_sql)."""

from __future__ import annotations

import logging
import random
from datetime import datetime

import sqlalchemy as sa

from consult.core.clock import now
from consult.extensions import db
from consult.places import queries as places
from consult.topics import lifecycle, policy, sealing
from consult.topics.models import (
    Ballot,
    BallotChoice,
    SealedBallot,
    Topic,
    TopicStatus,
    Vote,
    _random_id,
)

log = logging.getLogger(__name__)
S = TopicStatus


def effective_status(topic: Topic, vote: Vote | None = None, moment: datetime | None = None) -> str:
    """The status as of ``moment`` (now): the rule is ``policy.state_at`` (kept for the API)."""
    return policy.state_at(topic, vote, moment or now())


def settle(topic: Topic, vote: Vote | None = None) -> Topic:
    """Make the time-driven changes due by now permanent (the caller holds the topic's lock;
    ``vote``: the topic's vote, when the caller read it with the lock)."""
    if topic.status not in policy.VOTE_STATUSES:
        vote = None
    elif vote is None:
        vote = policy.vote_of(topic)
    state = policy.state_at(topic, vote, now())
    if state == S.NOT_ENOUGH_SUPPORT and topic.status == S.COLLECTING_SUPPORT:
        lifecycle.transition(topic, S.NOT_ENOUGH_SUPPORT, None)
        topic.closes_at = None
    elif vote is not None and state in (S.VOTING, S.CLOSED):
        if topic.status == S.VOTE_SCHEDULED:
            lifecycle.transition(topic, S.VOTING, None)
        if state == S.CLOSED:
            close_vote(topic, vote, vote.closes_at, None)
    db.session.flush()
    return topic


def settle_due() -> int:
    """`flask tick`: settle every topic whose state by now differs from its stored status."""
    due = list(db.session.scalars(sa.select(Topic.id).where(policy.state_sql(now()) != Topic.status)))
    for topic_id in due:
        topic = db.session.get_one(Topic, topic_id)
        settle(lifecycle.lock(topic))
    return len(due)


def close_vote(topic: Topic, vote: Vote, moment: datetime, actor, reason: str | None = None) -> None:
    vote.closed_at = moment
    vote.eligible_count = places.eligible_count(topic.community_id, moment, vote.scope)
    write_ballots(vote)
    if actor is not None:
        vote.closed_by_id = actor.id
        vote.closed_early_reason = reason
    lifecycle.transition(topic, S.CLOSED, actor, reason=reason, committee=actor is not None)
    topic.closes_at = None
    db.session.flush()


def write_ballots(vote: Vote) -> int:
    """At closing: unseal every ballot of the vote and write them as plain ballots, shuffled, in
    this one transaction, with random ids; the sealed rows and tally go (docs/ballot-secrecy.md)."""
    sealed = list(db.session.scalars(sa.select(SealedBallot).where(SealedBallot.vote_id == vote.id)))
    entries = [sealing.unseal_ballot(vote, row.sealed) for row in sealed]
    random.SystemRandom().shuffle(entries)
    ballots = [{"id": _random_id(), "vote_id": vote.id, "token": entry["t"]} for entry in entries]
    if ballots:
        db.session.execute(sa.insert(Ballot), ballots)
        choices = [{"ballot_id": b["id"], "option_id": o} for b, entry in zip(ballots, entries, strict=True) for o in entry["o"]]
        db.session.execute(sa.insert(BallotChoice), choices)
    db.session.execute(sa.delete(SealedBallot).where(SealedBallot.vote_id == vote.id))
    vote.sealed_tally = None
    db.session.flush()
    return len(ballots)
