"""On PostgreSQL with threads: a request is taken up, resolved and answered once, whoever clicks."""

import pytest
import sqlalchemy as sa

from consult.accounts.models import User
from consult.core.errors import DomainError
from consult.extensions import db
from consult.requests import reporting, services
from consult.requests.models import Request, RequestEvent
from tests.core.test_concurrency import run_threads
from tests.factories import Factory

pytestmark = pytest.mark.postgresql


def test_ten_workers_accepting_at_once_accept_once(app, committed_db):
    world = Factory(committed_db.session).world()
    workers = [world.worker] + [Factory(committed_db.session).worker(world.a) for _ in range(9)]
    request = reporting.report(world.resident, world.a, category="repairs", description="电梯停了")
    committed_db.session.commit()
    request_id, worker_ids = request.id, [w.id for w in workers]

    def accept(i):
        services.accept(db.session.get(User, worker_ids[i]), db.session.get(Request, request_id))
        return "ok"

    results = run_threads(app, 10, accept)
    assert results.count("ok") == 1 and all(isinstance(r, DomainError) for r in results if r != "ok")
    committed_db.session.expire_all()
    accepted = committed_db.session.scalar(
        sa.select(sa.func.count())
        .select_from(RequestEvent)
        .where(RequestEvent.request_id == request_id, RequestEvent.kind == "accepted")
    )
    assert accepted == 1


def test_the_reporter_answering_twice_at_once_is_recorded_once(app, committed_db):
    world = Factory(committed_db.session).world()
    request = reporting.report(world.resident, world.a, category="repairs", description="电梯停了")
    services.accept(world.worker, request)
    services.resolve(world.worker, request, "修好了")
    committed_db.session.commit()
    request_id, resident_id = request.id, world.resident.id

    def answer(i):
        services.confirm(
            db.session.get(User, resident_id), db.session.get(Request, request_id), solved=i % 2 == 0, level="satisfied"
        )
        return "ok"

    results = run_threads(app, 6, answer)
    assert results.count("ok") == 1
    committed_db.session.expire_all()
    kinds = committed_db.session.scalars(
        sa.select(RequestEvent.kind).where(
            RequestEvent.request_id == request_id, RequestEvent.kind.in_(["confirmed", "reopened"])
        )
    )
    assert len(list(kinds)) == 1


def test_department_members_taking_it_up_at_once_take_it_up_once(app, committed_db):
    factory = Factory(committed_db.session)
    world = factory.world()
    members = [world.department_member] + [factory.department_member(world.department) for _ in range(5)]
    request = reporting.report(world.resident, world.a, category="repairs", description="路灯坏了")
    services.accept(world.worker, request)
    services.escalate(world.worker, request, "需要街道")
    services.dispatch(world.street_admin, request, world.department)
    committed_db.session.commit()
    request_id, member_ids = request.id, [m.id for m in members]

    def accept(i):
        services.accept(db.session.get(User, member_ids[i]), db.session.get(Request, request_id))
        return "ok"

    results = run_threads(app, 6, accept)
    assert results.count("ok") == 1 and all(isinstance(r, DomainError) for r in results if r != "ok")
    committed_db.session.expire_all()
    kinds = committed_db.session.scalars(
        sa.select(RequestEvent.kind).where(RequestEvent.request_id == request_id, RequestEvent.kind == "department_accepted")
    )
    assert len(list(kinds)) == 1
