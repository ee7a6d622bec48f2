"""`flask tick`: run every registered time-driven job once; safe to run every minute."""

import click
from flask import Flask

from consult.core.database import write_transactions
from consult.core.registries import tick_jobs
from consult.extensions import db


def run_tick() -> dict[str, int]:
    """Run each job in its own transaction; returns how many records each changed.

    On SQLite each job's transaction takes the write lock up front, so a job that reads and
    then writes waits for a request that is writing instead of failing half-way.
    """
    changed = {}
    with write_transactions():
        for name, job in sorted(tick_jobs.items()):
            try:
                changed[name] = job()
                db.session.commit()
            except Exception:
                db.session.rollback()
                raise
    return changed


def register(app: Flask) -> None:
    @app.cli.command("tick")
    def tick_command():
        """Make time-driven changes permanent (idempotent; run every minute)."""
        for name, count in run_tick().items():
            click.echo(f"{name}: {count}")
        click.echo("tick done")
