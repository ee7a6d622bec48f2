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
from datetime import datetime, timedelta

import sqlalchemy as sa

from consult.accounts.services import hash_password
from consult.core import jobs
from consult.core.clock import month_of, now, previous_month, site_zone
from consult.generate import texts
from consult.generate.activities import ActivitiesPart
from consult.generate.bulk import Writer
from consult.generate.common import (
    FIXED,
    MONTHS,
    PASSWORD,
    PER_COMMUNITY,
    SUPPORT_DAYS,
    THRESHOLD,
    WORKERS_PER_COMMUNITY,
    GenerateError,
    Place,
    _p,
    shape,
)
from consult.generate.requests import RequestsPart
from consult.generate.topics import TopicsPart
from consult.generate.votes import VotesPart
from consult.requests.models import DEFAULT_CATEGORIES


class City(TopicsPart, VotesPart, ActivitiesPart, RequestsPart):
    """The city being generated: people and places here, each community's parts in the mixins."""

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


def enqueue_evaluation(street_ids: list[int]) -> None:
    """Post-processing on the job queue (inline without REDIS_URL): each street's stored months."""
    for street_id in street_ids:
        jobs.enqueue("generate.store_months", street_id=street_id, months=evaluation_months())
