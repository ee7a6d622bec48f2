"""The demo's grids: 和平社区 in two grids, the grid worker `grid` of both, a building volunteer,
two residents needing help; the resident sees their grid worker's work phone."""

import pytest

from consult import demo
from consult.accounts import services as accounts
from consult.places import queries as places
from consult.safety import hazard_queries, notice_queries, queries

#: builds the whole demo (several seconds): left out of `make test-fast`, run by `make test`
pytestmark = pytest.mark.slow


def test_demo_grids(db, login_as):
    assert demo.seed()
    community = places.community_by_slug("heping")
    grid_worker = accounts.authenticate("grid", demo.DEMO_PASSWORD)
    grids = queries.grids_of(community.id)
    assert [g.name for g in grids] == ["第一网格", "第二网格"]
    assert places.roles_of(grid_worker).grid_of == {g.id for g in grids}
    assert [n.user.username for n, _ in queries.needs_in(community.id)] == ["demo003", "demo010"]
    assert [v.user.username for v in queries.volunteers_of(community.id)] == ["party"]
    me = login_as(accounts.user_by_username("resident")).get("/me/").get_data(as_text=True)
    assert "第一网格" in me and "网格员 王芳" in me and "010-62001234" in me
    page = login_as(grid_worker).get(f"/manage/grids/{grids[1].id}/").get_data(as_text=True)
    assert "坐轮椅" in page and "入户当面同意" in page


def test_demo_notice(db, login_as):
    """The yellow rainstorm warning: 7 of 14 know (two through visits); the demo resident sees the banner."""
    assert demo.seed()
    community = places.community_by_slug("heping")
    [listed] = notice_queries.notices_of_community(community)
    assert (listed.notice.level, listed.acknowledged, listed.recipients) == ("yellow", 7, 14)
    home = login_as(accounts.user_by_username("resident")).get("/").get_data(as_text=True)
    assert "暴雨黄色预警" in home and "已知晓" in home
    board = login_as(accounts.user_by_username("worker")).get(f"/manage/notices/{listed.notice.id}/").get_data(as_text=True)
    assert "50 %" in board and "需要帮忙把轮椅搬到二楼邻居家" in board and "党员 张志强" in board


def test_demo_hazards_points_and_drill(db, login_as):
    assert demo.seed()
    community = places.community_by_slug("heping")
    assert {h.status for h in hazard_queries.ledger(community.id)} == {"open", "fixing", "fixed", "checked"}
    assert [p.name for p, _held in hazard_queries.points_of(community.id)] == ["社区应急服务站", "防汛物资点"]
    public = login_as(None).get("/c/heping/safety/").get_data(as_text=True)
    assert "沙袋" in public and "010-62002222" in public
    assert "汛期应急疏散演练" in login_as(None).get("/c/heping/activities/").get_data(as_text=True)
