"""In Chromium: the committee's worker publishes a rainstorm warning for a grid; a resident sees
it on top of the page on a 375 px phone and taps "I know" (JavaScript off: a plain form); the grid
worker records a visit for the neighbour who has not; the committee's board shows 100 %.
axe-core on every page, in Chinese and in English."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from consult.core.clock import local_now
from consult.safety.notice_models import Notice, NoticeAcknowledgement
from tests.e2e.conftest import check_axe, check_no_sideways_scroll, login, logout, switch_language, visit
from tests.factories import Factory

pytestmark = pytest.mark.browser


def press(page, selector):
    with page.expect_navigation():
        page.locator(selector).first.click()
    check_axe(page)


def test_warning_acknowledged_visited_and_followed_to_100_percent(committed_db, contexts, live_server):
    factory = Factory(committed_db.session)
    world = factory.world()
    factory.resident(world.a, username="neighbour", display_name="邻居孙", building="3", unit="1", room="101")
    committed_db.session.commit()
    slug = world.a.slug

    page = contexts.new_page()
    login(page, live_server, "worker")
    visit(page, f"/manage/c/{slug}/notices/")
    form = page.locator(f'form[action="/manage/c/{slug}/notices/"]')
    form.locator('select[name="level"]').select_option("yellow")
    form.locator('input[name="title"]').fill("暴雨黄色预警")
    form.locator('textarea[name="what_to_do"]').fill("今晚有暴雨，请不要进入地下车库，把电动车推到高处。")
    form.locator('input[name="ends_at"]').fill((local_now() + timedelta(hours=12)).strftime("%Y-%m-%dT%H:%M"))
    form.locator(f'input[name="grids"][value="{world.grid.id}"]').check()
    press(page, f'form[action="/manage/c/{slug}/notices/"] button[type="submit"]')
    committed_db.session.rollback()
    notice = committed_db.session.scalar(sa.select(Notice))
    assert notice.recipients == 2 and "/manage/notices/" in page.url
    assert "0 %" in page.locator("#communities-caption").locator("xpath=..").inner_text()
    logout(page)

    phone = contexts.new_page(java_script_enabled=False)  # one tap works without JavaScript
    login(phone, live_server, "resident")
    banner = phone.locator(".urgent-notice")
    assert "暴雨黄色预警" in banner.inner_text()
    assert phone.viewport_size["width"] == 375
    check_no_sideways_scroll(phone)
    with phone.expect_navigation():
        banner.locator('button[type="submit"]').click()
    assert phone.locator(".urgent-notice").count() == 0 and "居委会已看到您已知晓" in phone.content()
    committed_db.session.rollback()
    assert committed_db.session.scalar(sa.select(sa.func.count()).select_from(NoticeAcknowledgement)) == 1

    login(page, live_server, "gridworker")
    visit(page, f"/manage/grids/{world.grid.id}/")
    press(page, f'a[href="/manage/notices/{notice.id}/"]')
    visit(page, f"/manage/notices/{notice.id}/print")
    visit(page, f"/manage/notices/{notice.id}/")
    row = page.locator("tr", has_text="邻居孙")
    row.locator('select[name="outcome"]').select_option("reached")
    row.locator('input[name="note"]').fill("已当面告知")
    with page.expect_navigation():
        row.locator('button[type="submit"]').click()
    check_axe(page)
    logout(page)

    login(page, live_server, "worker")
    visit(page, f"/manage/notices/{notice.id}/")
    assert "100 %" in page.locator("table", has=page.locator("#communities-caption")).inner_text()
    switch_language(page, "en")
    for url in (
        f"/manage/notices/{notice.id}/",
        f"/manage/c/{slug}/notices/",
        f"/notices/{notice.id}",
        f"/manage/notices/{notice.id}/print",
    ):
        visit(page, url)
    assert "Acknowledged" in page.content() or "acknowledged" in page.content()
