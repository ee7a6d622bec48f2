"""Ranking, community evaluation and records pages; settings; bad months; CSV."""
import re
from datetime import timedelta

from consult.evaluation import services


def test_ranking_page_links_figures_to_their_records(client, world, db, clock):
    for i in range(6):
        world.factory.topic(world, "pending_review", title=f"议题{i}")
    clock.advance(hours=49)
    month = services.current_month()
    page = client.get(f"/streets/{world.street.slug}/ranking?month={month}").get_data(as_text=True)
    assert world.a.name in page and "<svg" in page
    link = re.search(r'href="(/c/%s/evaluation/records\?[^"]*figure=response[^"]*)"' % world.a.slug, page).group(1).replace("&amp;", "&")
    records = client.get(link).get_data(as_text=True)
    figures = services.compute([world.a.id], month, services.settings_for(world.street.id))[world.a.id]
    assert records.count('<li class="record">') == figures["response"]["den"] == 6


def test_bad_months_and_unknown_places(client, world):
    assert client.get(f"/streets/{world.street.slug}/ranking?month=2026-13").status_code == 400
    assert client.get(f"/streets/{world.street.slug}/ranking?month=evil").status_code == 400
    assert client.get(f"/streets/{world.street.slug}/ranking?month=2099-01").status_code == 404
    assert client.get("/streets/nowhere/ranking").status_code == 404
    assert client.get(f"/c/{world.a.slug}/evaluation/records?figure=bogus").status_code == 404


def test_csv_downloads(client, world):
    ranking = client.get(f"/streets/{world.street.slug}/ranking?format=csv")
    text = ranking.data.decode("utf-8")
    assert ranking.mimetype == "text/csv" and text.startswith("\ufeff")
    assert text.splitlines()[0].lstrip("\ufeff").startswith("rank,community,composite,response_num")
    assert world.a.name in text
    community = client.get(f"/c/{world.a.slug}/evaluation/?format=csv").data.decode("utf-8")
    assert len(community.strip().splitlines()) == 13  # header and twelve months


def test_settings_page(login_as, world, db):
    client = login_as(world.street_admin)
    base = f"/manage/streets/{world.street.slug}/evaluation/"
    good = {"response_hours": 24, "min_records": 3, "weight_response": 40, "weight_resolution": 30, "weight_satisfaction": 20, "weight_participation": 10}
    assert client.post(base, {**good, "weight_response": -1}).status_code == 400
    assert client.post(base, {**good, "weight_response": 0, "weight_resolution": 0, "weight_satisfaction": 0, "weight_participation": 0}).status_code == 400
    assert client.post(base, good).status_code == 302
    assert services.settings_for(world.street.id).response_hours == 24
    assert login_as(world.other_street_admin).post(base, good).status_code == 403


def test_activity_rating_page(login_as, world, db, clock):
    from consult.activities import services as activities

    activity = world.factory.activity(world, starts_in=timedelta(minutes=10))
    activities.sign_up(world.party, activity)
    activities.check_in(world.party, activity, activities.checkin_code(activity))
    client = login_as(world.party)
    assert client.post(f"/activities/{activity.id}/rate", {"rating": "satisfied"}).status_code == 400  # not ended yet
    clock.advance(hours=3)
    assert client.post(f"/activities/{activity.id}/rate", {"rating": "great"}).status_code == 400
    assert client.post(f"/activities/{activity.id}/rate", {"rating": "satisfied"}).status_code == 302
    assert client.post(f"/activities/{activity.id}/rate", {"rating": "satisfied"}).status_code == 409
    assert login_as(world.resident).post(f"/activities/{activity.id}/rate", {"rating": "satisfied"}).status_code == 403
    clock.advance(days=8)
    other = world.factory.activity(world, starts_in=timedelta(minutes=10))
    activities.sign_up(world.party, other)
    activities.check_in(world.party, other, activities.checkin_code(other))
    clock.advance(days=8)
    assert login_as(world.party).post(f"/activities/{other.id}/rate", {"rating": "satisfied"}).status_code == 400  # too late


def test_evaluation_pages_cost_does_not_grow_with_communities(client, world, factory, count_queries, db):
    from consult.topics import services as topics

    def grow(n):
        for _ in range(n):
            community = factory.community(world.street)
            worker = factory.worker(community)
            factory.resident(community)
            category = topics.categories_for(community)[0].id
            topic = topics.propose(worker, community, title="x", body="y", category_id=category)
            topics.send_to_vote(worker, topic)
            from consult.core.clock import now

            topics.schedule_vote(worker, topic, kind="yes_no", options=None, max_choices=1, scope="resident", quorum_percent=None,
                                 live_results=False, opens_at=now() - timedelta(minutes=1), closes_at=now() + timedelta(days=1))
            topics.close_early(worker, topic, "结束")

    def count(url):
        client.get(url)
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        return counter.count

    grow(2)
    ranking = count(f"/streets/{world.street.slug}/ranking")
    api = count(f"/api/v1/streets/{world.street.slug}/figures")
    grow(6)
    assert count(f"/streets/{world.street.slug}/ranking") == ranking
    assert count(f"/api/v1/streets/{world.street.slug}/figures") == api


def test_odd_slugs_months_and_unknown_api_routes(client, world):
    assert client.get("/streets/%00/ranking").status_code == 404
    assert client.get("/api/v1/communities/%00/topics").status_code == 404
    assert client.get("/verify/%00?c=x").status_code == 404
    assert client.get(f"/streets/{world.street.slug}/ranking?month=%EF%BC%92%EF%BC%90%EF%BC%92%EF%BC%96-%EF%BC%91%EF%BC%91").status_code == 400
    missing = client.get("/api/v1/nope")
    assert missing.status_code == 404 and missing.mimetype == "application/json" and missing.get_json()["status"] == 404
