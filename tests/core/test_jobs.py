"""Background jobs (consult/core/jobs.py): one code path, inline without Redis and on an RQ queue
run by a real worker (burst mode, in this process) when TEST_REDIS_URL is set.

Inline: a job waits for the enqueuing transaction to commit (a rollback drops it), runs in its
own transaction, its arguments are JSON. On the queue: nothing runs until the worker does; a
failing job is retried, then listed for site admins. A queue that cannot be reached (Redis gone)
makes the job run inline with a warning, never a 500.
"""

from __future__ import annotations

import html
import logging
import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from consult.core import jobs
from consult.core.cli import run_tick
from consult.core.notifications import N_, Notification, notify
from consult.core.registries import job_functions, tick_jobs
from consult.topics import lifecycle, support
from tests.conftest import REDIS_URL, Client, need

CLOSED_PORT = "redis://127.0.0.1:1/0"


@pytest.fixture(autouse=True)
def _no_failures_left(monkeypatch):
    # The migrations' logging set-up (fileConfig) disables loggers that existed before it ran.
    monkeypatch.setattr(logging.getLogger("consult.core.jobs"), "disabled", False)
    jobs.inline_failures.clear()
    yield
    jobs.inline_failures.clear()


@pytest.fixture
def calls(monkeypatch):
    """A registered job "tests.record" that writes down its arguments."""
    seen: list[dict] = []

    def record(**arguments):
        seen.append(arguments)
        return len(seen)

    monkeypatch.setitem(job_functions, "tests.record", record)
    return seen


def notes_of(session, user_id: int) -> list[str]:
    return list(session.scalars(sa.select(Notification.event_key).where(Notification.recipient_id == user_id)))


# --- inline (no REDIS_URL) -----------------------------------------------------------------------


def test_a_job_waits_for_the_commit_and_a_rollback_drops_it(db, calls):
    db.session.execute(sa.select(1))  # a transaction is open, as in a request
    jobs.enqueue("tests.record", topic_id=1)
    assert calls == []
    db.session.rollback()
    assert calls == []  # the change that asked for it did not happen
    db.session.execute(sa.select(1))
    jobs.enqueue("tests.record", topic_id=2)
    db.session.commit()
    assert calls == [{"topic_id": 2}]


def test_a_job_enqueued_in_a_released_savepoint_waits_for_the_outer_commit(db, calls):
    db.session.execute(sa.select(1))
    with db.session.begin_nested():
        jobs.enqueue("tests.record", topic_id=1)
    assert calls == []  # the savepoint's release is no commit
    db.session.rollback()  # the outer transaction rolls back: the job goes with it
    db.session.execute(sa.select(1))
    db.session.commit()
    assert calls == []
    with db.session.begin_nested():
        jobs.enqueue("tests.record", topic_id=2)
    db.session.commit()
    assert calls == [{"topic_id": 2}]


def test_arguments_are_json_ids_never_objects(db, world, calls):
    with pytest.raises(TypeError, match="JSON"):
        jobs.enqueue("tests.record", user=world.resident)
    with pytest.raises(KeyError):
        jobs.enqueue("tests.no_such_job")


def test_an_inline_job_fails_alone_logged_and_listed(db, world, monkeypatch, caplog, login_as):
    def fails(user_id):
        notify(user_id, "tests:job", N_("Your password was reset with a code from your committee."))
        raise ValueError("the job broke")

    monkeypatch.setitem(job_functions, "tests.fails", fails)
    notify(world.party.id, "tests:request", N_("Your password was reset with a code from your committee."))
    jobs.enqueue("tests.fails", user_id=world.resident.id)
    with caplog.at_level(logging.ERROR, logger="consult.core.jobs"):
        db.session.commit()  # the request's change commits; the job's failure does not undo it or raise
    assert notes_of(db.session, world.party.id) == ["tests:request"]
    assert notes_of(db.session, world.resident.id) == []  # its own transaction was rolled back
    assert "tests.fails" in caplog.text and "the job broke" in caplog.text
    page = html.unescape(login_as(world.site_admin).get("/manage/site/jobs").get_data(as_text=True))
    assert "tests.fails" in page and "ValueError: the job broke" in page and f'{{"user_id": {world.resident.id}}}' in page


def test_tick_run_inline_gives_counts_and_raises_a_failure(db, monkeypatch):
    monkeypatch.setitem(tick_jobs, "zz_tests", lambda: 3)
    assert run_tick()["zz_tests"] == 3

    def broken():
        raise RuntimeError("tick broke")

    monkeypatch.setitem(tick_jobs, "zz_tests", broken)
    with pytest.raises(RuntimeError, match="tick broke"):  # `flask tick` exits with the error, as before
        run_tick()


def test_followers_are_told_through_the_job(db, world, login_as):
    topic = world.topic()
    support.follow(world.party, topic)
    assert login_as(world.resident).post(f"/topics/{topic.id}/comments", {"body": "我也遇到过"}).status_code == 302
    assert any(key.startswith("comment:") for key in notes_of(db.session, world.party.id))
    assert not any(key.startswith("comment:") for key in notes_of(db.session, world.resident.id))  # not the writer


