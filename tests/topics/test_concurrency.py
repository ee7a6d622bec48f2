"""On PostgreSQL with threads: one voter's twenty simultaneous ballots leave one ballot and a right count."""

import pytest
import sqlalchemy as sa

from consult.accounts.models import User
from consult.core.errors import DomainError
from consult.extensions import db
from consult.topics import ballots, policy, sealing, votes
from consult.topics.models import Ballot, SealedBallot, Support, Topic, Vote, VoteOption, VoteParticipation
from tests.core.test_concurrency import run_threads
from tests.factories import Factory

pytestmark = pytest.mark.postgresql


def test_twenty_threads_casting_one_voters_ballot(app, committed_db):
    world = Factory(committed_db.session).world()
    topic = world.topic("voting")
    vote = policy.vote_of(topic)
    options = [
        o.id
        for o in committed_db.session.scalars(
            sa.select(VoteOption).where(VoteOption.vote_id == vote.id).order_by(VoteOption.position)
        )
    ]
    committed_db.session.commit()
    topic_id, vote_id, voter_id = topic.id, vote.id, world.resident.id

    def cast(i):
        ballots.cast_ballot(db.session.get(User, voter_id), db.session.get(Topic, topic_id), [options[i % 3]])
        return "ok"

    results = run_threads(app, 20, cast)
    assert results.count("ok") == 20, [r for r in results if r != "ok"]
    session = committed_db.session
    session.expire_all()
    assert session.scalar(sa.select(sa.func.count()).select_from(SealedBallot).where(SealedBallot.vote_id == vote_id)) == 1
    assert (
        session.scalar(sa.select(sa.func.count()).select_from(VoteParticipation).where(VoteParticipation.vote_id == vote_id)) == 1
    )
    assert session.get(Vote, vote_id).ballot_count == 1
    assert session.get(Topic, topic_id).ballot_count == 1
    votes.close_early(session.get(User, world.worker.id), session.get(Topic, topic_id), "结束")
    session.commit()
    assert session.scalar(sa.select(sa.func.count()).select_from(Ballot).where(Ballot.vote_id == vote_id)) == 1
    rows = ballots.results(session.get(Topic, topic_id), session.get(Vote, vote_id))["rows"]
    assert sum(r["count"] for r in rows) == 1


def test_twenty_voters_at_once_are_counted_exactly_live_and_at_closing(app, committed_db):
    world = Factory(committed_db.session).world()
    topic = world.topic("voting")
    vote = policy.vote_of(topic)
    options = [
        o.id
        for o in committed_db.session.scalars(
            sa.select(VoteOption).where(VoteOption.vote_id == vote.id).order_by(VoteOption.position)
        )
    ]
    people = [world.factory.resident(world.a).id for _ in range(20)]
    committed_db.session.commit()
    topic_id, vote_id = topic.id, vote.id

    def cast(i):
        ballots.cast_ballot(db.session.get(User, people[i]), db.session.get(Topic, topic_id), [options[i % 3]])
        return "ok"

    results = run_threads(app, 20, cast)
    assert results.count("ok") == 20, [r for r in results if r != "ok"]
    session = committed_db.session
    session.expire_all()
    expected = {options[k]: sum(1 for i in range(20) if i % 3 == k) for k in range(3)}
    assert session.get(Vote, vote_id).ballot_count == 20 and session.get(Topic, topic_id).ballot_count == 20
    assert sealing.tally(session.get(Vote, vote_id)) == expected  # the sealed live count lost no ballot
    votes.close_early(session.get(User, world.worker.id), session.get(Topic, topic_id), "结束")
    session.commit()
    rows = ballots.results(session.get(Topic, topic_id), session.get(Vote, vote_id))["rows"]
    assert {r["option"].id: r["count"] for r in rows} == expected


def test_twenty_threads_supporting_once(app, committed_db):
    world = Factory(committed_db.session).world()
    topic = world.topic("collecting_support")
    committed_db.session.commit()
    topic_id, user_id = topic.id, world.party.id

    def support(i):
        support.support(db.session.get(User, user_id), db.session.get(Topic, topic_id))
        return "ok"

    results = run_threads(app, 20, support)
    assert results.count("ok") == 1
    assert all(isinstance(r, DomainError) for r in results if r != "ok")
    committed_db.session.expire_all()
    assert committed_db.session.scalar(sa.select(sa.func.count()).select_from(Support).where(Support.topic_id == topic_id)) == 1
    assert committed_db.session.get(Topic, topic_id).support_count == 1
