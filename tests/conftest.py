"""Fixtures: app (per backend), db (rolled back per test), committed_db (truncated after),
client, login_as, factories, a frozen clock, a SQL query counter.

The suite runs on SQLite always and again on PostgreSQL when TEST_DATABASE_URL is set; the
PostgreSQL pass creates and drops its own database. With CI=true, a PostgreSQL, Redis or
browser test that would be skipped fails instead.
"""

from __future__ import annotations

import os
import re
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from consult import create_app
from consult.core import clock as clock_module
from consult.extensions import db as _db, limiter

IN_CI = os.environ.get("CI", "").lower() == "true"
PG_URL = os.environ.get("TEST_DATABASE_URL")
REDIS_URL = os.environ.get("TEST_REDIS_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


def need(condition: bool, reason: str) -> None:
    """Skip when a service is missing, except under CI, where that is a failure."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI must run this test: {reason}")
    pytest.skip(reason)


def pytest_collection_modifyitems(config, items):
    """Browser tests run once (SQLite); PostgreSQL-only tests run on the PostgreSQL pass only."""
    keep, drop = [], []
    for item in items:
        backend = item.callspec.params.get("backend") if hasattr(item, "callspec") else None
        if backend == "postgresql" and item.get_closest_marker("browser"):
            drop.append(item)
        elif backend == "sqlite" and item.get_closest_marker("postgresql"):
            if PG_URL:
                drop.append(item)
            else:
                item.add_marker(pytest.mark.skip(reason="needs PostgreSQL: TEST_DATABASE_URL is not set"))
                keep.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_sessionstart(session):
    if IN_CI and not PG_URL:
        raise pytest.UsageError("CI=true but TEST_DATABASE_URL is not set")
    if IN_CI and not REDIS_URL:
        raise pytest.UsageError("CI=true but TEST_REDIS_URL is not set")


# --- databases ---------------------------------------------------------------------------


def pg_admin_url():
    return make_url(PG_URL).set(drivername="postgresql+psycopg")


@contextmanager
def temporary_postgres_database():
    """Create a PostgreSQL database of our own and drop it afterwards."""
    name = f"consult_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(pg_admin_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield pg_admin_url().set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request):
    return request.param


@pytest.fixture(scope="session")
def database_url(backend, tmp_path_factory):
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    else:
        with temporary_postgres_database() as url:
            yield url


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    """One app per backend; its schema is built by the migrations, as in production."""
    os.environ.setdefault("CONSULT_INSTANCE", str(tmp_path_factory.mktemp("instance")))
    application = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url})
    with application.app_context():
        from flask_migrate import upgrade

        upgrade()
    yield application
    with application.app_context():
        _db.engine.dispose()


@pytest.fixture
def app_ctx(app):
    with app.app_context() as ctx:
        yield ctx


@pytest.fixture(autouse=True)
def _reset_state(app):
    """Rate limits and the clock never leak from one test into another."""
    with app.app_context():
        limiter.reset()
    clock_module.set_now(None)
    yield
    clock_module.set_now(None)


@pytest.fixture
def db(app):
    """The database, with everything the test (and its requests) wrote rolled back after."""
    with app.app_context():
        connection = _db.engine.connect()
        transaction = connection.begin()
        _db.session.remove()
        _db.session.configure(bind=connection, join_transaction_mode="create_savepoint")
        try:
            yield _db
        finally:
            _db.session.remove()
            _db.session.configure(bind=None, join_transaction_mode="conditional_savepoint")
            if transaction.is_active:
                transaction.rollback()
            connection.close()


@pytest.fixture
def committed_db(app):
    """The database as threads and the live server see it: real commits, emptied after."""
    with app.app_context():
        _db.session.remove()
        try:
            yield _db
        finally:
            _db.session.remove()
            truncate_all()


def truncate_all() -> None:
    """Empty every table. Triggers that refuse it in production (the append-only ledger) are
    set aside for this one transaction: disabled on PostgreSQL, dropped and re-created on SQLite."""
    tables = [t.name for t in reversed(_db.metadata.sorted_tables)]
    with _db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            guarded = list(
                conn.exec_driver_sql("SELECT DISTINCT tgrelid::regclass::text FROM pg_trigger WHERE NOT tgisinternal").scalars()
            )
            for table in guarded:
                conn.exec_driver_sql(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            conn.exec_driver_sql("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")
            for table in guarded:
                conn.exec_driver_sql(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        else:
            triggers = conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").all()
            for name, _sql in triggers:
                conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
            for table in tables:
                conn.exec_driver_sql(f'DELETE FROM "{table}"')
            for index in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL TABLE%'").scalars():
                conn.exec_driver_sql(f'DELETE FROM "{index}"')  # the search index (FTS5), not in the models
            for _name, sql in triggers:
                conn.exec_driver_sql(sql)
    # Reference data the migrations seed comes back.
    from consult.topics.services import ensure_default_categories

    ensure_default_categories()
    _db.session.commit()


# --- clients and people -------------------------------------------------------------------

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Client:
    """The Flask test client with CSRF tokens fetched the way a browser gets them."""

    def __init__(self, app):
        self.app = app
        self.raw = app.test_client()

    def _before_request(self) -> None:
        """Make each request start as it would in production.

        The test's app context is reused by the client's requests, so: commit what the test
        set up (a rollback in the request must not take it away) and empty ``g`` (Flask-Login,
        Flask-Babel and our own per-request caches live there).
        """
        from flask import g, has_app_context

        if has_app_context():
            _db.session.commit()
            g.__dict__.clear()

    def get(self, url, **kwargs):
        self._before_request()
        return self.raw.get(url, **kwargs)

    def csrf_token(self, url="/") -> str:
        page = self.get(url).get_data(as_text=True)
        match = CSRF_RE.search(page)
        if match is None and url == "/":  # no form on an anonymous visitor's home page: the log-in form's
            page = self.get("/auth/login").get_data(as_text=True)
            match = CSRF_RE.search(page)
        assert match, f"no CSRF token on {url}"
        return match.group(1)

    def post(self, url, data=None, *, csrf=True, token_from="/", **kwargs):
        data = dict(data or {})
        if csrf and "csrf_token" not in data:
            data["csrf_token"] = self.csrf_token(token_from)
        self._before_request()
        return self.raw.post(url, data=data, **kwargs)

    def login(self, user) -> None:
        """Log in as the log-in page would: a new open ``user_sessions`` row for this client."""
        from consult.accounts import sessions
        from consult.accounts.auth import SESSION_KEY

        _row, token, _remember = sessions.start(user, user_agent="test client")
        with self.raw.session_transaction() as session:
            session["_user_id"] = str(user.id)
            session[SESSION_KEY] = token
            session["_fresh"] = True

    def logout(self) -> None:
        with self.raw.session_transaction() as session:
            session.clear()


@pytest.fixture
def client(app, db):
    return Client(app)


@pytest.fixture
def login_as(client):
    def login(user):
        client.logout()
        if user is not None:
            client.login(user)
        return client

    return login


@pytest.fixture
def factory(db):
    from tests.factories import Factory

    return Factory(db.session)


@pytest.fixture
def world(factory):
    """A street with two communities and one person in every role (see tests/factories.py)."""
    return factory.world()


# --- time and queries ---------------------------------------------------------------------


class Clock:
    def set(self, *args, **kwargs) -> datetime:
        moment = args[0] if args and isinstance(args[0], datetime) else datetime(*args, tzinfo=UTC)
        clock_module.set_now(moment)
        return moment

    def advance(self, **kwargs) -> datetime:
        from datetime import timedelta

        clock_module.advance(timedelta(**kwargs))
        return clock_module.now()

    def now(self) -> datetime:
        return clock_module.now()


@pytest.fixture
def clock():
    """Freeze time at the real now (records made before the test stay in the past);
    clock.set(2026, 11, 1, 2, 0) in UTC or clock.advance(hours=3) move it."""
    frozen = Clock()
    frozen.set(datetime.now(UTC))
    yield frozen
    clock_module.set_now(None)


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """``with count_queries() as q: ...`` then ``q.count``: SQL statements sent, SAVEPOINTs aside."""

    @contextmanager
    def counting():
        counter = QueryCounter()

        def before(conn, cursor, statement, parameters, context, executemany):
            if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO", "BEGIN", "PRAGMA")):
                counter.statements.append(statement)

        with app.app_context():
            engine = _db.engine
        sa.event.listen(engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            sa.event.remove(engine, "before_cursor_execute", before)

    return counting
