"""Migration 0018_search_index on a database that has topics and requests: the upgrade indexes
every existing row (in batches of 2,000: 2,500 rows take two), the downgrade removes the index,
the upgrade builds it again."""

from datetime import timedelta

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from consult import create_app
from consult.core.clock import now
from consult.extensions import db
from consult.requests import queries as request_queries
from consult.requests.models import Request
from consult.requests.targets import ensure_categories
from consult.topics import queries as topic_queries
from consult.topics.models import Category, Topic
from tests.conftest import PG_URL, need, temporary_postgres_database
from tests.factories import Factory
from tests.search_rows import holding, texts

N = 2_500


def _existing_rows(community_id: int, resident_id: int) -> tuple[dict, dict]:
    """Topics and requests written before the index existed (bulk, as a seeding script would)."""
    category = db.session.scalar(sa.select(Category.id).where(Category.key == "parking"))
    rows = texts(N)
    db.session.execute(
        sa.insert(Topic.__table__),
        [
            {"community_id": community_id, "author_id": resident_id, "title": t[:80], "body": b, "category_id": category}
            | {"status": "collecting_support"}
            for t, b in rows
        ],
    )
    due = now() + timedelta(days=7)
    db.session.execute(
        sa.insert(Request.__table__),
        [
            {"community_id": community_id, "category_id": ensure_categories(community_id)[0].id, "reporter_id": resident_id}
            | {"description": b[:1000], "held_since": now(), "response_due_at": due, "original_response_due_at": due}
            | {"resolution_due_at": due, "original_resolution_due_at": due}
            for _t, b in rows[:100]
        ],
    )
    db.session.commit()
    topics = {i: (t, b) for i, t, b in db.session.execute(sa.select(Topic.id, Topic.title, Topic.body))}
    requests = {i: (d,) for i, d in db.session.execute(sa.select(Request.id, Request.description))}
    return topics, requests


def _found(community_id: int) -> tuple[set, set]:
    topics = set(db.session.scalars(topic_queries.topic_list(community_id, q="停车").with_only_columns(Topic.id)))
    open_requests = request_queries.searched(request_queries.open_requests(community_id), "停车")
    return topics, set(db.session.scalars(open_requests.with_only_columns(Request.id)))


def _up_down_up(url):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context(), app.test_request_context("/"):
        # The world is made by today's models (on today's schema), the rows under it before 0018.
        upgrade()
        world = Factory(db.session).world()
        db.session.commit()
        community_id, resident_id = world.a.id, world.resident.id
        db.session.remove()
        downgrade(revision="0017_request_indexes")
        topics, requests = _existing_rows(community_id, resident_id)
        db.session.remove()

        upgrade()
        assert db.session.scalar(sa.text("SELECT count(*) FROM search_topics")) == N
        assert _found(community_id) == (holding(topics, "停车"), holding(requests, "停车"))
        db.session.remove()

        downgrade(revision="0017_request_indexes")
        assert not [t for t in sa.inspect(db.engine).get_table_names() if t.startswith("search_")]
        upgrade()
        assert _found(community_id) == (holding(topics, "停车"), holding(requests, "停车"))
        db.session.remove()
        db.engine.dispose()


def test_0018_indexes_existing_rows_on_sqlite(tmp_path):
    _up_down_up(f"sqlite:///{tmp_path / 'search.db'}")


def test_0018_indexes_existing_rows_on_postgresql():
    need(bool(PG_URL), "TEST_DATABASE_URL is not set")
    with temporary_postgres_database() as url:
        _up_down_up(url)
