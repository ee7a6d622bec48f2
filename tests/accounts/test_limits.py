"""Log-in and registration limits hold under a burst of parallel requests (issue 9, Low 8 and 9).

Each burst sends N requests at once from N threads against the SQLite app (memory storage),
and again from a separate process against Redis when TEST_REDIS_URL is set (the process
convention of tests/core/test_redis.py: the limiter is one object per process).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from consult.accounts import limits, services
from consult.accounts.models import User
from tests.accounts.test_views import count_users, registration
from tests.conftest import REDIS_URL, Client, need
from tests.factories import PASSWORD, Factory

ROOT = Path(__file__).resolve().parents[2]
BURST = 30


def _parallel(app, n: int, request) -> list[int]:
    """Run ``request(client, i)`` from ``n`` threads released together; their statuses."""
    barrier = threading.Barrier(n)
    statuses: list[int] = [0] * n

    def run(i: int) -> None:
        client = app.test_client()
        barrier.wait()
        statuses[i] = request(client, i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses


def login_burst(app, username: str, n: int = BURST) -> tuple[int, list[int]]:
    """``n`` parallel wrong passwords for ``username``: how many were checked, and the statuses."""
    tried = 0
    lock = threading.Lock()
    original = services.authenticate

    def counting(name, password):
        nonlocal tried
        with lock:
            tried += 1
        time.sleep(0.05)  # a real password hash takes this long; it widens any race
        return original(name, password)

    services.authenticate = counting
    try:
        statuses = _parallel(
            app, n, lambda c, i: c.post("/auth/login", data={"username": username, "password": "wrong"}).status_code
        )
    finally:
        services.authenticate = original
    return tried, statuses


def registration_burst(app, community_slug: str, n: int = 40, *, parallel: bool) -> list[int]:
    """``n`` registrations from one address, one after another or all at once; their statuses."""

    def register(client, i):
        return client.post(
            f"/auth/register?community={community_slug}",
            data={
                "community": community_slug,
                "username": f"burst{i}",
                "display_name": f"居民{i}",
                "password": "a-good-password",
                "confirm": "a-good-password",
            },
        ).status_code

    if parallel:
        return _parallel(app, n, register)
    statuses = []
    for i in range(n):
        client = Client(app)
        client._before_request()  # a fresh request context: nobody logged in from the last one
        statuses.append(register(client.raw, i))
    return statuses


@pytest.fixture
def no_csrf(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)


def test_login_limit_holds_under_a_burst(app, committed_db, no_csrf):
    factory = Factory(committed_db.session)
    factory.user(username="target")
    committed_db.session.commit()
    tried, statuses = login_burst(app, "target")
    assert tried == 5, f"{tried} of {BURST} parallel wrong passwords were tried; the limit is 5"
    assert sorted(statuses) == [401] * 5 + [429] * (BURST - 5)


@pytest.mark.parametrize(
    "parallel",
    [
        False,  # SQLite: parallel writers fail with "database is locked" (one process on a laptop)
        pytest.param(True, marks=pytest.mark.postgresql),
    ],
)
def test_registration_limit_per_address(app, committed_db, no_csrf, parallel):
    factory = Factory(committed_db.session)
    community = factory.community(factory.street(name="街道"), name="社区")
    slug = community.slug
    committed_db.session.commit()
    statuses = registration_burst(app, slug, parallel=parallel)
    accepted = statuses.count(302)
    assert accepted == 10, f"{accepted} of 40 registrations from one address were accepted; the limit is 10"
    assert statuses.count(429) == 30
    committed_db.session.remove()
    assert committed_db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.username.like("burst%"))) == 10


# --- the same bursts against Redis, from a separate process -------------------------------

PROCESS = """
import json, sys
from consult import create_app
from tests.accounts.test_limits import login_burst
app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": sys.argv[1], "WTF_CSRF_ENABLED": False,
                  "RATELIMIT_STORAGE_URI": sys.argv[2], "RATELIMIT_KEY_PREFIX": sys.argv[3]})
tried, statuses = login_burst(app, sys.argv[4])
print(json.dumps({"tried": tried, "statuses": statuses}))
"""


@pytest.mark.redis
def test_login_limit_holds_under_a_burst_on_redis(app, committed_db):
    need(bool(REDIS_URL), "TEST_REDIS_URL is not set")
    import redis  # noqa: PLC0415  (optional: only with TEST_REDIS_URL)

    factory = Factory(committed_db.session)
    factory.user(username="redistarget")
    committed_db.session.commit()
    prefix = f"consult-test-{uuid.uuid4().hex[:8]}"
    server = redis.Redis.from_url(REDIS_URL)
    env = dict(os.environ, CONSULT_INSTANCE=os.environ.get("CONSULT_INSTANCE", "/tmp"))
    try:
        out = subprocess.run(
            [sys.executable, "-c", PROCESS, app.config["SQLALCHEMY_DATABASE_URI"], REDIS_URL, prefix, "redistarget"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
            timeout=180,
        )
        result = json.loads(out.stdout.strip().splitlines()[-1])
        assert result["tried"] == 5, f"{result['tried']} of {BURST} parallel wrong passwords were tried on Redis"
        assert sorted(result["statuses"]) == [401] * 5 + [429] * (BURST - 5)
    finally:
        for key in server.keys(f"*{prefix}*"):
            server.delete(key)


def test_a_successful_log_in_gives_its_attempt_back(client, world):
    """Only failures count: a person logging in many times a day is never locked out."""
    for _ in range(8):
        assert client.post("/auth/login", {"username": "resident", "password": PASSWORD}).status_code == 302
        client.logout()
    for _ in range(5):
        assert client.post("/auth/login", {"username": "resident", "password": "nope"}).status_code == 401
    assert client.post("/auth/login", {"username": "resident", "password": PASSWORD}).status_code == 429


def test_registration_limit_page_in_the_persons_language(client, world, app, monkeypatch):
    monkeypatch.setitem(app.config, "REGISTER_LIMIT_ADDRESS", "1 per hour")
    assert client.post(f"/auth/register?community={world.a.slug}", registration(world)).status_code == 302
    client.logout()
    client.raw.set_cookie("lang", "en")
    before = count_users(client.app.extensions["sqlalchemy"])
    response = client.post(f"/auth/register?community={world.a.slug}", registration(world, username="second"))
    assert response.status_code == 429
    assert "Too many accounts were registered from this network" in response.get_data(as_text=True)
    assert count_users(client.app.extensions["sqlalchemy"]) == before
    client.raw.set_cookie("lang", "zh_CN")
    response = client.post(f"/auth/register?community={world.a.slug}", registration(world, username="third"))
    assert response.status_code == 429 and "居委会" in response.get_data(as_text=True)


def test_attempts_are_counted_first_and_can_be_given_back(app):
    rule = limits.Rule("3 per hour", "unit-test", "unit")
    with app.test_request_context():
        taken = [limits.attempt(rule) for _ in range(3)]
        with pytest.raises(limits.TooManyAttempts):
            limits.attempt(rule)
        limits.give_back(taken[0])
        limits.attempt(rule)
        with pytest.raises(limits.TooManyAttempts):  # a refused attempt took nothing, nor does it on another rule
            limits.attempt(limits.Rule("5 per hour", "other", "unit"), rule)
        limits.attempt(*[limits.Rule("5 per hour", "other", "unit")] * 5)
