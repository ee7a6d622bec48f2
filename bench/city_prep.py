"""What city.sh needs from the app itself before wrk runs: session cookies, the voters' cookies
and CSRF tokens for the vote POST, and the SQL statements of one request of every page.

    python bench/city_prep.py MANIFEST_JSON PAGES_TSV OUT_DIR

Run inside the app's environment (DATABASE_URL, SECRET_KEY, REDIS_URL: the same as the gunicorn
that wrk will load, so cookies are valid there and the cache is the same) on a database built by
``flask generate city --out MANIFEST_JSON``. It writes into OUT_DIR:

- ``cookies.tsv``: ``who <TAB> Cookie header`` for ``member`` (the party member with 5,000 ledger
  entries), ``worker`` and ``ballot`` (the last voter of the manifest, who never votes here);
- ``voters.tsv``: ``Cookie header <TAB> CSRF token`` of every other voter (a session as logging
  in starts one: a ``user_sessions`` row), and ``vote_body``: the form body of one ballot;
- and prints ``QUERIES <name> <count> <ms>`` for every page of PAGES_TSV (``name <TAB> who
  <TAB> method <TAB> path``): the SQL statements of the second of two GETs (the first warms the
  cache where a cache is the design), and of one vote POST by a voter taken off the list;
- and prints ``EVAL …``: the street's last full month of evaluation figures computed (median of 5).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import session  # noqa: E402
from flask_wtf.csrf import generate_csrf  # noqa: E402

from consult import create_app  # noqa: E402
from consult.accounts import sessions  # noqa: E402
from consult.accounts.auth import SESSION_KEY  # noqa: E402
from consult.accounts.models import User  # noqa: E402
from consult.extensions import db  # noqa: E402
from consult.topics.models import Vote, VoteOption  # noqa: E402

SKIPPED = ("SAVEPOINT", "RELEASE", "ROLLBACK TO", "BEGIN", "PRAGMA")


def open_sessions(app, usernames: list[str]) -> list[tuple[str, str]]:
    """A new session (cookie header, CSRF token) for each username, as logging in would start it."""
    site = app.config.get("SITE_URL") or "http://localhost"
    with app.app_context():
        users = {u.username: u for u in db.session.scalars(sa.select(User).where(User.username.in_(usernames)))}
        missing = sorted(set(usernames) - set(users))
        if missing:
            raise SystemExit(f"no such users: {missing[:5]}")
        tokens = []
        for name in usernames:
            _row, token, _remember = sessions.start(users[name], user_agent="bench")
            tokens.append((users[name].id, token))
        db.session.commit()
    serializer = app.session_interface.get_signing_serializer(app)
    out = []
    for user_id, token in tokens:
        with app.test_request_context(base_url=site):
            session["_user_id"] = str(user_id)
            session[SESSION_KEY] = token
            session["_fresh"] = True
            csrf = generate_csrf()
            value = serializer.dumps(dict(session))
        out.append((f"{app.config['SESSION_COOKIE_NAME']}={value}", csrf))
    return out


def vote_body(app, topic_id: int) -> str:
    with app.app_context():
        option = db.session.scalar(
            sa.select(VoteOption.id)
            .join(Vote, Vote.id == VoteOption.vote_id)
            .where(Vote.topic_id == topic_id)
            .order_by(VoteOption.id)
        )
    if option is None:
        raise SystemExit(f"topic {topic_id} has no ballot")
    return f"options={option}"


def count_queries(app, pages, cookies: dict[str, str], voter: tuple[str, str], body: str) -> None:
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(SKIPPED):
            statements.append(statement)

    with app.app_context():
        engine = db.engine
    client = app.test_client(use_cookies=False)
    site = app.config.get("SITE_URL") or "http://localhost"
    for name, who, method, path in pages:
        if method == "POST":
            headers = {"Cookie": voter[0], "Content-Type": "application/x-www-form-urlencoded"}
            data: str | None = f"{body}&csrf_token={voter[1]}"
            expected: tuple[int, ...] = (302, 303)
        else:
            headers = {"Cookie": cookies[who]} if who in cookies else {}
            data, expected = None, (200,)
            first = client.open(path, method=method, headers=headers, data=data, base_url=site)
            if first.status_code != 200:
                raise SystemExit(f"GET {path} as {who}: {first.status_code}")
        statements.clear()
        sa.event.listen(engine, "before_cursor_execute", before)
        started = time.perf_counter()
        answer = client.open(path, method=method, headers=headers, data=data, base_url=site)
        took = (time.perf_counter() - started) * 1000
        sa.event.remove(engine, "before_cursor_execute", before)
        if answer.status_code not in expected:
            raise SystemExit(f"{method} {path} as {who}: {answer.status_code}")
        print(f"QUERIES {name.replace(' ', '_')} {len(statements)} {took:.0f}", flush=True)


def time_evaluation(app, street_slug: str) -> None:
    """The street's last full month of figures computed (median of 5): the target is under a second."""
    from consult.core.clock import local_now  # noqa: PLC0415
    from consult.evaluation import figures, services  # noqa: PLC0415
    from consult.places.models import Community, Street  # noqa: PLC0415

    with app.app_context():
        street = db.session.scalar(sa.select(Street).where(Street.slug == street_slug))
        ids = list(db.session.scalars(sa.select(Community.id).where(Community.street_id == street.id)))
        today = local_now()
        month = f"{today.year - (today.month == 1)}-{(today.month - 2) % 12 + 1:02d}"
        settings = services.settings_for(street.id)
        timings = []
        for _ in range(5):
            started = time.perf_counter()
            figures.compute(ids, month, settings)
            timings.append(time.perf_counter() - started)
            db.session.rollback()
        timings.sort()
        print(
            f"EVAL {street_slug} {month}, {len(ids)} communities: median {timings[2] * 1000:.0f} ms, "
            f"max {timings[-1] * 1000:.0f} ms ({db.engine.dialect.name})",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("manifest")
    parser.add_argument("pages_tsv")
    parser.add_argument("out_dir")
    args = parser.parse_args()
    city = json.loads(Path(args.manifest).read_text(encoding="utf-8"))
    pages = [tuple(line.split("\t")) for line in Path(args.pages_tsv).read_text(encoding="utf-8").splitlines() if line]
    out = Path(args.out_dir)
    app = create_app()
    voters = list(city["voters"])
    ballot_voter, probe_voter, wrk_voters = voters[-1], voters[-2], voters[:-2]
    named = open_sessions(app, [city["member"], city["worker"], ballot_voter])
    cookies = {"member": named[0][0], "worker": named[1][0], "ballot": named[2][0]}
    (out / "cookies.tsv").write_text("".join(f"{who}\t{value}\n" for who, value in cookies.items()), encoding="utf-8")
    started = time.perf_counter()
    voting = open_sessions(app, wrk_voters + [probe_voter])
    (out / "voters.tsv").write_text("".join(f"{c}\t{t}\n" for c, t in voting[:-1]), encoding="utf-8")
    print(f"SESSIONS {len(voting)} voters in {time.perf_counter() - started:.1f} s", flush=True)
    body = vote_body(app, city["vote_topic"])
    (out / "vote_body").write_text(body, encoding="utf-8")
    count_queries(app, pages, cookies, voting[-1], body)
    time_evaluation(app, city["street"])


if __name__ == "__main__":
    main()
