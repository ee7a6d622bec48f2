"""`flask generate city`: a 1 % city on each backend (COPY on PostgreSQL), its row counts against the
fraction's targets, what the services keep in step, the manifest's fixed objects, and refusals."""

from __future__ import annotations

import json
import uuid

import pytest
import sqlalchemy as sa
from werkzeug.security import check_password_hash

from consult.accounts import services
from consult.core import jobs
from consult.core.clock import now
from consult.extensions import db
from consult.generate import common as generator
from consult.generate.city import enqueue_evaluation
from consult.generate.cli import CHECKS, LEDGER_TRIGGER, SEARCH_WORDS, problems, table_counts
from consult.topics.models import Topic
from consult.topics.policy import state_sql
from consult.topics.queries import COMMENTS_PER_PAGE
from tests.conftest import REDIS_URL, need, truncate_all

#: builds a city of about 100,000 rows (seconds): left out of `make test-fast`, run by `make test` and CI
pytestmark = pytest.mark.slow

FRACTION = 0.01


@pytest.fixture(scope="module")
def city(app, tmp_path_factory):
    """The 1 % city, generated once for the module through the command, emptied after."""
    out = tmp_path_factory.mktemp("city") / "city.json"
    with app.app_context():
        db.session.remove()
        result = app.test_cli_runner().invoke(args=["generate", "city", "--fraction", str(FRACTION), "--out", str(out)])
        assert result.exit_code == 0, result.output
        try:
            yield json.loads(out.read_text(encoding="utf-8"))
        finally:
            db.session.remove()
            truncate_all()


def scalar(sql: str, **params):
    return db.session.execute(sa.text(sql), params).scalar_one()


def test_the_shape_scales_with_the_fraction():
    assert generator.shape(0.01) == (2, [2])
    assert generator.shape(0.1) == (20, [20])
    assert generator.shape(0.5) == (100, [20] * 5)
    assert generator.shape(0.15) == (30, [15, 15])
    assert generator.shape(1) == (200, [20] * 10)
    full = generator.targets(1)
    assert full["residents"] == 200_000 and full["topics"] == 50_000 and full["ballots"] == 2_000_000
    assert full["comments"] == 500_000 and full["signups"] == 400_000 and full["ledger_entries"] == 1_000_000
    assert full["party_members"] == 5_000 and full["activities"] == 20_000


def test_row_counts_are_the_fractions_targets_plus_the_fixed_objects(app, city):
    target, fixed = generator.targets(FRACTION), generator.FIXED
    communities, streets = target["communities"], target["streets"]
    with app.app_context():
        counts = table_counts()
    assert counts == city["counts"]
    people = target["residents"] + fixed["voters"] + 1  # + the member with 5,000 entries
    staff = 1 + streets + communities * generator.WORKERS_PER_COMMUNITY
    fixed_ballots = 2 * 200  # the busy topic's closed vote and the open vote
    expected = {
        "streets": streets,
        "communities": communities,
        "users": people + staff,
        "residences": people,
        "party_registrations": target["party_members"] + 1,
        "topics": target["topics"] + 2,
        "topic_comments": target["comments"] + fixed["busy_comments"],
        "vote_participations": target["ballots"] + fixed_ballots,
        "activities": target["activities"] + 1,
        "activity_signups": target["signups"] + fixed["activity_signups"],
        "ledger_entries": target["ledger_entries"] + fixed["member_entries"],
        "requests": target["requests"],
        "staff_appointments": staff,
        "evaluation_settings": streets,
    }
    assert {k: counts[k] for k in expected} == expected
    assert counts["ballots"] + counts["sealed_ballots"] == expected["vote_participations"]
    assert counts["activity_attendances"] > counts["activity_signups"] / 2
    assert counts["topic_outcome_ratings"] > 0 and counts["activity_ratings"] > 0 and counts["redemptions"] > 0
    # Stored evaluation months (the post-processing job): the final ones of the last twelve, for every community.
    assert 10 <= counts["evaluation_rankings"] <= 12 * streets
    assert counts["evaluation_results"] == counts["evaluation_rankings"] * communities // streets


def test_every_topic_state_of_the_design_table_is_there(app, city):
    with app.app_context():
        statuses = set(db.session.scalars(sa.select(Topic.status).distinct()))
    assert statuses == set(generator.STATUS_SHARE)


def test_counters_equal_rows_histories_end_in_their_status_and_ledgers_balance(app, city):
    with app.app_context():
        assert problems() == {}
        assert set(CHECKS) >= {"support_count", "comment_count", "vote.ballot_count", "member_count", "history", "signup_count"}
        # Nothing is due for `flask tick`: every topic's stored status is its state now.
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Topic).where(state_sql(now()) != Topic.status)) == 0
        # The ledger's balance trigger is back after the load.
        if db.engine.dialect.name == "postgresql":
            enabled = scalar("SELECT tgenabled FROM pg_trigger WHERE tgname = :name", name=LEDGER_TRIGGER)
            assert enabled == "O"
        else:
            assert scalar("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = :name", name=LEDGER_TRIGGER) == 1


