"""In Chromium on a phone: a resident reports a broken lift with a photo; the worker takes it up and
passes it to the street. In one journey the street sends it back with what to do and the worker
resolves it; in the other the street hands it to a department (部门报到), which takes it up and
resolves it. Either way the worker records the call-back (回访, 基本满意). axe-core on every page."""

import pytest
import sqlalchemy as sa
from PIL import Image

from consult.requests.models import Request
from tests.e2e.conftest import check_axe, check_no_sideways_scroll, login, logout, press, visit
from tests.factories import Factory

pytestmark = pytest.mark.browser


def step(page, request_id: int, action: str, **fields):
    """Take a staff step with its form on the request's page (a committee's or a department's URL)."""
    form = page.locator(f'form[action$="/requests/{request_id}/{action}"]')
    for name, value in fields.items():
        control = form.locator(f'[name="{name}"]')
        if control.evaluate("element => element.tagName") == "SELECT":
            control.select_option(value)
        else:
            control.fill(value)
    with page.expect_navigation():
        form.locator('button[type="submit"]').click()
    check_axe(page)


def report_with_photo(page, live_server, community: str, tmp_path) -> int:
    """The resident reports the broken lift with a photo (on a 375 px phone); returns its number."""
    photo = tmp_path / "lift.jpg"
    Image.new("RGB", (320, 240), "steelblue").save(photo, format="JPEG")
    login(page, live_server, "resident")
    visit(page, f"/c/{community}/requests/new")
    page.select_option('select[name="category"]', "repairs")
    page.fill('textarea[name="description"]', "3号楼2单元电梯停在5楼不动了。")
    page.fill('input[name="building"]', "3")
    page.fill('input[name="unit"]', "2")
    page.fill('input[name="place"]', "301室门口")
    page.set_input_files('input[name="photos"]', str(photo))
    press(page, 'main form button[type="submit"]')
    check_axe(page)
    check_no_sideways_scroll(page)
    request_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    assert page.locator("img.request-photo").count() == 1
    logout(page)
    return request_id


def take_up_and_escalate(page, live_server, community: str, request_id: int) -> None:
    """The worker finds it in the queue, takes it up (has called the resident) and passes it to the street."""
    login(page, live_server, "worker")
    visit(page, f"/manage/c/{community}/requests/")
    press(page, f'a[href="/requests/{request_id}"]')
    check_axe(page)
    step(page, request_id, "accept", note="已电话联系居民")
    step(page, request_id, "escalate", note="需要街道协调电梯维保单位")
    logout(page)


def street_step(page, live_server, street: str, request_id: int, action: str, **fields) -> None:
    """The street's admin finds it on the street's requests page and takes a step."""
    login(page, live_server, "street")
    visit(page, f"/manage/streets/{street}/requests/")
    press(page, f'a[href="/requests/{request_id}"]')
    step(page, request_id, action, **fields)
    logout(page)


def call_back(page, request_id: int, note: str) -> None:
    """The worker records the resident's answer on the phone: solved, 基本满意."""
    form = page.locator(f'form[action$="/requests/{request_id}/call_back"]')
    form.locator('input[name="solved"][value="yes"]').check()
    form.locator('input[name="level"][value="basically"]').check()
    form.locator('textarea[name="note"]').fill(note)
    with page.expect_navigation():
        form.locator('button[type="submit"]').click()
    check_axe(page)


def test_report_escalate_send_back_resolve_call_back(committed_db, contexts, live_server, tmp_path):
    world = Factory(committed_db.session).world()
    committed_db.session.commit()
    a = world.a.slug
    page = contexts.new_page()
    request_id = report_with_photo(page, live_server, a, tmp_path)
    take_up_and_escalate(page, live_server, a, request_id)

    # The street sees it and sends it back with what to do.
    street_step(page, live_server, world.street.slug, request_id, "send_back", note="已联系维保单位，请社区跟进")

    # The worker resolves it and records the call-back: solved, 基本满意.
    login(page, live_server, "worker")
    visit(page, f"/requests/{request_id}")
    step(page, request_id, "resolve", note="维保单位已更换控制板")
    call_back(page, request_id, "回访：已解决，基本满意")
    logout(page)

    committed_db.session.rollback()  # see what the live server committed
    request = committed_db.session.scalar(sa.select(Request).where(Request.id == request_id))
    assert (request.status, request.satisfaction, request.solved) == ("confirmed", "basically", True)

    # The public list: resolved, building 3, no name and no room.
    visit(page, f"/c/{a}/requests/")
    body = page.locator("main").inner_text()
    assert "维保单位已更换控制板" in body and "居民李" not in body and "301" not in body


