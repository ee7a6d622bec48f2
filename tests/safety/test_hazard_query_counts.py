"""The ledger, its CSV, the public safety page, the to-do and street pages, a grid's inspections and
an inspection cost the same number of SQL statements for few or many hazards, inspections and points."""

import pytest

from consult.core.clock import local_now
from consult.places import queries as places
from consult.safety import hazards, inspections, stations
from consult.safety.hazard_models import ITEM_KIND
from tests.places.test_query_counts import queries_for


@pytest.mark.parametrize(
    "url_of, who",
    [
        (lambda w: f"/manage/c/{w.a.slug}/hazards/", "worker"),
        (lambda w: f"/manage/c/{w.a.slug}/hazards/ledger.csv", "worker"),
        (lambda w: f"/c/{w.a.slug}/safety/", "visitor"),
        (lambda w: f"/manage/c/{w.a.slug}/", "worker"),
        (lambda w: f"/manage/streets/{w.street.slug}/", "street_admin"),
        (lambda w: f"/manage/grids/{w.grid.id}/inspections/", "grid_worker"),
        (lambda w: f"/manage/inspections/{w._first_inspection.id}/", "grid_worker"),
        (lambda w: f"/manage/c/{w.a.slug}/emergency-points/", "worker"),
    ],
)
def test_query_count_does_not_grow(url_of, who, world, login_as, count_queries, db, clock):
    world._first_inspection = inspections.inspect(world.grid_worker, world.grid, dict.fromkeys(ITEM_KIND, False), "3")
    url = url_of(world)
    made = [0]
    items = list(ITEM_KIND)

    def grow(n):
        """Per step: an inspection, a hazard opened from the first inspection's items (some overdue), an emergency point."""
        for _ in range(n):
            made[0] += 1
            inspections.inspect(world.grid_worker, world.grid, dict.fromkeys(ITEM_KIND, made[0] % 2 == 0))
            data = hazards.HazardInput("", "high", "楼道", "电动车", "物业", local_now().date())
            hazard = inspections.open_hazard(world.grid_worker, world._first_inspection, items[made[0]], data)
            if made[0] % 3 == 0:
                hazards.step(world.worker, hazard, "start")
            counts = {"aed": 1, "sandbags": made[0]}
            stations.add_point(world.worker, world.a, name=f"站{made[0]}", place="居委会", opening="24小时",
                               open_at_night=True, keeper_name="李", keeper_phone="110", counts=counts)  # fmt: skip
        places.forget_roles()

    grow(2)
    clock.advance(days=2)  # the hazards are overdue now
    client = login_as(world.roles()[who])
    small = queries_for(client, url, count_queries)
    grow(8)
    large = queries_for(client, url, count_queries)
    assert large == small, f"{url} as {who}: {small} statements with few rows, {large} with many"
    assert small <= 25, f"{url}: {small} statements"
