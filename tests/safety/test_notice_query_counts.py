"""The notice pages cost the same number of SQL statements for few or many residents,
acknowledgements, visits, people needing help and responders; so does the banner on every page."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from consult.core.clock import now
from consult.safety import followup, needs, notices, responders
from consult.safety.notice_models import NoticeRecipient, NoticeResponder
from tests.places.test_query_counts import queries_for


@pytest.mark.parametrize(
    "url_of, who",
    [
        (lambda w, n: f"/manage/notices/{n.id}/", "worker"),
        (lambda w, n: f"/manage/notices/{n.id}/", "grid_worker"),
        (lambda w, n: f"/manage/notices/{n.id}/", "street_admin"),
        (lambda w, n: f"/manage/notices/{n.id}/print", "grid_worker"),
        (lambda w, n: f"/manage/notices/{n.id}/export.csv", "worker"),
        (lambda w, n: f"/manage/c/{w.a.slug}/notices/", "worker"),
        (lambda w, n: f"/manage/streets/{w.street.slug}/notices/", "street_admin"),
        (lambda w, n: f"/notices/{n.id}", "resident"),
        (lambda w, n: "/", "resident"),  # the banner
    ],
)
def test_query_count_does_not_grow(url_of, who, world, factory, login_as, count_queries, db):
    draft = notices.Draft(level="red", title="红色预警", what_to_do="请立即转移。", ends_at=now() + timedelta(hours=6))
    notice = notices.publish(world.worker, world.a, draft)
    client = login_as(world.roles()[who])
    url = url_of(world, notice)
    made = [0]

    def grow(n):
        """Per step: residents of world.grid (one needing help, one acknowledging, one visited) and a responder."""
        for _ in range(n):
            made[0] += 1
            people = [factory.resident(world.a, building="3", unit="1", room=f"{made[0]}0{i}") for i in range(3)]
            for person in people:
                db.session.add(
                    NoticeRecipient(
                        notice_id=notice.id, user_id=person.id, community_id=world.a.id, grid_id=world.grid.id, building="3"
                    )
                )
            db.session.flush()
            needs.set_own(people[0], {"no_phone": True}, None)
            followup.acknowledge(people[1], notice)
            followup.record_visit(world.grid_worker, notice, people[2].id, "not_home", "敲门无人")
            responders.opt_in(people[0], {"first_aid": True}, None, [world.grid.id])
            db.session.add(NoticeResponder(notice_id=notice.id, user_id=people[0].id))
            db.session.flush()
        notices.publish(world.worker, world.a, draft)  # one more notice in the lists (and one more banner row)

    counts = []
    for steps in (2, 12):
        grow(steps)
        counts.append(queries_for(client, url, count_queries))
    assert len(set(counts)) == 1, f"{url} as {who}: {counts} statements as the rows grow"
    assert counts[0] <= 25, f"{url}: {counts[0]} statements"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(NoticeRecipient)) > 40
