"""Ranking, community evaluation and records pages; settings; bad months; CSV."""

import re
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from consult.activities import services as activities
from consult.activities.models import PartyRegistration
from consult.core.clock import now
from consult.evaluation import services
from consult.evaluation.models import MonthlyResult, StreetRanking
from consult.places.models import Residence
from consult.topics import queries as topic_queries, services as topics


def test_ranking_page_links_figures_to_their_records(client, world, db, clock):
    for i in range(6):
        world.factory.topic(world, "pending_review", title=f"议题{i}")
    clock.advance(hours=49)
    month = services.current_month()
    page = client.get(f"/streets/{world.street.slug}/ranking?month={month}").get_data(as_text=True)
    assert world.a.name in page and f'src="/streets/{world.street.slug}/ranking.svg?month={month}"' in page
    link = (
        re.search(rf'href="(/c/{world.a.slug}/evaluation/records\?[^"]*figure=topics_response[^"]*)"', page)
        .group(1)
        .replace("&amp;", "&")
    )
    records = client.get(link).get_data(as_text=True)
    figures = services.compute([world.a.id], month, services.settings_for(world.street.id))[world.a.id]
    assert records.count('<li class="record">') == figures["topics_response"]["den"] == 6


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
    assert text.splitlines()[0].lstrip("\ufeff").startswith("名次,社区,得分,响应率：")  # headers in the reader's language
    assert world.a.name in text
    client.raw.set_cookie("lang", "en")
    english = client.get(f"/streets/{world.street.slug}/ranking?format=csv").data.decode("utf-8")
    assert english.splitlines()[0].lstrip("\ufeff").startswith("Rank,Community,Score,Response rate: ")
    community = client.get(f"/c/{world.a.slug}/evaluation/?format=csv").data.decode("utf-8")
    assert len(community.strip().splitlines()) == 13  # header and twelve months


def test_settings_page(login_as, world, db):
    client = login_as(world.street_admin)
    base = f"/manage/streets/{world.street.slug}/evaluation/"
    good = {
        "response_hours": 24,
        "min_records": 3,
        "weight_response": 40,
        "weight_resolution": 30,
        "weight_satisfaction": 20,
        "weight_participation": 10,
    }
    assert client.post(base, {**good, "weight_response": -1}).status_code == 400
    assert (
        client.post(
            base, {**good, "weight_response": 0, "weight_resolution": 0, "weight_satisfaction": 0, "weight_participation": 0}
        ).status_code
        == 400
    )
    assert client.post(base, good).status_code == 302
    assert services.settings_for(world.street.id).response_hours == 24
    assert login_as(world.other_street_admin).post(base, good).status_code == 403


def test_activity_rating_page(login_as, world, db, clock):
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
    def grow(n):
        for _ in range(n):
            community = factory.community(world.street)
            worker = factory.worker(community)
            factory.resident(community)
            category = topics.categories_for(community)[0].id
            topic = topics.propose(worker, community, title="x", body="y", category_id=category)
            topics.send_to_vote(worker, topic)

            topics.schedule_vote(
                worker,
                topic,
                kind="yes_no",
                options=None,
                max_choices=1,
                scope="resident",
                quorum_percent=None,
                live_results=False,
                opens_at=now() - timedelta(minutes=1),
                closes_at=now() + timedelta(days=1),
            )
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
    assert (
        client.get(
            f"/streets/{world.street.slug}/ranking?month=%EF%BC%92%EF%BC%90%EF%BC%92%EF%BC%96-%EF%BC%91%EF%BC%91"
        ).status_code
        == 400
    )
    missing = client.get("/api/v1/nope")
    assert missing.status_code == 404 and missing.mimetype == "application/json" and missing.get_json()["status"] == 404


def backdate(world):
    """The world was built at today's date, before the test set the clock back: date it to January 2026."""
    january = datetime(2026, 1, 1, tzinfo=UTC)
    session = world.factory.session
    world.street.created_at = world.other_street.created_at = january
    for residence in session.scalars(sa.select(Residence).where(Residence.confirmed_at.is_not(None))):
        residence.confirmed_at = january
    for registration in session.scalars(sa.select(PartyRegistration).where(PartyRegistration.decided_at.is_not(None))):
        registration.decided_at = january
    session.flush()


