"""Background jobs: one code path, on an RQ queue in Redis when ``REDIS_URL`` is set, inline when not.

A domain registers a job by name (``@registries.job("topics.notify_followers")``; tick jobs are
"tick:<name>") and calls ``enqueue(name, **ids)``. The arguments are JSON (ids and strings, never
ORM objects: a worker reads the records again). Inside a transaction the job waits for it to
commit (a rollback drops it): then it is pushed on the queue, or, without a queue, run at once in
the same process. Either way ``run`` executes it in an app context, in its own transaction,
committing or rolling back itself.

Failures: on the queue a job is tried again ``JOBS_RETRIES`` times (``JOBS_RETRY_INTERVALS``
seconds apart), then kept in RQ's failed-job registry, which site admins read at
/manage/site/jobs. Inline, a job is tried once: its transaction is rolled back, the error logged
with its traceback and kept (for this process) on the same page; a caller that waits for the
result (``flask tick``) gets the error, a request whose change is committed does not fail for it.
A queue that cannot be reached (Redis down) makes ``enqueue`` run the job inline with a warning.
"""

from __future__ import annotations

import json
import logging
import traceback
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import redis
from flask import Flask, current_app
from rq import Queue, Retry, SimpleWorker
from rq.job import Job
from rq.registry import FailedJobRegistry
from rq.serializers import JSONSerializer
from sqlalchemy import event

from consult.core.database import write_transactions
from consult.core.registries import job_functions, tick_jobs
from consult.extensions import Session, db

log = logging.getLogger(__name__)

TICK = "tick:"
_PENDING = "jobs_pending"  # session.info: enqueued in the open transaction
_READY = "jobs_ready"  # session.info: its transaction committed, to start now
#: Inline failures of this process, newest last (the queue keeps its own in Redis).
inline_failures: deque[Failure] = deque(maxlen=100)


@dataclass(frozen=True)
class Failure:
    """A job that failed for good, as the site admins' page shows it."""

    name: str
    arguments: dict
    error: str  #: the last line of the traceback
    at: datetime | None
    where: str  #: "queue" or "inline"

    @property
    def arguments_text(self) -> str:
        return json.dumps(self.arguments, ensure_ascii=False, sort_keys=True)


def function(name: str):
    """The registered function behind a job name (KeyError if there is none)."""
    if name.startswith(TICK):
        return tick_jobs[name[len(TICK) :]]
    return job_functions[name]


def enqueue(name: str, **arguments: Any) -> object:
    """Run the job ``name`` with ``arguments`` in the background (see the module's docstring).

    Returns None when it waits for the open transaction, the RQ job when queued, or the job's own
    result when it ran inline.
    """
    function(name)
    try:
        json.dumps(arguments)
    except TypeError as error:
        raise TypeError(f"job {name}: arguments must be JSON (ids, not objects): {error}") from None
    session = db.session()
    if session.in_transaction():
        session.info.setdefault(_PENDING, []).append((name, arguments))
        return None
    return dispatch(name, arguments, wait=True)


def dispatch(name: str, arguments: dict, *, wait: bool) -> object:
    """Push the job on the queue, or run it here when there is no queue or it cannot be reached."""
    queue = _queue(current_app)
    if queue is not None:
        try:
            return queue.enqueue(
                perform,
                name,
                arguments,
                retry=Retry(max=current_app.config["JOBS_RETRIES"], interval=current_app.config["JOBS_RETRY_INTERVALS"]),
                job_timeout=current_app.config["JOBS_TIMEOUT"],
                description=name,
            )
        except redis.RedisError as error:
            log.warning("job queue unreachable (%s): running %s inline", error, name)
    try:
        return run(name, arguments)
    except Exception as error:
        inline_failures.append(Failure(name, arguments, _last_line(error), datetime.now(UTC), "inline"))
        log.exception("job %s %s failed inline", name, json.dumps(arguments, ensure_ascii=False))
        if wait:
            raise
        return None


