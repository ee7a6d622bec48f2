"""In Chromium on a phone: a worker creates an activity, a party member signs up, reads the code
off the kiosk and enters it, the worker confirms the minutes, the record shows them and its
verify address shows the same. axe-core on every page."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from consult.core import clock
from tests.e2e.conftest import check_axe, login, logout, press, visit
from tests.factories import Factory

pytestmark = pytest.mark.browser


def test_activity_signup_checkin_minutes_record_verify(committed_db, contexts, live_server):
    start = datetime.now(UTC).replace(microsecond=0)
    clock.set_now(start)
    world = Factory(committed_db.session).world()
    committed_db.session.commit()
    a = world.a.slug
    page = contexts.new_page()

    # The worker creates an activity starting in 15 minutes, for an hour and a half.
    login(page, live_server, "worker")
    visit(page, f"/manage/c/{a}/activities/new")
    begins = clock.local_now().replace(tzinfo=None) + timedelta(minutes=15)
    page.fill('input[name="title"]', "楼道清理志愿服务")
    page.fill('textarea[name="description"]', "清理楼道堆放的杂物。")
    page.fill('input[name="starts_at"]', begins.strftime("%Y-%m-%dT%H:%M"))
    page.fill('input[name="ends_at"]', (begins + timedelta(minutes=90)).strftime("%Y-%m-%dT%H:%M"))
    page.fill('input[name="place"]', "5号楼")
    page.fill('input[name="capacity"]', "10")
    press(page, 'main form button[type="submit"]')
    check_axe(page)
    activity_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    logout(page)

    # The party member signs up.
    login(page, live_server, "party")
    visit(page, f"/activities/{activity_id}")
    press(page, f'form[action="/activities/{activity_id}/signup"] button')
    logout(page)

    # The kiosk shows the code; the party member types it in on their phone.
    login(page, live_server, "worker")
    visit(page, f"/activities/{activity_id}/kiosk")
    code = page.locator("#kiosk-code").inner_text().strip()
    assert len(code) == 6 and code.isdigit()
    logout(page)
    phone = contexts.new_page()
    login(phone, live_server, "party")
    visit(phone, f"/activities/{activity_id}/checkin")
    phone.fill('input[name="code"]', code)
    press(phone, f'form[action="/activities/{activity_id}/checkin"] button[type="submit"]')
    # The failure page is /activities/<id>/checkin: only the activity's own page means success.
    assert phone.url.split("?")[0].endswith(f"/activities/{activity_id}")
    assert re.search(r"已于 \d\d:\d\d 签到|Checked in at \d\d:\d\d", phone.locator("main").inner_text())
    check_axe(phone)

    # After the activity the worker confirms the minutes (pre-filled from check-in, capped).
    clock.set_now(start + timedelta(hours=3))
    login(page, live_server, "worker")
    visit(page, f"/manage/c/{a}/activities/{activity_id}/")
    minutes = page.locator('input[name="minutes"]')
    assert minutes.input_value() == "90"
    minutes.fill("85")
    press(page, 'form[action*="/attendance/"] button[type="submit"]')
    logout(page)

    # The record shows them; issued as a document, its verify address shows the same.
    visit(phone, "/me/record")
    assert "楼道清理志愿服务" in phone.locator("main").inner_text()
    assert phone.locator("td.num", has_text="85").count() >= 1
    press(phone, 'form[action="/me/record"][method="post"] button')
    assert "/documents/SR-" in phone.url
    check_axe(phone)
    verify = phone.locator("figcaption .url").inner_text().strip()
    visitor = contexts.new_page()
    visit(visitor, verify)
    text = visitor.locator("main").inner_text()
    assert "楼道清理志愿服务" in text and "85" in text
    clock.set_now(None)
