"""Shared services: clock, notifications, audit, tick, health, configuration, error pages."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import g, request

from consult import create_app
from consult.activities import services as activities
from consult.config import ProductionConfig
from consult.core import clock as clock_module
from consult.core.cli import run_tick
from consult.core.notifications import N_, Notification, notify, unread_count
from consult.core.registries import tick_jobs
from consult.evaluation.models import MonthlyResult, StreetRanking
from consult.topics.models import TopicStatus


def test_clock_is_aware_utc_and_can_be_frozen(app_ctx, clock):
    moment = clock.set(2026, 1, 31, 16, 30)
    assert clock_module.now() == moment and clock_module.now().tzinfo is not None
    assert clock_module.local_now().strftime("%Y-%m-%d %H:%M") == "2026-02-01 00:30"  # Asia/Shanghai
    clock.advance(minutes=90)
    assert clock_module.now() - moment == timedelta(minutes=90)


def test_naive_datetimes_are_refused_on_the_way_in(db, world):
    world.resident.closed_at = datetime(2026, 1, 1)
    with pytest.raises(sa.exc.StatementError):
        db.session.flush()
    db.session.rollback()


def test_times_come_back_aware_in_utc(db, world):
    db.session.expire_all()
    assert world.resident.created_at.tzinfo == UTC


def test_notify_once_per_event(db, world):
    assert notify(world.resident.id, "e:1", N_("Your password was reset with a code from your committee."))
    assert not notify(world.resident.id, "e:1", N_("Your password was reset with a code from your committee."))
    assert notify(world.party.id, "e:1", N_("Your password was reset with a code from your committee."))
    assert unread_count(world.resident.id) == 1


def test_notification_text_follows_the_readers_language(app, db, world):
    notify(world.resident.id, "e:2", N_("Your residence in %(community)s was confirmed. Welcome!"), community="和平社区")
    note = db.session.scalar(sa.select(Notification).where(Notification.event_key == "e:2"))

    with app.test_request_context(headers={"Cookie": "lang=en"}):
        g.__dict__.clear()
        assert note.message == "Your residence in 和平社区 was confirmed. Welcome!"
    with app.test_request_context():
        g.__dict__.clear()
        assert "和平社区" in note.message and "Welcome" not in note.message


def test_header_shows_unread_count(login_as, world, db):
    notify(world.resident.id, "e:3", N_("Your password was reset with a code from your committee."))
    page = login_as(world.resident).get("/me/").get_data(as_text=True)
    assert '<span class="badge"' in page and ">1</span>" in page


def _fulfilled_wish(world, title):
    wish = activities.post_wish(world.resident, world.a, title=title, description="楼道灯坏了")
    activities.approve_wish(world.worker, wish)
    activities.claim_wish(world.party, wish)
    return activities.fulfil_wish(world.party, wish)


def test_tick_runs_the_registered_jobs_on_due_records_once(db, world, clock):
    """The real jobs against real due records: each due record moves on, nothing else does, and
    a second run changes nothing (no record, stored month or notification twice)."""
    clock.set(2026, 11, 20, 2, 0)
    collecting, scheduled, voting = world.topic("collecting_support"), world.topic("vote_scheduled"), world.topic("voting")
    old_wish = _fulfilled_wish(world, "换灯泡")
    clock.advance(days=15)  # past the 14-day support window, both votes' closing and the 7-day confirmation
    new_wish = _fulfilled_wish(world, "修门铃")  # fulfilled just now: not due for a week
    not_yet = world.factory.topic(world, "collecting_support")  # its window has just opened
    assert {"evaluation", "topics", "wishes"} <= set(tick_jobs)

    def count(model):
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))

    def snapshot():
        db.session.expire_all()
        return (
            [t.status for t in (collecting, scheduled, voting, not_yet)],
            [w.status for w in (old_wish, new_wish)],
            count(StreetRanking),
            count(MonthlyResult),
            count(Notification),
        )

    rankings_before = count(StreetRanking)
    first = run_tick()
    after_first = snapshot()
    assert set(first) == set(tick_jobs)
    assert after_first[0] == [
        TopicStatus.NOT_ENOUGH_SUPPORT,
        TopicStatus.CLOSED,
        TopicStatus.CLOSED,
        TopicStatus.COLLECTING_SUPPORT,
    ]
    assert after_first[1] == ["confirmed", "fulfilled"] and old_wish.auto_confirmed
    assert first["wishes"] == 1
    # November has ended (and its target time passed): stored once for each street.
    assert first["evaluation"] == after_first[2] - rankings_before >= 1
    assert (
        db.session.scalar(
            sa.select(MonthlyResult.id).where(MonthlyResult.community_id == world.a.id, MonthlyResult.month == "2026-11")
        )
        is not None
    )

    second = run_tick()
    assert second == dict.fromkeys(tick_jobs, 0)
    assert snapshot() == after_first


def test_tick_command(app, committed_db):
    result = app.test_cli_runner().invoke(args=["tick"])
    assert result.exit_code == 0 and "tick done" in result.output


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["database"] == "ok"


def test_production_refuses_to_start_without_secret_key(monkeypatch):
    monkeypatch.setenv("SITE_URL", "https://yishi.example.cn")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        ProductionConfig()
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    assert ProductionConfig().SECRET_KEY == "x" * 32


def test_create_app_does_no_io(tmp_path):
    # A database that does not exist yet is not touched until a request needs it.
    target = tmp_path / "never.db"
    create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{target}"})
    assert not target.exists()


def test_proxy_fix_gives_the_real_address(app):
    proxied = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "PROXY_FIX_X_FOR": 1}
    )
    seen = {}

    @proxied.get("/_whoami")
    def whoami():
        seen["addr"] = request.remote_addr
        return "ok"

    proxied.test_client().get("/_whoami", headers={"X-Forwarded-For": "203.0.113.9"}, environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert seen["addr"] == "203.0.113.9"


def test_unexpected_errors_give_a_500_page_in_both_languages(app):
    broken = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "PROPAGATE_TEST_ERRORS": False}
    )

    @broken.get("/_boom")
    def boom():
        raise RuntimeError("boom")

    client = broken.test_client()
    zh = client.get("/_boom")
    assert zh.status_code == 500 and "RuntimeError" not in zh.get_data(as_text=True)
    client.set_cookie("lang", "en")
    assert "Something went wrong on our side" in client.get("/_boom").get_data(as_text=True)


def test_405_and_csrf_pages(client):
    assert client.get("/auth/logout").status_code == 405
    # (not the language switch: an anonymous visitor's needs no token, docs/security.md)
    response = client.post("/auth/login", {"username": "someone", "password": "x"}, csrf=False)
    assert response.status_code == 400


def test_language_and_display_switch_are_remembered(client):
    response = client.post("/settings/language", {"lang": "en", "next": "/auth/login"})
    assert response.status_code == 302 and response.headers["Location"] == "/auth/login"
    assert '<html lang="en"' in client.get("/").get_data(as_text=True)
    client.post("/settings/display", {"large": "1", "next": "//evil.example"})
    page = client.get("/").get_data(as_text=True)
    assert 'class="large-text"' in page
    assert client.post("/settings/language", {"lang": "xx"}).status_code == 302
    assert '<html lang="zh-CN"' in client.get("/").get_data(as_text=True)


def test_favicon_and_static_are_local(client):
    assert client.get("/favicon.ico").status_code == 301
    assert client.get("/static/favicon.svg").status_code == 200
    page = client.get("/").get_data(as_text=True)
    assert "http://" not in page.split("<body")[0] and "https://" not in page.split("<body")[0]
