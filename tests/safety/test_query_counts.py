"""The grid pages cost the same number of SQL statements for few or many grids, buildings,
residents, workers, volunteers and people needing help."""

import pytest

from consult.places import queries as places
from consult.safety import grids, needs, staff
from tests.places.test_query_counts import queries_for


@pytest.mark.parametrize(
    "url_of, who",
    [
        (lambda w: f"/manage/c/{w.a.slug}/grids/", "worker"),
        (lambda w: f"/manage/c/{w.a.slug}/grids/", "street_admin"),
        (lambda w: f"/manage/grids/{w.grid.id}/", "grid_worker"),
        (lambda w: "/me/safety", "resident"),
        (lambda w: "/me/", "resident"),
    ],
)
def test_query_count_does_not_grow(url_of, who, world, factory, login_as, count_queries, db):
    client = login_as(world.roles()[who])
    url = url_of(world)
    made = [0]

    def grow(n):
        """Per step: a grid (with a worker and a building with a volunteer), residents of world.grid needing help."""
        for _ in range(n):
            made[0] += 1
            grid = grids.create_grid(world.worker, world.a, f"网格{made[0]}")
            grids.place_building(world.worker, grid, f"B{made[0]}")
            staff.appoint_grid_worker(world.worker, factory.user(), grid, "010-1234567")
            staff.appoint_grid_worker(world.worker, factory.user(), world.grid, "010-7654321")
            neighbour = factory.resident(world.a, building="3", unit="1", room=str(made[0]))
            needs.set_own(neighbour, {"no_phone": True}, None)
            volunteer = factory.resident(world.a, building=f"B{made[0]}")
            staff.name_volunteer(world.worker, world.a, volunteer, f"B{made[0]}")
        places.forget_roles()

    grow(2)
    small = queries_for(client, url, count_queries)
    grow(12)
    large = queries_for(client, url, count_queries)
    assert large == small, f"{url} as {who}: {small} statements with few rows, {large} with many"
    assert small <= 25, f"{url}: {small} statements"
