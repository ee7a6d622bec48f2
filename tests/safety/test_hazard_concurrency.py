"""On PostgreSQL: ten people pressing one step of one hazard at once — exactly one passes, the others
are told it is no longer at that step (409), and the audit log has one entry per step; ten grid
workers opening a hazard from one failed item at once make exactly one hazard."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from consult.accounts.models import User
from consult.core.audit import AuditEntry
from consult.core.clock import local_now
from consult.core.errors import Conflict
from consult.extensions import db
from consult.safety import hazards, inspections
from consult.safety.hazard_models import ITEM_KIND, Hazard, Inspection
from tests.core.test_concurrency import run_threads
from tests.factories import Factory

pytestmark = pytest.mark.postgresql


def _input(**more) -> hazards.HazardInput:
    sent = dict(kind="gas_smell", severity="high", place="2单元", description="燃气味", owner_name="燃气公司",
                due_on=local_now().date() + timedelta(days=1))  # fmt: skip
    return hazards.HazardInput(**(sent | more))


def test_ten_people_starting_one_hazard_start_it_once(app, committed_db):
    factory = Factory(committed_db.session)
    world = factory.world()
    hazard = hazards.record(world.worker, world.a, _input())
    people = [factory.worker(world.a).id for _ in range(10)]
    committed_db.session.commit()
    hazard_id = hazard.id

    def start(i):
        return hazards.step(db.session.get(User, people[i]), db.session.get(Hazard, hazard_id), "start").status

    results = run_threads(app, 10, start)
    assert results.count("fixing") == 1 and sum(isinstance(r, Conflict) for r in results) == 9
    session = committed_db.session
    session.expire_all()
    assert session.get(Hazard, hazard_id).status == "fixing"
    started = sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.action == "hazard.start")
    assert session.scalar(started) == 1


def test_ten_grid_workers_opening_one_failed_item_make_one_hazard(app, committed_db):
    factory = Factory(committed_db.session)
    world = factory.world()
    inspection = inspections.inspect(world.grid_worker, world.grid, dict.fromkeys(ITEM_KIND, False))
    workers = [factory.grid_worker(world.grid).id for _ in range(10)]
    committed_db.session.commit()
    inspection_id = inspection.id

    def open_one(i):
        found = db.session.get(Inspection, inspection_id)
        return inspections.open_hazard(db.session.get(User, workers[i]), found, "no_gas_smell", _input(kind="")).id

    results = run_threads(app, 10, open_one)
    assert sum(isinstance(r, int) for r in results) == 1 and sum(isinstance(r, Conflict) for r in results) == 9
    committed_db.session.expire_all()
    assert committed_db.session.scalar(sa.select(sa.func.count()).select_from(Hazard)) == 1