def test_the_manifests_objects_exist_with_their_sizes(app, city):
    assert city["fraction"] == FRACTION and city["password"] == generator.PASSWORD and city["search"] == "停车"
    with app.app_context():
        community = scalar("SELECT id FROM communities WHERE slug = :slug", slug=city["community"])
        assert scalar(
            "SELECT count(*) FROM streets s JOIN communities c ON c.street_id = s.id WHERE s.slug = :street AND c.id = :c",
            street=city["street"],
            c=community,
        )
        busy = db.session.get(Topic, city["busy_topic"])
        assert (
            busy.comment_count
            == generator.FIXED["busy_comments"]
            == scalar("SELECT count(*) FROM topic_comments WHERE topic_id = :t", t=busy.id)
        )
        top_level = scalar("SELECT count(*) FROM topic_comments WHERE topic_id = :t AND parent_id IS NULL", t=busy.id)
        assert top_level >= 10 * COMMENTS_PER_PAGE
        vote = db.session.get(Topic, city["vote_topic"])
        assert vote.status == "voting" and vote.community_id == community
        voters = city["voters"]
        assert len(voters) >= 3000 and len(set(voters)) == len(voters)
        placeholders = ", ".join(f":u{i}" for i in range(len(voters)))
        names = {f"u{i}": name for i, name in enumerate(voters)}
        eligible = scalar(
            f"SELECT count(*) FROM users u JOIN residences r ON r.user_id = u.id AND r.status = 'confirmed' "
            f"AND r.community_id = :c WHERE u.username IN ({placeholders}) AND NOT EXISTS (SELECT 1 FROM "
            f"vote_participations p JOIN votes v ON v.id = p.vote_id WHERE v.topic_id = :t AND p.user_id = u.id)",
            c=community,
            t=vote.id,
            **names,
        )
        assert eligible == len(voters)
        assert scalar("SELECT count(*) FROM activities WHERE id = :a AND community_id = :c", a=city["activity"], c=community)
        assert (
            scalar(
                "SELECT count(*) FROM ledger_entries e JOIN users u ON u.id = e.user_id WHERE u.username = :u", u=city["member"]
            )
            == generator.FIXED["member_entries"]
        )
        assert scalar(
            "SELECT count(*) FROM party_registrations p JOIN users u ON u.id = p.user_id "
            "WHERE u.username = :u AND p.status = 'confirmed'",
            u=city["member"],
        )
        assert scalar(
            "SELECT count(*) FROM staff_appointments a JOIN users u ON u.id = a.user_id "
            "WHERE u.username = :u AND a.role = 'worker' AND a.community_id = :c",
            u=city["worker"],
            c=community,
        )
        # One shared hash: every generated account logs in with the documented password.
        hashes = set(db.session.scalars(sa.text("SELECT DISTINCT password_hash FROM users")))
        assert len(hashes) == 1 and check_password_hash(hashes.pop(), generator.PASSWORD)
        # The search words find a known, non-trivial share of the topics.
        topics = city["counts"]["topics"]
        for word in SEARCH_WORDS:
            hits = scalar("SELECT count(*) FROM topics WHERE title LIKE :w", w=f"%{word}%")
            assert hits == city["search_hits"][word] and 0.02 * topics <= hits <= 0.3 * topics, word


def test_a_database_that_is_not_empty_is_refused_and_left_as_it_was(app, city):
    with app.app_context():
        before = table_counts()
        result = app.test_cli_runner().invoke(args=["generate", "city", "--fraction", "0.01"])
        assert result.exit_code != 0 and "not empty" in result.output
        assert table_counts() == before


def test_the_benchmarks_pages_answer_on_the_generated_city(app, city, client, login_as):
    community, busy, vote = city["community"], city["busy_topic"], city["vote_topic"]
    pages = [
        f"/streets/{city['street']}/",
        f"/c/{community}/",
        f"/c/{community}/topics/",
        f"/c/{community}/topics/?page=5",
        f"/c/{community}/topics/?q={city['search']}",
        f"/topics/{busy}",
        f"/topics/{busy}?page=10",
        f"/topics/{vote}",
        f"/c/{community}/activities/",
        f"/activities/{city['activity']}",
    ]
    for url in pages:
        assert client.get(url).status_code == 200, url
    login_as(services.user_by_username(city["member"]))
    page = client.get("/me/points")
    assert page.status_code == 200
    login_as(services.user_by_username(city["voters"][0]))
    assert client.get(f"/topics/{vote}").status_code == 200


