"""The figures of requests.sh that need the app itself: session cookies for wrk, SQL statements
per page, and the time to compute and store the street's month of evaluation figures.

    python bench/request_figures.py SEED_JSON PAGES_TSV --cookies COOKIES_TSV

Run inside the app's environment (DATABASE_URL, SECRET_KEY: the same as the gunicorn that wrk
will load, so the cookies are valid there) on a database seeded by seed_requests.py. It

- opens one session for the street admin and one for a worker of the first community (as the
  log-in page would: a ``user_sessions`` row) and writes ``who <TAB> Cookie header`` lines;
- GETs every page of PAGES_TSV (``name <TAB> who <TAB> path``, who: visitor/worker/street_admin)
  twice through the test client and counts the SQL statements of the second GET
  (``before_cursor_execute``, as tests/conftest.py's ``count_queries``), printing
  ``QUERIES <name> <count> <ms>`` lines;
- times ``consult.evaluation.figures.compute`` for the street's communities and the seeded month
  (median of 7) and ``consult.evaluation.services.store_month`` once, with the clock set to ten
  days after the month's end (a month is stored once its end plus the response target has passed),
  printing ``EVAL ...`` lines.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from consult import create_app  # noqa: E402
from consult.accounts import sessions  # noqa: E402
from consult.accounts.auth import SESSION_KEY  # noqa: E402
from consult.accounts.models import User  # noqa: E402
from consult.core import clock  # noqa: E402
from consult.core.clock import month_bounds  # noqa: E402
from consult.extensions import db  # noqa: E402

SKIPPED = ("SAVEPOINT", "RELEASE", "ROLLBACK TO", "BEGIN", "PRAGMA")


def cookie_for(app, user_id: int) -> str:
    """A signed session cookie of a new session of ``user_id`` (what logging in sets)."""
    with app.app_context():
        user = db.session.get(User, user_id)
        _row, token, _remember = sessions.start(user, user_agent="bench")
        db.session.commit()
    with app.test_request_context():
        value = app.session_interface.get_signing_serializer(app).dumps(
            {"_user_id": str(user_id), SESSION_KEY: token, "_fresh": True}
        )
    return f"{app.config['SESSION_COOKIE_NAME']}={value}"


def count_queries(app, pages: list[tuple[str, str, str]], cookies: dict[str, str]) -> None:
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(SKIPPED):
            statements.append(statement)

    with app.app_context():
        engine = db.engine
    client = app.test_client(use_cookies=False)
    for name, who, path in pages:
        headers = {"Cookie": cookies[who]} if who in cookies else {}
        site = app.config.get("SITE_URL") or "http://localhost"
        first = client.get(path, headers=headers, base_url=site)
        if first.status_code != 200:
            raise SystemExit(f"GET {path} as {who}: {first.status_code}")
        statements.clear()
        sa.event.listen(engine, "before_cursor_execute", before)
        started = time.perf_counter()
        client.get(path, headers=headers, base_url=site)
        took = (time.perf_counter() - started) * 1000
        sa.event.remove(engine, "before_cursor_execute", before)
        print(f"QUERIES {name.replace(' ', '_')} {len(statements)} {took:.0f}", flush=True)


def time_evaluation(app, seed: dict) -> None:
    from consult.evaluation import figures, services
    from consult.places.models import Street

    month, ids = seed["month"], seed["community_ids"]
    with app.app_context():
        clock.set_now(month_bounds(month)[1] + timedelta(days=10))
        try:
            settings = services.settings_for(seed["street_id"])
            timings = []
            for _ in range(7):
                started = time.perf_counter()
                result = figures.compute(ids, month, settings)
                timings.append(time.perf_counter() - started)
                db.session.rollback()
            first = result[ids[0]]
            print(
                f"EVAL compute {month} for {len(ids)} communities: median {statistics.median(timings) * 1000:.0f} ms, "
                f"max {max(timings) * 1000:.0f} ms ({db.engine.dialect.name})"
            )
            print("EVAL first community:", {r: (first[r]["num"], first[r]["den"]) for r in services.RATES})
            started = time.perf_counter()
            stored = services.store_month(db.session.get(Street, seed["street_id"]), month)
            db.session.commit()
            print(
                f"EVAL store_month (compute + write {len(ids)} results and the ranking): "
                f"{(time.perf_counter() - started) * 1000:.0f} ms (stored: {stored})"
            )
        finally:
            clock.set_now(None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("seed_json")
    parser.add_argument("pages_tsv")
    parser.add_argument("--cookies", required=True, help="write `who <TAB> Cookie header` lines here")
    args = parser.parse_args()
    seed = json.loads(Path(args.seed_json).read_text(encoding="utf-8"))
    pages = [tuple(line.split("\t")) for line in Path(args.pages_tsv).read_text(encoding="utf-8").splitlines() if line]
    app = create_app()
    cookies = {"worker": cookie_for(app, seed["worker"]), "street_admin": cookie_for(app, seed["street_admin"])}
    Path(args.cookies).write_text("".join(f"{who}\t{value}\n" for who, value in cookies.items()), encoding="utf-8")
    count_queries(app, pages, cookies)
    time_evaluation(app, seed)


if __name__ == "__main__":
    main()
