"""Look-alike requests (高频共性诉求): which open requests the recurring page offers to merge."""

import sqlalchemy as sa

from consult.requests import queries, reporting, services
from consult.requests.models import Request


def report(world, person, building, category="repairs"):
    return reporting.report(person, world.a, category=category, description="电梯坏了", building=building)


def test_look_alikes_are_neighbours_in_time_of_one_category_and_building(db, world, clock):
    neighbour = world.factory.resident(world.a)
    clock.set(2026, 11, 1, 2, 0)
    first = report(world, world.resident, "3")
    clock.advance(days=3)
    second = report(world, neighbour, "3")
    other_building = report(world, neighbour, "4")
    other_category = report(world, neighbour, "3", category="noise")
    clock.advance(days=15)  # more than 14 days after the second: not a look-alike of it
    third = report(world, world.resident, "3")
    clock.advance(days=1)
    fourth = report(world, neighbour, "3")
    closed = report(world, neighbour, "4")
    services.out_of_scope(world.worker, closed, "不归社区管", "街道")  # not open: not offered
    pairs = queries.likely_duplicates([world.a.id])
    assert [(e.id, later.id) for e, later in pairs] == [(third.id, fourth.id), (first.id, second.id)]
    assert queries.likely_duplicates([world.a.id], limit=1) == pairs[:1]
    assert queries.likely_duplicates([world.b.id]) == []
    assert {other_building.id, other_category.id}.isdisjoint({r.id for pair in pairs for r in pair})


def test_the_newest_look_alikes_are_found_however_many_requests_are_open(db, world, clock):
    """A street with thousands of open requests still sees this week's look-alikes (the list
    was once cut at the 2000 oldest open requests)."""
    clock.set(2026, 11, 1, 2, 0)
    template = report(world, world.resident, "1")
    row = {c.name: getattr(template, c.name) for c in Request.__table__.columns if c.name != "id"}
    db.session.execute(sa.insert(Request), [dict(row, building=f"{n}号") for n in range(2100)])
    clock.advance(days=20)
    earlier = report(world, world.resident, "9")
    clock.advance(hours=2)
    later = report(world, world.resident, "9")
    assert [(e.id, lt.id) for e, lt in queries.likely_duplicates([world.a.id])] == [(earlier.id, later.id)]


def test_recurring_counts_by_category_and_by_building(db, world, clock):
    neighbour = world.factory.resident(world.a)
    clock.set(2026, 11, 1, 2, 0)
    for building in ("3", "3", "3", "4", None):
        report(world, neighbour, building)
    report(world, neighbour, "4", category="noise")
    report(world, neighbour, "5", category="noise")
    duplicate = report(world, world.resident, "4")
    services.merge(world.worker, duplicate, report(world, world.resident, "6", category="noise"))  # merged: not counted
    clock.advance(days=40)
    report(world, neighbour, "3")  # the only one in the last 30 days
    found = queries.recurring([world.a.id], 90)
    assert found.by_category == [("设施维修", 6), ("噪音扰民", 3)]
    assert found.by_place == [("设施维修", world.a.name, "3", 4)]
    assert queries.recurring([world.a.id], 30).by_category == [("设施维修", 1)]


def test_recurring_places_of_a_street_are_a_community_and_a_building(db, world, clock):
    """3号楼 of two communities are two places: the street's page once added them up."""
    clock.set(2026, 11, 1, 2, 0)
    for community, times in ((world.a, 3), (world.b, 2)):
        resident = world.factory.resident(community)
        for _ in range(times):
            reporting.report(resident, community, category="repairs", description="电梯坏了", building="3")
    found = queries.recurring([world.a.id, world.b.id], 30)
    assert found.by_category == [("设施维修", 5)]
    assert found.by_place == [("设施维修", world.a.name, "3", 3), ("设施维修", world.b.name, "3", 2)]
    assert queries.recurring([world.b.id], 30).by_place == [("设施维修", world.b.name, "3", 2)]
