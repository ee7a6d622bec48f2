"""Ballot tokens and sealed ballots and tallies of an open vote (docs/ballot-secrecy.md)."""

from __future__ import annotations

import logging

from consult.topics import secrecy
from consult.topics.models import (
    TopicStatus,
    Vote,
)

log = logging.getLogger(__name__)
S = TopicStatus


def token(vote: Vote, voter_key: str) -> str:
    """The ballot's key: one per voter (or household) per vote, meaningless without SECRET_KEY."""
    return secrecy.mac(f"ballot:{vote.id}:{voter_key}")


def slot(token: str) -> str:
    """Where an open vote's sealed ballot is kept: another HMAC, so it never equals the counted ballot's token."""
    return secrecy.mac(f"slot:{token}")


def seal_ballot(vote: Vote, token: str, chosen: list[int]) -> bytes:
    return secrecy.seal("ballot", {"t": token, "o": chosen}, f"vote:{vote.id}")


def unseal_ballot(vote: Vote, sealed: bytes) -> dict:
    return secrecy.unseal("ballot", sealed, f"vote:{vote.id}")


def tally(vote: Vote) -> dict[int, int]:
    """The open vote's counts per option, from its sealed tally."""
    if vote.sealed_tally is None:
        return {}
    return {int(k): v for k, v in secrecy.unseal("tally", vote.sealed_tally, f"vote:{vote.id}").items()}


def seal_tally(vote: Vote, counts: dict[int, int]) -> bytes:
    return secrecy.seal("tally", {str(k): v for k, v in counts.items() if v}, f"vote:{vote.id}")