def _served_month(clock, world):
    """An activity with confirmed minutes of two party members and a neighbour, a confirmed micro-wish, ratings; in October."""
    backdate(world)
    clock.set(2026, 10, 10, 2, 0)
    party2 = world.factory.resident(world.a)
    world.factory.party_registration(party2, world.a)
    clock.advance(hours=1)
    activity = world.factory.activity(world, starts_in=timedelta(minutes=10), hours=2)
    for person in (world.party, party2, world.resident):
        activities.sign_up(person, activity)
        activities.check_in(person, activity, activities.checkin_code(activity))
    clock.advance(hours=3)
    for person, minutes in ((world.party, 120), (party2, 90), (world.resident, 60)):
        activities.confirm_minutes(world.worker, activity, activities.attendance_of(person, activity), minutes)
    activities.rate_activity(world.party, activity, "unsatisfied", "太早了，没有热水")
    activities.rate_activity(world.resident, activity, "satisfied", None)
    wish = activities.post_wish(world.resident, world.a, title="换灯泡", description="够不着")
    activities.approve_wish(world.worker, wish)
    activities.claim_wish(world.party, wish)
    activities.fulfil_wish(world.party, wish)
    activities.confirm_wish(world.resident, wish, "basically", "来得有点晚")
    return activity, wish


def test_every_figure_links_to_records_that_match_its_number(client, world, db, clock):
    activity, wish = _served_month(clock, world)
    clock.set(2026, 12, 15, 2, 0)
    page = client.get(f"/streets/{world.street.slug}/ranking?month=2026-10").get_data(as_text=True)
    base = f"/c/{world.a.slug}/evaluation/records?month=2026-10&amp;figure="
    for figure, shown in (("volunteer_minutes", "4.5"), ("party_services", "2"), ("wishes_fulfilled", "1")):
        assert f'href="{base}{figure}">{shown}<' in page, figure
    hours = client.get(f"/c/{world.a.slug}/evaluation/records?month=2026-10&figure=volunteer_minutes").get_data(as_text=True)
    assert hours.count('<li class="record">') == 1 and activity.title in hours and "4.5" in hours
    services_page = client.get(f"/c/{world.a.slug}/evaluation/records?month=2026-10&figure=party_services").get_data(as_text=True)
    assert services_page.count('<li class="record">') == 2 and world.party.display_name not in services_page
    wishes = client.get(f"/c/{world.a.slug}/evaluation/records?month=2026-10&figure=wishes_fulfilled").get_data(as_text=True)
    assert wishes.count('<li class="record">') == 1 and f"/wishes/{wish.id}" in wishes


def test_participation_shows_its_votes_and_its_residents_apart(client, world, db, clock):
    backdate(world)
    clock.set(2026, 10, 10, 2, 0)
    topic = world.topic("voting")
    option = topic_queries.options_of(topics.vote_of(topic).id)[0].id
    topics.cast_ballot(world.resident, topic, [option])
    topics.close_early(world.worker, topic, "结束")
    clock.set(2026, 12, 15, 2, 0)
    page = client.get(f"/streets/{world.street.slug}/ranking?month=2026-10").get_data(as_text=True)
    f = services.street_month(world.street, "2026-10")["rows"][0][1]["participation"]
    assert (
        f["num"] == 1 and f["den"] >= 2 and f"{f['den']} 位居民中 1 位投票" in page
    )  # residents counted, shown apart from the votes
    link = re.search(rf'href="(/c/{world.a.slug}/evaluation/records\?[^"]*figure=participation)">([^<]*)<', page)
    assert link.group(2).strip() == "1 次表决"
    records = client.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert records.count('<li class="record">') == 1 and topic.title in records


def test_activity_ratings_are_shown_with_level_and_comment_but_no_rater(client, world, db, clock):
    _served_month(clock, world)
    clock.set(2026, 12, 15, 2, 0)
    page = client.get(f"/c/{world.a.slug}/evaluation/records?month=2026-10&figure=topics_satisfaction").get_data(as_text=True)
    assert page.count('<li class="record">') == 3  # two activity ratings and the micro-wish's
    assert "太早了，没有热水" in page and "来得有点晚" in page and "不满意" in page
    for person in (world.party, world.resident):
        assert person.display_name not in page and person.username not in page


def test_charts_are_pygal_svg_images_with_names_and_values(client, world, db, clock):
    for _ in range(5):
        world.factory.request(world)
    clock.advance(hours=49)
    month = services.current_month()
    chart = client.get(f"/streets/{world.street.slug}/ranking.svg?month={month}")
    svg = chart.get_data(as_text=True)
    assert chart.status_code == 200 and chart.mimetype == "image/svg+xml"
    assert "default-src 'none'" in chart.headers["Content-Security-Policy"]
    assert "<script" not in svg and "pygal" in svg
    assert f"1. {world.a.name}" in svg and "0.0" in svg  # the ranked community by name, its value on the bar
    assert world.b.name not in svg  # not enough data: not ranked, not charted
    assert "font-size:15px" in svg.replace(" ", "")
    large = client.get(f"/streets/{world.street.slug}/ranking.svg?month={month}&large=1").get_data(as_text=True)
    assert "font-size:20px" in large.replace(" ", "")
    rate = client.get(f"/c/{world.a.slug}/evaluation/response.svg")
    assert rate.status_code == 200 and month in rate.get_data(as_text=True)
    assert client.get(f"/c/{world.a.slug}/evaluation/bogus.svg").status_code == 404
    page = client.get(f"/c/{world.a.slug}/evaluation/").get_data(as_text=True)
    assert page.count('<img src="/c/') == 4 and "<svg" not in page and "style=" not in page


