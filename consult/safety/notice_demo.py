"""The demo's urgent notice (``flask demo``): a yellow rainstorm warning for 和平社区, half of its
residents acknowledged (two of them through the grid worker's visits), and two first responders.
The demo ``resident`` has not acknowledged it: they see the banner on every page."""

from __future__ import annotations

from datetime import timedelta

from consult.core.clock import now
from consult.safety import followup, notices, queries, responders

TITLE = "暴雨黄色预警"
WHAT_TO_DO = (
    "今晚至明天有大到暴雨。请不要在地下室、地下车库停留，把电动车推到高处，关好门窗；独居老人请留在家中，网格员会上门查看。"
)


def seed(world: dict, grid_worker) -> None:
    community, worker, party = world["community"], world["worker"], world["party"]
    grids = queries.grids_of(community.id)
    responders.opt_in(party, {"first_aid": True}, None, [g.id for g in grids])
    responders.opt_in(world["residents"][0], {"can_carry": True, "electrician": True}, None, [grids[0].id])
    draft = notices.Draft(level="yellow", title=TITLE, what_to_do=WHAT_TO_DO, ends_at=now() + timedelta(days=2))
    notice = notices.publish(worker, community, draft)
    neighbours = world["residents"]
    # demo003 (lives alone, building 3) and demo010 (no phone, building 4): reached by the grid worker.
    followup.record_visit(grid_worker, notice, neighbours[2].id, "reached", "已当面告知，门窗已关好")
    followup.record_visit(grid_worker, notice, neighbours[9].id, "needs_help", "需要帮忙把轮椅搬到二楼邻居家")
    # Five more acknowledge themselves: seven of the fourteen residents know.
    for person in (party, neighbours[0], neighbours[1], neighbours[4], neighbours[6]):
        followup.acknowledge(person, notice)
