"""Topic search on the index: the right topics among many, kept in step with every write of a
title or body, the list's filters, paging and visibility kept, best match first, any input safe."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from consult.core import search
from consult.core.clock import now
from consult.extensions import db as database
from consult.topics import proposals, queries
from consult.topics.models import Category, Topic, TopicStatus
from tests.search_rows import WORDS, holding, texts


def load(db, world, n: int) -> dict[int, tuple[str, str]]:
    """``n`` topics of community a bulk-inserted (every 40th a draft: not public) and indexed as a
    bulk load does it (``search.store``); the public ones' texts by id."""
    category = db.session.scalar(sa.select(Category.id).where(Category.key == "parking"))
    rows, start = texts(n), now() - timedelta(days=400)
    records = [
        {
            "community_id": world.a.id,
            "author_id": world.resident.id,
            "title": title[:80],
            "body": body,
            "category_id": category,
            "status": TopicStatus.DRAFT if i % 40 == 0 else TopicStatus.COLLECTING_SUPPORT,
            "created_at": start + timedelta(minutes=i),
        }
        for i, (title, body) in enumerate(rows)
    ]
    table = Topic.__table__
    ids = db.session.execute(sa.insert(table).returning(table.c.id, sort_by_parameter_order=True), records).scalars().all()
    search.store(db.session.connection(), queries.SEARCH, [(i, r["title"], r["body"]) for i, r in zip(ids, records, strict=True)])
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("ANALYZE topics; ANALYZE search_topics"))
    return {i: (r["title"], r["body"]) for i, r in zip(ids, records, strict=True) if r["status"] != TopicStatus.DRAFT}


def found(community_id: int, q: str, **filters) -> set[int]:
    return set(database.session.scalars(queries.topic_list(community_id, q=q, **filters).with_only_columns(Topic.id)))


def _finds_exactly_the_right_topics(db, world, n):
    public = load(db, world, n)
    for word in WORDS:
        expected = holding(public, word)
        assert expected, word
        assert found(world.a.id, word) == expected, word
    assert found(world.b.id, "停车") == set()  # another community's list


def test_停车_电梯_and_加装电梯_find_exactly_the_right_topics(db, world):
    _finds_exactly_the_right_topics(db, world, 2_000)


@pytest.mark.slow
def test_停车_电梯_and_加装电梯_find_exactly_the_right_topics_among_50_000(db, world):
    _finds_exactly_the_right_topics(db, world, 50_000)
    if db.session.get_bind().dialect.name == "postgresql":
        plan = "\n".join(db.session.execute(sa.text("EXPLAIN " + _sql(db, world.a.id, "停车"))).scalars())
        assert "ix_search_topics_document" in plan and "Seq Scan on topics" not in plan, plan


def _sql(db, community_id: int, q: str) -> str:
    select = queries.topic_list(community_id, q=q).limit(20)
    return str(select.compile(db.session.get_bind(), compile_kwargs={"literal_binds": True}))


def _category(db) -> int:
    return db.session.scalar(sa.select(Category.id).where(Category.key == "parking"))


def test_a_proposed_topic_is_found_and_an_edit_moves_it(db, world):
    topic = proposals.propose(
        world.resident, world.a, title="加装电梯", body="五号楼老人多。", category_id=_category(db), submit=False
    )
    assert _indexed("加装电梯") == {topic.id}
    proposals.edit(world.resident, topic, title="夜间停车", body="车位不够。", category_id=_category(db), place=None)
    assert _indexed("加装电梯") == set()
    assert _indexed("停车") == _indexed("车位") == {topic.id}


def _indexed(q: str) -> set[int]:
    return set(database.session.scalars(search.apply(sa.select(Topic.id), queries.SEARCH, Topic.id, q, database.session).select))


