"""Kiosk pages over HTTP: registering a terminal, its cookie, the PIN log-in and its refusals, the idle
log-out on the server, no-store, the committee's PIN page; bad input: clear message, right status,
nothing written."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from consult.accounts.models import UserSession
from consult.kiosk import pins, services
from consult.kiosk.mode import KIOSK_COOKIE
from consult.kiosk.models import Kiosk, KioskPin
from consult.requests.models import Request
from tests import hostile
from tests.test_registry import database_rows

PIN = "246810"


def manage_url(world) -> str:
    return f"/manage/c/{world.a.slug}/kiosks/"


def register(client, world, name="服务大厅一号机"):
    """The worker registers the terminal this client is: returns the response."""
    client.login(world.worker)
    return client.post(manage_url(world), {"name": name}, token_from=manage_url(world))


def kiosk_client(client, world):
    """A client that is a registered kiosk, nobody logged in; the resident has PIN 246810."""
    register(client, world)
    pins.set_pin(world.worker, world.a, world.resident, PIN)
    return client


def pin_login(client, username="resident", pin=PIN, **extra):
    return client.post("/kiosk/login", {"username": username, "pin": pin, **extra}, token_from="/kiosk/login")


def test_registering_sets_a_strict_long_lived_cookie_and_logs_the_worker_out(db, world, client):
    sent = register(client, world)
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/kiosk/")
    header = next(h for h in sent.headers.getlist("Set-Cookie") if h.startswith(KIOSK_COOKIE))
    assert "HttpOnly" in header and "SameSite=Strict" in header and "Max-Age=34560000" in header
    assert "Secure" not in header  # plain http in tests; Secure when https (REMEMBER_COOKIE_SECURE or the request)
    token = client.raw.get_cookie(KIOSK_COOKIE).value
    kiosk = db.session.scalar(sa.select(Kiosk))
    assert kiosk.token_hash == services.hash_token(token) and kiosk.name == "服务大厅一号机"
    assert db.session.scalar(sa.select(UserSession.end_reason).where(UserSession.user_id == world.worker.id)) == "logout"
    home = client.get("/kiosk/")
    assert home.status_code == 200 and "服务清单" in home.get_data(as_text=True)
    assert home.headers["Cache-Control"] == "no-store"
    assert 'class="kiosk-bar"' in home.get_data(as_text=True) and "kiosk.css" in home.get_data(as_text=True)


def test_an_empty_name_registers_nothing(db, world, client):
    client.login(world.worker)
    db.session.commit()
    before = database_rows(db.session)
    sent = client.post(manage_url(world), {"name": " "}, token_from=manage_url(world))
    assert sent.status_code == 400 and "起个名字" in sent.get_data(as_text=True)
    assert client.raw.get_cookie(KIOSK_COOKIE) is None
    assert database_rows(db.session) == before


def test_kiosk_pages_refuse_a_device_that_is_not_a_kiosk(db, world, client):
    for url in ("/kiosk/", "/kiosk/login", "/kiosk/report"):
        page = client.get(url)
        assert page.status_code == 403 and "不是登记的一体机" in page.get_data(as_text=True)


def test_a_revoked_kiosk_is_refused_its_cookie_cleared_and_its_session_ended(db, world, client):
    kiosk_client(client, world)
    assert pin_login(client).status_code == 302
    kiosk = db.session.scalar(sa.select(Kiosk))
    services.revoke_kiosk(world.worker, kiosk)
    page = client.get("/kiosk/")
    assert page.status_code == 403 and "已被居委会撤销" in page.get_data(as_text=True)
    assert any(h.startswith(f"{KIOSK_COOKIE}=;") for h in page.headers.getlist("Set-Cookie"))
    assert client.raw.get_cookie(KIOSK_COOKIE) is None
    row = db.session.scalar(sa.select(UserSession).where(UserSession.user_id == world.resident.id))
    assert row.end_reason == "logout"
    assert client.get("/me/points").status_code == 302


def test_pin_log_in_and_log_out(db, world, client):
    kiosk_client(client, world)
    sent = pin_login(client, next="/me/points")
    assert sent.status_code == 302 and sent.headers["Location"] == "/me/points"
    page = client.get("/me/points")
    assert page.status_code == 200 and "居民李" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store" and "kiosk-countdown" in page.get_data(as_text=True)
    out = client.post("/kiosk/logout", token_from="/kiosk/")
    assert out.status_code == 302
    home = client.get("/kiosk/").get_data(as_text=True)
    assert "居民李" not in home and "一体机上不会留下您的任何信息" in home
    assert client.get("/me/points").status_code == 302


def test_a_wrong_pin_says_how_many_tries_are_left_and_the_fifth_locks(db, world, client):
    kiosk_client(client, world)
    for left in (4, 3, 2, 1):
        wrong = pin_login(client, pin="135790")
        assert wrong.status_code == 401 and f"还可以再试 {left} 次" in wrong.get_data(as_text=True)
    locked = pin_login(client, pin="135790")
    assert locked.status_code == 423 and "已锁定" in locked.get_data(as_text=True)
    again = pin_login(client)
    assert again.status_code == 423
    assert pins.pin_of(world.resident.id).locked
    assert client.get("/me/points").status_code == 302


def test_a_pin_that_is_not_six_digits_writes_nothing(db, world, client):
    kiosk_client(client, world)
    db.session.commit()
    before = database_rows(db.session)
    for pin in ("12345", "1234567", "12a456", ""):
        sent = pin_login(client, pin=pin)
        assert sent.status_code == 400, pin
    assert "6 位数字" in sent.get_data(as_text=True) or "请输入" in sent.get_data(as_text=True)
    assert database_rows(db.session) == before


def test_guessing_is_rate_limited_per_terminal(db, world, client, app, monkeypatch):
    kiosk_client(client, world)
    monkeypatch.setitem(app.config, "KIOSK_PIN_LIMIT_KIOSK", "3 per 15 minutes")
    for name in ("a1", "a2", "a3"):
        assert pin_login(client, username=name).status_code == 401
    assert pin_login(client, username="a4").status_code == 429


def test_the_server_logs_a_kiosk_session_out_after_the_idle_time(db, world, client, clock):
    kiosk_client(client, world)
    pin_login(client)
    clock.advance(seconds=30)
    assert client.get("/me/points").status_code == 200  # a request starts the 60 s again
    clock.advance(seconds=59)
    assert client.get("/me/points").status_code == 200
    clock.advance(seconds=61)
    back = client.get("/me/points")
    assert back.status_code == 302 and "/kiosk/login" in client.get(back.headers["Location"]).headers.get(
        "Location", "/kiosk/login"
    )
    page = client.get("/kiosk/").get_data(as_text=True)
    assert "居民李" not in page


def test_the_password_pages_lead_to_the_pin_log_in_on_a_kiosk(db, world, client):
    register(client, world)
    for url in ("/auth/login", "/auth/reset", "/auth/register"):
        sent = client.get(url)
        assert sent.status_code == 302 and "/kiosk/login" in sent.headers["Location"]


def test_a_staff_account_cannot_log_in_at_a_kiosk(db, world, client):
    kiosk_client(client, world)
    db.session.add(KioskPin(user_id=world.worker.id, pin_hash=pins.generate_password_hash(PIN), set_by_id=world.street_admin.id))
    sent = pin_login(client, username="worker")
    assert sent.status_code == 403


def test_reporting_from_the_kiosk_uses_the_kiosk_channel(db, world, client):
    kiosk_client(client, world)
    assert client.get("/kiosk/report").status_code == 302
    pin_login(client)
    form = client.get("/kiosk/report").get_data(as_text=True)
    category = form.split('name="category"')[1].split('value="')[2].split('"')[0]
    sent = client.post("/kiosk/report", {"category": category, "description": "楼道灯坏了"}, token_from="/kiosk/report")
    assert sent.status_code == 302
    request = db.session.scalar(sa.select(Request).order_by(Request.id.desc()))
    assert request.channel == "kiosk" and request.reporter_id == world.resident.id


def test_the_committee_sets_and_unlocks_pins_on_its_page(db, world, login_as):
    worker = login_as(world.worker)
    url = f"/manage/c/{world.a.slug}/kiosks/pins"
    bad = worker.post(url, {"username": "resident", "pin": "123456"}, token_from=manage_url(world))
    assert bad.status_code == 400 and "太容易被猜到" in bad.get_data(as_text=True)
    assert pins.pin_of(world.resident.id) is None
    short = worker.post(url, {"username": "resident", "pin": "2468"}, token_from=manage_url(world))
    assert short.status_code == 400 and pins.pin_of(world.resident.id) is None
    nobody = worker.post(url, {"username": "nobody", "pin": PIN}, token_from=manage_url(world))
    assert nobody.status_code == 404
    assert worker.post(url, {"username": "resident", "pin": PIN}, token_from=manage_url(world)).status_code == 302
    row = pins.pin_of(world.resident.id)
    row.failed_count, row.locked_at = 5, row.set_at
    db.session.commit()
    page = worker.get(manage_url(world)).get_data(as_text=True)
    assert "居民李" in page and "解锁" in page
    sent = worker.post(f"/manage/c/{world.a.slug}/kiosks/pins/{world.resident.id}/unlock", token_from=manage_url(world))
    assert sent.status_code == 302 and not pins.pin_of(world.resident.id).locked


def test_the_committee_revokes_a_kiosk_on_its_page(db, world, login_as):
    kiosk, _token = services.register_kiosk(world.worker, world.a, "大厅")
    worker = login_as(world.worker)
    assert "大厅" in worker.get(manage_url(world)).get_data(as_text=True)
    url = f"/manage/c/{world.a.slug}/kiosks/{kiosk.id}/revoke"
    other = login_as(world.other_worker)
    assert other.post(url, token_from=f"/manage/c/{world.b.slug}/kiosks/").status_code == 403
    worker = login_as(world.worker)
    assert worker.post(url, token_from=manage_url(world)).status_code == 302
    assert db.session.get(Kiosk, kiosk.id).revoked
    assert worker.post(f"/manage/c/{world.b.slug}/kiosks/{kiosk.id}/revoke", token_from=manage_url(world)).status_code == 403


def test_kiosk_mode_has_no_hover_effects():
    static = Path(__file__).resolve().parents[2] / "static" / "css"
    for name in ("site.css", "kiosk.css"):
        assert ":hover" not in (static / name).read_text(), name


def test_kiosk_pages_refuse_hostile_query_values_as_a_kiosk(db, world, client):
    """The property test of every page (tests/core/test_properties.py), here with the kiosk cookie."""
    kiosk_client(client, world)
    for logged_in in (False, True):
        if logged_in:
            pin_login(client)
        for url in ("/kiosk/", "/kiosk/login", "/kiosk/report"):
            for value in hostile.NUL_VALUES[:2]:
                path, query = hostile.with_query(url, {name: value for name in hostile.QUERY_NAMES})
                assert client.get(path, query_string=query).status_code == 400, (url, value)
            for value in hostile.BIG_NUMBERS + hostile.ODD_TEXT:
                path, query = hostile.with_query(url, {name: value for name in hostile.QUERY_NAMES})
                assert client.get(path, query_string=query).status_code < 500, (url, value)


def test_an_unknown_kiosk_token_is_refused_and_cleared(db, world, client):
    client.raw.set_cookie(KIOSK_COOKIE, "made-up-token")
    page = client.get("/kiosk/")
    assert page.status_code == 403 and "不是登记的一体机" in page.get_data(as_text=True)
    assert client.raw.get_cookie(KIOSK_COOKIE) is None


def test_the_audit_log_tells_what_was_done_and_never_the_pin(db, world, login_as):
    kiosk, _token = services.register_kiosk(world.worker, world.a, "服务大厅一号机")
    services.revoke_kiosk(world.worker, kiosk)
    pins.set_pin(world.worker, world.a, world.resident, PIN)
    page = login_as(world.worker).get(f"/manage/c/{world.a.slug}/audit").get_data(as_text=True)
    assert "登记了一体机服务大厅一号机" in page and "撤销了一体机服务大厅一号机" in page
    assert "设置了居民李的一体机密码" in page and PIN not in page
