"""In-process cost of the logged-in and uncached pages of a generated city: SQL statements and
milliseconds a request (median and 90th percentile), with Flask's test client, no page cache.

    DATABASE_URL=postgresql://…/city .venv/bin/python bench/city_inprocess.py CITY_JSON [-n 40] [--only REGEX]

Run on a database built by ``flask generate city --out CITY_JSON`` without ``REDIS_URL`` (every
page from the database). The vote POST is cast by a different voter each request (voters of the
manifest who have not voted yet), so it writes: run it on a throw-away database.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from city_prep import SKIPPED, open_sessions, vote_body  # noqa: E402

from consult import create_app  # noqa: E402
from consult.accounts.models import User  # noqa: E402
from consult.extensions import db  # noqa: E402
from consult.topics.models import Vote, VoteParticipation  # noqa: E402


def pages(city: dict) -> list[tuple[str, str, str, str]]:
    street, community = city["street"], city["community"]
    return [
        ("open ballot", "voter", "GET", f"/topics/{city['vote_topic']}"),
        ("vote POST", "new voter", "POST", f"/topics/{city['vote_topic']}/vote"),
        ("my points, 5,000 entries", "member", "GET", "/me/points"),
        ("topic list", "visitor", "GET", f"/c/{community}/topics/"),
        ("ranking", "visitor", "GET", f"/streets/{street}/ranking"),
        ("community evaluation", "visitor", "GET", f"/c/{community}/evaluation/"),
    ]


def fresh_voters(app, city: dict, n: int) -> list[str]:
    """Voters of the manifest who have not voted on the open ballot yet."""
    with app.app_context():
        voted = set(
            db.session.scalars(
                sa.select(User.username)
                .join(VoteParticipation, VoteParticipation.user_id == User.id)
                .join(Vote, Vote.id == VoteParticipation.vote_id)
                .where(Vote.topic_id == city["vote_topic"])
            )
        )
    left = [v for v in city["voters"][:-1] if v not in voted]
    if len(left) < n:
        raise SystemExit(f"only {len(left)} voters left who have not voted")
    return left[:n]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("city")
    parser.add_argument("-n", type=int, default=40, help="requests a page (after one warming request)")
    parser.add_argument("--only", default="", help="a regular expression on the page's name")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE each SELECT of the last request (PostgreSQL)")
    args = parser.parse_args()
    city = json.loads(Path(args.city).read_text(encoding="utf-8"))
    app = create_app()
    member, ballot_voter = open_sessions(app, [city["member"], city["voters"][-1]])
    cookies = {"member": member[0], "voter": ballot_voter[0]}
    body = vote_body(app, city["vote_topic"])
    client = app.test_client(use_cookies=False)
    site = app.config.get("SITE_URL") or "http://localhost"
    statements: list[tuple[str, object]] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(SKIPPED):
            statements.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    print(f"{'page':28} {'SQL':>4} {'p50 ms':>8} {'p90 ms':>8}  ({engine.dialect.name}, fraction {city['fraction']})")
    for name, who, method, path in pages(city):
        if args.only and not re.search(args.only, name):
            continue
        if method == "POST":
            voters = open_sessions(app, fresh_voters(app, city, args.n + 1))
            requests = [
                ({"Cookie": c, "Content-Type": "application/x-www-form-urlencoded"}, f"{body}&csrf_token={t}") for c, t in voters
            ]
            expected = 302
        else:
            headers = {"Cookie": cookies[who]} if who in cookies else {}
            requests = [(headers, None)] * (args.n + 1)
            expected = 200
        timings, counts = [], []
        for i, (headers, data) in enumerate(requests):
            statements.clear()
            sa.event.listen(engine, "before_cursor_execute", before)
            started = time.perf_counter()
            answer = client.open(path, method=method, headers=headers, data=data, base_url=site)
            took = (time.perf_counter() - started) * 1000
            sa.event.remove(engine, "before_cursor_execute", before)
            if answer.status_code != expected:
                raise SystemExit(f"{method} {path} as {who}: {answer.status_code}")
            if i:  # the first warms the per-process caches
                timings.append(took)
                counts.append(len(statements))
        timings.sort()
        p90 = timings[int(0.9 * (len(timings) - 1))]
        print(f"{name:28} {max(counts):>4} {statistics.median(timings):>8.1f} {p90:>8.1f}", flush=True)
        if args.explain:
            explain(app, list(statements))


def explain(app, statements) -> None:
    """Each SELECT's plan (its first lines) and execution time."""
    with app.app_context():
        connection = db.engine.raw_connection()
        try:
            cursor = connection.cursor()
            for statement, parameters in statements:
                if not statement.lstrip().upper().startswith(("SELECT", "WITH")):
                    print("    (write)", " ".join(statement.split())[:100])
                    continue
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
                plan = [row[0] for row in cursor.fetchall()]
                print("    " + " ".join(statement.split())[:100])
                for line in plan[:2] + [line for line in plan[2:-1] if "Scan" in line or "InitPlan" in line] + plan[-1:]:
                    print("      " + line[:150])
            connection.rollback()
        finally:
            connection.close()


if __name__ == "__main__":
    main()
