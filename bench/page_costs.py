"""In-process cost of the hot pages: ms per request and SQL statements, anonymous and logged in.

No server and no network: the app's test client against a database seeded with
``bench/seed_topics.py`` (the busy community and its 1,500-comment topic) and ``flask demo``
(activities, points, evaluation), plus 5,000 ledger entries for the demo account ``party``
(see bench/README.md). It tells where a request's time goes before a load test does:

    DATABASE_URL=sqlite:////tmp/pages.db .venv/bin/flask db upgrade
    DATABASE_URL=sqlite:////tmp/pages.db .venv/bin/python bench/seed_topics.py
    DATABASE_URL=sqlite:////tmp/pages.db .venv/bin/flask demo
    DATABASE_URL=sqlite:////tmp/pages.db .venv/bin/python bench/page_costs.py --ledger 5000
    DATABASE_URL=... .venv/bin/python bench/page_costs.py --profile "topic list"   # cProfile, top 25

Times are the median of ``--runs`` requests after three warm-up requests; on a shared machine
they move with its load, the statement counts do not.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import re
import statistics
import sys
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from consult import create_app  # noqa: E402
from consult.extensions import db  # noqa: E402

PASSWORD = "demo12345"  # noqa: S105  (the demo accounts' published password)


def pages(app) -> list[tuple[str, str, str]]:
    """(name, url, who) of every page measured; who is "anon" or a demo username."""
    with app.app_context():
        one = lambda sql: db.session.execute(sa.text(sql)).scalar()  # noqa: E731
        big = one(
            "SELECT t.id FROM topics t JOIN communities c ON c.id = t.community_id WHERE c.slug = 'bench-community' "
            "ORDER BY t.comment_count DESC LIMIT 1"
        )
        ballot = one(
            "SELECT t.id FROM topics t JOIN communities c ON c.id = t.community_id WHERE c.slug = 'bench-community' "
            "AND t.status = 'voting' AND t.id != :big ORDER BY t.id LIMIT 1".replace(":big", str(big))
        )
        activity = one("SELECT min(id) FROM activities")
    return [
        ("home", "/", "anon"),
        ("street", "/streets/bench-street/", "anon"),
        ("ranking", "/streets/demo-street/ranking", "anon"),
        ("community home", "/c/bench-community/", "anon"),
        ("topic list", "/c/bench-community/topics/", "anon"),
        ("topic list p50", "/c/bench-community/topics/?page=50", "anon"),
        ("topic search", "/c/bench-community/topics/?q=%E5%81%9C%E8%BD%A6", "anon"),
        ("topic filter", "/c/bench-community/topics/?status=voting", "anon"),
        ("big topic", f"/topics/{big}", "anon"),
        ("big topic p10", f"/topics/{big}?page=10", "anon"),
        ("open ballot", f"/topics/{ballot}", "anon"),
        ("activity list", "/c/binhe/activities/", "anon"),
        ("activity", f"/activities/{activity}", "anon"),
        ("evaluation", "/c/binhe/evaluation/", "anon"),
        ("api topics", "/api/v1/communities/bench-community/topics", "anon"),
        ("home (in)", "/", "party"),
        ("topic list (in)", "/c/bench-community/topics/", "party"),
        ("big topic (in)", f"/topics/{big}", "party"),
        ("open ballot (in)", f"/topics/{ballot}", "party"),
        ("activity (in)", f"/activities/{activity}", "party"),
        ("me/points 5k", "/me/points", "party"),
        ("me/points 5k p50", "/me/points?page=50", "party"),
    ]


def seed_ledger(app, entries: int) -> None:
    """Give the demo account ``party`` at least ``entries`` ledger entries (bonuses through the
    ledger's own ``post``, which keeps the stored balance), an hour apart, the newest now."""
    from datetime import timedelta

    from consult.accounts.models import User
    from consult.core import clock
    from consult.places import queries as places
    from consult.points import ledger
    from consult.points.models import LedgerEntry

    with app.app_context():
        party = db.session.scalar(sa.select(User).where(User.username == "party"))
        have = db.session.scalar(sa.select(sa.func.count()).select_from(LedgerEntry).where(LedgerEntry.user_id == party.id))
        community_id = places.active_residence(party).community_id
        start = clock.now()
        for n in range(entries - have):
            clock.set_now(start - timedelta(hours=entries - have - n))
            ledger.post(party.id, community_id, 1, ledger.Reason.BONUS, note="bench")
        clock.set_now(None)
        db.session.commit()


def log_in(client, username: str) -> None:
    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    response = client.post("/auth/login", data={"username": username, "password": PASSWORD, "csrf_token": token.group(1)})
    if response.status_code != 302:
        raise SystemExit(f"could not log in as {username}: {response.status_code}")


def measure(app, client, url: str, runs: int, show: bool = False) -> tuple[float, float, int, int]:
    """(median ms, median CPU ms of this process, statements, bytes) of GET url. The CPU time
    moves less than the wall time when other work shares the machine (SQLite runs in-process)."""
    statements: list[str] = []
    captured: list[tuple[str, object]] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO", "BEGIN", "PRAGMA")):
            return  # counted as tests/conftest.py's count_queries counts
        statements.append(statement)
        captured.append((statement, parameters))

    for _ in range(3):
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url}: {response.status_code}")
    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", before)
    size = len(client.get(url).data)
    sa.event.remove(engine, "before_cursor_execute", before)
    for statement in statements if show else []:
        print("   ", " ".join(statement.split())[: (None if "--full" in sys.argv else 300)])
    if "--explain" in sys.argv:
        explain(engine, captured)
    times, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return statistics.median(times), statistics.median(cpu), len(statements), size


