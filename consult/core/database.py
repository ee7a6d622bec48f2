"""Engine settings: SQLite with foreign keys, WAL and real transactions (savepoints work)."""
import sqlite3

from flask import Flask
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.engine import Engine


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection, connection_record):
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy emit BEGIN itself, so SAVEPOINT and isolation behave as documented.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_on_begin(conn):
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN")


def configure(app: Flask) -> None:
    """Engine options that depend on the database in use (no connection is made here)."""
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgresql://"):
        # psycopg 3 is the driver; accept the common URL form.
        app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://" + uri[len("postgresql://"):]


def add_unique(obj, message: str, field: str | None = None):
    """Add and flush ``obj`` inside a savepoint; a unique violation becomes a Conflict.

    The savepoint keeps the rest of the transaction usable (PostgreSQL aborts a transaction
    on a failed INSERT) and takes the refused object out of the session again.
    """
    from consult.core.errors import Conflict
    from consult.extensions import db

    try:
        with db.session.begin_nested():
            db.session.add(obj)
    except IntegrityError:
        raise Conflict(message, field=field) from None
    return obj