def test_a_deleted_topic_leaves_the_index(db, world):
    topic = Topic(community_id=world.a.id, author_id=world.resident.id, title="电梯", body="坏了", category_id=_category(db))
    db.session.add(topic)
    db.session.flush()
    assert _indexed("电梯") == {topic.id}
    db.session.delete(topic)
    db.session.flush()
    assert _indexed("电梯") == set()
    assert not db.session.scalar(sa.text("SELECT count(*) FROM search_topics"))


def test_a_body_of_one_long_word_is_indexed(db, world):
    topic = world.factory.topic(world, title="长", body="x" * 9000)
    assert _indexed("x" * 60) == _indexed("x" * 100) == {topic.id}


def test_a_change_of_anything_but_the_text_leaves_the_index_alone(db, world, count_queries):
    topic = world.factory.topic(world, title="加装电梯")
    with count_queries() as counted:
        topic.support_count += 1
        db.session.flush()
    assert not [s for s in counted.statements if "search_topics" in s]
    assert _indexed("电梯") == {topic.id}


def test_the_search_keeps_the_filters_and_the_visibility(db, world):
    public = world.factory.topic(world, title="停车难")
    draft = proposals.propose(world.party, world.a, title="停车位", body="草稿", category_id=_category(db), submit=False)
    assert found(world.a.id, "停车") == {public.id}
    assert found(world.a.id, "停车", author_id=world.party.id) == {public.id}  # drafts are never listed
    assert draft.id in found(world.a.id, "停车", include_unlisted=True)
    assert found(world.a.id, "停车", status="voting") == set()
    assert found(world.a.id, "停车", category_id=public.category_id + 1000) == set()


def test_a_search_comes_best_match_first_unless_a_sort_is_chosen(db, world, clock):
    in_title = world.factory.topic(world, title="电梯", body="坏了。")
    clock.advance(minutes=5)
    in_body = world.factory.topic(world, title="夜里的事", body="电梯坏了。")
    best = list(db.session.scalars(queries.topic_list(world.a.id, q="电梯").with_only_columns(Topic.id)))
    newest = list(db.session.scalars(queries.topic_list(world.a.id, q="电梯", sort="newest").with_only_columns(Topic.id)))
    assert best == [in_title.id, in_body.id]
    assert newest == [in_body.id, in_title.id]


BAD = [
    "x" * 5000,
    "!!!",
    "%",
    "_",
    "%_%",
    "'",
    '"',
    '"停车',
    "停车*",
    "NEAR(停车 电梯)",
    "停车 AND 电梯",
    "a OR b",
    "NOT",
    "^",
    "-停车",
    "{title}:停车",
    "电梯:*",
    "\\",
    "停\t车",
    "停车\u3000电梯",
]


@pytest.mark.parametrize("q", BAD)
def test_any_query_gives_a_list_never_an_error(client, world, q):
    world.factory.topic(world, title="停车难")
    response = client.get(f"/c/{world.a.slug}/topics/", query_string={"q": q})
    assert response.status_code == 200


def test_the_list_page_searches_and_pages_keep_the_words(client, world):
    topic = world.factory.topic(world, title="加装电梯")
    page = client.get(f"/c/{world.a.slug}/topics/", query_string={"q": "加装电梯"}).get_data(as_text=True)
    assert f"/topics/{topic.id}" in page
    assert f"/topics/{topic.id}" not in client.get(f"/c/{world.a.slug}/topics/", query_string={"q": "电梯加装"}).get_data(
        as_text=True
    )


def test_the_list_page_lists_the_best_match_first_unless_a_sort_is_chosen(client, world, clock):
    in_title = world.factory.topic(world, title="电梯", body="坏了。")
    clock.advance(minutes=5)
    in_body = world.factory.topic(world, title="夜里的事", body="电梯坏了。")
    links = (f'href="/topics/{in_title.id}"', f'href="/topics/{in_body.id}"')

    def order(query: str) -> bool:
        page = client.get(f"/c/{world.a.slug}/topics/?{query}").get_data(as_text=True)
        return page.index(links[0]) < page.index(links[1])

    assert order("q=电梯") and order("q=电梯&sort=")
    assert not order("q=电梯&sort=newest")