def explain(engine, captured) -> None:
    """EXPLAIN ANALYZE (PostgreSQL) of each SELECT of the request, as sent: its first words, the
    time, and every scan node (a Seq Scan of a big table is what to look for)."""
    with engine.connect() as connection:
        for statement, parameters in captured:
            if not statement.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            plan = [row[0] for row in connection.exec_driver_sql("EXPLAIN (ANALYZE, COSTS OFF) " + statement, parameters)]
            print("    --", " ".join(statement.split())[:110])
            for line in plan:
                if "--plans" in sys.argv or "Scan" in line or "Execution Time" in line or line is plan[0]:
                    print("      ", line.strip()[:150])
        connection.rollback()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--only", help="a regex on the page names")
    parser.add_argument("--profile", help="cProfile this page (by name) and print the top 25 functions")
    parser.add_argument("--json", help="write the figures here")
    parser.add_argument("--sql", action="store_true", help="print each page's statements (the first 300 characters)")
    parser.add_argument("--full", action="store_true", help="with --sql: whole statements")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE each statement (PostgreSQL)")
    parser.add_argument("--plans", action="store_true", help="with --explain: whole plans")
    parser.add_argument("--ledger", type=int, default=0, help="first give `party` this many ledger entries (5000)")
    args = parser.parse_args()
    app = create_app()
    if args.ledger:
        seed_ledger(app, args.ledger)
    clients = {}
    rows = []
    for name, url, who in pages(app):
        if args.only and not re.search(args.only, name):
            continue
        if args.profile and name != args.profile:
            continue
        if who not in clients:
            clients[who] = app.test_client()
            if who != "anon":
                log_in(clients[who], who)
        client = clients[who]
        if args.profile:
            measure(app, client, url, 3)
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(args.runs):
                client.get(url)
            profile.disable()
            pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
            pstats.Stats(profile).sort_stats("tottime").print_stats(25)
            return
        ms, cpu, count, size = measure(app, client, url, args.runs, args.sql)
        rows.append(
            {
                "page": name,
                "url": url,
                "ms": round(ms, 2),
                "cpu_ms": round(cpu, 2),
                "statements": count,
                "kb": round(size / 1024, 1),
            }
        )
        print(f"{name:20} {ms:7.2f} ms {cpu:7.2f} CPU ms  {count:3d} SQL  {size / 1024:6.1f} KB  {url}", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
