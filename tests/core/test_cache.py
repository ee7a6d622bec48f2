"""The page cache (consult/core/cache.py) on a real Redis: cold and warm, what a key depends on,
what is never cached, and one invalidation test per kind of write that changes a cached page."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa
from flask import make_response

from consult.activities import checkin as checkins, signups
from consult.core import cache
from consult.core.clock import now
from consult.evaluation import services as evaluation
from consult.places import queries as places, services as places_services
from consult.requests import reporting
from consult.topics import ballots, discussion, outcomes, policy, queries as topic_queries, review, settings, support, votes
from consult.topics.models import Comment, Topic
from tests.conftest import REDIS_URL, Client, need

pytestmark = pytest.mark.redis
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def page_cache(app):
    """The app's page cache on TEST_REDIS_URL, under a key prefix of this test's own (removed after)."""
    need(bool(REDIS_URL), "TEST_REDIS_URL is not set")
    prefix = f"consult-test-cache-{uuid.uuid4().hex[:8]}:"
    saved = app.config.get("CACHE_KEY_PREFIX")
    app.config["CACHE_KEY_PREFIX"] = prefix
    store = cache.Store(app, REDIS_URL)
    app.extensions["consult_cache"] = store
    try:
        yield store
    finally:
        app.extensions.pop("consult_cache", None)
        app.config["CACHE_KEY_PREFIX"] = saved
        server = redis.Redis.from_url(REDIS_URL)
        for key in server.scan_iter(f"{prefix}*"):
            server.delete(key)


def warm(client, url):
    """Read a page until it comes from the cache (a first view may itself store something, e.g. an
    evaluation month, and so change the page's version once)."""
    for _ in range(3):
        response = client.get(url)
        assert response.status_code == 200, url
        if response.headers.get("X-Cache") == "hit":
            return response.get_data(as_text=True)
    raise AssertionError(f"{url} was not served from the cache")


def fresh(client, url) -> str:
    """The next read is rendered again (not the cached copy)."""
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers.get("X-Cache") != "hit", f"{url} still served from the cache after the write"
    return response.get_data(as_text=True)


# --- cold and warm -------------------------------------------------------------------------


def public_pages(world, topic, activity):
    return [
        "/",
        f"/streets/{world.street.slug}/",
        f"/streets/{world.street.slug}/ranking",
        f"/c/{world.a.slug}/",
        f"/c/{world.a.slug}/topics/",
        f"/topics/{topic.id}",
        f"/c/{world.a.slug}/activities/",
        f"/activities/{activity.id}",
        f"/c/{world.a.slug}/evaluation/",
        f"/api/v1/communities/{world.a.slug}/topics",
    ]


def test_a_warm_public_page_costs_no_sql(page_cache, client, world, factory, count_queries):
    topic = world.topic("voting")
    activity = factory.activity(world)
    for url in public_pages(world, topic, activity):
        cold = client.get(url)
        assert cold.status_code == 200, url
        assert cold.headers.get("X-Cache") == "miss", url
        with count_queries() as q:
            hot = client.get(url)
        assert hot.headers.get("X-Cache") == "hit", url
        assert q.count == 0, (url, q.statements)
        assert hot.mimetype == cold.mimetype
        if cold.mimetype == "text/html":
            # Each visitor gets their own CSRF token; the page is otherwise the same.
            strip = lambda html: re.sub(r'name="csrf_token" value="[^"]+"', "", html)  # noqa: E731
            assert strip(hot.get_data(as_text=True)) == strip(cold.get_data(as_text=True)), url


def test_without_redis_nothing_is_cached(app, client, world):
    assert cache.store(app) is None
    for _ in range(2):
        response = client.get(f"/c/{world.a.slug}/topics/")
        assert response.status_code == 200
        assert "X-Cache" not in response.headers


# --- the key ---------------------------------------------------------------------------------


def test_keys_differ_by_locale_display_and_query_string(page_cache, client, world):
    url = f"/c/{world.a.slug}/topics/"
    zh = warm(client, url)
    client.raw.set_cookie("lang", "en")
    en = client.get(url)
    assert en.headers.get("X-Cache") == "miss"
    assert "Topics" in en.get_data(as_text=True) and "议题" in zh
    client.raw.set_cookie("display", "large")
    large = client.get(url)
    assert large.headers.get("X-Cache") == "miss"
    assert client.get(url).headers.get("X-Cache") == "hit"
    client.raw.delete_cookie("lang")
    client.raw.delete_cookie("display")
    assert client.get(url).headers.get("X-Cache") == "hit"  # back to the first key
    assert client.get(url + "?sort=supported").headers.get("X-Cache") == "miss"


def test_an_anonymous_page_carries_no_csrf_token(page_cache, app, world):
    """The language and display switches take an anonymous post without one (docs/security.md): the
    cached page is the same for every anonymous visitor and no visitor gets a session for reading."""
    url = f"/c/{world.a.slug}/"
    one, two = Client(app), Client(app)
    one.get(url)
    second = two.get(url)
    assert second.headers.get("X-Cache") == "hit"
    assert 'name="csrf_token"' not in second.get_data(as_text=True)
    assert "Set-Cookie" not in second.headers
    answer = two.post("/settings/language", data={"lang": "en", "next": url}, csrf=False)
    assert answer.status_code == 302


# --- never cached ------------------------------------------------------------------------------


def test_never_cached_for_a_logged_in_person(page_cache, client, login_as, world):
    url = f"/c/{world.a.slug}/topics/"
    warm(client, url)
    login_as(world.resident)
    for _ in range(2):
        response = client.get(url)
        assert "X-Cache" not in response.headers
        assert 'action="/auth/logout"' in response.get_data(as_text=True)


def test_never_cached_with_flash_messages_waiting(page_cache, client, world):
    url = f"/c/{world.a.slug}/"
    warm(client, url)
    with client.raw.session_transaction() as session:
        session["_flashes"] = [("success", "一条提示")]
    response = client.get(url)
    assert "X-Cache" not in response.headers
    assert "一条提示" in response.get_data(as_text=True)


def test_not_stored_when_the_answer_sets_a_cookie_or_is_not_200(page_cache, app, client, world):
    calls = []

    @cache.page("test:{n}")
    def view(n):
        calls.append(n)
        response = make_response("page")
        if n == "cookie":
            response.set_cookie("x", "1")
        if n == "gone":
            response.status_code = 404
        return response

    for n in ("cookie", "gone", "plain"):
        for _ in range(2):
            with app.test_request_context(f"/t/{n}"):
                response = view(n=n)
    assert calls == ["cookie", "cookie", "gone", "gone", "plain"]
    assert response.headers.get("X-Cache") == "hit"


def test_a_csv_download_keeps_its_name(page_cache, client, world):
    url = f"/c/{world.a.slug}/evaluation/?format=csv"
    first = client.get(url)
    warm(client, url)
    again = client.get(url)
    assert again.headers["Content-Disposition"] == first.headers["Content-Disposition"]
    assert again.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert again.get_data() == first.get_data()


def test_a_missing_page_is_not_cached(page_cache, client):
    for _ in range(2):
        response = client.get("/c/nowhere/topics/")
        assert response.status_code == 404
        assert response.headers.get("X-Cache") is None


# --- every write that changes a cached page makes the next read fresh ---------------------------


def test_topic_created_and_approved(page_cache, client, world, factory):
    url = f"/c/{world.a.slug}/topics/"
    assert "电梯加装议题" not in warm(client, url)
    topic = factory.topic(world, "pending_review", title="电梯加装议题")
    warm(client, url)  # a topic waiting for review is not shown; the list still changed (its count)
    review.approve(world.worker, topic)
    assert "电梯加装议题" in fresh(client, url)
    assert "电梯加装议题" in fresh(client, f"/c/{world.a.slug}/")  # the community's panel


def test_topic_rejected(page_cache, client, world, factory):
    topic = factory.topic(world, "pending_review", title="待审议题")
    url = f"/c/{world.a.slug}/topics/"
    warm(client, url)
    review.reject(world.worker, topic, "不属于居委会职责")
    fresh(client, url)


def test_topic_supported(page_cache, client, world):
    topic = world.topic("collecting_support")
    url = f"/topics/{topic.id}"
    warm(client, url)
    support.support(world.party, topic)
    fresh(client, url)
    assert client.get(url).headers.get("X-Cache") == "hit"


def test_ballot_cast(page_cache, client, world):
    topic = world.topic("voting")
    url = f"/topics/{topic.id}"
    warm(client, url)
    option = topic_queries.options_of(policy.vote_of(topic).id)[0]
    ballots.cast_ballot(world.party, topic, [option.id])
    fresh(client, url)
    fresh(client, f"/c/{world.a.slug}/topics/")


def test_vote_changed_by_the_committee(page_cache, client, world):
    topic = world.topic("vote_scheduled")
    url = f"/topics/{topic.id}"
    warm(client, url)
    vote = policy.vote_of(topic)
    later = vote.closes_at + timedelta(days=2)
    settings_now = dict(kind=vote.kind, options=None, max_choices=1, scope=vote.scope, quorum_percent=None, live_results=False)
    votes.change_vote(world.worker, topic, opens_at=vote.opens_at, closes_at=later, **settings_now)
    fresh(client, url)


def test_comment_posted_and_hidden(page_cache, client, world):
    topic = world.topic("collecting_support")
    url = f"/topics/{topic.id}"
    warm(client, url)
    note = discussion.comment(world.party, topic, "楼下车位太少了")
    assert "楼下车位太少了" in fresh(client, url)
    warm(client, url)
    discussion.hide_comment(world.worker, note, "与议题无关")
    assert "楼下车位太少了" not in fresh(client, url)


def test_outcome_published_progress_and_rating(page_cache, client, world):
    topic = world.topic("closed")
    url = f"/topics/{topic.id}"
    warm(client, url)
    outcome = outcomes.publish_outcome(
        world.worker, topic, decision="增设夜间停车位", responsible="物业公司", actions="施划车位", due_date=date.today()
    )
    assert "增设夜间停车位" in fresh(client, url)
    warm(client, url)
    outcomes.add_progress(world.worker, outcome, status="done", note="车位已施划完成")
    assert "车位已施划完成" in fresh(client, url)
    warm(client, url)
    outcomes.rate(world.resident, outcome, "satisfied", "很满意")
    fresh(client, url)


def test_activity_created_signed_up_and_checked_in(page_cache, client, world, factory):
    url = f"/c/{world.a.slug}/activities/"
    warm(client, url)
    activity = factory.activity(world, starts_in=timedelta(minutes=10), title="楼道清理")
    assert "楼道清理" in fresh(client, url)
    page = f"/activities/{activity.id}"
    warm(client, page)
    signups.sign_up(world.resident, activity)
    fresh(client, page)
    warm(client, page)
    checkins.check_in(world.resident, activity, checkins.checkin_code(activity))
    fresh(client, page)


def test_evaluation_month_stored(page_cache, client, world, clock):
    month = now().strftime("%Y-%m")
    url = f"/c/{world.a.slug}/evaluation/"
    ranking = f"/streets/{world.street.slug}/ranking?month={month}"
    warm(client, url)
    warm(client, ranking)
    clock.advance(days=45)  # the month has ended and is final: `flask tick` stores it
    assert evaluation.store_month(world.street, month)
    fresh(client, url)
    fresh(client, ranking)


def test_request_reported(page_cache, client, world):
    url = f"/c/{world.a.slug}/"
    warm(client, url)
    reporting.report(world.resident, world.a, category="property", description="楼道灯坏了。", building="3")
    fresh(client, url)


def test_residence_confirmed_changes_the_member_count(page_cache, client, world, factory):
    url = f"/c/{world.a.slug}/"
    warm(client, url)
    places_services.confirm_residence(world.worker, places.active_residence(world.pending))
    fresh(client, url)
    fresh(client, f"/streets/{world.street.slug}/")


def test_community_settings_and_new_places(page_cache, client, world):
    url = f"/c/{world.a.slug}/topics/"
    warm(client, url)
    settings.update_settings(world.worker, world.a, threshold_kind="count", threshold_value=7, support_days=10)
    fresh(client, url)
    warm(client, "/")
    places_services.create_community(world.site_admin, world.street, "xinjian", "新建社区")
    assert "新建社区" in fresh(client, f"/streets/{world.street.slug}/")
    fresh(client, "/")


def test_a_person_renamed_shows_everywhere(page_cache, client, world):
    topic = world.topic("collecting_support")
    url = f"/topics/{topic.id}"
    warm(client, url)
    world.resident.display_name = "居民李四"
    client.get("/")  # the client commits what the test changed
    assert "居民李四" in fresh(client, url)


def test_other_pages_are_left_alone(page_cache, client, world):
    """A write in one community keeps the other's pages and unrelated topics cached."""
    topic = world.topic("collecting_support")
    other = f"/c/{world.b.slug}/topics/"
    far = f"/streets/{world.other_street.slug}/"
    warm(client, other)
    warm(client, far)
    support.support(world.party, topic)
    assert client.get(other).headers.get("X-Cache") == "hit"
    assert client.get(far).headers.get("X-Cache") == "hit"


def test_a_rolled_back_write_changes_nothing(page_cache, client, world, db):
    topic = world.topic("collecting_support")
    url = f"/topics/{topic.id}"
    warm(client, url)
    support.support(world.party, topic)
    db.session.rollback()
    assert client.get(url).headers.get("X-Cache") == "hit"


# --- time ----------------------------------------------------------------------------------------


def test_an_entry_expires_when_the_vote_closes(page_cache, client, world):
    topic = world.topic("voting")
    vote = policy.vote_of(topic)
    url = f"/topics/{topic.id}"
    warm(client, url)
    server = redis.Redis.from_url(REDIS_URL)
    ttls = [server.ttl(key) for key in server.scan_iter(f"{page_cache.prefix}page:*")]
    assert len(ttls) == 1 and page_cache.ttl - 10 <= ttls[0] <= page_cache.ttl  # closes in 7 days: the bound applies
    votes.close_early(world.worker, topic, "会议已表决")  # (a write: fresh anyway)
    topic = world.topic("vote_scheduled")  # opens tomorrow, but let it open in a minute
    vote = policy.vote_of(topic)
    vote.opens_at = now() + timedelta(seconds=90)
    url = f"/topics/{topic.id}"
    client.get(url)
    ttls = {server.ttl(key) for key in server.scan_iter(f"{page_cache.prefix}page:*")}
    assert any(0 < ttl <= 91 for ttl in ttls), ttls


# --- Redis away ----------------------------------------------------------------------------------

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens there: connections are refused


@pytest.fixture
def dead_cache(app):
    """A page cache whose Redis refuses connections (asked again at once, to count the warnings)."""
    store = cache.Store(app, DEAD_REDIS)
    store.retry_seconds = 0
    app.extensions["consult_cache"] = store
    yield store
    app.extensions.pop("consult_cache", None)


def test_redis_refusing_connections_serves_pages_from_the_database(dead_cache, client, world, factory, caplog, monkeypatch, db):
    monkeypatch.setattr(logging.getLogger("consult.core.cache"), "disabled", False)  # (Alembic's logging config)
    topic = world.topic("collecting_support")
    activity = factory.activity(world)
    caplog.set_level("WARNING", logger="consult.core.cache")
    for url in public_pages(world, topic, activity) * 2:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "X-Cache" not in response.headers
    support.support(world.party, topic)
    db.session.commit()  # its versions cannot be changed: no error either
    assert client.get(f"/topics/{topic.id}").status_code == 200
    warnings = [r for r in caplog.records if r.name == "consult.core.cache"]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]  # once per CACHE_WARN_SECONDS, not per request
    assert "unreachable" in warnings[0].getMessage()


