"""Request search on the index: the public list searches what was done only (the description is
not public), the committee's queue the description too; kept in step with the report and the
resolution; any input safe."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from consult.core import search
from consult.core.clock import now
from consult.extensions import db as database
from consult.requests import queries, reporting, services
from consult.requests.models import Request
from consult.requests.targets import ensure_categories
from tests.search_rows import WORDS, holding, texts


def load(db, world, n: int) -> dict[int, tuple[str, str | None]]:
    """``n`` requests of community a bulk-inserted and indexed as a bulk load does it: every third
    resolved with a note (a text of its own); (description, note) by id."""
    category, start, due = ensure_categories(world.a.id)[0].id, now() - timedelta(days=60), now() + timedelta(days=7)
    notes = texts(n, seed=15)
    records = []
    for i, (_short, long) in enumerate(texts(n)):
        resolved = i % 3 == 0
        records.append(
            {
                "community_id": world.a.id,
                "category_id": category,
                "reporter_id": world.resident.id,
                "description": long[:1000],
                "status": "resolved" if resolved else "submitted",
                "accepted_at": start if resolved else None,
                "resolved_at": start if resolved else None,
                "resolution_note": notes[i][0] if resolved else None,
                "created_at": start + timedelta(minutes=i),
                "held_since": start,
                "response_due_at": due,
                "original_response_due_at": due,
                "resolution_due_at": due,
                "original_resolution_due_at": due,
            }
        )
    table = Request.__table__
    ids = db.session.execute(sa.insert(table).returning(table.c.id, sort_by_parameter_order=True), records).scalars().all()
    rows = [(i, r["resolution_note"], r["description"]) for i, r in zip(ids, records, strict=True)]
    search.store(db.session.connection(), queries.SEARCH, rows)
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("ANALYZE requests; ANALYZE search_requests"))
    return {i: (description, note) for i, note, description in rows}


def ids(select) -> set[int]:
    return set(database.session.scalars(select.with_only_columns(Request.id)))


def _finds_exactly_the_right_requests(db, world, n):
    texts_by_id = load(db, world, n)
    notes = {i: (note,) for i, (_d, note) in texts_by_id.items()}
    open_ = {i: t for i, t in texts_by_id.items() if t[1] is None}  # the submitted ones: no note
    for word in WORDS:
        assert ids(queries.public_list(world.a.id, word)) == holding(notes, word), word
        assert ids(queries.searched(queries.open_requests(world.a.id), word)) == holding(open_, word), word
        assert holding(notes, word) and holding(open_, word)
    assert ids(queries.public_list(world.b.id, "停车")) == set()


def test_停车_电梯_and_加装电梯_find_exactly_the_right_requests(db, world):
    _finds_exactly_the_right_requests(db, world, 2_000)


@pytest.mark.slow
def test_停车_电梯_and_加装电梯_find_exactly_the_right_requests_among_50_000(db, world):
    _finds_exactly_the_right_requests(db, world, 50_000)


def test_a_report_is_found_by_the_committee_and_never_by_the_public_until_its_note(db, world):
    request = reporting.report(
        world.resident, world.a, category="repairs", description="五号楼电梯坏了，张三 301 室", building="5"
    )
    assert ids(queries.searched(queries.open_requests(world.a.id), "电梯")) == {request.id}
    assert ids(queries.public_list(world.a.id, "电梯")) == ids(queries.public_list(world.a.id, "张三")) == set()
    services.accept(world.worker, request)
    services.resolve(world.worker, request, "已修好电梯。")
    assert ids(queries.public_list(world.a.id, "修好电梯")) == {request.id}
    assert ids(queries.public_list(world.a.id, "张三")) == set()


def test_a_search_of_the_queue_keeps_it_to_open_requests(db, world):
    done = world.factory.request(world, "resolved")  # 楼道灯坏了 / 已更换灯泡
    waiting = reporting.report(world.resident, world.a, category="repairs", description="楼道灯不亮", building="3")
    assert ids(queries.searched(queries.open_requests(world.a.id), "楼道灯")) == {waiting.id}
    assert done.id in ids(queries.public_list(world.a.id, "灯泡"))


BAD = ["x" * 5000, "!!!", "%", "_", "'", '"', "*", "NEAR(电梯 停车)", "电梯 AND 停车", "{description}:电梯", "电梯:*B", "\\"]


@pytest.mark.parametrize("q", BAD)
def test_any_query_gives_a_list_never_an_error(client, login_as, world, q):
    world.factory.request(world, "resolved")
    assert client.get(f"/c/{world.a.slug}/requests/", query_string={"q": q}).status_code == 200
    assert login_as(world.worker).get(f"/manage/c/{world.a.slug}/requests/", query_string={"q": q}).status_code == 200


def test_the_pages_search(client, login_as, world):
    request = world.factory.request(world, "resolved")
    waiting = reporting.report(world.resident, world.a, category="repairs", description="电梯停了", building="3")
    public = client.get(f"/c/{world.a.slug}/requests/", query_string={"q": "灯泡"}).get_data(as_text=True)
    assert f"/requests/{request.id}" in public and f"/requests/{waiting.id}" not in public
    assert f"/requests/{request.id}" not in client.get(f"/c/{world.a.slug}/requests/?q=楼道灯").get_data(as_text=True)
    queue = login_as(world.worker).get(f"/manage/c/{world.a.slug}/requests/", query_string={"q": "电梯"}).get_data(as_text=True)
    assert f"/requests/{waiting.id}" in queue and f"/requests/{request.id}" not in queue
