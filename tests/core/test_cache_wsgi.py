"""Page-cache hits answered before Flask (consult/core/cache_wsgi.py) on a real Redis: no SQL, no
view, the miss's bytes and headers; every visitor the cache must not serve goes to Flask; and the
preference switches that let an anonymous page carry no CSRF token (docs/security.md)."""

from __future__ import annotations

import re

import pytest
import redis
from flask import Flask, request

from consult.core import cache
from consult.extensions import db as _db
from tests.conftest import REDIS_URL, Client
from tests.core.test_cache import page_cache, public_pages, warm  # noqa: F401  (fixture and helpers)

pytestmark = pytest.mark.redis


@pytest.fixture
def dispatched(monkeypatch):
    """How many requests entered Flask's request handling (sessions, extensions, views)."""
    calls: list[str] = []
    original = Flask.full_dispatch_request

    def counted(self):
        calls.append(request.path)
        return original(self)

    monkeypatch.setattr(Flask, "full_dispatch_request", counted)
    return calls


def stored_entries(store) -> list[bytes]:
    server = redis.Redis.from_url(REDIS_URL)
    return [server.get(key) or b"" for key in server.scan_iter(f"{store.prefix}page:*")]


# --- hits before Flask -----------------------------------------------------------------------------


def test_a_hit_runs_no_sql_and_no_view_and_is_the_miss(page_cache, client, world, factory, count_queries, dispatched):  # noqa: F811
    topic = world.topic("voting")
    activity = factory.activity(world)
    for url in public_pages(world, topic, activity):
        dispatched.clear()
        cold = client.get(url)
        assert cold.headers.get("X-Cache") == "miss", url
        assert dispatched == [url.split("?")[0]]
        dispatched.clear()
        with count_queries() as q:
            hot = client.get(url)
        assert hot.headers.get("X-Cache") == "hit", url
        assert dispatched == [], url  # answered before Flask
        assert q.count == 0, (url, q.statements)
        assert hot.get_data() == cold.get_data(), url  # (no one-time key on these pages: byte for byte)
        assert b'name="csrf_token"' not in hot.get_data(), url
    entries = stored_entries(page_cache)
    assert len(entries) == 10
    assert not [e for e in entries if cache.CSRF_MARK.encode() in e]  # no page needs a visitor's token


def test_a_hits_headers_are_the_misss(page_cache, app, client, world, monkeypatch):  # noqa: F811
    monkeypatch.setitem(app.config, "HSTS_SECONDS", 3600)
    for url in (f"/c/{world.a.slug}/topics/", f"/c/{world.a.slug}/evaluation/?format=csv"):
        cold = client.get(url)
        hot = client.get(url)
        assert (cold.headers.get("X-Cache"), hot.headers.get("X-Cache")) == ("miss", "hit")
        without = lambda headers: sorted((k, v) for k, v in headers.items() if k != "X-Cache")  # noqa: E731
        assert without(hot.headers) == without(cold.headers), url
        assert "max-age=3600" in hot.headers["Strict-Transport-Security"]


def test_head_answers_without_a_body(page_cache, client, world, dispatched):  # noqa: F811
    url = f"/c/{world.a.slug}/"
    body = warm(client, url)
    dispatched.clear()
    head = client.raw.head(url)
    assert head.status_code == 200 and head.headers.get("X-Cache") == "hit" and dispatched == []
    assert head.get_data() == b""
    assert int(head.headers["Content-Length"]) == len(body.encode())


def test_one_time_keys_are_filled_per_hit(page_cache, app, client, world, dispatched):  # noqa: F811
    @cache.page("test:x")
    def keyed():
        return app.jinja_env.from_string('<input name="k" value="{{ request_key() }}">').render()

    app.view_functions["places.home"], saved = keyed, app.view_functions["places.home"]
    try:
        first = client.get("/").get_data(as_text=True)
        dispatched.clear()
        second = client.get("/")
        assert second.headers.get("X-Cache") == "hit" and dispatched == []
        keys = [re.search(r'value="([0-9a-f]{32})"', html).group(1) for html in (first, second.get_data(as_text=True))]
        assert keys[0] != keys[1]
    finally:
        app.view_functions["places.home"] = saved


def test_a_locale_and_a_large_text_cookie_have_their_own_entries(page_cache, client, world, dispatched):  # noqa: F811
    url = f"/c/{world.a.slug}/topics/"
    zh = warm(client, url)
    client.raw.set_cookie("lang", "en")
    assert client.get(url).headers.get("X-Cache") == "miss"
    dispatched.clear()
    en = client.get(url)
    assert en.headers.get("X-Cache") == "hit" and dispatched == []
    assert "Topics" in en.get_data(as_text=True) and "议题" in zh
    client.raw.set_cookie("display", "large")
    assert client.get(url).headers.get("X-Cache") == "miss"
    large = client.get(url).get_data(as_text=True)
    assert 'class="large-text"' in large
    client.raw.delete_cookie("lang")
    client.raw.delete_cookie("display")
    assert client.get(url).get_data(as_text=True) == zh


def test_an_anonymous_session_cookie_still_gets_hits(page_cache, client, world, dispatched):  # noqa: F811
    url = f"/c/{world.a.slug}/"
    warm(client, url)
    client.csrf_token("/auth/login")  # the log-in form puts a CSRF token in a session cookie
    assert client.raw.get_cookie("session") is not None
    dispatched.clear()
    assert client.get(url).headers.get("X-Cache") == "hit" and dispatched == []


# --- visitors the layer hands to Flask ---------------------------------------------------------------


