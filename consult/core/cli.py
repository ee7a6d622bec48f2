"""`flask tick`: start every registered time-driven job once; safe to run every minute.
`flask jobs worker`: run the background jobs queued in Redis (consult/core/jobs.py)."""

import click
from flask import Flask, current_app

from consult.core import jobs
from consult.core.database import write_transactions
from consult.core.registries import tick_jobs
from consult.extensions import db


def run_tick() -> dict[str, object]:
    """Enqueue each tick job ("tick:<name>"); returns, per job, how many records it changed when it
    ran inline (no REDIS_URL), or its RQ job when a worker will run it.

    What the caller had open is committed first, so the jobs start at once. On SQLite each job's
    transaction takes the write lock up front, so a job that reads and then writes waits for a
    request that is writing instead of failing half-way.
    """
    db.session.commit()
    with write_transactions():
        return {name: jobs.enqueue(jobs.TICK + name) for name in sorted(tick_jobs)}


def register(app: Flask) -> None:
    @app.cli.command("tick")
    def tick_command():
        """Make time-driven changes permanent (idempotent; run every minute)."""
        for name, result in run_tick().items():
            click.echo(f"{name}: {result if isinstance(result, int) else 'queued'}")
        click.echo("tick done")

    @app.cli.group("jobs")
    def jobs_group():
        """Background jobs (RQ on Redis when REDIS_URL is set)."""

    @jobs_group.command("worker")
    @click.option("--burst", is_flag=True, help="Stop once the queue is empty.")
    def worker_command(burst: bool):
        """Run the queued jobs (needs REDIS_URL); one job at a time per worker."""
        app = current_app._get_current_object()  # type: ignore[attr-defined]  # the proxy's object
        if jobs.connection(app) is None:
            raise click.UsageError("REDIS_URL is not set: jobs run inline in the site's own process, no worker is needed")
        jobs.work(app, burst=burst, logging_level="INFO")
