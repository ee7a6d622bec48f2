"""With REDIS_URL set, log-in limits live in Redis, shared by every process, under their own prefix."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import redis

from tests.conftest import REDIS_URL, need

pytestmark = pytest.mark.redis
ROOT = Path(__file__).resolve().parents[2]

# One "app process": failed log-ins against the shared Redis, printing the statuses.
PROCESS = """
import json, sys
from consult import create_app
app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": sys.argv[1], "WTF_CSRF_ENABLED": False,
                  "RATELIMIT_STORAGE_URI": sys.argv[2], "RATELIMIT_KEY_PREFIX": sys.argv[3]})
client = app.test_client()
print(json.dumps([client.post("/auth/login", data={"username": "ghost", "password": "nope"}).status_code
                  for _ in range(int(sys.argv[4]))]))
"""


def run_process(database_url, prefix, attempts):
    env = dict(os.environ, CONSULT_INSTANCE=os.environ.get("CONSULT_INSTANCE", "/tmp"))
    out = subprocess.run(
        [sys.executable, "-c", PROCESS, database_url, REDIS_URL, prefix, str(attempts)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_login_limits_are_shared_through_redis(app):
    need(bool(REDIS_URL), "TEST_REDIS_URL is not set")
    prefix = f"consult-test-{uuid.uuid4().hex[:8]}"
    server = redis.Redis.from_url(REDIS_URL)
    database_url = app.config["SQLALCHEMY_DATABASE_URI"]
    try:
        assert run_process(database_url, prefix, 3) == [401, 401, 401]
        assert server.keys(f"*{prefix}*"), "no rate-limit keys under the test prefix in Redis"
        # A second process sees the first one's failures: the fifth failure is the last allowed.
        assert run_process(database_url, prefix, 3) == [401, 401, 429]
    finally:
        for key in server.keys(f"*{prefix}*"):
            server.delete(key)
