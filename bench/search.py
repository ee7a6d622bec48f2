"""Search among 50,000 topics and 50,000 requests: LIKE before, the index after, on a fresh database.

    python bench/search.py --database-url sqlite:////tmp/bench_search.db
    python bench/search.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_search

Migrates to 0017 (no index), bulk-inserts the rows (tests/search_rows.py texts), times the old
``LIKE '%停车%'`` list query (a page of 20 and its count, as the topic list runs them), upgrades to
0018 (timing the index build of the existing rows), times the same page through the index, and on
PostgreSQL prints ``EXPLAIN (ANALYZE, BUFFERS)`` of the index query. Refuses a database that
already has topics. Figures on a shared 2-core machine are noisy: it takes the median of 15 runs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from consult import create_app  # noqa: E402
from consult.core.clock import now  # noqa: E402
from consult.extensions import db  # noqa: E402
from consult.requests.models import Request  # noqa: E402
from consult.requests.targets import ensure_categories  # noqa: E402
from consult.topics import queries  # noqa: E402
from consult.topics.models import Category, Topic  # noqa: E402
from tests.factories import Factory  # noqa: E402
from tests.search_rows import texts  # noqa: E402

N = 50_000
RUNS = 15


def timed(run) -> float:
    """The median of RUNS runs, in milliseconds."""
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def page_of(select) -> None:
    """What the list page runs: a page of 20 and the count."""
    db.session.scalars(select.limit(20)).all()
    db.session.scalar(sa.select(sa.func.count()).select_from(select.order_by(None).subquery()))


def like(community_id: int, word: str):
    pattern = f"%{word}%"
    return (
        sa.select(Topic)
        .where(Topic.community_id == community_id, sa.or_(Topic.title.like(pattern), Topic.body.like(pattern)))
        .order_by(Topic.created_at.desc(), Topic.id.desc())
    )


def seed(world) -> None:
    category = db.session.scalar(sa.select(Category.id).where(Category.key == "parking"))
    start = now() - timedelta(days=400)
    rows = texts(N)
    db.session.execute(
        sa.insert(Topic.__table__),
        [
            {
                "community_id": world.a.id,
                "author_id": world.resident.id,
                "title": title[:80],
                "body": body,
                "category_id": category,
                "status": "collecting_support",
                "created_at": start + timedelta(minutes=i),
            }
            for i, (title, body) in enumerate(rows)
        ],
    )
    request_category = ensure_categories(world.a.id)[0].id
    due = now() + timedelta(days=7)
    db.session.execute(
        sa.insert(Request.__table__),
        [
            {
                "community_id": world.a.id,
                "category_id": request_category,
                "reporter_id": world.resident.id,
                "description": body[:1000],
                "created_at": start + timedelta(minutes=i),
                "held_since": start + timedelta(minutes=i),
                "response_due_at": due,
                "original_response_due_at": due,
                "resolution_due_at": due,
                "original_resolution_due_at": due,
            }
            for i, (_title, body) in enumerate(texts(N, seed=15))
        ],
    )
    db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    args = parser.parse_args()
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url, "TESTING": True})
    from flask_migrate import upgrade

    with app.app_context(), app.test_request_context("/"):
        upgrade(revision="0017_request_indexes")
        if db.session.scalar(sa.select(sa.func.count()).select_from(Topic)):
            sys.exit("the database already has topics: give an empty one")
        world = Factory(db.session).world()
        db.session.commit()
        started = time.perf_counter()
        seed(world)
        print(f"seeded {N} topics and {N} requests in {time.perf_counter() - started:.1f} s")
        postgres = db.engine.dialect.name == "postgresql"
        if postgres:
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
        before = {w: timed(lambda w=w: page_of(like(world.a.id, w))) for w in ("停车", "加装电梯")}
        db.session.remove()
        started = time.perf_counter()
        upgrade(revision="0018_search_index")
        print(f"migration 0018 (index {N} topics and {N} requests): {time.perf_counter() - started:.1f} s")
        after = {w: timed(lambda w=w: page_of(queries.topic_list(world.a.id, q=w))) for w in before}
        for word in before:
            name = db.engine.dialect.name
            print(f"{name} {word}: LIKE {before[word]:.1f} ms, index {after[word]:.1f} ms (page of 20 + count, median)")
        select = queries.topic_list(world.a.id, q="停车").limit(20)
        sql = str(select.compile(db.engine, compile_kwargs={"literal_binds": True}))
        explain = "EXPLAIN (ANALYZE, BUFFERS) " if postgres else "EXPLAIN QUERY PLAN "
        for line in db.session.execute(sa.text(explain + sql)).all():
            print("  " + " | ".join(str(v) for v in line))


if __name__ == "__main__":
    main()
