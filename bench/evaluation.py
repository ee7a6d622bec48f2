"""Benchmark: one month's evaluation for a street of 20 communities, each with a year of records.

    .venv/bin/python bench/evaluation.py                 # PostgreSQL at 127.0.0.1:5432 (creates and drops consult_bench_eval)
    BENCH_DATABASE_URL=sqlite:////tmp/eval.db .venv/bin/python bench/evaluation.py

Seeds with bulk inserts (consistent with the models: residences confirmed, topics submitted
and decided, outcomes due and done, first ratings, votes with participations and ballots,
activities with confirmed attendances and their ledger entries), then times
``evaluation.services.compute`` for every community of the street for one month, and
``store_month``. Prints the data sizes and the timings (median of 7 runs).
"""

from __future__ import annotations

import hashlib
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

COMMUNITIES = 20
RESIDENTS = 300
TOPICS = 400
WISHES = 150
OUTCOMES = 100
RATINGS_PER_OUTCOME = 12
VOTES = 60
VOTERS_PER_VOTE = 150
ACTIVITIES = 200
ATTENDANCES = 20
YEAR_START = datetime(2025, 11, 1, tzinfo=UTC)
MONTH = "2026-05"


def database_url() -> tuple[str, callable]:
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        return url, lambda: None
    admin = sa.create_engine("postgresql+psycopg://postgres@127.0.0.1:5432/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql('DROP DATABASE IF EXISTS "consult_bench_eval" WITH (FORCE)')
        conn.exec_driver_sql('CREATE DATABASE "consult_bench_eval"')

    def drop():
        with admin.connect() as conn:
            conn.exec_driver_sql('DROP DATABASE IF EXISTS "consult_bench_eval" WITH (FORCE)')

    return "postgresql+psycopg://postgres@127.0.0.1:5432/consult_bench_eval", drop


def at(day: float) -> datetime:
    return YEAR_START + timedelta(days=day)


def seed(db) -> dict:
    from consult.accounts.models import User
    from consult.activities.models import Activity, ActivityRating, Attendance, PartyRegistration, Wish
    from consult.places.models import Community, Residence, Street
    from consult.points.models import LedgerEntry
    from consult.topics.models import Ballot, Outcome, OutcomeRating, Topic, Vote, VoteParticipation

    rnd = random.Random(7)
    conn = db.session.connection()
    conn.execute(sa.insert(Street), [{"slug": "bench", "name": "基准街道", "created_at": at(0)}])
    street_id = conn.execute(sa.select(Street.id)).scalar()
    conn.execute(
        sa.insert(Community),
        [
            {"street_id": street_id, "slug": f"c{i}", "name": f"社区{i}", "member_count": RESIDENTS, "created_at": at(0)}
            for i in range(COMMUNITIES)
        ],
    )
    communities = list(conn.execute(sa.select(Community.id)).scalars())
    worker = conn.execute(
        sa.insert(User)
        .values(
            username="w", display_name="w", password_hash="x", language="zh_CN", large_text=False, active=True, created_at=at(0)
        )
        .returning(User.id)
    ).scalar()
    sizes = dict.fromkeys(
        (
            "residents",
            "topics",
            "wishes",
            "outcomes",
            "ratings",
            "votes",
            "participations",
            "ballots",
            "activities",
            "attendances",
            "ledger",
        ),
        0,
    )
    category = conn.execute(sa.text("SELECT id FROM topic_categories LIMIT 1")).scalar()
    for cid in communities:
        users = [
            {
                "username": f"u{cid}-{n}",
                "display_name": "居民",
                "password_hash": "x",
                "language": "zh_CN",
                "large_text": False,
                "active": True,
                "created_at": at(0),
            }
            for n in range(RESIDENTS)
        ]
        conn.execute(sa.insert(User), users)
        uids = list(conn.execute(sa.select(User.id).where(User.username.like(f"u{cid}-%"))).scalars())
        conn.execute(
            sa.insert(Residence),
            [
                {
                    "user_id": u,
                    "community_id": cid,
                    "building": str(n % 20),
                    "unit": "1",
                    "room": str(n),
                    "status": "confirmed",
                    "created_at": at(0),
                    "confirmed_at": at(0),
                }
                for n, u in enumerate(uids)
            ],
        )
        conn.execute(
            sa.insert(PartyRegistration),
            [
                {
                    "user_id": u,
                    "community_id": cid,
                    "work_unit": "单位",
                    "party_branch": "支部",
                    "status": "confirmed",
                    "created_at": at(0),
                    "decided_at": at(0),
                }
                for u in uids[:40]
            ],
        )
        topic_rows = []
        for n in range(TOPICS):
            submitted = at(rnd.uniform(1, 364))
            topic_rows.append(
                {
                    "community_id": cid,
                    "author_id": rnd.choice(uids),
                    "committee_initiated": False,
                    "title": f"议题{n}",
                    "body": "内容",
                    "category_id": category,
                    "status": "outcome_published" if n < OUTCOMES else "rejected",
                    "created_at": submitted,
                    "submitted_at": submitted,
                    "decided_at": submitted + timedelta(hours=rnd.choice([5, 20, 40, 70, 100])),
                    "support_count": 0,
                    "comment_count": 0,
                    "ballot_count": 0,
                }
            )
        conn.execute(sa.insert(Topic), topic_rows)
        tids = list(conn.execute(sa.select(Topic.id).where(Topic.community_id == cid).order_by(Topic.id)).scalars())
        conn.execute(
            sa.insert(Wish),
            [
                {
                    "community_id": cid,
                    "author_id": rnd.choice(uids),
                    "title": "心愿",
                    "description": "x",
                    "status": "confirmed",
                    "created_at": (c := at(rnd.uniform(1, 360))),
                    "decided_at": c + timedelta(hours=rnd.choice([10, 30, 60])),
                    "claimer_id": rnd.choice(uids[:40]),
                    "confirmed_at": c + timedelta(days=3),
                    "rating": rnd.choice(["satisfied", "basically", "unsatisfied"]),
                }
                for _ in range(WISHES)
            ],
        )
        for tid in tids[:OUTCOMES]:
            due = (at(rnd.uniform(30, 364))).date()
            done = datetime.combine(due, datetime.min.time(), tzinfo=UTC) + timedelta(days=rnd.choice([-5, -1, 3]))
            oid = conn.execute(
                sa.insert(Outcome)
                .values(
                    topic_id=tid,
                    decision="同意",
                    responsible="物业",
                    actions="施工",
                    original_due_date=due,
                    due_date=due,
                    status="done",
                    published_at=at(1),
                    published_by_id=worker,
                    done_at=done,
                )
                .returning(Outcome.id)
            ).scalar()
            raters = rnd.sample(uids, RATINGS_PER_OUTCOME)
            conn.execute(
                sa.insert(OutcomeRating),
                [
                    {
                        "outcome_id": oid,
                        "user_id": u,
                        "level": rnd.choice(["satisfied", "basically", "unsatisfied"]),
                        "version": 1,
                        "first_given_at": (g := done + timedelta(days=rnd.uniform(1, 20))),
                        "created_at": g,
                    }
                    for u in raters
                ],
            )
            sizes["ratings"] += RATINGS_PER_OUTCOME
        for tid in tids[OUTCOMES : OUTCOMES + VOTES]:
            closed = at(rnd.uniform(10, 364))
            vid = conn.execute(
                sa.insert(Vote)
                .values(
                    topic_id=tid,
                    kind="yes_no",
                    max_choices=1,
                    scope="resident",
                    opens_at=closed - timedelta(days=7),
                    closes_at=closed,
                    closed_at=closed,
                    live_results=False,
                    created_by_id=worker,
                    created_at=closed,
                    eligible_count=RESIDENTS,
                    ballot_count=VOTERS_PER_VOTE,
                )
                .returning(Vote.id)
            ).scalar()
            voters = rnd.sample(uids, VOTERS_PER_VOTE)
            conn.execute(
                sa.insert(VoteParticipation),
                [{"vote_id": vid, "user_id": u, "paper": False, "created_at": closed} for u in voters],
            )
            conn.execute(
                sa.insert(Ballot),
                [
                    {
                        "id": rnd.getrandbits(60) + 1,
                        "vote_id": vid,
                        "token": hashlib.sha256(f"{vid}-{u}".encode()).hexdigest(),
                        "paper": False,
                    }
                    for u in voters
                ],
            )
        for n in range(ACTIVITIES):
            start = at(rnd.uniform(1, 364))
            aid = conn.execute(
                sa.insert(Activity)
                .values(
                    community_id=cid,
                    title=f"活动{n}",
                    description="x",
                    kind="volunteer",
                    starts_at=start,
                    ends_at=start + timedelta(hours=2),
                    place="x",
                    capacity=50,
                    points_per_hour=10,
                    checkin_minutes_before=30,
                    waitlist_cutoff_at=start,
                    organiser_id=worker,
                    party_only=False,
                    created_by_id=worker,
                    created_at=start,
                    signup_count=0,
                    waitlist_count=0,
                )
                .returning(Activity.id)
            ).scalar()
            people = rnd.sample(uids, ATTENDANCES)
            conn.execute(
                sa.insert(Attendance),
                [
                    {
                        "activity_id": aid,
                        "user_id": u,
                        "checked_in_at": start,
                        "minutes": 120,
                        "confirmed_at": start + timedelta(hours=3),
                        "confirmed_by_id": worker,
                    }
                    for u in people
                ],
            )
            conn.execute(
                sa.insert(ActivityRating),
                [
                    {"activity_id": aid, "user_id": u, "level": "satisfied", "created_at": start + timedelta(days=1)}
                    for u in people[:5]
                ],
            )
            conn.execute(
                sa.insert(LedgerEntry),
                [
                    {
                        "user_id": u,
                        "community_id": cid,
                        "delta": 20,
                        "reason": "attendance",
                        "source_type": "attendance",
                        "source_id": aid * 1000 + k,
                        "created_at": start,
                    }
                    for k, u in enumerate(people)
                ],
            )
        sizes["residents"] += RESIDENTS
        sizes["topics"] += TOPICS
        sizes["wishes"] += WISHES
        sizes["outcomes"] += OUTCOMES
        sizes["votes"] += VOTES
        sizes["participations"] += VOTES * VOTERS_PER_VOTE
        sizes["ballots"] += VOTES * VOTERS_PER_VOTE
        sizes["activities"] += ACTIVITIES
        sizes["attendances"] += ACTIVITIES * ATTENDANCES
        sizes["ledger"] += ACTIVITIES * ATTENDANCES
    db.session.commit()
    return {"street_id": street_id, "communities": communities, "sizes": sizes}


def main() -> int:
    url, drop = database_url()
    os.environ.setdefault("CONSULT_INSTANCE", "/tmp/consult-bench-eval")
    from flask_migrate import upgrade

    from consult import create_app
    from consult.core import clock
    from consult.extensions import db

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    try:
        with app.app_context():
            upgrade()
            started = time.perf_counter()
            world = seed(db)
            print(f"seeded in {time.perf_counter() - started:.1f} s:", ", ".join(f"{k} {v}" for k, v in world["sizes"].items()))
            if db.engine.dialect.name == "postgresql":
                with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                    conn.exec_driver_sql("VACUUM ANALYZE")
            from consult.evaluation import services
            from consult.places.models import Street

            clock.set_now(datetime(2026, 11, 20, tzinfo=UTC))
            settings = services.settings_for(world["street_id"])
            timings = []
            for _ in range(7):
                started = time.perf_counter()
                figures = services.compute(world["communities"], MONTH, settings)
                timings.append(time.perf_counter() - started)
                db.session.rollback()
            sample = figures[world["communities"][0]]
            print(
                f"compute {MONTH} for {COMMUNITIES} communities: median {statistics.median(timings) * 1000:.0f} ms, "
                f"max {max(timings) * 1000:.0f} ms ({db.engine.dialect.name})"
            )
            print(
                "  first community:",
                {r: (sample[r]["num"], sample[r]["den"]) for r in services.RATES},
                "minutes",
                sample["volunteer_minutes"],
                "party services",
                sample["party_services"],
            )
            started = time.perf_counter()
            services.store_month(db.session.get(Street, world["street_id"]), MONTH)
            db.session.commit()
            print(
                f"store_month (compute + write {COMMUNITIES} results and the ranking): "
                f"{(time.perf_counter() - started) * 1000:.0f} ms"
            )
            clock.set_now(None)
            db.session.remove()
            db.engine.dispose()
    finally:
        drop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
