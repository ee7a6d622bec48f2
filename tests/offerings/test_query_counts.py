"""The service list's pages cost the same number of SQL statements for 3 or 30 services."""

import pytest

from consult.offerings import neighbours


def queries_for(client, url, count_queries):
    client.get(url)
    with count_queries() as counter:
        assert client.get(url).status_code == 200
    return counter.count


@pytest.mark.parametrize(
    "url_of, who",
    [
        (lambda w: f"/c/{w.a.slug}/services/", "visitor"),
        (lambda w: f"/c/{w.a.slug}/services/?open=1&kind=welfare", "visitor"),
        (lambda w: f"/c/{w.a.slug}/services/print", "visitor"),
        (lambda w: f"/api/v1/communities/{w.a.slug}/services?per_page=100", "visitor"),
        (lambda w: f"/api/v1/communities/{w.a.slug}/services?format=csv", "visitor"),
        (lambda w: f"/manage/c/{w.a.slug}/services/", "worker"),
        (lambda w: f"/manage/c/{w.a.slug}/services/providers/{w.provider.id}", "worker"),
        (lambda w: f"/manage/providers/{w.provider.id}/", "provider"),
    ],
)
def test_query_count_does_not_grow(url_of, who, world, factory, login_as, count_queries, db):
    client = login_as(world.roles()[who])
    neighbour = factory.provider(world.b, name="杏花食堂")
    neighbours.link_neighbour(world.worker, world.a, world.b, 5)

    def grow(n):
        for i in range(n):
            factory.service(world.provider if i % 2 else neighbour, title=f"服务{i}", hours="08:00-12:00, 22:00-02:00+1")

    grow(3)
    db.session.commit()
    few = queries_for(client, url_of(world), count_queries)
    grow(27)
    db.session.commit()
    many = queries_for(client, url_of(world), count_queries)
    assert many == few, (few, many)