def run(name: str, arguments: dict) -> object:
    """Run a job in the current app context in its own transaction (committed, or rolled back and raised)."""
    try:
        result = function(name)(**arguments)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return result


def perform(name: str, arguments: dict) -> object:
    """What the worker runs: the job in a fresh app context (a session of its own), writing as `flask tick` does."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # the proxy's object
    with app.app_context(), write_transactions():
        return run(name, arguments)


# --- the transaction's jobs start once it has committed --------------------------------------


@event.listens_for(Session, "after_commit")
def _committed(session) -> None:
    # SQLAlchemy calls this for a released savepoint too: its jobs still wait for the outer commit
    # (the outer transaction may yet roll back and take them along).
    if session.in_nested_transaction():
        return
    session.info.setdefault(_READY, []).extend(session.info.pop(_PENDING, []))


@event.listens_for(Session, "after_transaction_end")
def _ended(session, transaction) -> None:
    if transaction.parent is None:  # the root ended without committing: its jobs go with it
        session.info.pop(_PENDING, None)


def _start_committed(session) -> None:
    ready = session.info.pop(_READY, [])
    for name, arguments in ready:
        dispatch(name, arguments, wait=False)


Session.after_commit_hooks.append(_start_committed)


# --- the queue ---------------------------------------------------------------------------------


def connection(app: Flask) -> redis.Redis | None:
    """The app's Redis connection for jobs (None without REDIS_URL); made once, connects when used."""
    url = app.config.get("REDIS_URL")
    if not url:
        return None
    state = app.extensions.setdefault("consult_jobs", {})
    if state.get("url") != url:
        state["url"] = url
        state["redis"] = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=10)
    return state["redis"]


def _queue(app: Flask) -> Queue | None:
    conn = connection(app)
    if conn is None:
        return None
    return Queue(app.config["JOBS_QUEUE"], connection=conn, serializer=JSONSerializer)


def work(app: Flask, *, burst: bool = False, logging_level: str = "WARNING") -> bool:
    """Run a worker on the app's queue (``flask jobs worker``). Jobs run in this process, one at a
    time (no fork: each has a fresh app context and database session); ``burst`` stops when empty."""
    queue = _queue(app)
    if queue is None:
        raise RuntimeError("REDIS_URL is not set: jobs run inline, there is no queue to work on")
    worker = SimpleWorker([queue], connection=queue.connection, serializer=JSONSerializer)
    return worker.work(burst=burst, with_scheduler=True, logging_level=logging_level)


def failures(app: Flask) -> list[Failure]:
    """Jobs that failed for good, newest first: the queue's (when there is one) and this process's inline ones."""
    found = list(inline_failures)
    queue = _queue(app)
    if queue is not None:
        try:
            registry = FailedJobRegistry(queue=queue)
            for job in Job.fetch_many(registry.get_job_ids(), connection=queue.connection, serializer=JSONSerializer):
                if job is not None:
                    found.append(_failure(job))
        except redis.RedisError as error:
            log.warning("job queue unreachable (%s): failed jobs on the queue not shown", error)
    return sorted(found, key=lambda f: f.at or datetime.min.replace(tzinfo=UTC), reverse=True)


def _failure(job: Job) -> Failure:
    name, arguments = (list(job.args or ()) + ["?", {}])[:2]
    ended = job.ended_at
    if ended is not None and ended.tzinfo is None:
        ended = ended.replace(tzinfo=UTC)
    result = job.latest_result()
    lines = ((result.exc_string if result is not None else None) or "").strip().splitlines()
    return Failure(str(name), arguments if isinstance(arguments, dict) else {}, lines[-1] if lines else "", ended, "queue")


def _last_line(error: BaseException) -> str:
    lines = "".join(traceback.format_exception_only(error)).strip().splitlines()
    return lines[-1] if lines else repr(error)
