"""Casting secret ballots, receipts on the voter's device, and results (docs/ballot-secrecy.md)."""

from __future__ import annotations

import base64
import binascii
import logging

import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from flask_babel import gettext as _
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from consult.core import audit
from consult.core.clock import now
from consult.core.errors import Conflict, NotFound, RuleViolation
from consult.extensions import db
from consult.places import queries as places
from consult.places.models import Community, Residence
from consult.places.roles import ACTIVE_RESIDENCE
from consult.places.rules import require_committee
from consult.topics import deadlines, policy, sealing, secrecy
from consult.topics.ballot_models import _random_id
from consult.topics.models import (
    BallotChoice,
    SealedBallot,
    Topic,
    TopicStatus,
    Vote,
    VoteOption,
    VoteParticipation,
)

log = logging.getLogger(__name__)
S = TopicStatus


def _voter_key(vote: Vote, user, residence) -> str:
    """The voter's place in the vote: themselves, or their household (the policy checked their residence)."""
    if vote.scope == "household" and residence is not None:
        return places.household_key(residence)
    return f"u:{user.id}"


def _check_choice(vote: Vote, valid: set[int], option_ids: list) -> list[int]:
    try:
        chosen = sorted({int(i) for i in option_ids})
    except (TypeError, ValueError):
        raise RuleViolation(_("Choose from the options on this ballot."), field="options") from None
    if not chosen:
        raise RuleViolation(_("Choose an option before voting."), field="options")
    if not set(chosen) <= valid:
        raise RuleViolation(_("Choose from the options on this ballot."), field="options")
    if len(chosen) > vote.max_choices:
        raise RuleViolation(_("Choose at most %(n)d options.", n=vote.max_choices), field="options")
    return chosen


def _insert_unless_there(model, **values) -> bool:
    """INSERT … ON CONFLICT DO NOTHING RETURNING id: whether the row was new (one statement, no savepoint)."""
    insert = sqlite_insert if db.session.get_bind().dialect.name == "sqlite" else pg_insert
    return db.session.execute(insert(model).values(**values).on_conflict_do_nothing().returning(model.id)).first() is not None


def _lock(topic_id: int, voter) -> tuple[Topic, Vote | None, Community, Residence | None, set[int]]:
    """The topic and its vote under their row locks, with the vote's option ids, the community and
    the voter's active residence, in one statement (the residence goes into the request's cache).

    Both rows are locked, not only the topic's: PostgreSQL re-reads the locked rows once a lock
    it waited for is granted, but not the other rows of the join, so the vote's counters would be
    those before the ballot just committed. A topic without a vote: locked alone (voting refused)."""
    rows = db.session.execute(
        sa.select(Topic, Vote, Community, Residence, VoteOption.id)
        .join(Vote, Vote.topic_id == Topic.id)
        .join(Community, Community.id == Topic.community_id)
        .outerjoin(VoteOption, VoteOption.vote_id == Vote.id)
        .outerjoin(Residence, sa.and_(Residence.user_id == voter.id, ACTIVE_RESIDENCE))
        .where(Topic.id == topic_id)
        .with_for_update(of=[Topic, Vote])
        .execution_options(populate_existing=True)
    ).all()
    if not rows:
        found = db.session.execute(
            sa.select(Topic, Community)
            .join(Community, Community.id == Topic.community_id)
            .where(Topic.id == topic_id)
            .with_for_update(of=Topic)
            .execution_options(populate_existing=True)
        ).first()
        if found is None:
            raise NotFound(_("No such topic."))
        return found[0], None, found[1], places.active_residence(voter), set()
    topic, vote, community, residence, _option = rows[0]
    places.remember_residence(voter, residence)
    return topic, vote, community, residence, {row[4] for row in rows if row[4] is not None}


