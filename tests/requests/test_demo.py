"""The demo's requests: the street's two departments, one request a department solved (call-back
基本满意) and one waiting at a department, one merged, two overdue; the department request's page
shows every hand-over."""

import pytest
import sqlalchemy as sa

from consult import demo
from consult.accounts import services as accounts
from consult.places import departments, queries as places
from consult.requests.models import Holder, Request, RequestEvent, RequestStatus as S

#: builds the whole demo (several seconds each): left out of `make test-fast`, run by `make test`
pytestmark = pytest.mark.slow

DEPARTMENT_ACCOUNTS = {"chengguan": "城管执法队", "fangguan": "房管所"}
HAND_OVERS = ["submitted", "accepted", "escalated", "dispatched", "department_accepted", "resolved", "called_back", "closed"]


def kinds(db, request: Request) -> list[str]:
    query = sa.select(RequestEvent.kind).where(RequestEvent.request_id == request.id, RequestEvent.kind != "reminded")
    return list(db.session.scalars(query.order_by(RequestEvent.at, RequestEvent.id)))


# UTC moments: 18:00 in Shanghai (after the last service hours' answer), 03:00 at night, 10:00 in the morning
@pytest.mark.parametrize("moment", [(2026, 12, 2, 10), (2026, 12, 1, 19), (2026, 12, 17, 2)])
def test_demo_departments_and_their_requests(db, clock, login_as, moment):
    clock.set(*moment)
    assert demo.seed()
    street = demo.street_of_demo()
    assert sorted(d.name for d in departments.departments_of_street(street.id)) == sorted(DEPARTMENT_ACCOUNTS.values())
    for username, department in DEPARTMENT_ACCOUNTS.items():
        member = accounts.authenticate(username, demo.DEMO_PASSWORD)
        assert member is not None, username
        held = places.roles_of(member).department_of
        assert [d.name for d in departments.departments_of_street(street.id) if d.id in held] == [department]

    requests = list(db.session.scalars(sa.select(Request).order_by(Request.id)))
    solved = [r for r in requests if "dispatched" in kinds(db, r) and r.status == S.CLOSED]
    assert len(solved) == 1
    [solved] = solved
    assert kinds(db, solved) == HAND_OVERS
    assert (solved.solved, solved.satisfaction, solved.called_back_by_id) == (
        True,
        "basically",
        accounts.user_by_username("worker").id,
    )
    assert solved.resolved_by_id == accounts.user_by_username("chengguan").id

    waiting = [r for r in requests if r.holder == Holder.DEPARTMENT and r.status == S.IN_PROGRESS]
    assert len(waiting) == 1 and waiting[0].department_accepted_at is None
    assert kinds(db, waiting[0])[-2:] == ["escalated", "dispatched"]
    assert sum(r.status == S.MERGED for r in requests) == 1
    assert sum(r.overdue for r in requests) == 2

    # The page of the solved one shows who held it, the department by name, and every hand-over.
    for username in ("worker", "street", "chengguan"):
        body = login_as(accounts.user_by_username(username)).get(f"/requests/{solved.id}").get_data(as_text=True)
        assert "城管执法队" in body and "基本满意" in body, username
        for label in ("诉求已提交街道", "诉求已交职能部门办理", "部门已受理", "已记录回访"):
            assert label in body, (username, label)
    # The waiting one is on its department's page, and not on the other's.
    fangguan = login_as(accounts.user_by_username("fangguan"))
    department = db.session.get(departments.Department, waiting[0].department_id)
    page = fangguan.get(f"/manage/departments/{department.id}/requests/").get_data(as_text=True)
    assert f"/requests/{waiting[0].id}" in page and f"/requests/{solved.id}" not in page
