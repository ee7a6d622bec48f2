"""With Redis (TEST_REDIS_URL): the banner is never lost to the page cache (a cached public page
is never served to a logged-in person), and the fan-out is a job on the queue, run by a worker."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from consult.core import jobs
from consult.core.clock import now
from consult.core.notifications import Notification
from consult.safety import notices
from tests.core.test_cache import page_cache, warm  # noqa: F401  (the fixture, on this test's own key prefix)
from tests.core.test_jobs import queue  # noqa: F401  (the fixture: a queue of this test's own)
from tests.factories import Factory

pytestmark = pytest.mark.redis


def _draft():
    return notices.Draft(level="yellow", title="暴雨黄色预警", what_to_do="请别去地下车库", ends_at=now() + timedelta(hours=6))


def test_a_cached_page_never_hides_the_banner(page_cache, client, login_as, world):  # noqa: F811
    url = f"/c/{world.a.slug}/"
    assert "暴雨黄色预警" not in warm(client, url)  # the anonymous page is in the cache
    notices.publish(world.worker, world.a, _draft())
    login_as(world.resident)
    response = client.get(url)
    assert "X-Cache" not in response.headers and "暴雨黄色预警" in response.get_data(as_text=True)


def test_the_fan_out_runs_on_the_queue(app, committed_db, queue):  # noqa: F811
    world = Factory(committed_db.session).world()
    committed_db.session.commit()
    notice = notices.publish(world.worker, world.a, _draft())
    committed_db.session.commit()
    key = f"notice:{notice.id}"

    def notified():
        committed_db.session.rollback()
        return set(committed_db.session.scalars(sa.select(Notification.recipient_id).where(Notification.event_key == key)))

    assert notified() == set()  # queued, not run: no worker yet
    jobs.work(app, burst=True)
    assert notified() == {world.resident.id, world.party.id}
