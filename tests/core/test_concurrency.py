"""On PostgreSQL, with threads: no doubled records or counts under concurrent requests."""

import threading

import pytest
import sqlalchemy as sa

from consult.accounts.models import User
from consult.core.errors import DomainError
from consult.extensions import db
from consult.places import queries, residents, services
from consult.places.models import Community, Residence
from tests.factories import Factory

pytestmark = pytest.mark.postgresql


def run_threads(app, count, work):
    """Run ``work(i)`` in ``count`` threads at once, each in its own app context and session."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def target(i):
        with app.app_context():
            barrier.wait()
            try:
                results[i] = work(i)
                db.session.commit()
            except DomainError as error:
                db.session.rollback()
                results[i] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_twenty_workers_confirming_one_residence_count_it_once(app, committed_db, backend):
    assert backend == "postgresql"
    factory = Factory(committed_db.session)
    world = factory.world()
    committed_db.session.commit()
    residence_id = queries.active_residence(world.pending).id
    worker_id, community_id = world.worker.id, world.a.id
    before = world.a.member_count

    def confirm(i):
        services.confirm_residence(db.session.get(User, worker_id), db.session.get(Residence, residence_id))
        return "ok"

    results = run_threads(app, 20, confirm)
    assert results.count("ok") == 1
    assert all(isinstance(r, DomainError) for r in results if r != "ok")
    committed_db.session.expire_all()
    assert committed_db.session.get(Community, community_id).member_count == before + 1


def test_twenty_registrations_of_one_username_make_one_user(app, committed_db):
    factory = Factory(committed_db.session)
    community = factory.community()
    committed_db.session.commit()
    community_id = community.id

    def register(i):
        residents.register(
            username="same-name",
            display_name=f"人{i}",
            password="long-enough-1",
            community=db.session.get(Community, community_id),
        )
        return "ok"

    results = run_threads(app, 20, register)
    assert results.count("ok") == 1
    assert committed_db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.username == "same-name")) == 1
    assert committed_db.session.scalar(sa.select(sa.func.count()).select_from(Residence)) == 1
