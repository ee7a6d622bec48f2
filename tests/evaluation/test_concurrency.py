"""On PostgreSQL, with threads: an ended month's first views, all at once, store it exactly once."""

import pytest
import sqlalchemy as sa

from consult.evaluation.models import MonthlyResult, StreetRanking
from tests.core.test_concurrency import run_threads
from tests.factories import Factory

pytestmark = pytest.mark.postgresql


def test_first_views_of_an_ended_month_store_it_once(app, committed_db, backend, clock):
    assert backend == "postgresql"
    clock.set(2026, 10, 5, 2, 0)
    factory = Factory(committed_db.session)
    world = factory.world()
    for i in range(5):
        factory.topic(world, "pending_review", title=f"议题{i}")
    committed_db.session.commit()
    clock.set(2026, 12, 15, 2, 0)
    street_slug = world.street.slug

    def view(i):
        with app.test_client() as client:
            response = client.get(f"/streets/{street_slug}/ranking?month=2026-10")
            return response.status_code

    results = run_threads(app, 8, view)
    assert results == [200] * 8
    rankings = committed_db.session.scalar(
        sa.select(sa.func.count()).select_from(StreetRanking).where(StreetRanking.month == "2026-10")
    )
    results_stored = committed_db.session.scalar(
        sa.select(sa.func.count()).select_from(MonthlyResult).where(MonthlyResult.month == "2026-10")
    )
    assert rankings == 1 and results_stored == 2  # the street's two communities, once each