def test_redis_gone_runs_the_job_inline_with_a_warning_not_a_500(app, db, world, login_as, monkeypatch, caplog):
    monkeypatch.setitem(app.config, "REDIS_URL", CLOSED_PORT)
    topic = world.topic()
    support.follow(world.party, topic)
    with caplog.at_level(logging.WARNING, logger="consult.core.jobs"):
        response = login_as(world.resident).post(f"/topics/{topic.id}/comments", {"body": "楼道灯坏了"})
    assert response.status_code == 302
    assert any(key.startswith("comment:") for key in notes_of(db.session, world.party.id))
    assert "job queue unreachable" in caplog.text and "topics.notify_followers" in caplog.text
    assert login_as(world.site_admin).get("/manage/site/jobs").status_code == 200  # the page too: no 500


# --- on a real queue (TEST_REDIS_URL) -------------------------------------------------------------


@pytest.fixture
def queue(app, monkeypatch):
    """The app's jobs on a queue of this test's own in the test Redis, retried at once; emptied after."""
    need(bool(REDIS_URL), "TEST_REDIS_URL is not set")
    import redis  # noqa: PLC0415  (only with TEST_REDIS_URL)
    from rq import Queue  # noqa: PLC0415
    from rq.registry import FailedJobRegistry  # noqa: PLC0415

    name = f"consult-test-{uuid.uuid4().hex[:8]}"
    monkeypatch.setitem(app.config, "REDIS_URL", REDIS_URL)
    monkeypatch.setitem(app.config, "JOBS_QUEUE", name)
    monkeypatch.setitem(app.config, "JOBS_RETRY_INTERVALS", [0])
    server = redis.Redis.from_url(REDIS_URL)
    yield name
    rq_queue = Queue(name, connection=server)
    for job_id in FailedJobRegistry(queue=rq_queue).get_job_ids():
        server.delete(f"rq:job:{job_id}", f"rq:results:{job_id}")
    rq_queue.delete(delete_jobs=True)
    for key in server.scan_iter(f"*{name}*"):
        server.delete(key)


@pytest.mark.redis
def test_on_the_queue_the_worker_tells_the_followers(app, committed_db, queue):
    from tests.factories import Factory  # noqa: PLC0415

    world = Factory(committed_db.session).world()
    topic = world.topic()
    support.follow(world.party, topic)
    committed_db.session.commit()
    lifecycle.notify_followers(topic, "tests:queued", N_("New comment on “%(title)s”."), exclude=world.resident)
    committed_db.session.commit()
    party_id = world.party.id
    assert notes_of(committed_db.session, party_id) == []  # queued, not run: no worker yet
    jobs.work(app, burst=True)
    committed_db.session.rollback()
    assert "tests:queued" in notes_of(committed_db.session, party_id)
    assert "tests:queued" not in notes_of(committed_db.session, world.resident.id)  # the one excluded


@pytest.mark.redis
def test_on_the_queue_a_failing_job_is_retried_then_listed(app, db, world, queue, monkeypatch, login_as):
    tries: list[int] = []

    def fails(user_id):
        tries.append(user_id)
        raise ValueError("电梯 broke")

    monkeypatch.setitem(job_functions, "tests.fails", fails)
    db.session.commit()
    job = jobs.enqueue("tests.fails", user_id=7)
    assert job is not None and tries == []
    jobs.work(app, burst=True)
    assert tries == [7] * (1 + app.config["JOBS_RETRIES"])  # tried, then retried three times
    [failure] = jobs.failures(app)
    assert (failure.name, failure.arguments, failure.error, failure.where) == (
        "tests.fails",
        {"user_id": 7},
        "ValueError: 电梯 broke",
        "queue",
    )
    assert failure.at is not None and failure.at <= datetime.now(UTC)
    page = login_as(world.site_admin).get("/manage/site/jobs").get_data(as_text=True)
    assert "tests.fails" in page and "ValueError: 电梯 broke" in page


@pytest.mark.redis
def test_tick_enqueues_and_the_worker_runs_it(app, db, queue, monkeypatch):
    ran: list[str] = []
    for name in list(tick_jobs):
        monkeypatch.setitem(tick_jobs, name, lambda name=name: ran.append(name) or 0)
    queued = run_tick()
    assert set(queued) == set(tick_jobs) and "evaluation" in queued  # the monthly evaluation among them
    assert all(not isinstance(result, int) for result in queued.values()) and ran == []
    jobs.work(app, burst=True)
    assert sorted(ran) == sorted(tick_jobs)
    # The same through the commands: `flask tick` queues, `flask jobs worker --burst` runs.
    runner = app.test_cli_runner()
    assert "evaluation: queued" in runner.invoke(args=["tick"]).output and len(ran) == len(tick_jobs)
    assert runner.invoke(args=["jobs", "worker", "--burst"]).exit_code == 0
    assert sorted(ran) == sorted(list(tick_jobs) * 2)


@pytest.mark.redis
def test_the_queue_going_away_mid_run_falls_back_inline(app, db, queue, calls, monkeypatch, caplog):
    db.session.commit()
    assert not isinstance(jobs.enqueue("tests.record", n=1), int) and calls == []  # queued
    monkeypatch.setitem(app.config, "REDIS_URL", CLOSED_PORT)  # the server is gone
    with caplog.at_level(logging.WARNING, logger="consult.core.jobs"):
        assert jobs.enqueue("tests.record", n=2) == 1
    assert calls == [{"n": 2}] and "job queue unreachable" in caplog.text


def test_the_worker_command_needs_a_queue(app):
    result = app.test_cli_runner().invoke(args=["jobs", "worker", "--burst"])
    assert result.exit_code == 2 and "REDIS_URL is not set" in result.output


def test_the_failed_jobs_page_is_for_site_admins_only(app, db, world):
    client = Client(app)
    client.login(world.street_admin)
    assert client.get("/manage/site/jobs").status_code == 403
