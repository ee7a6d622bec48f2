"""Casting secret ballots, receipts on the voter's device, and results (docs/ballot-secrecy.md)."""

from __future__ import annotations

import base64
import binascii
import logging

import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from flask_babel import gettext as _

from consult.core import audit
from consult.core.clock import now
from consult.core.database import add_unique
from consult.core.errors import Conflict, RuleViolation
from consult.extensions import db
from consult.places import queries as places
from consult.places.rules import require_committee
from consult.topics import deadlines, lifecycle, policy, sealing, secrecy
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


def _voter_key(vote: Vote, user) -> str:
    """The voter's place in the vote: themselves, or their household (the policy checked their residence)."""
    residence = places.active_residence(user)
    if vote.scope == "household" and residence is not None:
        return places.household_key(residence)
    return f"u:{user.id}"


def _check_choice(vote: Vote, option_ids: list) -> list[int]:
    valid = {o.id for o in db.session.scalars(sa.select(VoteOption).where(VoteOption.vote_id == vote.id))}
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


def cast_ballot(voter, topic: Topic, option_ids: list, *, recorded_by=None) -> list[int]:
    """Cast (or change, until closing) a ballot; one per voter or household, secret. Returns the options chosen.

    With ``recorded_by`` a worker records the ballot a resident gave on paper at a meeting.
    """
    community = lifecycle.community_of(topic)
    if recorded_by is not None:
        require_committee(recorded_by, community)
    topic = lifecycle.lock(topic)
    deadlines.settle(topic)
    rules = policy.TopicPolicy(topic, community=community)
    rules.require("vote", voter)
    vote = rules.vote
    assert vote is not None  # voting is open
    chosen = _check_choice(vote, option_ids)
    voter_key = _voter_key(vote, voter)
    token = sealing.token(vote, voter_key)
    # Nothing written here says what was chosen without SECRET_KEY: this transaction also writes
    # who took part (docs/ballot-secrecy.md). The vote row is locked through the topic's lock.
    vote = db.session.scalars(sa.select(Vote).where(Vote.id == vote.id).execution_options(populate_existing=True)).one()
    counts = sealing.tally(vote)
    pending = db.session.scalar(
        sa.select(SealedBallot).where(SealedBallot.vote_id == vote.id, SealedBallot.slot == sealing.slot(token))
    )
    if pending is None:
        add_unique(
            SealedBallot(vote_id=vote.id, slot=sealing.slot(token), sealed=sealing.seal_ballot(vote, token, chosen)),
            _("Your ballot was already cast."),
        )
        vote.ballot_count += 1
        db.session.execute(sa.update(Topic).where(Topic.id == topic.id).values(ballot_count=Topic.ballot_count + 1))
    elif recorded_by is not None:
        # A worker never changes (or learns by changing) a ballot already cast.
        raise Conflict(_("This resident (or their household) has already voted."))
    else:
        for option_id in sealing.unseal_ballot(vote, pending.sealed)["o"]:
            counts[option_id] = counts.get(option_id, 0) - 1
        pending.sealed = sealing.seal_ballot(vote, token, chosen)
    for option_id in chosen:
        counts[option_id] = counts.get(option_id, 0) + 1
    vote.sealed_tally = sealing.seal_tally(vote, counts)
    participation = db.session.scalar(
        sa.select(VoteParticipation).where(VoteParticipation.vote_id == vote.id, VoteParticipation.user_id == voter.id)
    )
    if participation is None:
        add_unique(
            VoteParticipation(
                vote_id=vote.id,
                user_id=voter.id,
                household=voter_key if vote.scope == "household" else None,
                paper=recorded_by is not None,
                recorded_by_id=recorded_by.id if recorded_by else None,
            ),
            _("Your ballot was already cast."),
        )
    db.session.flush()
    if recorded_by is not None:
        # Audited as recorded, never with the choice (docs/design.md, "Secrecy").
        audit.record(recorded_by, "ballot.paper", topic, community_id=community.id, after={"voter_id": voter.id})
    db.session.expire(topic)
    return chosen


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
