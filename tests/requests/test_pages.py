"""The worker queue and the street's requests page: 50 cards a page, how many in all, bad page numbers."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from consult.requests import reporting, services
from consult.requests.models import Request


def copies(db, request, n):
    """``n`` more requests like ``request`` (bulk: the pages only read them)."""
    row = {c.name: getattr(request, c.name) for c in Request.__table__.columns if c.name != "id"}
    db.session.execute(sa.insert(Request), [dict(row, description=f"第{i}件") for i in range(n)])
    db.session.commit()


def card_ids(html, start="", end=None):
    html = html[html.index(start) :] if start else html
    html = html[: html.index(end)] if end else html
    return [int(n) for n in re.findall(r'<li class="card[^"]*">\s*<h[23] class="topic-title"><a href="/requests/(\d+)"', html)]


@pytest.fixture
def many(db, world, clock):
    """51 open requests of community a, all passed to the street, the first reported the earliest."""
    clock.set(2026, 11, 2, 2, 0)
    first = reporting.report(world.resident, world.a, category="repairs", description="电梯坏了", building="3")
    services.accept(world.worker, first)
    services.escalate(world.worker, first, "需要街道")
    clock.advance(hours=1)
    copies(db, db.session.get(Request, first.id), 50)
    return first


def test_the_worker_queue_shows_50_a_page_and_how_many_in_all(many, world, login_as):
    worker = login_as(world.worker)
    url = f"/manage/c/{world.a.slug}/requests/"
    first = worker.get(url).get_data(as_text=True)
    assert "共 51 件" in first and "第 1 页，共 2 页" in first
    assert len(card_ids(first)) == 50 and card_ids(first)[0] == many.id  # the most urgent first
    assert f'href="{url}?page=2" rel="next"' in first
    second = worker.get(f"{url}?page=2").get_data(as_text=True)
    assert "共 51 件" in second and "第 2 页，共 2 页" in second
    assert len(card_ids(second)) == 1 and not set(card_ids(second)) & set(card_ids(first))


@pytest.mark.parametrize("bad", ["abc", "0", "-1", "²", "99999999999999999999"])
def test_bad_page_numbers_are_page_1_or_an_empty_page(many, world, login_as, bad):
    worker = login_as(world.worker)
    page = worker.get(f"/manage/c/{world.a.slug}/requests/?page={bad}")
    assert page.status_code == 200 and "共 51 件" in page.get_data(as_text=True)
    street = login_as(world.street_admin).get(f"/manage/streets/{world.street.slug}/requests/?held_page={bad}&overdue_page={bad}")
    assert street.status_code == 200


def test_each_list_of_the_street_page_has_its_own_pages(many, world, login_as, clock):
    clock.advance(days=30)  # every one overdue too
    admin = login_as(world.street_admin)
    url = f"/manage/streets/{world.street.slug}/requests/"
    html = admin.get(url).get_data(as_text=True)
    assert html.count("共 51 件") == 2 and "共 0 件" in html  # held, overdue; none dispatched
    held = card_ids(html, 'id="held-h"', 'id="dispatched-h"')
    assert len(held) == 50 and held[0] == many.id
    assert f'href="{url}?held_page=2#held-h" rel="next"' in html
    assert f'href="{url}?overdue_page=2#overdue-h" rel="next"' in html
    second = admin.get(f"{url}?held_page=2").get_data(as_text=True)
    assert len(card_ids(second, 'id="held-h"', 'id="dispatched-h"')) == 1
    assert card_ids(second, 'id="overdue-h"') == card_ids(html, 'id="overdue-h"')  # the other list stays on its page


def test_the_street_recurring_page_names_the_community_of_each_building(db, world, login_as, clock):
    clock.set(2026, 11, 2, 2, 0)
    for community in (world.a, world.b):
        resident = world.factory.resident(community)
        for _ in range(2):
            reporting.report(resident, community, category="repairs", description="电梯坏了", building="3")
    html = login_as(world.street_admin).get(f"/manage/streets/{world.street.slug}/requests/recurring").get_data(as_text=True)
    places = html[html.index('id="place-h"') : html.index('id="dup-h"')]
    assert f"<td>{world.a.name}</td><td>3</td><td>2</td>" in places
    assert f"<td>{world.b.name}</td><td>3</td><td>2</td>" in places
    committee = login_as(world.worker).get(f"/manage/c/{world.a.slug}/requests/recurring").get_data(as_text=True)
    assert "<td>设施维修</td><td>3</td><td>2</td>" in committee  # one community: no community column
