"""The ballots of a vote, kept apart from who took part (docs/ballot-secrecy.md).

Who took part is kept in ``vote_participations``; what they chose is sealed in ``sealed_ballots``
while the vote is open and written as plain ``ballots`` only at closing, shuffled, in one
transaction, with random ids, never a person or a time.
"""

from __future__ import annotations

import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from consult.core.clock import now
from consult.extensions import Model


def _random_id() -> int:
    """A random id: ballots are not numbered in the order they were cast (which would pair them
    with the participation rows, numbered in the same order)."""
    return secrets.randbits(62) + 1


RANDOM_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # SQLite: the rowid itself, so rows are not in cast order


class SealedBallot(Model):
    """A ballot of an open vote, sealed: one per voter (or household), replaced when changed.

    ``slot`` is an HMAC of the voter's ballot token (one per voter or household: the database
    constraint while voting); ``sealed`` holds the token and the choice, encrypted. It is written
    in the same transaction as the participation, so it must say nothing without the key.
    """

    __tablename__ = "sealed_ballots"

    id: Mapped[int] = mapped_column(RANDOM_ID, primary_key=True, autoincrement=False, default=_random_id)
    vote_id: Mapped[int] = mapped_column(sa.ForeignKey("votes.id"))
    slot: Mapped[str] = mapped_column(sa.String(64))
    sealed: Mapped[bytes] = mapped_column(sa.LargeBinary)

    __table_args__ = (sa.UniqueConstraint("vote_id", "slot"),)


class Ballot(Model):
    """A counted ballot of a closed vote: an HMAC token (one per voter or household) and no time, person or order.

    Written only when the vote closes, all at once and shuffled, so neither its place on disk,
    its id nor its transaction follows the order in which people voted.
    """

    __tablename__ = "ballots"

    id: Mapped[int] = mapped_column(RANDOM_ID, primary_key=True, autoincrement=False, default=_random_id)
    vote_id: Mapped[int] = mapped_column(sa.ForeignKey("votes.id"))
    token: Mapped[str] = mapped_column(sa.String(64))

    __table_args__ = (sa.UniqueConstraint("vote_id", "token"),)


class BallotChoice(Model):
    """An option marked on a ballot."""

    __tablename__ = "ballot_choices"

    ballot_id: Mapped[int] = mapped_column(RANDOM_ID, sa.ForeignKey("ballots.id", ondelete="CASCADE"), primary_key=True)
    option_id: Mapped[int] = mapped_column(sa.ForeignKey("vote_options.id"), primary_key=True, index=True)

    # Stored in key order on SQLite (no hidden rowid in insertion order).
    __table_args__ = ({"sqlite_with_rowid": False},)


class VoteParticipation(Model):
    """That a person took part in a vote (turnout, "you have voted"), never what they chose."""

    __tablename__ = "vote_participations"

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(sa.ForeignKey("votes.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    household: Mapped[str | None] = mapped_column(sa.String(70))
    paper: Mapped[bool] = mapped_column(default=False)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)

    __table_args__ = (sa.UniqueConstraint("vote_id", "user_id"),)