def test_the_site_writes_after_the_generated_rows(app, city, db):
    """The id sequences continue after the ids the generator gave (PostgreSQL's serials)."""
    user = services.create_user("after-the-city", "新居民", password="a-long-password")
    db.session.flush()
    assert user.id == db.session.scalar(sa.text("SELECT max(id) FROM users"))


@pytest.mark.redis
def test_on_a_queue_the_worker_stores_the_evaluation_months(app, city, monkeypatch):
    """The post-processing is a job: with REDIS_URL it waits on the queue until a worker runs it."""
    need(bool(REDIS_URL), "TEST_REDIS_URL is not set")
    import redis  # noqa: PLC0415  (only with TEST_REDIS_URL)
    from rq import Queue  # noqa: PLC0415

    name = f"consult-test-{uuid.uuid4().hex[:8]}"
    monkeypatch.setitem(app.config, "REDIS_URL", REDIS_URL)
    monkeypatch.setitem(app.config, "JOBS_QUEUE", name)
    rankings = "SELECT count(*) FROM evaluation_rankings WHERE street_id = :s"
    try:
        with app.app_context():
            street = scalar("SELECT id FROM streets WHERE slug = :slug", slug=city["street"])
            stored = scalar(rankings, s=street)
            assert stored >= 10
            db.session.execute(
                sa.text("DELETE FROM evaluation_results WHERE community_id IN (SELECT id FROM communities WHERE street_id = :s)"),
                {"s": street},
            )
            db.session.execute(sa.text("DELETE FROM evaluation_rankings WHERE street_id = :s"), {"s": street})
            db.session.commit()
            enqueue_evaluation([street])
            assert scalar(rankings, s=street) == 0  # queued, not run: no worker yet
            jobs.work(app, burst=True)
            db.session.rollback()
            assert scalar(rankings, s=street) == stored
    finally:
        Queue(name, connection=redis.Redis.from_url(REDIS_URL)).delete(delete_jobs=True)


def test_every_generated_topic_and_request_is_in_the_search_index(app, city):
    assert scalar("SELECT count(*) FROM search_topics") == scalar("SELECT count(*) FROM topics")
    assert scalar("SELECT count(*) FROM search_requests") == scalar("SELECT count(*) FROM requests")


#: The benchmark's pages (bench/city.sh) on the generated city: (name, who, URL of the manifest,
#: budget of statements). The budgets are those of tests/core/test_page_costs.py, where each page's
#: count is also shown flat in the amount of data; above 6: the ranking and the community's
#: evaluation (the current month computed live), the community home's panels, my points, and the
#: busy topic, whose outcome is published: its progress, results and ratings are one statement each.
CITY_PAGES = [
    ("home", "visitor", lambda c: "/", 6),
    ("street", "visitor", lambda c: f"/streets/{c['street']}/", 6),
    ("ranking", "visitor", lambda c: f"/streets/{c['street']}/ranking", 6),
    ("community home", "visitor", lambda c: f"/c/{c['community']}/", 8),
    ("topic list", "visitor", lambda c: f"/c/{c['community']}/topics/", 6),
    ("topic list, page 10", "visitor", lambda c: f"/c/{c['community']}/topics/?page=10", 6),
    ("topic search", "visitor", lambda c: f"/c/{c['community']}/topics/?q={c['search']}", 6),
    ("topic filter", "visitor", lambda c: f"/c/{c['community']}/topics/?status=closed", 6),
    ("topic with 1,500 comments", "visitor", lambda c: f"/topics/{c['busy_topic']}", 8),
    ("its tenth comment page", "visitor", lambda c: f"/topics/{c['busy_topic']}?page=10", 8),
    ("open ballot", "voter", lambda c: f"/topics/{c['vote_topic']}", 6),
    ("activity list", "visitor", lambda c: f"/c/{c['community']}/activities/", 6),
    ("activity", "visitor", lambda c: f"/activities/{c['activity']}", 6),
    ("my points, 5,000 entries", "member", lambda c: "/me/points", 7),
    ("community evaluation", "visitor", lambda c: f"/c/{c['community']}/evaluation/", 40),
    ("API topic list", "visitor", lambda c: f"/api/v1/communities/{c['community']}/topics", 6),
]


@pytest.mark.parametrize("name, who, url_of, budget", CITY_PAGES, ids=[p[0] for p in CITY_PAGES])
def test_statements_per_page_on_the_generated_city(name, who, url_of, budget, app, city, login_as, count_queries):
    person = {"member": city["member"], "voter": city["voters"][-1]}.get(who)
    client = login_as(services.user_by_username(person) if person else None)
    url = url_of(city)
    assert client.get(url).status_code == 200, url  # the first request warms the per-process caches
    with count_queries() as q:
        assert client.get(url).status_code == 200, url
    assert q.count <= budget, f"{name}: {q.count} statements, budget {budget}:\n" + "\n".join(q.statements)
