"""SQLite, the embedded default, under simultaneous writes: requests wait their turn for the
write lock (BEGIN IMMEDIATE and a busy timeout), and a lock that is never released becomes a
503 page asking to try again, never a 500.

These run against a real app on a SQLite file of their own, each thread with its own test
client, as at a residents' meeting where twenty phones press the button at once.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import time
from collections import Counter

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from consult import create_app
from consult.accounts import sessions
from consult.accounts.auth import SESSION_KEY
from consult.accounts.models import User
from consult.activities.models import Activity, Signup
from consult.core.database import begin_statement, write_transactions
from consult.extensions import db
from consult.topics.models import SealedBallot, Topic, Vote, VoteOption, VoteParticipation
from tests.conftest import truncate_all
from tests.factories import Factory

THREADS = 20
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _sqlite_app(uri: str, **settings):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": uri, "PROPAGATE_TEST_ERRORS": False, **settings})
    with app.app_context():
        upgrade()
        db.session.remove()
    return app


@pytest.fixture(scope="module")
def sqlite_file(tmp_path_factory):
    return tmp_path_factory.mktemp("writes") / "writes.db"


@pytest.fixture(scope="module")
def migrated_app(sqlite_file):
    app = _sqlite_app(f"sqlite:///{sqlite_file}")
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def file_app(migrated_app):
    """The app on a SQLite file (migrated once for the module), real commits, 500s not raised."""
    yield migrated_app
    with migrated_app.app_context():
        db.session.remove()
        truncate_all()


@pytest.fixture
def only_once(backend):
    """These tests are about SQLite itself: run them once, on the SQLite pass."""
    if backend != "sqlite":
        pytest.skip("about SQLite; run on the SQLite pass")


def _world():
    """A fresh world (its own street and people) in the app context that is open."""
    factory = Factory(db.session)
    world = factory.world()
    db.session.commit()
    return factory, world


def _client(app, user_id: int, page: str):
    """A test client logged in as ``user_id``, with the CSRF token ``page`` gives it."""
    with app.app_context():
        _row, token, _remember = sessions.start(db.session.get(User, user_id), user_agent="test client")
        db.session.commit()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)
        session[SESSION_KEY] = token
        session["_fresh"] = True
    body = client.get(page).get_data(as_text=True)
    match = CSRF_RE.search(body)
    assert match, f"no CSRF token on {page}"
    return client, match.group(1)


def _post_at_once(app, people: list[int], page: str, url: str, data_for) -> tuple[list[int], float]:
    """Every person posts ``url`` at the same moment, each from their own client; statuses and seconds."""
    clients = [_client(app, person, page) for person in people]
    barrier = threading.Barrier(len(people))
    statuses: list[int | None] = [None] * len(people)
    errors: list[BaseException] = []

    def post(i):
        client, token = clients[i]
        barrier.wait()
        try:
            statuses[i] = client.post(url, data={"csrf_token": token, **data_for(i)}).status_code
        except BaseException as error:  # noqa: BLE001 - reported below, never swallowed
            errors.append(error)

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(people))]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors
    return statuses, time.perf_counter() - started


def test_twenty_simultaneous_signups_for_five_places(file_app, only_once):
    with file_app.app_context():
        factory, world = _world()
        activity = factory.activity(world, capacity=5)
        people = [factory.resident(world.a).id for _ in range(THREADS)]
        db.session.commit()
        activity_id = activity.id

    statuses, seconds = _post_at_once(
        file_app, people, f"/activities/{activity_id}", f"/activities/{activity_id}/signup", lambda i: {}
    )
    print(f"{THREADS} simultaneous sign-ups on SQLite: {seconds:.2f} s, statuses {dict(Counter(statuses))}")
    assert statuses == [302] * THREADS, statuses
    with file_app.app_context():
        counts = dict(
            db.session.execute(
                sa.select(Signup.status, sa.func.count()).where(Signup.activity_id == activity_id).group_by(Signup.status)
            ).all()
        )
        fresh = db.session.get(Activity, activity_id)
        assert counts == {"confirmed": 5, "waitlisted": 15}
        assert (fresh.signup_count, fresh.waitlist_count) == (5, 15)


@pytest.mark.parametrize("scope", ["resident", "household"])
def test_twenty_simultaneous_ballots(file_app, only_once, scope):
    """Twenty residents vote at once; per household, two of each flat (one typed in full-width digits)."""
    with file_app.app_context():
        factory, world = _world()
        people = []
        for i in range(THREADS):
            flat = i // 2
            # The second of each flat types the same address in full-width digits and with suffixes.
            address = (
                dict(building=f"{flat + 10}", unit="1", room=f"{flat + 100}")
                if i % 2 == 0
                else dict(
                    building=f"{flat + 10}号楼".translate(_FULL_WIDTH),
                    unit="1单元".translate(_FULL_WIDTH),
                    room=f"{flat + 100}室".translate(_FULL_WIDTH),
                )
            )
            people.append(factory.resident(world.a, **address).id)
        topic = factory.topic(world, "voting", scope=scope)
        vote = db.session.scalar(sa.select(Vote).where(Vote.topic_id == topic.id))
        options = list(
            db.session.scalars(sa.select(VoteOption.id).where(VoteOption.vote_id == vote.id).order_by(VoteOption.position))
        )
        db.session.commit()
        topic_id, vote_id = topic.id, vote.id

    statuses, seconds = _post_at_once(
        file_app, people, f"/topics/{topic_id}", f"/topics/{topic_id}/vote", lambda i: {"options": str(options[i % len(options)])}
    )
    print(f"{THREADS} simultaneous {scope} ballots on SQLite: {seconds:.2f} s, statuses {dict(Counter(statuses))}")
    assert statuses == [302] * THREADS, statuses
    expected = THREADS if scope == "resident" else THREADS // 2
    with file_app.app_context():
        # While the vote is open, ballots are sealed (see docs/ballot-secrecy.md): one sealed row per voter or household.
        assert (
            db.session.scalar(sa.select(sa.func.count()).select_from(SealedBallot).where(SealedBallot.vote_id == vote_id))
            == expected
        )
        assert (
            db.session.scalar(
                sa.select(sa.func.count()).select_from(VoteParticipation).where(VoteParticipation.vote_id == vote_id)
            )
            == THREADS
        )
        assert db.session.get(Vote, vote_id).ballot_count == expected
        assert db.session.get(Topic, topic_id).ballot_count == expected


_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.fixture
def impatient_app(sqlite_file, file_app):
    """The same database file, with a writer that waits only 0.3 s for the lock."""
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{sqlite_file}",
            "PROPAGATE_TEST_ERRORS": False,
            "SQLITE_BUSY_TIMEOUT": 0.3,
        }
    )
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_a_lock_that_is_never_released_gives_503_and_writes_nothing(impatient_app, sqlite_file, only_once, language):
    with impatient_app.app_context():
        factory, world = _world()
        activity = factory.activity(world, capacity=5)
        world.resident.language = language
        db.session.commit()
        activity_id, resident_id = activity.id, world.resident.id
    client, token = _client(impatient_app, resident_id, f"/activities/{activity_id}")
    client.set_cookie("lang", language)

    # Someone else holds the write lock (a long import, a backup, a stuck process).
    holder = sqlite3.connect(sqlite_file, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        busy = client.post(f"/activities/{activity_id}/signup", data={"csrf_token": token})
        reading = client.get(f"/activities/{activity_id}")
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    assert busy.status_code == 503
    assert busy.headers["Retry-After"] == "5"
    page = busy.get_data(as_text=True)
    if language == "en":
        assert "The site is busy right now" in page and "Please try again in a few seconds." in page
    else:
        assert "现在使用的人太多" in page and "请过几秒钟再试" in page
    # Reading pages never waits for the write lock (WAL): the activity still shows while locked.
    assert reading.status_code == 200
    with impatient_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Signup).where(Signup.activity_id == activity_id)) == 0

    # Once the lock is gone, the same request goes through.
    again = client.post(f"/activities/{activity_id}/signup", data={"csrf_token": token})
    assert again.status_code == 302
    with impatient_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Signup).where(Signup.activity_id == activity_id)) == 1


def test_begin_statement_follows_the_request_method(file_app, only_once):
    """Writes take the lock up front; safe methods read a snapshot; tick and scripts may ask for the lock."""
    with file_app.test_request_context("/", method="POST"):
        assert begin_statement() == "BEGIN IMMEDIATE"
    for method in ("GET", "HEAD", "OPTIONS"):
        with file_app.test_request_context("/", method=method):
            assert begin_statement() == "BEGIN"
    with file_app.app_context():
        assert begin_statement() == "BEGIN"
        with write_transactions():
            assert begin_statement() == "BEGIN IMMEDIATE"


def test_in_memory_sqlite_still_works(only_once):
    """The in-memory database (one shared connection, StaticPool) migrates and takes a write."""
    app = _sqlite_app("sqlite://")
    with app.app_context():
        assert db.engine.url.database in (None, "", ":memory:")
        factory = Factory(db.session)
        world = factory.world()
        activity = factory.activity(world, capacity=1)
        db.session.commit()
        activity_id, resident_id = activity.id, world.resident.id
    client, token = _client(app, resident_id, f"/activities/{activity_id}")
    assert client.post(f"/activities/{activity_id}/signup", data={"csrf_token": token}).status_code == 302
    with app.app_context():
        assert db.session.get(Activity, activity_id).signup_count == 1
        db.session.remove()
        db.engine.dispose()
