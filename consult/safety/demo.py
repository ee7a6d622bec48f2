"""The demo's safety part (``flask demo``): 和平社区 in two grids with their grid worker (account
``grid``), a building volunteer, and two residents who need help in an emergency (one marked by
themselves, one recorded by the grid worker with consent); hazards in every state, one inspection, two
emergency points (the drill is in the activities demo: safety does not import activities)."""

from __future__ import annotations

from datetime import timedelta

from consult.core.clock import local_now
from consult.safety import grids, hazards, inspections, needs, notice_demo, staff, stations
from consult.safety.hazard_models import ITEM_KIND

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
    seed_hazards(world, grid_worker, made[0])
    staff.name_volunteer(worker, community, party, "5")  # 党员 张志强 lives in building 5
    neighbours = world["residents"]
    # demo003 lives in building 3 (第一网格), demo010 in building 4 (第二网格).
    needs.set_own(neighbours[2], {"lives_alone_over_70": True}, "独居，子女在外地")
    needs.record_for(
        grid_worker, neighbours[9], {"limited_mobility": True, "no_phone": True}, "坐轮椅，没有手机", "本人", "入户当面同意"
    )
    notice_demo.seed(world, grid_worker)


def seed_hazards(world: dict, grid_worker, grid) -> None:
    """Hazards in every state (one from the grid worker's inspection), and two emergency points."""
    community, worker, street_admin = world["community"], world["worker"], world.get("street_admin")
    due = local_now().date() + timedelta(days=7)
    results = dict.fromkeys(ITEM_KIND, True) | {"no_ebike_in_stairwell": False, "drains_clear": False}
    inspection = inspections.inspect(grid_worker, grid, results, "2", "雨前巡查")
    ebike = hazards.HazardInput("", "high", "2号楼1单元楼道", "两辆电动车在楼道充电", "物业服务中心", due)
    inspections.open_hazard(grid_worker, inspection, "no_ebike_in_stairwell", ebike)  # open
    drain = hazards.HazardInput("", "medium", "东门雨水口", "雨水口被落叶堵住", "物业服务中心", due)
    fixing = inspections.open_hazard(grid_worker, inspection, "drains_clear", drain)
    hazards.step(grid_worker, fixing, "start")  # being fixed
    facade = hazards.HazardInput("loose_facade", "high", "5号楼北侧", "外墙瓷砖松动，下方是人行道", "5号楼业主委员会", due, "5")
    fixed = hazards.record(worker, community, facade)
    hazards.step(worker, fixed, "start")
    hazards.step(worker, fixed, "fix")  # fixed, waiting for a check by someone else
    lane = hazards.HazardInput("fire_lane", "high", "3号楼东侧消防通道", "私家车长期占用消防通道", "物业服务中心", due, "3")
    checked = hazards.record(worker, community, lane)
    hazards.step(worker, checked, "start")
    hazards.step(worker, checked, "fix")
    hazards.step(grid_worker if street_admin is None else street_admin, checked, "check")  # checked
    stations.add_point(
        worker, community, name="社区应急服务站", place="居委会一楼东侧", opening="24小时（夜间按门铃）", open_at_night=True,
        keeper_name="李建国", keeper_phone="010-62001111",
        counts={"aed": 1, "stretcher": 2, "first_aid_kit": 3, "flashlights": 10},
    )  # fmt: skip
    stations.add_point(
        worker, community, name="防汛物资点", place="5号楼地下车库入口", opening="8:00–20:00，汛期24小时", open_at_night=False,
        keeper_name="王师傅", keeper_phone="010-62002222",
        counts={"sandbags": 200, "water_pump": 2, "generator": 1, "life_jackets": 6},
    )  # fmt: skip