def cast(voter, topic_id: int, option_ids: list, *, recorded_by=None) -> tuple[Vote, list[int]]:
    """Cast (or change, until closing) a ballot; one per voter or household, secret. Returns the
    vote and the options chosen.

    With ``recorded_by`` a worker records the ballot a resident gave on paper at a meeting.
    Six statements for a first ballot in a request (with the session check): the lock reads
    everything the rules need; the sealed ballot and the participation are inserted unless there
    (the topic's lock makes that exact); the vote's counters and sealed tally, and the topic's
    count, are one UPDATE each. No savepoint: nothing here can fail on a constraint.
    """
    topic, vote, community, residence, valid = _lock(topic_id, voter)
    if recorded_by is not None:
        require_committee(recorded_by, community)
    deadlines.settle(topic, vote)
    rules = policy.TopicPolicy(topic, community=community, vote=vote)
    rules.require("see", voter)
    rules.require("vote", voter)
    assert vote is not None  # voting is open
    chosen = _check_choice(vote, valid, option_ids)
    token = sealing.token(vote, _voter_key(vote, voter, residence))
    slot = sealing.slot(token)
    # Nothing written here says what was chosen without SECRET_KEY: this transaction also writes
    # who took part (docs/ballot-secrecy.md). The vote row is locked through the topic's lock.
    counts = sealing.tally(vote)
    sealed = sealing.seal_ballot(vote, token, chosen)
    if _insert_unless_there(SealedBallot, id=_random_id(), vote_id=vote.id, slot=slot, sealed=sealed):
        vote.ballot_count += 1
        topic.ballot_count += 1
    elif recorded_by is not None:
        # A worker never changes (or learns by changing) a ballot already cast.
        raise Conflict(_("This resident (or their household) has already voted."))
    else:
        pending = db.session.scalars(
            sa.select(SealedBallot).where(SealedBallot.vote_id == vote.id, SealedBallot.slot == slot)
        ).one()
        for option_id in sealing.unseal_ballot(vote, pending.sealed)["o"]:
            counts[option_id] = counts.get(option_id, 0) - 1
        pending.sealed = sealed
    for option_id in chosen:
        counts[option_id] = counts.get(option_id, 0) + 1
    vote.sealed_tally = sealing.seal_tally(vote, counts)
    _insert_unless_there(
        VoteParticipation,
        vote_id=vote.id,
        user_id=voter.id,
        household=_voter_key(vote, voter, residence) if vote.scope == "household" else None,
        paper=recorded_by is not None,
        recorded_by_id=recorded_by.id if recorded_by else None,
        created_at=now(),
    )
    db.session.flush()
    if recorded_by is not None:
        # Audited as recorded, never with the choice (docs/design.md, "Secrecy").
        audit.record(recorded_by, "ballot.paper", topic, community_id=community.id, after={"voter_id": voter.id})
    return vote, chosen


def cast_ballot(voter, topic: Topic, option_ids: list, *, recorded_by=None) -> list[int]:
    """``cast`` for a topic object: the options chosen."""
    return cast(voter, topic.id, option_ids, recorded_by=recorded_by)[1]


RECEIPT_DAYS = 30


def receipt_cookie(vote: Vote) -> str:
    return f"ballot-{vote.id}"


def seal_receipt(voter, vote: Vote, chosen: list[int]) -> str:
    """What the voter chose, sealed to them and this vote, for a cookie on their own device only
    (the site keeps no link from a person to a ballot: docs/ballot-secrecy.md)."""
    blob = secrecy.seal("receipt", {"o": chosen}, f"receipt:{voter.id}:{vote.id}")
    return base64.urlsafe_b64encode(blob).decode()


def read_receipt(user, vote: Vote, value: str | None) -> list[VoteOption]:
    """The options a receipt cookie names, if it was sealed to this person and this vote; else nothing."""
    if not value or vote is None or not getattr(user, "is_authenticated", False):
        return []
    try:
        data = secrecy.unseal("receipt", base64.urlsafe_b64decode(value.encode()), f"receipt:{user.id}:{vote.id}")
        chosen = {int(i) for i in data["o"]}
    except (InvalidTag, ValueError, TypeError, KeyError, binascii.Error):
        return []
    return [
        o
        for o in db.session.scalars(sa.select(VoteOption).where(VoteOption.vote_id == vote.id).order_by(VoteOption.position))
        if o.id in chosen
    ]


