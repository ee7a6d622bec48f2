"""In Chromium on a 375 px phone: a resident books a slot from the service's page, sees it in their
appointments, cancels it and books again; after the slot the provider marks them attended on the
board; the resident rates the service once. axe-core clean on each new page, in Chinese and English."""

from datetime import timedelta

import pytest

from consult.core import clock
from tests.e2e.conftest import check_axe, check_no_sideways_scroll, login, logout, press, switch_language, visit
from tests.factories import Factory
from tests.offerings.appointment_helpers import at, slot as make_slot

pytestmark = pytest.mark.browser


def test_book_cancel_attend_and_rate_on_a_phone(committed_db, contexts, live_server):
    clock.set_now(at(0, 7) - timedelta(days=0))
    world = Factory(committed_db.session).world()
    slot = make_slot(world, capacity=2)
    committed_db.session.commit()
    service_url, board_url = f"/services/{slot.service_id}", f"/manage/services/{slot.service_id}/slots?day={at(1, 9).date()}"
    page = contexts.new_page()

    login(page, live_server, "resident")
    visit(page, service_url)
    press(page, f'form[action="/slots/{slot.id}/book"] button')
    assert page.url.endswith("/me/appointments")
    check_axe(page)
    check_no_sideways_scroll(page)
    assert "上门理发" in page.locator("main").inner_text()
    press(page, 'form[action$="/cancel"] button')
    assert "已取消" in page.locator("main").inner_text()
    visit(page, service_url)
    press(page, f'form[action="/slots/{slot.id}/book"] button')
    switch_language(page, "en")
    visit(page, "/me/appointments")
    visit(page, service_url)
    switch_language(page, "zh")
    logout(page)

    # After the slot the provider records that the resident came.
    clock.set_now(at(1, 10, 5))
    login(page, live_server, "provider")
    visit(page, board_url)
    assert "居民李" in page.locator("main").inner_text()
    press(page, 'form[action$="/attended"] button')
    check_axe(page)
    switch_language(page, "en")
    visit(page, board_url)
    switch_language(page, "zh")
    logout(page)

    # The resident rates the service, once.
    login(page, live_server, "resident")
    visit(page, "/me/appointments")
    page.locator('input[name="level"][value="satisfied"]').check()
    press(page, 'form[action$="/rate"] button[type="submit"]')
    text = page.locator("main").inner_text()
    assert "您的评价" in text and page.locator('form[action$="/rate"]').count() == 0
    check_axe(page)
    visit(page, service_url)
    assert "100%" in page.locator("main").inner_text()
    clock.set_now(None)
