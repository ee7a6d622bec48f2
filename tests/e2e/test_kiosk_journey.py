"""In Chromium on a 1080×1920 portrait kiosk: the worker registers the terminal from the committee's
page; a resident logs in with the on-screen number pad, opens my points; the kiosk logs them out
after the idle time (2 s here) with its countdown; the next person sees nothing of the first, the
back button included. axe-core on every kiosk page, in Chinese and in English; targets ≥ 64 px."""

from urllib.parse import urlsplit

import pytest

from consult.kiosk import pins
from tests.e2e.conftest import check_axe, login, press
from tests.factories import Factory

pytestmark = pytest.mark.browser
KIOSK = {"width": 1080, "height": 1920}
PIN = "246810"


def check_targets(page) -> None:
    """Every visible link, button and field of the kiosk page is at least 64 px tall and wide."""
    small = page.evaluate(
        """() => [...document.querySelectorAll('header a, header button, main a, main button, main input, main select, textarea')]
            .filter(e => e.offsetParent !== null && e.type !== 'hidden' && e.type !== 'checkbox')
            .map(e => [e.outerHTML.slice(0, 80), e.getBoundingClientRect()])
            .filter(([html, r]) => r.height < 64 || r.width < 64)
            .map(([html, r]) => html + ' ' + Math.round(r.width) + 'x' + Math.round(r.height))"""
    )
    assert not small, f"targets under 64 px on {page.url}: {small}"


def test_kiosk_journey(contexts, live_server, committed_db, app):
    world = Factory(committed_db.session).world()
    pins.set_pin(world.worker, world.a, world.resident, PIN)
    committed_db.session.commit()
    page = contexts.new_page(viewport=KIOSK)

    # The committee registers this terminal; the worker is logged out of it.
    login(page, live_server, "worker")
    page.goto(f"/manage/c/{world.a.slug}/kiosks/")
    check_axe(page)
    page.fill("#card-username", "party")
    press(page, 'form[action$="/kiosks/cards"] button[type="submit"]')
    check_axe(page, "a printed sign-in card")
    page.goto(f"/manage/c/{world.a.slug}/kiosks/")
    page.fill('input[name="name"]', "服务大厅一号机")
    press(page, 'form[action$="/kiosks/"] button[type="submit"]')
    assert page.url.endswith("/kiosk/") and "这台终端现在是" in page.content()
    assert "社区工作者" not in page.locator("header").inner_text()
    check_axe(page, "kiosk home, zh")
    check_targets(page)

    # A resident logs in with the number pad (no keyboard for the PIN).
    press(page, "header a.kiosk-login-link")
    pad = page.locator(".kiosk-pad")
    assert pad.is_visible()
    check_axe(page, "kiosk log-in, zh")
    check_targets(page)
    page.fill('input[name="username"]', "resident")
    for digit in "2468":
        pad.locator(f'button[data-digit="{digit}"]').click()
    pad.locator('button[data-pad="back"]').click()
    for digit in "810":
        pad.locator(f'button[data-digit="{digit}"]').click()
    assert page.input_value('input[name="pin"]') == PIN  # 2468, delete, 810
    press(page, ".kiosk-login button.kiosk-submit")
    assert "居民李" in page.locator("header").inner_text()
    assert page.locator(".kiosk-countdown").is_visible()
    check_axe(page, "kiosk home logged in, zh")

    # My points and record.
    press(page, 'main a[href="/me/points"]')
    assert page.url.endswith("/me/points")
    check_axe(page, "my points in kiosk mode")
    check_targets(page)

    # Idle: the countdown runs out and logs the person out (the server would too).
    idle, app.config["KIOSK_IDLE_SECONDS"] = app.config["KIOSK_IDLE_SECONDS"], 2
    try:
        page.reload()
        assert page.locator(".kiosk-seconds").inner_text() in ("2", "1")
        page.wait_for_url("**/kiosk/", timeout=10_000)
    finally:
        app.config["KIOSK_IDLE_SECONDS"] = idle
    assert "居民李" not in page.content() and "一体机上不会留下您的任何信息" in page.content()
    assert page.locator(".kiosk-countdown").count() == 0

    # The next person: nothing of the first, not even behind the back button.
    page.go_back()
    page.wait_for_load_state()
    assert "居民李" not in page.content() and urlsplit(page.url).path == "/kiosk/login"  # the log-in, not my points
    press(page, "header a.kiosk-home-link")
    press(page, "header a.kiosk-login-link")
    assert page.input_value('input[name="username"]') == "" and page.input_value('input[name="pin"]') == ""

    # A wrong PIN says how many tries are left; the page stays clean in English too.
    page.fill('input[name="username"]', "resident")
    page.fill('input[name="pin"]', "135790")
    press(page, ".kiosk-login button.kiosk-submit")
    assert "还可以再试 4 次" in page.content()
    check_axe(page, "wrong PIN, zh")
    press(page, 'header form.kiosk-lang button[name="lang"]')
    assert page.locator("html").get_attribute("lang") == "en"
    check_axe(page, "kiosk log-in, en")
    press(page, "header a.kiosk-home-link")
    check_axe(page, "kiosk home, en")
    check_targets(page)


def test_kiosk_without_javascript(contexts, live_server, committed_db, app):
    """No JavaScript: the PIN is typed in the numeric field (the pad, countdown and read aloud stay
    hidden), and the server alone logs the person out after the idle time."""
    world = Factory(committed_db.session).world()
    pins.set_pin(world.worker, world.a, world.resident, PIN)
    committed_db.session.commit()
    page = contexts.new_page(viewport=KIOSK, java_script_enabled=False)
    login(page, live_server, "worker")
    page.goto(f"/manage/c/{world.a.slug}/kiosks/")
    page.fill("#card-username", "resident")  # a sign-in card for later
    press(page, 'form[action$="/kiosks/cards"] button[type="submit"]')
    code = page.locator(".qr figcaption strong").inner_text()
    page.goto(f"/manage/c/{world.a.slug}/kiosks/")
    page.fill('input[name="name"]', "服务大厅二号机")
    press(page, 'form[action$="/kiosks/"] button[type="submit"]')
    press(page, "header a.kiosk-login-link")
    assert not page.locator(".kiosk-pad").is_visible() and not page.locator(".kiosk-read-aloud").is_visible()
    assert page.get_attribute('input[name="pin"]', "inputmode") == "numeric"
    page.fill('input[name="username"]', "resident")
    page.fill('input[name="pin"]', PIN)
    press(page, ".kiosk-login button.kiosk-submit")
    assert "居民李" in page.locator("header").inner_text() and not page.locator(".kiosk-countdown").is_visible()
    idle, app.config["KIOSK_IDLE_SECONDS"] = app.config["KIOSK_IDLE_SECONDS"], 1
    try:
        page.reload()
        page.wait_for_timeout(2_500)
        page.goto("/me/points")
    finally:
        app.config["KIOSK_IDLE_SECONDS"] = idle
    assert urlsplit(page.url).path == "/kiosk/login" and "居民李" not in page.content()
    assert "1 秒无操作，已自动退出" in page.content()

    # The next person logs in with a printed sign-in card (its code, as a scanner types it).
    page.fill('input[name="code"]', code)
    press(page, 'form[action="/kiosk/card"] button[type="submit"]')
    assert "居民李" in page.locator("header").inner_text()