def results(
    topic: Topic,
    vote: Vote,
    *,
    viewer_is_committee: bool = False,
    counts: dict[int, int] | None = None,
    options: list[VoteOption] | None = None,
    eligible: dict | None = None,
) -> dict | None:
    """Counts and percentages per option, turnout and quorum — when the results may be shown.

    ``counts``, ``options`` and ``eligible`` (by community and scope): what ``results_of_many``
    read for a whole list at once."""
    status = deadlines.effective_status(topic, vote)
    closed = status in (S.CLOSED, S.OUTCOME_PUBLISHED)
    if not closed and not (vote.live_results and status == S.VOTING):
        return None
    if vote.closed_at is None:  # still sealed (voting, or closed by the clock before tick wrote the ballots)
        counts = sealing.tally(vote)
    elif counts is None:
        counts = _counts([vote.id]).get(vote.id, {})
    if options is None:
        options = list(
            db.session.scalars(sa.select(VoteOption).where(VoteOption.vote_id == vote.id).order_by(VoteOption.position))
        )
    ballots = vote.ballot_count
    if vote.eligible_count is not None:
        electorate = vote.eligible_count
    elif eligible is not None and (topic.community_id, vote.scope) in eligible:
        electorate = eligible[topic.community_id, vote.scope]
    else:
        electorate = places.eligible_count(topic.community_id, now(), vote.scope)
        if eligible is not None:
            eligible[topic.community_id, vote.scope] = electorate
    turnout = ballots / electorate if electorate else 0.0
    rows = [
        {"option": o, "count": counts.get(o.id, 0), "percent": (100.0 * counts.get(o.id, 0) / ballots) if ballots else 0.0}
        for o in options
    ]
    quorum_met = None if vote.quorum_percent is None else turnout * 100 >= vote.quorum_percent
    return {
        "rows": rows,
        "ballots": ballots,
        "eligible": electorate,
        "turnout": turnout,
        "quorum_met": quorum_met,
        "final": closed,
    }


def results_of_many(pairs: list[tuple[Topic, Vote]]) -> dict[int, dict | None]:
    """``results`` of a list's topics by topic id: the options of all of them with their counts in
    one statement, not two a topic, and the electorate of open votes once per community and
    scope (a list is one community's: one statement per scope at most)."""
    vote_ids = [vote.id for _, vote in pairs]
    counts: dict[int, dict[int, int]] = {}
    options: dict[int, list[VoteOption]] = {vote_id: [] for vote_id in vote_ids}
    if vote_ids:  # each option with its written-out ballots (none yet while a vote is sealed)
        stmt = (
            sa.select(VoteOption, sa.func.count(BallotChoice.option_id))
            .outerjoin(BallotChoice, BallotChoice.option_id == VoteOption.id)
            .where(VoteOption.vote_id.in_(vote_ids))
            .group_by(VoteOption.id)
            .order_by(VoteOption.vote_id, VoteOption.position)
        )
        for option, n in db.session.execute(stmt):
            options[option.vote_id].append(option)
            if n:
                counts.setdefault(option.vote_id, {})[option.id] = n
    electorates: dict = {}
    return {
        topic.id: results(topic, vote, counts=counts.get(vote.id, {}), options=options[vote.id], eligible=electorates)
        for topic, vote in pairs
    }


def _counts(vote_ids: list[int]) -> dict[int, dict[int, int]]:
    """Ballots per option of closed votes (their ballots written out): {vote id: {option id: n}}."""
    found: dict[int, dict[int, int]] = {}
    if vote_ids:
        counted = db.session.execute(
            sa.select(VoteOption.vote_id, BallotChoice.option_id, sa.func.count())
            .join(VoteOption, VoteOption.id == BallotChoice.option_id)
            .where(VoteOption.vote_id.in_(vote_ids))
            .group_by(VoteOption.vote_id, BallotChoice.option_id)
        )
        for vote_id, option_id, n in counted:
            found.setdefault(vote_id, {})[option_id] = n
    return found