#: the history of the department journey, as the page shows it in Chinese: every hand-over
DEPARTMENT_HISTORY = [
    "已提交",  # reported by the resident
    "已受理",  # the committee has called the resident
    "诉求已提交街道",  # 街道吹哨
    "诉求已交职能部门办理",  # 部门报到
    "部门已受理",
    "已办理",  # resolved by the department
    "已记录回访",  # the worker's call-back: 基本满意
    "已办结",
]


def test_report_escalate_department_resolves_call_back(committed_db, contexts, live_server, tmp_path):
    """接诉即办 end to end: report with a photo → accept → escalate → the street dispatches to a
    department → the department takes it up and resolves it → the call-back records 基本满意 →
    closed, with every hand-over in its history (→ the month's figures change: see the end)."""
    world = Factory(committed_db.session).world()
    committed_db.session.commit()
    a, department = world.a.slug, world.department
    page = contexts.new_page()
    visit(page, f"{live_server}/c/{a}/evaluation/records?figure=response")  # this month: no request yet
    assert page.locator("li.record").count() == 0
    request_id = report_with_photo(page, live_server, a, tmp_path)
    take_up_and_escalate(page, live_server, a, request_id)

    # The street hands it to its department (部门报到).
    street_step(page, live_server, world.street.slug, request_id, "dispatch", department=str(department.id), note="请城管科处理")

    # The department's member finds it on the department's page, takes it up and resolves it.
    login(page, live_server, world.department_member.username)
    visit(page, "/manage/")
    assert page.url.endswith(f"/manage/departments/{department.id}/requests/")
    press(page, f'main a[href="/requests/{request_id}"]')
    check_axe(page)
    step(page, request_id, "accept", note="已到现场查看")
    step(page, request_id, "resolve", note="城管科已督促维保单位更换控制板")
    assert page.locator(f'form[action$="/requests/{request_id}/resolve"]').count() == 0
    logout(page)

    # The community's worker calls the resident back (基本满意) and closes it.
    login(page, live_server, "worker")
    visit(page, f"/requests/{request_id}")
    call_back(page, request_id, "回访：电梯已修好，基本满意")
    step(page, request_id, "close")
    history = [item.split(" · ")[1] for item in page.locator("ol.timeline li").all_inner_texts()]
    assert history == DEPARTMENT_HISTORY
    held_by = page.locator("table tbody tr td:first-child").all_inner_texts()
    assert held_by == ["居委会", "街道", department.name]
    logout(page)

    committed_db.session.rollback()  # see what the live server committed
    request = committed_db.session.scalar(sa.select(Request).where(Request.id == request_id))
    assert (request.status, request.satisfaction, request.solved) == ("closed", "basically", True)
    assert (request.resolved_by_id, request.called_back_by_id) == (world.department_member.id, world.worker.id)

    # The resident, on the phone, sees it closed with what was done and every step.
    login(page, live_server, "resident")
    visit(page, "/me/requests")
    press(page, f'main a[href="/requests/{request_id}"]')
    check_axe(page)
    check_no_sideways_scroll(page)
    assert "已办结" in page.locator("p.meta").inner_text()
    assert "城管科已督促维保单位更换控制板" in page.locator("main").inner_text()
    assert len(page.locator("ol.timeline li").all_inner_texts()) == len(DEPARTMENT_HISTORY)

    # --- The month's figures change: the request counts in world.a's 响应率, 解决率 and 满意率 ----
    for figure, shown in (("response", "已办结"), ("resolution", "已办结"), ("satisfaction", "基本满意")):
        visit(page, f"/c/{a}/evaluation/records?figure={figure}")
        records = page.locator("li.record")
        assert records.count() == 1, figure
        assert f"#{request_id}" in records.first.inner_text() and shown in records.first.inner_text()
        assert "居民李" not in page.locator("main").inner_text()  # never who reported or answered
    check_axe(page)
    visit(page, f"/c/{a}/evaluation/")
    this_month = page.locator("table").first.locator("tbody tr").last.inner_text()
    assert this_month.count("1/1") == 3  # answered in time, solved in time, satisfied: each 1 of 1


def test_reporting_works_without_javascript(committed_db, nojs_page, live_server):
    world = Factory(committed_db.session).world()
    committed_db.session.commit()
    login(nojs_page, live_server, "resident")
    nojs_page.goto(f"{live_server}/c/{world.a.slug}/requests/new")
    nojs_page.select_option('select[name="category"]', "noise")
    nojs_page.fill('textarea[name="description"]', "楼上夜里装修。")
    press(nojs_page, 'main form button[type="submit"]')
    assert "/requests/" in nojs_page.url and "/new" not in nojs_page.url
