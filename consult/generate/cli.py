"""`flask generate city --fraction F [--seed N] [--out FILE]`: build the generated city (city.py) on the
configured database, check it, commit it, store its evaluation months on the job queue and write
the benchmark's manifest. Refused in production unless forced (its accounts share a public password).
"""

from __future__ import annotations

import json
import time
from contextlib import contextmanager
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask

from consult.core import registries, search
from consult.core.clock import now
from consult.evaluation import services as evaluation
from consult.extensions import db
from consult.generate.bulk import Writer
from consult.generate.city import City, enqueue_evaluation
from consult.generate.common import FIXED, PASSWORD, GenerateError, check_fraction, elapsed
from consult.places.models import Street
from consult.points.queries import verify_balances
from consult.requests import queries as request_queries
from consult.topics import queries as topic_queries
from consult.topics.models import Topic
from consult.topics.policy import state_sql

#: The search word of the manifest, and the words whose hits it counts.
SEARCH_WORDS = ("停车", "电梯", "加装电梯")
LEDGER_TRIGGER = "ledger_entries_balance_after"


@registries.job("generate.store_months")
def store_months(street_id: int, months: list[str]) -> int:
    """Store a generated street's evaluation months (those final by now); returns how many were new."""
    street = db.session.get_one(Street, street_id)
    return sum(evaluation.store_month(street, month) for month in months)


@contextmanager
def ledger_trigger_set_aside(connection: sa.Connection):
    """The ledger's per-entry balance trigger, off for the bulk load inside this transaction.

    It compares each entry with the balance row, which the generator writes once per person at the
    end; ``check`` verifies the same rule for every entry before anything is committed.
    """
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"ALTER TABLE ledger_entries DISABLE TRIGGER {LEDGER_TRIGGER}")
        yield
        connection.exec_driver_sql(f"ALTER TABLE ledger_entries ENABLE TRIGGER {LEDGER_TRIGGER}")
        return
    sql = connection.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (LEDGER_TRIGGER,)
    ).scalar_one()
    connection.exec_driver_sql(f"DROP TRIGGER {LEDGER_TRIGGER}")
    yield
    connection.exec_driver_sql(sql)


CHECKS = {
    "support_count": "SELECT count(*) FROM topics t WHERE support_count <> "
    "(SELECT count(*) FROM topic_supports s WHERE s.topic_id = t.id)",
    "comment_count": "SELECT count(*) FROM topics t WHERE comment_count <> "
    "(SELECT count(*) FROM topic_comments c WHERE c.topic_id = t.id)",
    "topic.ballot_count": "SELECT count(*) FROM topics t WHERE ballot_count <> coalesce((SELECT v.ballot_count FROM votes v "
    "WHERE v.topic_id = t.id), 0)",
    "vote.ballot_count": "SELECT count(*) FROM votes v WHERE ballot_count <> "
    "(SELECT count(*) FROM ballots b WHERE b.vote_id = v.id) + (SELECT count(*) FROM sealed_ballots b WHERE b.vote_id = v.id)",
    "participations": "SELECT count(*) FROM votes v WHERE ballot_count <> "
    "(SELECT count(*) FROM vote_participations p WHERE p.vote_id = v.id)",
    "sealed_only_while_open": "SELECT count(*) FROM votes v WHERE (closed_at IS NULL) <> NOT EXISTS "
    "(SELECT 1 FROM ballots b WHERE b.vote_id = v.id) OR (closed_at IS NOT NULL AND EXISTS "
    "(SELECT 1 FROM sealed_ballots b WHERE b.vote_id = v.id))",
    "member_count": "SELECT count(*) FROM communities c WHERE member_count <> "
    "(SELECT count(*) FROM residences r WHERE r.community_id = c.id AND r.status = 'confirmed')",
    "history": "SELECT count(*) FROM topics t WHERE status <> (SELECT to_status FROM topic_events e "
    "WHERE e.topic_id = t.id ORDER BY created_at DESC, id DESC LIMIT 1)",
    "reply_depth": "SELECT count(*) FROM topic_comments c JOIN topic_comments p ON p.id = c.parent_id "
    "WHERE p.parent_id IS NOT NULL OR p.topic_id <> c.topic_id",
    "threshold": "SELECT count(*) FROM topics WHERE status = 'collecting_support' AND support_count >= support_threshold",
    "signup_count": "SELECT count(*) FROM activities a WHERE signup_count <> "
    "(SELECT count(*) FROM activity_signups s WHERE s.activity_id = a.id AND s.status = 'confirmed')",
    # NOT IN: one pass over the ledger on both engines (SQLite cannot use the partial unique index here)
    "attendance_points": "SELECT count(*) FROM activity_attendances WHERE minutes > 0 AND id NOT IN "
    "(SELECT source_id FROM ledger_entries WHERE source_type = 'attendance' AND source_id IS NOT NULL)",
    "request_history": "SELECT count(*) FROM requests r WHERE status <> (SELECT status FROM request_events e "
    "WHERE e.request_id = r.id ORDER BY at DESC, id DESC LIMIT 1)",
    "party_members": "SELECT count(*) FROM party_registrations p WHERE NOT EXISTS (SELECT 1 FROM residences r "
    "WHERE r.user_id = p.user_id AND r.community_id = p.community_id AND r.status = 'confirmed')",
}


