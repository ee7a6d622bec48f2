"""The request pages cost the same number of SQL statements for 3 or 30 requests."""

import pytest

from consult.evaluation.services import current_month
from consult.requests import reporting, services


def queries_for(client, url, count_queries):
    client.get(url)
    with count_queries() as counter:
        assert client.get(url).status_code == 200
    return counter.count


@pytest.mark.parametrize(
    "url_of, who",
    [
        (lambda w: f"/c/{w.a.slug}/requests/", "visitor"),
        (lambda w: f"/manage/c/{w.a.slug}/requests/", "worker"),
        (lambda w: f"/manage/c/{w.a.slug}/", "worker"),
        (lambda w: f"/manage/streets/{w.street.slug}/requests/", "street_admin"),
        (lambda w: f"/manage/c/{w.a.slug}/requests/recurring", "worker"),
        (lambda w: f"/manage/streets/{w.street.slug}/requests/recurring", "street_admin"),
        (lambda w: f"/manage/streets/{w.street.slug}/requests/?held_page=2&overdue_page=abc", "street_admin"),
        (lambda w: "/me/requests", "resident"),
        # the month's 三率 come from the requests: the ranking, a community's months and a rate's records
        (lambda w: f"/streets/{w.street.slug}/ranking?month={current_month()}", "visitor"),
        (lambda w: f"/c/{w.a.slug}/evaluation/", "visitor"),
        (lambda w: f"/c/{w.a.slug}/evaluation/records?figure=response", "visitor"),
    ],
)
def test_query_count_does_not_grow(url_of, who, world, login_as, count_queries, db):
    client = login_as(world.roles()[who])
    url = url_of(world)

    def grow(n):
        for i in range(n):
            request = reporting.report(world.resident, world.a, category="repairs", description=f"第{i}件", building=str(i % 4))
            if i % 3:
                services.accept(world.worker, request)
            if i % 3 == 2:
                services.escalate(world.worker, request, "需要街道")

    grow(3)
    few = queries_for(client, url, count_queries)
    grow(27)
    many = queries_for(client, url, count_queries)
    assert many == few, f"{url}: {few} statements for 3 requests, {many} for 30"
