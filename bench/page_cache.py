"""The page cache cold and warm, in process: time per request and SQL statements of the public pages
on the topics benchmark's data (one community of ~5000 topics, one topic with ~1500 comments).

    .venv/bin/python bench/page_cache.py                  # PostgreSQL at 127.0.0.1:5432, Redis db 15
    BENCH_REDIS_URL=redis://127.0.0.1:6379/14 .venv/bin/python bench/page_cache.py --topics 1000
    .venv/bin/python bench/page_cache.py --wrk 10s     # and under load: gunicorn (2 sync workers) + wrk -c16

It creates a database of its own (dropped afterwards), migrates and seeds it with seed_topics.py,
then asks each page through Flask's test client as an anonymous visitor: "cold" with no cache
(what every request costs without Redis, and a miss with it), "warm" once the page is in Redis.
Keys go under a prefix of their own, removed afterwards. Everything stays on loopback.

With ``--wrk DURATION`` it then serves the site with gunicorn (2 sync workers, cache on, then off)
and a bare Flask endpoint (bench/bare.py) the same way, and runs ``wrk -t2 -c16 --latency`` on
each page with a bare run between pages: req/s as a share of the bare endpoint's, p50, p99.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import redis
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SECRET_KEY", f"bench-{uuid.uuid4().hex}")
os.environ.setdefault("CONSULT_INSTANCE", "/tmp")

from consult import create_app  # noqa: E402
from consult.core import cache  # noqa: E402
from consult.extensions import db  # noqa: E402


def measure(client, engine, url: str, count: int) -> tuple[float, int, int]:
    """(ms per request, SQL statements of the last request, bytes)."""
    statements: list[str] = []

    def counted(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", counted)
    try:
        start = time.perf_counter()
        for _ in range(count):
            statements.clear()
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
        elapsed = time.perf_counter() - start
    finally:
        sa.event.remove(engine, "before_cursor_execute", counted)
    return elapsed / count * 1000, len(statements), len(response.get_data())


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(target: str, env: dict) -> tuple[subprocess.Popen, str]:
    """gunicorn with 2 sync workers on a free loopback port, once it answers /healthz."""
    port = _port()
    command = [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning", target]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if subprocess.run(["curl", "-sf", "-o", "/dev/null", f"{base}/healthz"], timeout=10).returncode == 0:
                return process, base
        except subprocess.TimeoutExpired:
            pass
        time.sleep(0.2)
    process.terminate()
    raise RuntimeError(f"{target} did not start")


def wrk(url: str, duration: str) -> tuple[float, float, float]:
    """(req/s, p50 ms, p99 ms) of ``wrk -t2 -c16 --latency``."""
    out = subprocess.run(
        ["wrk", "-t2", "-c16", f"-d{duration}", "--latency", url], capture_output=True, text=True, check=True
    ).stdout
    if "Non-2xx" in out:
        raise RuntimeError(f"{url}: {out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def ms(pct: str) -> float:
        value, unit = re.search(rf"\s{pct}%\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    return rps, ms("50"), ms("99")


def under_load(url: str, redis_url: str, prefix: str, pages: dict[str, str], duration: str) -> None:
    env = dict(os.environ, DATABASE_URL=url, REDIS_URL=redis_url, CACHE_KEY_PREFIX=prefix, CONSULT_ENV="development")
    bare, bare_base = serve("bench.bare:app", env)
    try:
        for label, cached in (("cache on", "1"), ("cache off", "0")):
            site, base = serve("wsgi:app", dict(env, CACHE_ENABLED=cached))
            try:
                print(f"\n{label}: {'page':26} {'req/s':>7} {'bare':>7} {'share':>6} {'p50 ms':>7} {'p99 ms':>7}")
                for name, page in pages.items():
                    bare_rps = wrk(f"{bare_base}/", duration)[0]
                    rps, p50, p99 = wrk(base + page, duration)
                    print(f"{'':10}{name:26} {rps:7.0f} {bare_rps:7.0f} {rps / bare_rps:6.2f} {p50:7.1f} {p99:7.1f}")
            finally:
                site.terminate()
                site.wait()
    finally:
        bare.terminate()
        bare.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--topics", type=int, default=5000)
    parser.add_argument("--cold", type=int, default=30, help="requests per cold measurement")
    parser.add_argument("--warm", type=int, default=300, help="requests per warm measurement")
    parser.add_argument("--wrk", metavar="DURATION", help="also measure under load for DURATION per run (e.g. 10s)")
    args = parser.parse_args()
    admin_url = make_url(os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")).set(
        drivername="postgresql+psycopg"
    )
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
    name = f"consult_bench_cache_{uuid.uuid4().hex[:8]}"
    prefix = f"consult-bench-{uuid.uuid4().hex[:8]}:"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": redis_url, "CACHE_KEY_PREFIX": prefix})
        with app.app_context():
            from flask_migrate import upgrade  # noqa: PLC0415  (Alembic's logging set-up comes with it)

            upgrade()
        env = dict(os.environ, DATABASE_URL=url)
        out = Path(f"/tmp/{name}.json")
        seed = [sys.executable, "bench/seed_topics.py", "--topics", str(args.topics), "--out", str(out)]
        subprocess.run(seed, cwd=ROOT, env=env, check=True, capture_output=True)
        import json  # noqa: PLC0415

        seeded = json.loads(out.read_text())
        out.unlink()
        slug, big = seeded["slug"], seeded["big_topic_id"]
        pages = {
            "topic list": f"/c/{slug}/topics/",
            "topic list, page 50": f"/c/{slug}/topics/?page=50",
            "a topic (1,500 comments)": f"/topics/{big}",
            "community home": f"/c/{slug}/",
            "API topic list": f"/api/v1/communities/{slug}/topics",
            "home": "/",
        }
        with app.app_context():
            engine = db.engine
        client = app.test_client()  # each request in an app context of its own, as in production
        store = cache.store(app)
        bare = Flask("bare")
        bare.get("/")(lambda: "ok")
        bare_ms = measure(bare.test_client(), engine, "/", args.warm)[0]
        print(f"in process (Flask's test client); a bare Flask endpoint: {bare_ms:.3f} ms a request")
        print(f"{'page':28} {'cold ms':>8} {'SQL':>4} {'warm ms':>8} {'SQL':>4} {'KB':>5} {'x':>6}")
        for label, page in pages.items():
            app.extensions.pop("consult_cache")
            client.get(page)
            cold, cold_sql, size = measure(client, engine, page, args.cold)
            app.extensions["consult_cache"] = store
            client.get(page)
            assert client.get(page).headers.get("X-Cache") == "hit", page
            warm, warm_sql, _ = measure(client, engine, page, args.warm)
            print(f"{label:28} {cold:8.2f} {cold_sql:4d} {warm:8.3f} {warm_sql:4d} {size / 1024:5.1f} {cold / warm:6.0f}")
        engine.dispose()
        if args.wrk:
            load = {k: pages[k] for k in ("home", "community home", "topic list", "a topic (1,500 comments)")}
            under_load(url, redis_url, prefix, load, args.wrk)
    finally:
        server = redis.Redis.from_url(redis_url)
        for key in server.scan_iter(f"{prefix}*"):
            server.delete(key)
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


if __name__ == "__main__":
    main()
