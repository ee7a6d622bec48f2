"""The demo's safety part (``flask demo``): 和平社区 in two grids with their grid worker (account
``grid``), a building volunteer, and two residents who need help in an emergency (one marked by
themselves, one recorded by the grid worker with consent)."""

from __future__ import annotations

from consult.safety import grids, needs, notice_demo, staff

#: (grid name, buildings)
GRIDS = [("第一网格", ("1", "2", "3")), ("第二网格", ("4", "5", "6"))]
GRID_WORKER = ("grid", "网格员 王芳")
WORK_PHONE = "010-62001234"


def seed(world: dict) -> None:
    """Grids of the first community, its grid worker (of both grids), a volunteer, two people needing help."""
    community, worker, party = world["community"], world["worker"], world["party"]
    grid_worker, _ = world["make_user"](*GRID_WORKER)
    made = []
    for name, buildings in GRIDS:
        grid = grids.create_grid(worker, community, name)
        for building in buildings:
            grids.place_building(worker, grid, building)
        staff.appoint_grid_worker(worker, grid_worker, grid, WORK_PHONE)
        made.append(grid)
    staff.name_volunteer(worker, community, party, "5")  # 党员 张志强 lives in building 5
    neighbours = world["residents"]
    # demo003 lives in building 3 (第一网格), demo010 in building 4 (第二网格).
    needs.set_own(neighbours[2], {"lives_alone_over_70": True}, "独居，子女在外地")
    needs.record_for(
        grid_worker, neighbours[9], {"limited_mobility": True, "no_phone": True}, "坐轮椅，没有手机", "本人", "入户当面同意"
    )
    notice_demo.seed(world, grid_worker)
