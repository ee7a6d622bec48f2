"""On PostgreSQL with threads: 200 residents acknowledging a notice at once give exactly 200 rows
and the right counts; one person tapping "I know" on several devices at once gives one row."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from consult.accounts.models import User
from consult.core.clock import now
from consult.extensions import db
from consult.safety import followup, notice_queries, notices
from consult.safety.notice_models import Notice, NoticeAcknowledgement
from tests.core.test_concurrency import run_threads
from tests.factories import Factory

pytestmark = pytest.mark.postgresql


def _notice(committed_db, residents: int):
    factory = Factory(committed_db.session)
    world = factory.world()
    people = [factory.resident(world.a, building=str(1 + i % 8), room=str(100 + i)) for i in range(residents)]
    draft = notices.Draft(level="yellow", title="暴雨黄色预警", what_to_do="请远离地下室。", ends_at=now() + timedelta(hours=6))
    notice = notices.publish(world.worker, world.a, draft)
    assert notice.recipients == residents + 2  # counted on PostgreSQL too (its rowcount of an INSERT … SELECT is -1)
    committed_db.session.commit()
    return world, notice.id, [p.id for p in people]


def _acks(committed_db, notice_id: int) -> int:
    committed_db.session.expire_all()
    return committed_db.session.scalar(
        sa.select(sa.func.count()).select_from(NoticeAcknowledgement).where(NoticeAcknowledgement.notice_id == notice_id)
    )


def test_two_hundred_residents_acknowledging_at_once(app, committed_db):
    world, notice_id, ids = _notice(committed_db, 200)

    def acknowledge(i):
        return followup.acknowledge(db.session.get(User, ids[i]), db.session.get(Notice, notice_id))

    results = run_threads(app, 200, acknowledge)
    assert results.count(True) == 200
    assert _acks(committed_db, notice_id) == 200
    listed = notice_queries.notices_of_community(world.a)
    # 200 new residents and world.resident and world.party: 200 of 202 know
    assert [(x.notice.id, x.acknowledged, x.recipients) for x in listed] == [(notice_id, 200, 202)]


def test_one_person_tapping_on_many_devices_at_once_is_one_row(app, committed_db):
    world, notice_id, _ = _notice(committed_db, 1)
    resident_id = world.resident.id

    def acknowledge(i):
        return followup.acknowledge(db.session.get(User, resident_id), db.session.get(Notice, notice_id))

    results = run_threads(app, 20, acknowledge)
    assert results.count(True) == 1 and results.count(False) == 19
    assert _acks(committed_db, notice_id) == 1
