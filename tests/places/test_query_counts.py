"""Page cost does not grow with the data: the same number of SQL statements for 3 or 30 rows."""

import pytest

from consult.places import queries, services
from consult.places.models import ResidenceStatus


def queries_for(client, url, count_queries):
    client.get(url)  # warm caches (CSRF token in session, etc.)
    with count_queries() as counter:
        assert client.get(url).status_code == 200
    return counter.count


@pytest.mark.parametrize(
    "url_of, who",
    [
        (lambda w: f"/manage/c/{w.a.slug}/residents/", "worker"),
        (lambda w: f"/manage/c/{w.a.slug}/", "worker"),
        (lambda w: f"/manage/c/{w.a.slug}/audit", "worker"),
        (lambda w: f"/manage/streets/{w.street.slug}/", "street_admin"),
        (lambda w: "/manage/site/", "site_admin"),
        (lambda w: f"/c/{w.a.slug}/", "resident"),
        (lambda w: f"/streets/{w.street.slug}/", "visitor"),
        (lambda w: "/", "visitor"),
    ],
)
def test_query_count_does_not_grow(url_of, who, world, factory, login_as, count_queries, db):
    client = login_as(world.roles()[who])
    url = url_of(world)

    def grow(n):
        """Pending and confirmed residents (confirmed through the service, so audited), workers, communities."""
        for _ in range(n):
            factory.resident(world.a, ResidenceStatus.PENDING)
            person = factory.resident(world.a, ResidenceStatus.PENDING)
            services.confirm_residence(world.worker, queries.active_residence(person))
            factory.worker(world.a)
            factory.community(world.street)

    grow(3)
    small = queries_for(client, url, count_queries)
    grow(27)
    large = queries_for(client, url, count_queries)
    assert large == small, f"{url}: {small} statements with few rows, {large} with many"
    assert small <= 20, f"{url}: {small} statements"
