"""Engine settings: SQLite with foreign keys, WAL, real transactions and write locks taken up front.

SQLite has one writer at a time. A transaction that starts with a plain (deferred) ``BEGIN``,
reads, and then writes cannot wait for the lock: if another writer committed since its first
read, SQLite refuses at once with "database is locked" and the busy timeout does not help. So
transactions that may write start with ``BEGIN IMMEDIATE``, which takes the write lock first
and waits for it (up to the busy timeout) instead of failing half-way. Requests with a safe
method (GET, HEAD, OPTIONS) only read: they keep a deferred ``BEGIN`` and, in WAL mode, read
a snapshot without waiting for writers or blocking them. See docs/operations.md.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from contextvars import ContextVar

from flask import Flask, g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError

from consult.core.errors import Conflict
from consult.extensions import db

#: Seconds a writer waits for SQLite's write lock before the request is answered with 503.
DEFAULT_BUSY_TIMEOUT = 10.0
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: PostgreSQL's "try again" states: serialization failure, deadlock, lock not available.
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01", "55P03"})

_forced_mode: ContextVar[str | None] = ContextVar("sqlite_begin_mode", default=None)


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection, connection_record):
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy emit BEGIN itself, so SAVEPOINT and isolation behave as documented.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_on_begin(conn):
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(begin_statement())


def begin_statement() -> str:
    """The statement that opens a SQLite transaction here and now (see the module's docstring)."""
    forced = _forced_mode.get()
    if forced is not None:
        return forced
    if has_request_context():
        if g.get("_read_only_transactions") or request.method in SAFE_METHODS:
            return "BEGIN"
        return "BEGIN IMMEDIATE"
    return "BEGIN"


@contextmanager
def write_transactions():
    """Open SQLite transactions with ``BEGIN IMMEDIATE`` inside the block (``flask tick``, scripts)."""
    token = _forced_mode.set("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        _forced_mode.reset(token)


def read_only_rest_of_request() -> None:
    """Let the rest of this request read without waiting for the write lock (the 503 page)."""
    g._read_only_transactions = True


def is_busy(error: BaseException) -> bool:
    """Whether a database error means "busy, try again": a lock that timed out, a deadlock."""
    if not isinstance(error, OperationalError):
        return False
    orig = error.orig
    if isinstance(orig, sqlite3.OperationalError):
        code = getattr(orig, "sqlite_errorcode", None)
        if code is not None:
            return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
        return "locked" in str(orig)
    return getattr(orig, "sqlstate", None) in RETRYABLE_SQLSTATES


def configure(app: Flask) -> None:
    """Engine options that depend on the database in use (no connection is made here)."""
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgresql://"):
        # psycopg 3 is the driver; accept the common URL form.
        app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://" + uri[len("postgresql://") :]
    if uri.startswith("sqlite"):
        # Copies: Flask-SQLAlchemy adds to these dicts, and the Config class shares its own.
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        connect_args = dict(options.get("connect_args") or {})
        connect_args.setdefault("timeout", float(app.config.get("SQLITE_BUSY_TIMEOUT", DEFAULT_BUSY_TIMEOUT)))
        options["connect_args"] = connect_args
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def add_unique(obj, message: str, field: str | None = None):
    """Add and flush ``obj`` inside a savepoint; a unique violation becomes a Conflict.

    The savepoint keeps the rest of the transaction usable (PostgreSQL aborts a transaction
    on a failed INSERT) and takes the refused object out of the session again.
    """
    try:
        with db.session.begin_nested():
            db.session.add(obj)
    except IntegrityError:
        raise Conflict(message, field=field) from None
    return obj