def test_redis_going_away_mid_run_and_coming_back(page_cache, client, world, db):
    topic = world.topic("collecting_support")
    url = f"/topics/{topic.id}"
    other = f"/c/{world.b.slug}/topics/"
    warm(client, url)
    warm(client, other)
    alive, page_cache.redis = page_cache.redis, redis.Redis.from_url(DEAD_REDIS)
    page_cache.retry_seconds = 0
    assert client.get(url).status_code == 200  # from the database
    support.support(world.party, topic)
    db.session.commit()  # while Redis is away: the version change is owed
    page_cache.redis = alive
    assert client.get(url).headers.get("X-Cache") == "miss"  # not the copy from before the write
    assert client.get(other).headers.get("X-Cache") == "miss"  # every page: which ones changed is not known


LOGIN_WITHOUT_REDIS = """
import json, sys
from consult import create_app
app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": sys.argv[1], "WTF_CSRF_ENABLED": False,
                  "RATELIMIT_STORAGE_URI": sys.argv[2], "REDIS_URL": sys.argv[2]})
client = app.test_client()
statuses = [client.post("/auth/login", data={"username": "ghost", "password": "nope"}).status_code for _ in range(7)]
statuses.append(client.get("/").status_code)
print(json.dumps(statuses))
"""


def test_rate_limits_without_redis_count_in_the_process(app):
    """Log-in limits with their Redis away: counted in memory (still refused after five), never a 500."""
    out = subprocess.run(
        [sys.executable, "-c", LOGIN_WITHOUT_REDIS, app.config["SQLALCHEMY_DATABASE_URI"], DEAD_REDIS],
        cwd=ROOT,
        env=dict(os.environ, CONSULT_INSTANCE=os.environ.get("CONSULT_INSTANCE", "/tmp")),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) == [401] * 5 + [429, 429, 200]
    assert "unreachable" in out.stderr


def test_bulk_statements_find_their_rows(page_cache, client, world, db):
    """UPDATE … WHERE id = …, WHERE <owner>_id = … and anything else (every page) make fresh too."""
    topic = world.topic("collecting_support")
    url = f"/topics/{topic.id}"
    other = f"/c/{world.b.slug}/"
    warm(client, url)
    warm(client, other)
    db.session.execute(sa.update(Topic).where(Topic.id == topic.id).values(comment_count=Topic.comment_count + 5))
    db.session.commit()
    fresh(client, url)
    assert client.get(other).headers.get("X-Cache") == "hit"
    warm(client, url)
    db.session.execute(sa.update(Comment).where(Comment.topic_id == topic.id).values(flag_count=0))
    db.session.commit()
    fresh(client, url)
    assert client.get(other).headers.get("X-Cache") == "hit"
    db.session.execute(sa.update(Topic).where(Topic.support_count > 1000).values(comment_count=0))
    db.session.commit()
    fresh(client, url)
    fresh(client, other)