def test_static_files_do_not_ask_redis(page_cache, client, monkeypatch):  # noqa: F811
    asked: list[str] = []
    monkeypatch.setattr(page_cache, "current", lambda key: asked.append(key))
    assert client.get("/static/css/site.css").status_code == 200
    assert asked == []
    client.get("/")
    assert len(asked) == 1


def test_a_logged_in_person_never_gets_a_cached_page(page_cache, client, login_as, world, dispatched):  # noqa: F811
    url = f"/c/{world.a.slug}/topics/"
    warm(client, url)
    login_as(world.resident)
    dispatched.clear()
    response = client.get(url)
    assert dispatched == [url] and "X-Cache" not in response.headers
    assert 'action="/auth/logout"' in response.get_data(as_text=True)


def test_flash_messages_waiting_are_shown(page_cache, client, world, dispatched):  # noqa: F811
    url = f"/c/{world.a.slug}/"
    warm(client, url)
    with client.raw.session_transaction() as session:
        session["_flashes"] = [("success", "一条提示")]
    dispatched.clear()
    response = client.get(url)
    assert dispatched == [url] and "一条提示" in response.get_data(as_text=True)


def test_a_remember_cookie_goes_to_flask(page_cache, client, world, dispatched):  # noqa: F811
    url = f"/c/{world.a.slug}/"
    warm(client, url)
    client.raw.set_cookie("consult_remember", "1.not-a-secret")
    dispatched.clear()
    response = client.get(url)
    assert dispatched == [url]
    assert "consult_remember=;" in response.headers.get("Set-Cookie", "")  # Flask dropped the bad cookie


def test_a_tampered_session_cookie_goes_to_flask(page_cache, app, client, world, dispatched):  # noqa: F811
    url = f"/c/{world.a.slug}/"
    warm(client, url)
    client.csrf_token("/auth/login")
    value = client.raw.get_cookie("session").value
    client.raw.set_cookie("session", value[:-2] + ("AA" if not value.endswith("AA") else "BB"))
    dispatched.clear()
    assert client.get(url).status_code == 200
    assert dispatched == [url]


def test_a_post_goes_to_flask(page_cache, client, world, dispatched):  # noqa: F811
    url = f"/c/{world.a.slug}/"
    warm(client, url)
    dispatched.clear()
    response = client.raw.post(url)
    assert response.status_code != 200 and dispatched == [url]


def test_an_untrusted_host_goes_to_flask(page_cache, app, client, world, dispatched, monkeypatch):  # noqa: F811
    url = f"/c/{world.a.slug}/"
    evil = "http://evil.example"
    assert client.get(url, base_url=evil).headers.get("X-Cache") == "miss"  # any host, before the setting
    assert client.get(url, base_url=evil).headers.get("X-Cache") == "hit"
    monkeypatch.setitem(app.config, "TRUSTED_HOSTS", ["localhost"])
    dispatched.clear()
    response = client.get(url, base_url=evil)
    assert response.status_code == 400 and dispatched == [url]
    assert client.get(url).status_code == 200


def test_a_body_with_a_csrf_marker_is_filled_by_flask(page_cache, app, client, dispatched):  # noqa: F811
    @cache.page("test:y")
    def with_form():
        return app.jinja_env.from_string('<input name="csrf_token" value="{{ csrf_token() }}">').render()

    app.view_functions["places.home"], saved = with_form, app.view_functions["places.home"]
    try:
        client.get("/")
        dispatched.clear()
        again = client.get("/")
        assert again.headers.get("X-Cache") == "hit" and dispatched == ["/"]  # the decorator's hit
        assert cache.CSRF_MARK not in again.get_data(as_text=True)
    finally:
        app.view_functions["places.home"] = saved


def test_redis_away_goes_to_flask(page_cache, client, world, dispatched):  # noqa: F811
    url = f"/c/{world.a.slug}/"
    warm(client, url)
    page_cache.redis = redis.Redis.from_url("redis://127.0.0.1:1/0")
    page_cache.retry_seconds = 0
    dispatched.clear()
    response = client.get(url)
    assert response.status_code == 200 and dispatched == [url] and "X-Cache" not in response.headers


def test_a_version_change_owed_goes_to_flask(page_cache, client, world, dispatched):  # noqa: F811
    """A process that could not tell Redis about a write does not serve what it may have changed."""
    url = f"/c/{world.a.slug}/"
    warm(client, url)
    page_cache.owes_site_bump = True
    dispatched.clear()
    response = client.get(url)
    assert dispatched == [url] and response.headers.get("X-Cache") == "miss"  # every page dropped, then stored


# --- the preference switches without a CSRF token ----------------------------------------------------


def test_an_anonymous_visitor_switches_language_without_a_token(app, world):
    browser = Client(app)
    answer = browser.post("/settings/language", data={"lang": "en", "next": "/"}, csrf=False)
    assert answer.status_code == 302
    assert "lang=en" in answer.headers["Set-Cookie"]
    answer = browser.post("/settings/display", data={"large": "1", "next": "/"}, csrf=False)
    assert answer.status_code == 302
    assert "display=large" in answer.headers["Set-Cookie"]


def test_a_logged_in_person_needs_a_token_to_switch(client, login_as, world):
    login_as(world.resident)
    language, large = world.resident.language, world.resident.large_text
    assert client.post("/settings/language", data={"lang": "en", "next": "/"}, csrf=False).status_code == 400
    assert client.post("/settings/display", data={"large": "1", "next": "/"}, csrf=False).status_code == 400
    _db.session.refresh(world.resident)
    assert (world.resident.language, world.resident.large_text) == (language, large)
    assert client.post("/settings/language", data={"lang": "en", "next": "/"}).status_code == 302  # with its token
    _db.session.refresh(world.resident)
    assert world.resident.language == "en"
