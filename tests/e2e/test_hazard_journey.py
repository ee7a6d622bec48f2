"""In Chromium on a 375 px phone: the grid worker inspects their grid and a failed item opens a
hazard in one step; the committee's worker starts fixing it and marks it fixed, the street's admin
(another member of the committee) checks it; the public safety page counts it as checked, without
its place. axe-core on every page, in Chinese and in English."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from consult.core.clock import local_now
from consult.safety import stations
from consult.safety.hazard_models import Hazard
from tests.e2e.conftest import check_axe, check_no_sideways_scroll, login, logout, switch_language
from tests.factories import Factory

pytestmark = pytest.mark.browser


def visit(page, url):
    page.goto(url)
    check_axe(page, url)
    check_no_sideways_scroll(page)


def press(page, form_selector: str, button: str = 'button[type="submit"]'):
    with page.expect_navigation():
        page.locator(form_selector).first.locator(button).first.click()
    check_axe(page, page.url)
    check_no_sideways_scroll(page)


def test_inspect_open_fix_check_and_count(committed_db, contexts, live_server):
    world = Factory(committed_db.session).world()
    stations.add_point(world.worker, world.a, name="社区应急服务站", place="居委会一楼", opening="24小时",
                       open_at_night=True, keeper_name="李师傅", keeper_phone="010-62001111", counts={"aed": 1})  # fmt: skip
    committed_db.session.commit()
    a, grid = world.a.slug, world.grid
    page = contexts.new_page()

    # The grid worker walks building 3 and finds e-bikes charging in the stairwell.
    login(page, live_server, "gridworker")
    visit(page, f"{live_server}/manage/grids/{grid.id}/")
    with page.expect_navigation():
        page.locator(f'a[href="/manage/grids/{grid.id}/inspections/"]').click()
    check_axe(page)
    form = page.locator(f'form[action="/manage/grids/{grid.id}/inspections/"]')
    form.locator('input[name="building"]').fill("3")
    form.locator('input[name="item_no_ebike_in_stairwell"][value="fail"]').check()
    press(page, f'form[action="/manage/grids/{grid.id}/inspections/"]')
    assert "/manage/inspections/" in page.url

    # One step: the failed item becomes a hazard.
    item = page.locator('section[id="open-no_ebike_in_stairwell"] form')
    item.locator('input[name="no_ebike_in_stairwell-severity"][value="high"]').check()
    item.locator('input[name="no_ebike_in_stairwell-place"]').fill("2单元一楼楼道")
    item.locator('textarea[name="no_ebike_in_stairwell-description"]').fill("三辆电动车在楼道充电")
    item.locator('input[name="no_ebike_in_stairwell-owner_name"]').fill("物业服务中心")
    item.locator('input[name="no_ebike_in_stairwell-due_on"]').fill((local_now().date() + timedelta(days=3)).isoformat())
    press(page, 'section[id="open-no_ebike_in_stairwell"] form')
    hazard_url = page.url
    assert "/manage/hazards/" in hazard_url and "待整改" in page.locator("main").inner_text()
    switch_language(page, "en")
    check_axe(page, "hazard (en)")
    visit(page, f"{live_server}/manage/grids/{grid.id}/inspections/")
    switch_language(page, "zh")
    logout(page)

    # The committee's worker finds it in the ledger, starts fixing and marks it fixed.
    login(page, live_server, "worker")
    visit(page, f"{live_server}/manage/c/{a}/hazards/")
    assert "2单元一楼楼道" in page.locator("main").inner_text()
    visit(page, hazard_url)
    press(page, 'form[action$="/steps/start"]')
    press(page, 'form[action$="/steps/fix"]')
    assert page.locator('form[action$="/steps/check"]').count() == 0  # never one's own fix
    visit(page, f"{live_server}/manage/c/{a}/emergency-points/")
    switch_language(page, "en")
    visit(page, f"{live_server}/manage/c/{a}/hazards/")
    visit(page, f"{live_server}/manage/c/{a}/emergency-points/")
    switch_language(page, "zh")
    logout(page)

    # The street's admin (on the committee's pages) checks it.
    login(page, live_server, "street")
    visit(page, hazard_url)
    press(page, 'form[action$="/steps/check"]')
    assert "已复查" in page.locator("main").inner_text()
    logout(page)

    committed_db.session.rollback()  # see what the live server committed
    hazard = committed_db.session.scalar(sa.select(Hazard))
    assert (hazard.status, hazard.fixed_by_id, hazard.checked_by_id) == ("checked", world.worker.id, world.street_admin.id)

    # The public page counts it as checked, without saying where.
    visit(page, f"{live_server}/c/{a}/safety/")
    row = page.locator("tbody tr", has_text="电动车").inner_text()
    assert row.split()[-4:] == ["0", "0", "0", "1"]
    body = page.locator("main").inner_text()
    assert "2单元一楼楼道" not in body and "社区应急服务站" in body and "010-62001111" in body
    switch_language(page, "en")
    check_axe(page, "public safety page (en)")
