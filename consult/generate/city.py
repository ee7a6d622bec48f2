"""The generated city: streets, communities, residents, topics, votes, activities, points, requests.

At fraction F the city has max(2, round(200 × F)) communities, 20 to a street (max(1, round(10 ×
F)) streets), and every community has the same shape (PER_COMMUNITY): so each count is the full
city's × communities / 200 (exactly F at 0.01, 0.1, 0.5, 1). On top, at every fraction, the
fixed objects of the benchmark (FIXED): the first community has 3,200 more confirmed residents
who never vote (the voters of the open vote), a busy topic with 1,500 comments, an open vote,
an upcoming activity with sign-ups and a party member with 5,000 ledger entries.

Rows are written as the services would have left them, numbered here (no RETURNING) and written
in bulk (bulk.py): every counter equals its rows, every topic's history ends in its status,
nothing is due for `flask tick`, every ledger entry's ``balance_after`` follows the entries before
it and the balances equal the ledger; ``cli.problems`` finds any difference, and nothing is committed then. The ledger's insert
trigger (which checks ``balance_after`` against the balance row, one entry at a time) is set aside
for the load, inside the transaction, and put back before the commit; the checks verify the same
rule for every entry at once.

All generated accounts share one password (PASSWORD, demo only): it is hashed once.
"""

from __future__ import annotations

import random
import secrets
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import sqlalchemy as sa

from consult.accounts.services import hash_password
from consult.core import jobs
from consult.core.clock import month_bounds, month_of, now, previous_month, site_zone
from consult.generate import texts
from consult.generate.bulk import Writer
from consult.points.ledger import points_for
from consult.requests.clocks import DEFAULT_TARGETS, reminder_at, response_due
from consult.requests.models import DEFAULT_CATEGORIES
from consult.topics import sealing
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


