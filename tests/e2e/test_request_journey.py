"""In Chromium on a phone: a resident reports a broken lift with a photo; the worker takes it up and
passes it to the street; the street sends it back with what to do; the worker resolves it and records
the call-back (回访, 基本满意); the public list shows it resolved without the resident's name or room.
axe-core on every page."""

import pytest
import sqlalchemy as sa
from PIL import Image

from consult.requests.models import Request
from tests.e2e.conftest import check_axe, check_no_sideways_scroll, login, logout
from tests.factories import Factory

pytestmark = pytest.mark.browser


def visit(page, url):
    page.goto(url)
    check_axe(page)
    check_no_sideways_scroll(page)


def press(page, selector):
    with page.expect_navigation():
        page.locator(selector).first.click()


def step(page, request_id: int, action: str, **fields):
    form = page.locator(f'form[action$="/requests/{request_id}/{action}"]')
    for name, value in fields.items():
        form.locator(f'[name="{name}"]').fill(value)
    with page.expect_navigation():
        form.locator('button[type="submit"]').click()
    check_axe(page)


def test_report_escalate_send_back_resolve_call_back(committed_db, contexts, live_server, tmp_path):
    world = Factory(committed_db.session).world()
    committed_db.session.commit()
    a = world.a.slug
    photo = tmp_path / "lift.jpg"
    Image.new("RGB", (320, 240), "steelblue").save(photo, format="JPEG")
    page = contexts.new_page()

    # The resident reports it, with a photo.
    login(page, live_server, "resident")
    visit(page, f"/c/{a}/requests/new")
    page.select_option('select[name="category"]', "repairs")
    page.fill('textarea[name="description"]', "3号楼2单元电梯停在5楼不动了。")
    page.fill('input[name="building"]', "3")
    page.fill('input[name="unit"]', "2")
    page.fill('input[name="place"]', "301室门口")
    page.set_input_files('input[name="photos"]', str(photo))
    press(page, 'main form button[type="submit"]')
    check_axe(page)
    request_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    assert page.locator("img.request-photo").count() == 1
    logout(page)

    # The worker takes it up and passes it to the street.
    login(page, live_server, "worker")
    visit(page, f"/manage/c/{a}/requests/")
    press(page, f'a[href="/requests/{request_id}"]')
    check_axe(page)
    step(page, request_id, "accept", note="已电话联系居民")
    step(page, request_id, "escalate", note="需要街道协调电梯维保单位")
    logout(page)

    # The street sees it and sends it back with what to do.
    login(page, live_server, "street")
    visit(page, f"/manage/streets/{world.street.slug}/requests/")
    press(page, f'a[href="/requests/{request_id}"]')
    step(page, request_id, "send_back", note="已联系维保单位，请社区跟进")
    logout(page)

    # The worker resolves it and records the call-back: solved, 基本满意.
    login(page, live_server, "worker")
    visit(page, f"/requests/{request_id}")
    step(page, request_id, "resolve", note="维保单位已更换控制板")
    form = page.locator(f'form[action$="/requests/{request_id}/call_back"]')
    form.locator('input[name="solved"][value="yes"]').check()
    form.locator('input[name="level"][value="basically"]').check()
    form.locator('textarea[name="note"]').fill("回访：已解决，基本满意")
    with page.expect_navigation():
        form.locator('button[type="submit"]').click()
    check_axe(page)
    logout(page)

    committed_db.session.rollback()  # see what the live server committed
    request = committed_db.session.scalar(sa.select(Request).where(Request.id == request_id))
    assert (request.status, request.satisfaction, request.solved) == ("confirmed", "basically", True)

    # The public list: resolved, building 3, no name and no room.
    visit(page, f"/c/{a}/requests/")
    body = page.locator("main").inner_text()
    assert "维保单位已更换控制板" in body and "居民李" not in body and "301" not in body


def test_reporting_works_without_javascript(committed_db, nojs_page, live_server):
    world = Factory(committed_db.session).world()
    committed_db.session.commit()
    login(nojs_page, live_server, "resident")
    nojs_page.goto(f"{live_server}/c/{world.a.slug}/requests/new")
    nojs_page.select_option('select[name="category"]', "noise")
    nojs_page.fill('textarea[name="description"]', "楼上夜里装修。")
    press(nojs_page, 'main form button[type="submit"]')
    assert "/requests/" in nojs_page.url and "/new" not in nojs_page.url
