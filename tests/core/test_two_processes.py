"""Two stateless app processes (two gunicorns) on one PostgreSQL and one Redis: a person logged in
through one is logged in through the other, log-in failures count together, and a ballot cast
through one shows at once on the other's cached topic page (docs/operations.md)."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest
import redis
import sqlalchemy as sa

from consult.topics import policy
from consult.topics.models import VoteOption
from tests.conftest import REDIS_URL, need
from tests.factories import PASSWORD, Factory

pytestmark = [pytest.mark.postgresql, pytest.mark.redis, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class Answer:
    status_code: int
    headers: dict
    text: str


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A browser's cookie jar over urllib (the standard library): answers as they come, redirects not followed."""

    def __init__(self, cookie: str | None = None) -> None:
        self.cookie = cookie  # sent as is, besides the jar's (the reader's language)
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect)

    def get(self, url: str) -> Answer:
        return self._open(urllib.request.Request(url))

    def post(self, url: str, data: dict) -> Answer:
        return self._open(urllib.request.Request(url, data=urlencode(data).encode(), method="POST"))

    def _open(self, request: urllib.request.Request) -> Answer:
        if self.cookie:
            request.add_header("Cookie", self.cookie)
        try:
            with self.opener.open(request, timeout=10) as response:
                return Answer(response.status, dict(response.headers), response.read().decode())
        except urllib.error.HTTPError as error:
            return Answer(error.code, dict(error.headers), error.read().decode())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def two_processes(database_url: str, prefix: str):
    """Two gunicorn processes (one sync worker each) on 127.0.0.1, sharing the database and Redis."""
    env = dict(
        os.environ,
        CONSULT_ENV="development",
        SECRET_KEY="two-processes-secret",  # the one thing the processes share besides the servers
        DATABASE_URL=database_url,
        REDIS_URL=REDIS_URL or "",
        CACHE_KEY_PREFIX=f"{prefix}:cache:",
        RATELIMIT_KEY_PREFIX=f"{prefix}:limits",
        JOBS_QUEUE=f"{prefix}-jobs",
        CONSULT_INSTANCE=os.environ.get("CONSULT_INSTANCE", "/tmp"),
    )
    processes, bases = [], []
    try:
        for _ in range(2):
            port = _free_port()
            command = [sys.executable, "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{port}", "--log-level", "warning"]
            command.append("wsgi:app")
            processes.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
            bases.append(f"http://127.0.0.1:{port}")
        for base, process in zip(bases, processes, strict=True):
            _wait_for(base, process)
        yield bases
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_for(base: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"gunicorn stopped: {process.stderr.read().decode() if process.stderr else ''}")
        try:
            if Browser().get(f"{base}/healthz").status_code == 200:
                return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise AssertionError(f"{base} did not answer")


def token(browser: Browser, url: str) -> str:
    match = CSRF_RE.search(browser.get(url).text)
    assert match, url
    return match.group(1)


def test_two_processes_share_sessions_limits_and_the_cache(app, committed_db):
    need(bool(REDIS_URL), "TEST_REDIS_URL is not set")
    world = Factory(committed_db.session).world()
    topic = world.topic("voting")
    option = committed_db.session.scalar(
        sa.select(VoteOption).where(VoteOption.vote_id == policy.vote_of(topic).id).order_by(VoteOption.position)
    )
    committed_db.session.commit()
    topic_id, option_id, voter = topic.id, option.id, world.party.username
    prefix = f"consult-test-2p-{uuid.uuid4().hex[:8]}"
    server = redis.Redis.from_url(REDIS_URL)
    try:
        with two_processes(app.config["SQLALCHEMY_DATABASE_URI"], prefix) as (a, b):
            page = f"/topics/{topic_id}"
            reader = Browser(cookie="lang=en")  # anonymous: no session kept
            assert "0 ballots so far" in reader.get(b + page).text
            warm = reader.get(b + page)
            assert warm.headers.get("X-Cache") == "hit" and "0 ballots so far" in warm.text

            # Log in through A; the same cookies are a logged-in session on B (nothing in process memory).
            person = Browser()
            login = {"username": voter, "password": PASSWORD, "csrf_token": token(person, a + "/auth/login")}
            answer = person.post(a + "/auth/login", login)
            assert answer.status_code == 302, answer.text[:500]
            assert 'action="/auth/logout"' in person.get(b + "/").text

            # A ballot cast through A: B's cached page shows it at once.
            cast = person.post(a + f"/topics/{topic_id}/vote", {"options": str(option_id), "csrf_token": token(person, a + page)})
            assert cast.status_code == 302, cast.text[:500]
            fresh = reader.get(b + page)
            assert "1 ballot so far" in fresh.text
            assert fresh.headers.get("X-Cache") == "miss"
            assert reader.get(b + page).headers.get("X-Cache") == "hit"

            # Log-in failures through A and B count against one limit (five per username).
            statuses = []
            for base in (a, b, a, b, a, b):
                stranger = Browser()
                data = {"username": "ghost", "password": "wrong", "csrf_token": token(stranger, base + "/auth/login")}
                statuses.append(stranger.post(base + "/auth/login", data).status_code)
            assert statuses == [401] * 5 + [429]
    finally:
        for key in server.scan_iter(f"*{prefix}*"):
            server.delete(key)