class City:
    def __init__(self, writer: Writer, fraction: float, seed: int, progress=None):
        self.w = writer
        self.progress = progress  # called with (communities done, communities, rows written) now and then
        self.fraction = fraction
        self.seed = seed
        self.rng = random.Random(seed)
        self.moment = now()
        self.zone = site_zone()
        self.password_hash = hash_password(PASSWORD)
        self.usernames: dict[int, str] = {}
        self.places: list[Place] = []
        self.streets: list[tuple[int, str]] = []
        self.manifest: dict = {}
        self.categories = dict(
            writer.connection.execute(sa.text("SELECT key, id FROM topic_categories WHERE key IS NOT NULL ORDER BY position, id"))
            .tuples()
            .all()
        )
        if not self.categories:
            raise GenerateError("the database has no default topic categories: run `flask db upgrade` first")

    # --- people and places --------------------------------------------------------------------

    def user(self, username: str, display: str, created: datetime, phone: bool = True) -> int:
        rng = self.rng
        uid = self.w.next_id("users")
        self.usernames[uid] = username
        self.w.add(
            "users",
            {
                "id": uid,
                "username": username,
                "display_name": display,
                "phone": f"1{rng.choice('3589')}{rng.randrange(10**9):09d}" if phone and rng.random() < 0.8 else None,
                "password_hash": self.password_hash,
                "language": "zh_CN" if rng.random() < 0.95 else "en",
                "large_text": rng.random() < 0.08,
                "active": True,
                "created_at": created,
            },
        )
        return uid

    def appoint(self, uid: int, role: str, created: datetime, **scope) -> None:
        self.w.add(
            "staff_appointments",
            {"id": self.w.next_id("staff_appointments"), "user_id": uid, "role": role, "created_at": created} | scope,
        )

    def people(self) -> None:
        rng, w = self.rng, self.w
        t0 = self.moment - timedelta(days=1600)
        _, per_street = shape(self.fraction)
        admin = self.user("city-admin", "系统管理员", t0, phone=False)
        self.appoint(admin, "site_admin", t0)
        number = 0
        for s, count in enumerate(per_street):
            street_id = w.next_id("streets")
            slug = f"city-s{s + 1:02d}"
            name = texts.STREET_NAMES[s % len(texts.STREET_NAMES)] + "街道"
            w.add("streets", {"id": street_id, "slug": slug, "name": name, "created_at": t0})
            self.streets.append((street_id, slug))
            street_admin = self.user(f"{slug}-admin", f"{name} 管理员", t0)
            self.appoint(street_admin, "street_admin", t0, street_id=street_id)
            w.add(
                "evaluation_settings",
                {
                    "street_id": street_id,
                    "response_hours": 48,
                    "min_records": 3,
                    "weight_response": 30,
                    "weight_resolution": 30,
                    "weight_satisfaction": 30,
                    "weight_participation": 10,
                },
            )
            for c in range(count):
                cid = w.next_id("communities")
                cslug = f"{slug}-c{c + 1:02d}"
                cname = texts.COMMUNITY_NAMES[(s * 7 + c) % len(texts.COMMUNITY_NAMES)] + ("社区" if c < 28 else f"{c}社区")
                first = not self.places
                n = PER_COMMUNITY["residents"] + (FIXED["voters"] + 1 if first else 0)
                # Two in a hundred ordinary residents still wait for the committee; the fixed voters are all confirmed.
                confirmed_flags = [i >= PER_COMMUNITY["residents"] or rng.random() >= 0.02 for i in range(n)]
                w.add(
                    "communities",
                    {
                        "id": cid,
                        "street_id": street_id,
                        "slug": cslug,
                        "name": cname,
                        "member_count": sum(confirmed_flags),
                        "created_at": t0,
                    },
                )
                workers = [
                    self.user(f"{cslug}-w{k + 1}", f"社区工作者 {texts.person(rng)}", t0) for k in range(WORKERS_PER_COMMUNITY)
                ]
                for uid in workers:
                    self.appoint(uid, "worker", t0, community_id=cid)
                place = Place(cid, street_id, cslug, workers, [])
                self.places.append(place)
                household = None
                for i, confirmed in enumerate(confirmed_flags):
                    voter = first and PER_COMMUNITY["residents"] <= i < n - 1
                    member = first and i == n - 1
                    number += 0 if voter or member else 1
                    username = f"city-v{i - PER_COMMUNITY['residents'] + 1:04d}" if voter else f"city-r{number:06d}"
                    username = "city-member" if member else username
                    created = t0 + _p(rng, 1, 200)
                    uid = self.user(username, texts.person(rng), created)
                    if household is None or rng.random() < 0.4:  # ~2.5 people a household
                        household = texts.household(rng)
                    applied = created + _p(rng, 0, 5) if confirmed else self.moment - _p(rng, 0.1, 5)
                    w.add(
                        "residences",
                        {
                            "id": w.next_id("residences"),
                            "user_id": uid,
                            "community_id": cid,
                            "building": household[0],
                            "unit": household[1],
                            "room": household[2],
                            "status": "confirmed" if confirmed else "pending",
                            "created_at": applied,
                            "confirmed_at": applied + _p(rng, 0.1, 3) if confirmed else None,
                            "decided_by_id": rng.choice(workers) if confirmed else None,
                        },
                    )
                    if not confirmed:
                        continue
                    place.households[uid] = "/".join(household)
                    if member:
                        place.member = uid
                    else:
                        (place.voters if voter else place.residents).append(uid)
                w.add(
                    "topic_settings",
                    {"community_id": cid, "threshold_kind": "count", "threshold_value": THRESHOLD, "support_days": SUPPORT_DAYS},
                )
                w.add("points_settings", {"community_id": cid, "default_points_per_hour": 10, "wish_points": 5})
                for position, (key, cat_name) in enumerate(DEFAULT_CATEGORIES):
                    rid = w.next_id("request_categories")
                    place.request_categories[key] = rid
                    w.add(
                        "request_categories",
                        {"id": rid, "community_id": cid, "key": key, "name": cat_name, "position": position, "active": True},
                    )
                self.party(place)
        w.flush()

    def party(self, place: Place) -> None:
        """到社区报到: the community's party members, their registrations confirmed."""
        rng = self.rng
        place.party = rng.sample(place.residents, PER_COMMUNITY["party_members"])
        for uid in place.party + ([place.member] if place.member else []):
            at = self.moment - _p(rng, 200, 1000)
            self.w.add(
                "party_registrations",
                {
                    "id": self.w.next_id("party_registrations"),
                    "user_id": uid,
                    "community_id": place.id,
                    "work_unit": rng.choice(texts.WORK_UNITS),
                    "party_branch": rng.choice(texts.WORK_UNITS) + "党支部",
                    "status": "confirmed",
                    "created_at": at,
                    "decided_at": at + _p(rng, 0.1, 3),
                    "decided_by_id": rng.choice(place.workers),
                },
            )

    # --- topics (the timelines of bench/seed_topics.py, per community) ------------------------

    def topics(self, place: Place) -> None:
        rng = self.rng
        n = PER_COMMUNITY["topics"]
        counts = {s: round(n * share) for s, share in STATUS_SHARE.items()}
        counts[S.OUTCOME_PUBLISHED] += n - sum(counts.values())
        statuses = [s for s, k in counts.items() for _ in range(k)]
        rng.shuffle(statuses)
        plans = [self.plan_topic(place, status) for status in statuses]
        special = None
        if place is self.places[0]:
            busy = self.plan_topic(place, S.OUTCOME_PUBLISHED, special="busy")
            vote = self.plan_topic(place, S.VOTING, special="vote")
            plans += [busy, vote]
            special = (busy, vote)
        # Comments and ballots: the community's totals, shared out by status.
        weights = [0.0 if p["special"] else COMMENT_WEIGHT.get(p["row"]["status"], 1.0) for p in plans]
        for plan, k in zip(plans, _share(rng, PER_COMMUNITY["comments"], weights, [10**6] * len(plans)), strict=True):
            if not plan["special"]:
                plan["comments"] = k
        voted = [p for p in plans if p["vote"] and p["vote"]["ballots"] is None]
        electorate = len(place.residents)
        shares = _share(rng, PER_COMMUNITY["ballots"], [rng.uniform(0.3, 1.7) for _ in voted], [electorate // 2] * len(voted))
        for plan, k in zip(voted, shares, strict=True):
            plan["vote"]["ballots"] = k
        plans.sort(key=lambda p: p["row"]["created_at"])
        for plan in plans:
            self.write_topic(place, plan)
        if special:
            busy, vote = special
            self.manifest.update(busy_topic=busy["row"]["id"], vote_topic=vote["row"]["id"])

    def plan_topic(self, place: Place, status: str, special: str | None = None) -> dict:
        rng, m = self.rng, self.moment
        worker = rng.choice(place.workers)
        committee = special is None and rng.random() < 0.08 and status not in (S.REJECTED, S.WITHDRAWN)
        author = worker if committee else rng.choice(place.residents)
        key = rng.choice(list(self.categories))
        title, body, where = texts.topic_text(rng, key)
        if special == "busy":
            key, title, where = "parking", "地下车库改造与停车位重新分配方案", "地下车库"
        elif special == "vote":
            key, title, where = "property", "3号楼加装电梯方案表决", "3号楼"
        events: list[tuple] = []
        row = {
            "community_id": place.id,
            "author_id": author,
            "committee_initiated": committee,
            "title": title,
            "body": body,
            "category_id": self.categories[key],
            "place": where,
            "status": status,
            "support_count": 0,
            "comment_count": 0,
            "ballot_count": 0,
        }
        plan = {"row": row, "events": events, "supports": [], "vote": None, "outcome": None, "comments": 0, "special": special}
        if special:
            decided = m - timedelta(days=40 if special == "busy" else 19)
        elif status == S.COLLECTING_SUPPORT:
            decided = m - _p(rng, 0.05, SUPPORT_DAYS - 0.1)
        elif status in (S.READY_FOR_VOTE, S.VOTE_SCHEDULED, S.VOTING):
            decided = m - _p(rng, 12, 40)
        elif status == S.CLOSED:
            decided = m - _p(rng, 25, 60)
        elif status in (S.DRAFT, S.PENDING_REVIEW):
            decided = None
        else:
            decided = m - _p(rng, 30, 400)
        if status == S.DRAFT:
            created = m - _p(rng, 0.05, 60)
        elif status == S.PENDING_REVIEW:
            created = m - _p(rng, 0.05, 10)
        else:
            created = decided - _p(rng, 0.1, 4)  # type: ignore[operator]
        row["created_at"] = created
        events.append((None, S.DRAFT, author, None, created))
        if status == S.DRAFT:
            return plan
        submitted = created + _p(rng, 0.0005, 0.04)
        row["submitted_at"] = submitted
        events.append((S.DRAFT, S.PENDING_REVIEW, author, None, submitted))
        plan["comment_from"], plan["comment_until"] = submitted, m
        if status == S.PENDING_REVIEW:
            return plan
        if status == S.REJECTED:
            reason = rng.choice(texts.REJECT_REASONS)
            row.update(decided_at=decided, reject_reason=reason)
            events.append((S.PENDING_REVIEW, S.REJECTED, worker, reason, decided))
            return plan
        if status == S.WITHDRAWN and rng.random() < 0.5:
            events.append((S.PENDING_REVIEW, S.WITHDRAWN, author, None, decided))
            return plan
        row["decided_at"] = decided
        voted = status in (S.READY_FOR_VOTE, S.VOTE_SCHEDULED, S.VOTING, S.CLOSED, S.OUTCOME_PUBLISHED)
        if voted and not special and (committee or rng.random() < 0.15):
            events.append((S.PENDING_REVIEW, S.READY_FOR_VOTE, worker, None, decided))
            ready_at = decided
        else:
            deadline = decided + timedelta(days=SUPPORT_DAYS)
            row.update(support_threshold=THRESHOLD, support_deadline=deadline)
            events.append((S.PENDING_REVIEW, S.COLLECTING_SUPPORT, worker, None, decided))
            if status == S.COLLECTING_SUPPORT:
                row["closes_at"] = deadline
                self.supports(place, plan, rng.randint(0, THRESHOLD - 1), decided, m)
                return plan
            if status == S.WITHDRAWN:
                at = _between(rng, decided, deadline)
                self.supports(place, plan, rng.randint(0, 10), decided, at)
                events.append((S.COLLECTING_SUPPORT, S.WITHDRAWN, author, None, at))
                return plan
            if status == S.NOT_ENOUGH_SUPPORT:
                self.supports(place, plan, min(THRESHOLD - 1, int(rng.expovariate(1 / 15))), decided, deadline)
                events.append((S.COLLECTING_SUPPORT, S.NOT_ENOUGH_SUPPORT, None, None, deadline))
                plan["comment_until"] = deadline + timedelta(days=30)
                return plan
            ready_at = _between(rng, decided + timedelta(days=1), decided + timedelta(days=9))
            if special == "vote":
                ready_at = m - timedelta(days=10)
            self.supports(place, plan, THRESHOLD, decided, ready_at, last_at=ready_at)
            events.append((S.COLLECTING_SUPPORT, S.READY_FOR_VOTE, None, None, ready_at))
        if status == S.READY_FOR_VOTE:
            return plan
        scheduled_at = ready_at + _p(rng, 0.2, 2)
        if special == "vote":
            scheduled_at, opens, closes = m - timedelta(days=8), m - timedelta(days=5), m + timedelta(days=20)
        elif status == S.VOTE_SCHEDULED:
            opens = m + _p(rng, 0.5, 10)
            closes = opens + _p(rng, 5, 14)
        elif status == S.VOTING:
            opens = _between(rng, scheduled_at, m - timedelta(hours=2))
            closes = m + _p(rng, 1, 7)
        else:
            opens = scheduled_at + (timedelta(0) if rng.random() < 0.4 else _p(rng, 0.5, 3))
            closes = min(opens + _p(rng, 5, 14), m - _p(rng, 0.5, 5))
        if opens <= scheduled_at:
            events.append((S.READY_FOR_VOTE, S.VOTING, worker, None, scheduled_at))
            opens = scheduled_at
        else:
            events.append((S.READY_FOR_VOTE, S.VOTE_SCHEDULED, worker, None, scheduled_at))
            if status != S.VOTE_SCHEDULED:
                events.append((S.VOTE_SCHEDULED, S.VOTING, None, None, opens))
        choices = not special and rng.random() < 0.2
        plan["vote"] = {
            "kind": "choices" if choices else "yes_no",
            "max_choices": rng.choice((1, 1, 2)) if choices else 1,
            "scope": "resident",
            "opens_at": opens,
            "closes_at": closes,
            "quorum_percent": rng.choice((None, None, 2, 5)),
            "live_results": rng.random() < 0.3,
            "created_by_id": worker,
            "created_at": scheduled_at,
            "closed_at": None,
            "eligible_count": None,
            "options": rng.sample(["方案一", "方案二", "方案三", "方案四"], rng.randint(2, 4)) if choices else [None] * 3,
            "ballots": 0 if status == S.VOTE_SCHEDULED else (200 if special else None),
        }
        if status in (S.VOTE_SCHEDULED, S.VOTING):
            row["closes_at"] = closes
            return plan
        plan["vote"].update(closed_at=closes, eligible_count=len(place.residents) + len(place.voters))
        events.append((S.VOTING, S.CLOSED, None, None, closes))
        plan["comment_until"] = min(closes + timedelta(days=10), m)
        if status == S.CLOSED:
            return plan
        published = min(closes + _p(rng, 1, 20), m - timedelta(hours=1))
        events.append((S.CLOSED, S.OUTCOME_PUBLISHED, worker, None, published))
        plan["outcome"] = {"published_at": published, "due": (published + _p(rng, 20, 90)).date(), "worker": worker}
        if special == "busy":
            plan["comment_from"] = published - timedelta(days=30)
        return plan

    def supports(self, place: Place, plan: dict, count: int, start, end, last_at=None) -> None:
        rng = self.rng
        people = [u for u in rng.sample(place.residents, count + 1) if u != plan["row"]["author_id"]][:count]
        times = sorted(_between(rng, start, end) for _ in people)
        if last_at is not None and times:
            times[-1] = last_at
        plan["supports"] = list(zip(people, times, strict=True))
        plan["row"]["support_count"] = count

    def write_topic(self, place: Place, plan: dict) -> None:
        w, row = self.w, plan["row"]
        tid = row["id"] = w.next_id("topics")
        if plan["special"] == "busy":
            plan["comments"] = FIXED["busy_comments"]
        row["comment_count"] = plan["comments"]
        row["ballot_count"] = (plan["vote"]["ballots"] or 0) if plan["vote"] else 0
        w.add("topics", row)
        if plan["comments"]:
            self.comments(place, plan)
        if plan["vote"]:
            self.vote(place, plan)
        for before, after, actor, reason, at in plan["events"]:
            w.add(
                "topic_events",
                {
                    "id": w.next_id("topic_events"),
                    "topic_id": tid,
                    "from_status": before,
                    "to_status": after,
                    "actor_id": actor,
                    "reason": reason,
                    "created_at": at,
                },
            )
        w.add("topic_follows", {"topic_id": tid, "user_id": row["author_id"], "created_at": row["created_at"]})
        for uid, at in plan["supports"]:
            w.add("topic_supports", {"id": w.next_id("topic_supports"), "topic_id": tid, "user_id": uid, "created_at": at})
        if plan["outcome"]:
            self.outcome(place, plan)

    def comments(self, place: Place, plan: dict) -> int:
        rng, w, m = self.rng, self.w, self.moment
        n, tid = plan["comments"], plan["row"]["id"]
        start, end = plan["comment_from"], min(plan["comment_until"], m)
        n_replies = n // 5 if plan["special"] else sum(rng.random() < 0.3 for _ in range(n))
        n_top = max(1, n - n_replies)
        tops: list[tuple[int, datetime]] = []
        for at in sorted(_between(rng, start, end) for _ in range(n_top)):
            hidden = rng.random() < 0.01
            cid = w.next_id("topic_comments")
            tops.append((cid, at))
            w.add(
                "topic_comments",
                {
                    "id": cid,
                    "topic_id": tid,
                    "author_id": rng.choice(place.residents) if rng.random() > 0.05 else place.workers[0],
                    "body": "".join(rng.sample(texts.COMMENTS, rng.randint(1, 3))),
                    "created_at": at,
                    "edited_at": min(at + timedelta(minutes=3), m) if rng.random() < 0.05 else None,
                    "hidden_at": min(at + timedelta(hours=5), m) if hidden else None,
                    "hidden_by_id": place.workers[0] if hidden else None,
                    "hidden_reason": "含有人身攻击内容。" if hidden else None,
                    "flag_count": 0,
                },
            )
        for _ in range(n - n_top):
            parent, parent_at = rng.choice(tops)
            w.add(
                "topic_comments",
                {
                    "id": w.next_id("topic_comments"),
                    "topic_id": tid,
                    "author_id": rng.choice(place.residents),
                    "parent_id": parent,
                    "body": rng.choice(texts.REPLIES),
                    "created_at": _between(rng, parent_at, min(parent_at + timedelta(days=3), end)),
                    "flag_count": 0,
                },
            )
        return n

    def vote(self, place: Place, plan: dict) -> None:
        """The vote, its options and ballots: sealed while it is open, written out once it closed."""
        rng, w, spec = self.rng, self.w, plan["vote"]
        vid = w.next_id("votes")
        handle = SimpleNamespace(id=vid)
        options = [w.next_id("vote_options") for _ in spec["options"]]
        n = spec["ballots"] or 0
        weights = [0.62, 0.28, 0.10] if spec["kind"] == "yes_no" else None
        is_open = spec["closed_at"] is None
        cast = []
        tally: Counter[int] = Counter()
        for uid in rng.sample(place.residents, n):
            chosen = sorted(set(rng.choices(options, weights=weights, k=rng.randint(1, spec["max_choices"]))))
            tally.update(chosen)
            cast.append((uid, sealing.token(handle, f"u:{uid}"), chosen))  # type: ignore[arg-type]
        row = {k: v for k, v in spec.items() if k not in ("options", "ballots")}
        row.update(id=vid, topic_id=plan["row"]["id"], ballot_count=n)
        row["sealed_tally"] = sealing.seal_tally(handle, dict(tally)) if is_open and n else None  # type: ignore[arg-type]
        w.add("votes", row)
        keys = ("for", "against", "abstain")
        for i, (oid, label) in enumerate(zip(options, spec["options"], strict=True)):
            w.add(
                "vote_options",
                {
                    "id": oid,
                    "vote_id": vid,
                    "key": keys[i] if spec["kind"] == "yes_no" else None,
                    "label": label if spec["kind"] == "choices" else None,
                    "position": i,
                },
            )
        end = min(spec["closes_at"], self.moment)
        # Ballots carry no person and no time; written in another order than the participations.
        for _uid, token, chosen in sorted(cast, key=lambda c: c[1]):
            if is_open:
                w.add(
                    "sealed_ballots",
                    {
                        "id": secrets.randbits(62) + 1,
                        "vote_id": vid,
                        "slot": sealing.slot(token),
                        "sealed": sealing.seal_ballot(handle, token, chosen),  # type: ignore[arg-type]
                    },
                )
            else:
                bid = secrets.randbits(62) + 1
                w.add("ballots", {"id": bid, "vote_id": vid, "token": token})
                for option in chosen:
                    w.add("ballot_choices", {"ballot_id": bid, "option_id": option})
        for uid, _token, _chosen in cast:
            paper = rng.random() < 0.04
            w.add(
                "vote_participations",
                {
                    "id": w.next_id("vote_participations"),
                    "vote_id": vid,
                    "user_id": uid,
                    "paper": paper,
                    "recorded_by_id": place.workers[0] if paper else None,
                    "created_at": _between(rng, spec["opens_at"], end),
                },
            )

    def outcome(self, place: Place, plan: dict) -> None:
        rng, w, m, spec = self.rng, self.w, self.moment, plan["outcome"]
        published, due = spec["published_at"], spec["due"]
        history: list[tuple[str, datetime]] = []
        if due < m.date():
            fate = rng.random()
            if fate < 0.8:
                history = [
                    ("in_progress", _between(rng, published, published + timedelta(days=10))),
                    ("done", _between(rng, published + timedelta(days=10), min(m, published + timedelta(days=80)))),
                ]
            elif fate < 0.88:
                history = [("not_feasible", _between(rng, published, m))]
            elif fate < 0.95:
                history = [("in_progress", _between(rng, published, m))]
        elif rng.random() < 0.5:
            history = [("in_progress", _between(rng, published, m))]
        status = history[-1][0] if history else "planned"
        oid = w.next_id("topic_outcomes")
        w.add(
            "topic_outcomes",
            {
                "id": oid,
                "topic_id": plan["row"]["id"],
                "decision": rng.choice(texts.DECISIONS),
                "responsible": rng.choice(texts.RESPONSIBLE),
                "actions": "1. 制定方案\n2. 公示\n3. 组织实施",
                "original_due_date": due,
                "due_date": due,
                "status": status,
                "published_at": published,
                "published_by_id": spec["worker"],
                "done_at": history[-1][1] if status == "done" else None,
            },
        )
        for state, at in history:
            w.add(
                "topic_outcome_updates",
                {
                    "id": w.next_id("topic_outcome_updates"),
                    "outcome_id": oid,
                    "status": state,
                    "note": "已完成。" if state == "done" else "按计划推进。",
                    "created_by_id": spec["worker"],
                    "created_at": at,
                },
            )
        if status == "done":
            done_at = history[-1][1]
            for uid in rng.sample(place.residents, rng.randint(0, 12)):
                at = _between(rng, done_at, min(m, done_at + timedelta(days=30)))
                w.add(
                    "topic_outcome_ratings",
                    {
                        "id": w.next_id("topic_outcome_ratings"),
                        "outcome_id": oid,
                        "user_id": uid,
                        "level": rng.choices(["satisfied", "basically", "unsatisfied"], weights=[6, 3, 1])[0],
                        "comment": "效果不错" if rng.random() < 0.2 else None,
                        "version": 1,
                        "first_given_at": at,
                        "created_at": at,
                    },
                )

    # --- activities, sign-ups, check-ins, ratings and points ---------------------------------

    def activities(self, place: Place) -> list[tuple]:
        """Activities over twelve months (a tenth still to come); returns the ledger's earnings."""
        rng, w, m = self.rng, self.w, self.moment
        earnings: list[tuple] = []  # (at, user, delta, reason, source_type, source_id, actor, note)
        n = PER_COMMUNITY["activities"]
        kinds = [rng.choice(texts.ACTIVITIES) for _ in range(n)]
        caps = [len(place.party) if kind == "party" else 60 for kind, _ in kinds]
        signups = _share(rng, PER_COMMUNITY["signups"], [rng.uniform(0.5, 1.5) for _ in range(n)], caps)
        specials: list[str | None] = [None] * n
        if place is self.places[0]:
            signups.append(FIXED["activity_signups"])
            specials.append("bench")
            kinds.append(("volunteer", "{p}环境清洁志愿服务"))
        for k, special, (kind, template) in zip(signups, specials, kinds, strict=True):
            party_only = kind == "party"
            pool = place.party if party_only else place.residents
            k = min(k, len(pool))
            upcoming = special == "bench" or rng.random() < 0.1
            starts = (m + _p(rng, 1, 30)) if upcoming else (m - _p(rng, 1, 30 * MONTHS))
            starts = starts.replace(minute=0, second=0, microsecond=0)
            hours = rng.choice((1, 2, 2, 3, 4))
            ends = starts + timedelta(hours=hours)
            if not upcoming and ends > m:
                starts, ends = starts - timedelta(days=1), ends - timedelta(days=1)
            aid = w.next_id("activities")
            organiser = rng.choice(place.workers)
            rate = 10 if kind != "meeting" else 5
            people = rng.sample(pool, k)
            cancelled = [u for u in people if rng.random() < 0.05]
            active = [u for u in people if u not in cancelled]
            capacity = max(len(active), rng.randint(len(active), len(active) + 20), 1)
            created = starts - _p(rng, 5, 20)
            w.add(
                "activities",
                {
                    "id": aid,
                    "community_id": place.id,
                    "title": template.format(p=rng.choice(texts.PLACES))[:80],
                    "description": "".join(rng.sample(texts.SENTENCES, 3)),
                    "kind": kind,
                    "starts_at": starts,
                    "ends_at": ends,
                    "place": rng.choice(texts.PLACES),
                    "capacity": capacity,
                    "points_per_hour": rate,
                    "checkin_minutes_before": 30,
                    "waitlist_cutoff_at": starts - timedelta(hours=2),
                    "organiser_id": organiser,
                    "party_only": party_only,
                    "created_by_id": organiser,
                    "created_at": created,
                    "signup_count": len(active),
                    "waitlist_count": 0,
                },
            )
            if special:
                self.manifest["activity"] = aid
            for uid in people:
                at = _between(rng, created, min(starts - timedelta(hours=3), m))
                gone = uid in cancelled
                w.add(
                    "activity_signups",
                    {
                        "id": w.next_id("activity_signups"),
                        "activity_id": aid,
                        "user_id": uid,
                        "status": "cancelled" if gone else "confirmed",
                        "created_at": at,
                        "cancelled_at": _between(rng, at, min(starts - timedelta(hours=2), m)) if gone else None,
                        "cancelled_by_id": uid if gone else None,
                    },
                )
            if upcoming:
                continue
            for uid in active:
                if rng.random() < 0.12:  # did not come
                    continue
                minutes = hours * 60 - rng.choice((0, 0, 0, 15, 30))
                confirmed_at = ends + _p(rng, 0.05, 2)
                if confirmed_at > m:
                    confirmed_at = m
                att = w.next_id("activity_attendances")
                w.add(
                    "activity_attendances",
                    {
                        "id": att,
                        "activity_id": aid,
                        "user_id": uid,
                        "checked_in_at": starts - timedelta(minutes=rng.randint(0, 25)),
                        "checked_out_at": ends - timedelta(minutes=hours * 60 - minutes),
                        "minutes": minutes,
                        "confirmed_at": confirmed_at,
                        "confirmed_by_id": organiser,
                    },
                )
                delta = points_for(minutes, rate)
                if delta:
                    earnings.append((confirmed_at, uid, delta, "attendance", "attendance", att, organiser, None))
                if rng.random() < 0.25 and ends + timedelta(days=7) < m:
                    w.add(
                        "activity_ratings",
                        {
                            "id": w.next_id("activity_ratings"),
                            "activity_id": aid,
                            "user_id": uid,
                            "level": rng.choices(["satisfied", "basically", "unsatisfied"], weights=[7, 2, 1])[0],
                            "comment": "组织得很好。" if rng.random() < 0.2 else None,
                            "created_at": _between(rng, ends, ends + timedelta(days=6)),
                        },
                    )
        return earnings

    def bonus(self, start: datetime, uid: int, worker: int) -> tuple:
        """A bonus entry (志愿服务补录) some time since ``start``."""
        rng = self.rng
        return (_between(rng, start, self.moment), uid, rng.choice((5, 10, 20)), "bonus", None, None, worker, "志愿服务补录")

    def ledger(self, place: Place, earnings: list[tuple]) -> None:
        """The community's ledger: earnings, bonuses up to its share, redemptions; running balances."""
        rng, w, m = self.rng, self.w, self.moment
        start = m - timedelta(days=30 * MONTHS)
        entries = list(earnings)
        bonus = max(0, PER_COMMUNITY["ledger_entries"] - len(entries))
        redeem = bonus // 10
        for _ in range(bonus - redeem):
            entries.append(self.bonus(start, rng.choice(place.residents), rng.choice(place.workers)))
        if place is self.places[0]:
            member = place.member
            assert member is not None  # noqa: S101  # the first community has the fixed member
            self.manifest["member"] = self.usernames[member]
            for _ in range(FIXED["member_entries"] - 300):
                entries.append(self.bonus(start, member, place.workers[0]))
            redeem += 300
            wanted = {member: 300}
        else:
            wanted = {}
        # Redemptions: a resident with enough points takes a reward now and then.
        rewards = []
        for name, price in texts.REWARDS:
            rid = w.next_id("rewards")
            rewards.append((rid, price))
            w.add(
                "rewards",
                {
                    "id": rid,
                    "community_id": place.id,
                    "name": name,
                    "price": price,
                    "stock": 10_000,
                    "active": True,
                    "created_at": start,
                },
            )
        entries.sort(key=lambda e: e[0])
        balances: dict[int, int] = defaultdict(int)
        last: dict[int, datetime] = {}
        rows = []
        left = redeem - sum(wanted.values())
        for at, uid, delta, reason, source_type, source_id, actor, note in entries:
            rows.append((at, uid, delta, reason, source_type, source_id, actor, note, None))
            balances[uid] += delta
            reward = rng.choice(rewards)
            if balances[uid] >= reward[1] and (wanted.get(uid, 0) > 0 or (left > 0 and uid not in wanted and rng.random() < 0.5)):
                if uid in wanted:
                    wanted[uid] -= 1
                else:
                    left -= 1
                rows.append((at + timedelta(minutes=5), uid, -reward[1], "redemption", "redemption", None, None, None, reward))
                balances[uid] -= reward[1]
        balances.clear()
        # Redemptions that found no balance to take from become bonuses at the end: the counts stay exact.
        for uid, k in list(wanted.items()) + [(None, left)]:
            for _ in range(max(0, k)):
                who = uid if uid is not None else rng.choice(place.residents)
                rows.append((m - _p(rng, 0, 1), who, 5, "bonus", None, None, place.workers[0], "志愿服务补录", None))
        rows.sort(key=lambda r: r[0])
        for at, uid, delta, reason, source_type, source_id, actor, note, reward in rows:
            balances[uid] += delta
            eid = w.next_id("ledger_entries")
            if reward is not None:
                source_id = w.next_id("redemptions")
            w.add(
                "ledger_entries",
                {
                    "id": eid,
                    "user_id": uid,
                    "community_id": place.id,
                    "delta": delta,
                    "reason": reason,
                    "source_type": source_type,
                    "source_id": source_id,
                    "note": note,
                    "balance_after": balances[uid],
                    "created_by_id": actor,
                    "created_at": at,
                },
            )
            last[uid] = at
            if reward is not None:
                w.add(
                    "redemptions",
                    {
                        "id": source_id,
                        "user_id": uid,
                        "community_id": place.id,
                        "reward_id": reward[0],
                        "price": reward[1],
                        "status": "handed_over" if at < m - timedelta(days=1) else "pending",
                        "entry_id": eid,
                        "created_at": at,
                        "handed_over_at": at + timedelta(hours=2) if at < m - timedelta(days=1) else None,
                        "handed_over_by_id": place.workers[0] if at < m - timedelta(days=1) else None,
                    },
                )
        for uid, balance in balances.items():
            w.add("point_balances", {"user_id": uid, "community_id": place.id, "balance": balance, "updated_at": last[uid]})

    # --- resident requests (接诉即办), over twelve months -------------------------------------

    def requests(self, place: Place) -> None:
        rng, w, m = self.rng, self.w, self.moment
        keys = list(texts.REQUEST_TEXTS)
        fates, weights = [f for f, _ in REQUEST_FATE], [x for _, x in REQUEST_FATE]
        start = m - timedelta(days=30 * MONTHS)
        for created in sorted(_between(rng, start, m - timedelta(hours=1)) for _ in range(PER_COMMUNITY["requests"])):
            fate = rng.choices(fates, weights)[0]
            if fate == "in_progress" and created < m - timedelta(days=20):
                fate = "closed"  # the open ones are recent
            key = rng.choice(keys)
            reporter = rng.choice(place.residents)
            worker = rng.choice(place.workers)
            rid = w.next_id("requests")
            respond_by = response_due(created, DEFAULT_TARGETS, self.zone)
            solve_by = created + DEFAULT_TARGETS.resolution
            row = {
                "id": rid,
                "community_id": place.id,
                "category_id": place.request_categories[key],
                "reporter_id": reporter,
                "channel": rng.choice(("web", "web", "web", "hotline", "kiosk")),
                "description": rng.choice(texts.REQUEST_TEXTS[key]),
                "building": place.households[reporter].split("/")[0],
                "may_call": rng.random() < 0.7,
                "status": "submitted",
                "created_at": created,
                "holder": "community",
                "held_since": created,
                "response_due_at": respond_by,
                "original_response_due_at": respond_by,
                "resolution_due_at": solve_by,
                "original_resolution_due_at": solve_by,
            }
            steps: list[tuple] = [(created, reporter, "submitted", None, "submitted")]

            def event(at, actor, kind, note=None, status=None, _steps=steps):
                _steps.append((at, actor, kind, note, status))

            accepted = created + (respond_by - created) * rng.uniform(0.1, 1.2)
            if fate == "out_of_scope":
                at = min(accepted, m)
                row.update(status="out_of_scope", out_of_scope_reason="属于司法程序，请通过法院解决。")
                event(at, worker, "out_of_scope", row["out_of_scope_reason"], "out_of_scope")
            elif accepted < m:
                row.update(status="accepted", accepted_at=accepted, accepted_by_id=worker)
                event(accepted, worker, "accepted", None, "accepted")
                assigned = accepted + timedelta(minutes=rng.randint(5, 120))
                if assigned < m:
                    row.update(status="in_progress", assignee_id=worker, held_since=assigned)
                    event(assigned, worker, "assigned", None, "in_progress")
                resolved = created + (solve_by - created) * rng.uniform(0.1, 1.3)
                if fate != "in_progress" and resolved < m and resolved > assigned:
                    note = rng.choice(texts.RESOLUTIONS)
                    row.update(status="resolved", resolved_at=resolved, resolved_by_id=worker, resolution_note=note)
                    event(resolved, worker, "resolved", note, "resolved")
                    answered = resolved + timedelta(hours=rng.uniform(2, 72))
                    if fate in ("confirmed", "closed") and answered < m:
                        level = rng.choices(("satisfied", "basically", "unsatisfied"), weights=(72, 20, 8))[0]
                        row.update(status="confirmed", confirmed_at=answered, solved=level != "unsatisfied", satisfaction=level)
                        event(answered, reporter, "confirmed", None, "confirmed")
                        closed = answered + timedelta(hours=rng.uniform(1, 48))
                        if fate == "closed" and closed < m:
                            row.update(status="closed", closed_at=closed)
                            event(closed, worker, "closed", None, "closed")
            if row["status"] == "submitted":
                at = reminder_at(created, respond_by)
                if at <= m:
                    row["response_reminded_at"] = at
                    event(at, None, "reminded", "response", "submitted")
            elif row["status"] in ("accepted", "in_progress"):
                at = reminder_at(created, row["resolution_due_at"])
                if at <= m and at > steps[-1][0]:
                    row["resolution_reminded_at"] = at
                    event(at, None, "reminded", "resolution", row["status"])
            w.add("requests", row)
            assignee = None
            for at, actor, kind, note, status in steps:
                if kind == "assigned":
                    assignee = worker
                w.add(
                    "request_events",
                    {
                        "id": w.next_id("request_events"),
                        "request_id": rid,
                        "at": at,
                        "actor_id": actor,
                        "kind": kind,
                        "status": status,
                        "holder": "community",
                        "assignee_id": assignee,
                        "note": note,
                    },
                )

    # --- the whole city ------------------------------------------------------------------------

    def build(self) -> None:
        self.people()
        for index, place in enumerate(self.places):
            # One generator per community and part: a difference in one leaves the others as they were.
            self.rng = random.Random(f"{self.seed}:{index}:topics")
            self.topics(place)
            self.rng = random.Random(f"{self.seed}:{index}:activities")
            earnings = self.activities(place)
            self.ledger(place, earnings)
            self.rng = random.Random(f"{self.seed}:{index}:requests")
            self.requests(place)
            if self.progress and (index + 1) % 10 == 0:
                self.progress(index + 1, len(self.places), sum(self.w.counts.values()))
        self.w.flush()
        self.w.reset_sequences()
        first = self.places[0]
        street_slug = next(slug for sid, slug in self.streets if sid == first.street_id)
        self.manifest.update(
            street=street_slug,
            community=first.slug,
            voters=[self.usernames[u] for u in first.voters],
            worker=self.usernames[first.workers[0]],
        )


def evaluation_months(moment: datetime | None = None) -> list[str]:
    """The twelve months before this one (the evaluation stores those that are final)."""
    month, out = month_of(moment or now()), []
    for _ in range(MONTHS):
        month = previous_month(month)
        out.append(month)
    return sorted(out)


def month_start(month: str) -> datetime:
    return month_bounds(month)[0].astimezone(UTC)


def enqueue_evaluation(street_ids: list[int]) -> None:
    """Post-processing on the job queue (inline without REDIS_URL): each street's stored months."""
    for street_id in street_ids:
        jobs.enqueue("generate.store_months", street_id=street_id, months=evaluation_months())


def elapsed(started: float) -> float:
    return round(time.monotonic() - started, 1)