def test_ranking_opens_on_the_newest_stored_month_and_ranks_only_with_enough_data(client, world, db, clock):
    backdate(world)
    clock.set(2026, 10, 5, 2, 0)
    for _ in range(5):
        world.factory.request(world)
    clock.set(2026, 12, 1, 2, 0)  # November is not final yet (48 h); October is
    page = client.get(f"/streets/{world.street.slug}/ranking").get_data(as_text=True)
    assert "2026-10" in page.split("<h1>")[1].split("</h1>")[0]
    rows = re.findall(r"<tr><td>([^<]*)</td><td><a[^>]*>([^<]*)</a>", page)
    assert rows[0] == ("1", world.a.name)
    assert all(rank == "–" for rank, _name in rows[1:])  # no community without enough data is ranked
    assert page.index('class="month-switcher"') < page.index("<table")
    csv = client.get(f"/streets/{world.street.slug}/ranking?format=csv").data.decode("utf-8").splitlines()
    assert csv[1].startswith(f"1,{world.a.name},") and csv[2].startswith(",")


def test_an_activity_page_shows_its_ratings_without_raters(client, world, db, clock):
    """Issue 10.12: the committee (and everyone) sees the levels and comments on the activity's page."""
    activity, _wish = _served_month(clock, world)
    page = client.get(f"/activities/{activity.id}").get_data(as_text=True)
    assert "太早了，没有热水" in page and "满意 1，基本满意 0，不满意 1" in page
    for person in (world.party, world.resident):
        assert person.display_name not in page.split('id="ratings-heading"')[1]


def test_request_rates_first_and_topics_beside_them_and_an_old_month_says_its_basis(client, world, db, clock):
    backdate(world)
    clock.set(2026, 10, 15, 2, 0)
    world.factory.request(world, "accepted")
    world.factory.topic(world, "collecting_support")
    page = client.get(f"/streets/{world.street.slug}/ranking?month=2026-10").get_data(as_text=True)
    assert 'id="beside-caption"' in page and "figure=topics_response" in page and "figure=response" in page
    records = client.get(f"/c/{world.a.slug}/evaluation/records?month=2026-10&figure=response").get_data(as_text=True)
    assert records.count('<li class="record">') == 1 and "/requests/" in records
    assert world.resident.display_name not in records
    old = {"response": {"num": 4, "den": 5, "records": [], "rate": 0.8}}
    for rate in ("resolution", "satisfaction", "participation"):
        old[rate] = {"num": 0, "den": 0, "records": [], "rate": None}
    old.update(volunteer_minutes=0, party_services=0, wishes_fulfilled=0)
    db.session.add(
        StreetRanking(
            street_id=world.street.id, month="2026-09", weights={"response": 30}, rules={"min_records": 5, "response_hours": 48}
        )
    )
    for community in (world.a, world.b, world.c):
        db.session.add(MonthlyResult(community_id=community.id, month="2026-09", figures=old, composite=80.0, weights={}))
    db.session.flush()
    page = client.get(f"/streets/{world.street.slug}/ranking?month=2026-09").get_data(as_text=True)
    assert "这个月在统计诉求之前已保存" in page and 'id="beside-caption"' not in page
    community = client.get(f"/c/{world.a.slug}/evaluation/").get_data(as_text=True)
    assert 'href="#basis-note"' in community  # September is marked as computed from topics
    assert client.get(f"/c/{world.a.slug}/evaluation/?format=csv").status_code == 200
    api = client.get(f"/api/v1/streets/{world.street.slug}/figures?month=2026-09").get_json()
    assert api["items"][0]["figures"]["basis"] == "topics" and api["items"][0]["figures"]["topics_response"] is None
    api = client.get(f"/api/v1/streets/{world.street.slug}/figures?month=2026-10").get_json()
    row = next(i for i in api["items"] if i["community"] == world.a.slug)
    assert row["figures"]["basis"] == "requests" and row["figures"]["response"]["den"] == 1
    assert row["figures"]["topics_response"]["den"] == 1
