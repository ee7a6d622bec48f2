"""What every part of the generated city shares: its size at a fraction, the fixed benchmark
objects, the shared password, a community's people (Place) and the random helpers."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from consult.topics.models import TopicStatus

S = TopicStatus
#: The shared password of every generated account: for demonstration and benchmarks only.
PASSWORD = "city12345"  # noqa: S105  # documented demo password
#: The full city (fraction 1).
STREETS = 10
COMMUNITIES_PER_STREET = 20
#: One community's shape, the same at every fraction (× 200 communities = the full city).
PER_COMMUNITY = {
    "residents": 1000,  # 200k
    "party_members": 25,  # 5k
    "topics": 250,  # 50k
    "ballots": 10_000,  # 2M
    "comments": 2_500,  # 500k
    "activities": 100,  # 20k
    "signups": 2_000,  # 400k
    "ledger_entries": 5_000,  # 1M
    "requests": 600,  # 120k, over twelve months
}
#: The benchmark's objects, the same size at every fraction.
FIXED = {"voters": 3_200, "busy_comments": 1_500, "member_entries": 5_000, "activity_signups": 30}
WORKERS_PER_COMMUNITY = 3
THRESHOLD = 50  # supports needed (a count)
SUPPORT_DAYS = 14
MONTHS = 12
STATUS_SHARE = {
    S.DRAFT: 0.04,
    S.PENDING_REVIEW: 0.02,
    S.REJECTED: 0.06,
    S.WITHDRAWN: 0.04,
    S.COLLECTING_SUPPORT: 0.06,
    S.NOT_ENOUGH_SUPPORT: 0.30,
    S.READY_FOR_VOTE: 0.02,
    S.VOTE_SCHEDULED: 0.01,
    S.VOTING: 0.02,
    S.CLOSED: 0.03,
    S.OUTCOME_PUBLISHED: 0.40,
}
#: How many comments a topic of each status draws, relatively (the community's total is fixed).
COMMENT_WEIGHT = {S.DRAFT: 0, S.PENDING_REVIEW: 0.2, S.REJECTED: 0, S.WITHDRAWN: 0, S.NOT_ENOUGH_SUPPORT: 0.6}
REQUEST_FATE = (("closed", 0.62), ("confirmed", 0.12), ("resolved", 0.07), ("out_of_scope", 0.07), ("in_progress", 0.12))


class GenerateError(Exception):
    """Bad input or a database the generator may not write to (nothing was written)."""


def check_fraction(value: object) -> float:
    try:
        fraction = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise GenerateError(f"the fraction must be a number in (0, 1], not {value!r}") from None
    if not 0 < fraction <= 1:
        raise GenerateError(f"the fraction must be in (0, 1] (0.01 is one percent of the city), not {value}")
    return fraction


def shape(fraction: float) -> tuple[int, list[int]]:
    """(communities, communities per street): max(2, round(200 F)) communities, 20 to a street."""
    communities = max(2, round(STREETS * COMMUNITIES_PER_STREET * fraction))
    streets = max(1, round(STREETS * fraction))
    base, extra = divmod(communities, streets)
    return communities, [base + (1 if i < extra else 0) for i in range(streets)]


def targets(fraction: float) -> dict[str, int]:
    """What the city of ``fraction`` has, before the fixed benchmark objects."""
    communities, per_street = shape(fraction)
    out = {"streets": len(per_street), "communities": communities}
    out.update({key: value * communities for key, value in PER_COMMUNITY.items()})
    return out


def _p(rng: random.Random, lo: float, hi: float) -> timedelta:
    return timedelta(days=rng.uniform(lo, hi))


def _between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    share = rng.random()  # drawn either way: what comes after does not depend on the moment
    if end <= start:
        return start
    return start + (end - start) * share


def _share(rng: random.Random, total: int, weights: list[float], cap: list[int]) -> list[int]:
    """``total`` split over ``weights`` (each share at most its ``cap``), deterministically."""
    out = [0] * len(weights)
    weight = sum(weights)
    if weight <= 0:
        return out
    for i, w in enumerate(weights):
        out[i] = min(cap[i], int(total * w / weight))
    left = total - sum(out)
    room = [i for i, w in enumerate(weights) if w > 0 and out[i] < cap[i]]
    while left > 0 and room:
        i = rng.choice(room)
        out[i] += 1
        left -= 1
        if out[i] >= cap[i]:
            room.remove(i)
    return out


@dataclass
class Place:
    """A generated community and the people in it."""

    id: int
    street_id: int
    slug: str
    workers: list[int]
    residents: list[int]  # confirmed, in the order they were created
    households: dict[int, str] = field(default_factory=dict)
    party: list[int] = field(default_factory=list)
    voters: list[int] = field(default_factory=list)  # the fixed voters who never vote (first community)
    member: int | None = None  # the fixed party member with 5,000 ledger entries (first community)
    request_categories: dict[str, int] = field(default_factory=dict)


def elapsed(started: float) -> float:
    return round(time.monotonic() - started, 1)