def problems() -> dict[str, int]:
    """What the services keep in step and the generated rows do not (empty when all is well)."""
    found = {name: db.session.execute(sa.text(sql)).scalar_one() for name, sql in CHECKS.items()}
    due = sa.select(sa.func.count()).select_from(Topic).where(state_sql(now()) != Topic.status)
    found["due_for_tick"] = db.session.scalar(due) or 0
    found["ledger"] = len(verify_balances())
    return {name: n for name, n in found.items() if n}


def table_counts() -> dict[str, int]:
    return {
        t.name: db.session.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
        for t in db.metadata.sorted_tables
        if t.name != "alembic_version"
    }


def generate_city(fraction: object, seed: int = 20261201, progress=None) -> dict:
    """Generate, check and commit the city; returns the manifest. Raises GenerateError (nothing written)."""
    fraction = check_fraction(fraction)
    started = time.monotonic()
    if db.session.scalar(sa.text("SELECT count(*) FROM streets")) or db.session.scalar(sa.text("SELECT count(*) FROM users")):
        raise GenerateError("the database is not empty (it has streets or users): generate a city on a new, migrated database")
    connection = db.session.connection()
    try:
        with ledger_trigger_set_aside(connection):
            city = City(Writer(connection), fraction, seed, progress)
            city.build()
        phases = {"build": elapsed(started)}
        # Rows written in bulk bypass the search index's flush hook: index them in this transaction.
        search.rebuild(connection, topic_queries.SEARCH, "topics")
        search.rebuild(connection, request_queries.SEARCH, "requests")
        phases["search"] = elapsed(started) - phases["build"]
        wrong = problems()
        phases["check"] = elapsed(started) - phases["build"] - phases["search"]
        if wrong:
            raise GenerateError(f"the generated city is inconsistent, nothing written: {wrong}")
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()
    mark = time.monotonic()
    enqueue_evaluation([street_id for street_id, _slug in city.streets])
    phases["evaluation"] = elapsed(mark)
    mark = time.monotonic()
    if connection.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as auto:
            auto.exec_driver_sql("VACUUM ANALYZE")
    else:
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
    phases["analyze"] = elapsed(mark)
    hits = {
        word: db.session.scalar(sa.select(sa.func.count()).select_from(Topic).where(Topic.title.contains(word)))
        for word in SEARCH_WORDS
    }
    return {
        "fraction": fraction,
        "seed": seed,
        "seconds": elapsed(started),
        "phases": phases,
        "counts": table_counts(),
        **city.manifest,
        "password": PASSWORD,
        "search": SEARCH_WORDS[0],
        "search_hits": hits,
        "fixed": FIXED,
    }


def register(app: Flask) -> None:
    @app.cli.group("generate")
    def generate_group():
        """Generated data for benchmarks and demonstrations."""

    @generate_group.command("city")
    @click.option("--fraction", default="0.01", show_default=True, help="Share of the full city: 0 < F <= 1.")
    @click.option("--seed", default=20261201, show_default=True, type=int, help="The same seed builds the same city.")
    @click.option("--out", type=click.Path(dir_okay=False, writable=True), help="Write the manifest here as JSON.")
    @click.option("--force-in-production", is_flag=True, help=f"Generate even in production (every account: {PASSWORD}).")
    def city_command(fraction: str, seed: int, out: str | None, force_in_production: bool):
        """Build a generated city on an empty, migrated database. Demo only: every account's password is city12345."""
        if app.config.get("PRODUCTION") and not force_in_production:
            raise click.ClickException(
                f"refusing to generate a city in production: its accounts all have the public password {PASSWORD}. "
                "Use a development or benchmark database, or pass --force-in-production."
            )
        started = time.monotonic()

        def progress(done: int, total: int, rows: int) -> None:
            seconds = time.monotonic() - started
            click.echo(f"{done}/{total} communities, {rows:,} rows, {seconds:.0f} s ({rows / seconds:,.0f} rows/s)", err=True)

        try:
            manifest = generate_city(fraction, seed, progress)
        except GenerateError as error:
            raise click.ClickException(str(error)) from None
        text = json.dumps(manifest, ensure_ascii=False)
        if out:
            Path(out).write_text(text, encoding="utf-8")
        summary = {k: v for k, v in manifest.items() if k != "voters"}
        click.echo(json.dumps(summary, ensure_ascii=False, indent=1))
        click.echo(f"generated in {manifest['seconds']} s; every account's password is {PASSWORD} (demo only)")
