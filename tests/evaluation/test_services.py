"""Monthly figures from hand-built months: rates, minimums, time zones, changed ratings, frozen weights."""

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from consult.activities import services as activities
from consult.core import clock, registries
from consult.core.cli import run_tick
from consult.core.errors import NotFound, PermissionDenied, RuleViolation
from consult.evaluation import services
from consult.evaluation.models import MonthlyResult, StreetRanking
from consult.places import queries as places, services as places_services
from consult.topics import queries as topic_queries, services as topics

UTC = UTC


def figures_of(world, month, community=None):
    community = community or world.a
    return services.compute([community.id], month, services.settings_for(world.street.id))[community.id]


@pytest.fixture
def past(clock):
    """Residents and topics are built in October 2026 (Asia/Shanghai); "now" is mid-December."""
    clock.set(2026, 10, 1, 2, 0)
    yield clock


def submit_topics(world, n, decide_after_hours=None):
    made = []
    for i in range(n):
        topic = world.factory.topic(world, "pending_review", title=f"议题{i}")
        if decide_after_hours is not None:
            clock.advance(timedelta(hours=decide_after_hours))
            topics.approve(world.worker, topic)
            clock.advance(timedelta(hours=-decide_after_hours))
        made.append(topic)
    return made


def test_no_records_means_not_enough_data(db, past, world):
    figures = figures_of(world, "2026-10")
    assert all(figures[rate]["rate"] is None and figures[rate]["den"] == 0 for rate in services.RATES)
    assert services.composite(figures, services.settings_for(world.street.id).weights) is None


def test_response_rate_with_minimum(db, past, world):
    submit_topics(world, 3, decide_after_hours=10)  # on time
    submit_topics(world, 1, decide_after_hours=60)  # late
    past.set(2026, 12, 15, 2, 0)
    figures = figures_of(world, "2026-10")
    assert (figures["topics_response"]["num"], figures["topics_response"]["den"]) == (3, 4)
    assert figures["topics_response"]["rate"] is None  # 4 < 5 records
    past.set(2026, 10, 2, 2, 0)
    submit_topics(world, 1)  # never decided, long overdue by December
    past.set(2026, 12, 15, 2, 0)
    figures = figures_of(world, "2026-10")
    assert (figures["topics_response"]["num"], figures["topics_response"]["den"]) == (3, 5)
    assert figures["topics_response"]["rate"] == pytest.approx(0.6)
    assert len(figures["topics_response"]["records"]) == figures["topics_response"]["den"]


def test_items_still_inside_their_target_are_not_counted_yet(db, past, world):
    submit_topics(world, 1)
    past.advance(hours=47)
    assert figures_of(world, "2026-10")["topics_response"]["den"] == 0
    past.advance(hours=2)
    assert figures_of(world, "2026-10")["topics_response"]["den"] == 1


def test_month_boundary_in_the_site_time_zone(db, past, world):
    past.set(datetime(2026, 10, 31, 17, 0, tzinfo=UTC))  # 2026-11-01 01:00 in Shanghai
    submit_topics(world, 1, decide_after_hours=1)
    past.set(2026, 12, 15, 2, 0)
    assert figures_of(world, "2026-10")["topics_response"]["den"] == 0
    assert figures_of(world, "2026-11")["topics_response"]["den"] == 1


def test_resolution_by_the_original_due_date(db, past, world):
    made = []
    for i in range(5):
        topic = world.factory.topic(world, "closed", title=f"结果{i}")
        outcome = topics.publish_outcome(
            world.worker, topic, decision="同意", responsible="物业", actions="施工", due_date=date(2026, 11, 10 + i)
        )
        made.append(outcome)
    past.set(2026, 11, 11, 2, 0)
    topics.add_progress(world.worker, made[0], status="done", note="按时完成")  # due 11-10: late
    topics.add_progress(world.worker, made[1], status="in_progress", note="延期", due_date=date(2026, 12, 30))
    topics.add_progress(world.worker, made[2], status="done", note="按时")  # due 11-12: on time
    past.set(2026, 12, 15, 2, 0)
    figures = figures_of(world, "2026-11")
    assert (figures["topics_resolution"]["num"], figures["topics_resolution"]["den"]) == (
        1,
        5,
    )  # moving a due date changes nothing
    assert figures_of(world, "2026-12")["topics_resolution"]["den"] == 0


def test_satisfaction_counts_first_ratings_in_their_month(db, past, world, factory):
    topic = world.topic("outcome_done")
    outcome = topic_queries.outcome_of(topic.id)
    voters = [world.resident, world.party]
    past.set(2026, 10, 20, 2, 0)
    for person, level in zip(voters, ("satisfied", "unsatisfied"), strict=True):
        topics.rate(person, outcome, level)
    past.set(2026, 11, 5, 2, 0)
    topics.rate(world.party, outcome, "satisfied")  # a change: a new version, counted nowhere new
    past.set(2026, 12, 15, 2, 0)
    october = figures_of(world, "2026-10")["topics_satisfaction"]
    assert (october["num"], october["den"]) == (1, 2) and october["levels"]["unsatisfied"] == 1
    assert figures_of(world, "2026-11")["topics_satisfaction"]["den"] == 0


def test_composite_spreads_a_missing_rates_weight():
    figures = {
        "response": {"rate": 0.8},
        "resolution": {"rate": None},
        "satisfaction": {"rate": 0.6},
        "participation": {"rate": None},
    }
    assert services.composite(
        figures, {"response": 30, "resolution": 30, "satisfaction": 10, "participation": 30}
    ) == pytest.approx(75.0)


def test_stored_ranking_keeps_its_weights(db, past, world):
    submit_topics(world, 5, decide_after_hours=1)
    past.set(2026, 12, 15, 2, 0)
    assert services.store_month(world.street, "2026-10") is True
    assert services.store_month(world.street, "2026-10") is False
    stored = services.street_month(world.street, "2026-10")
    assert stored["final"] and stored["weights"]["response"] == 30
    score = stored["rows"][0][2]
    services.update_settings(
        world.street_admin,
        world.street,
        response_hours=48,
        min_records=5,
        weights={"response": 1, "resolution": 0, "satisfaction": 0, "participation": 0},
    )
    again = services.street_month(world.street, "2026-10")
    assert again["weights"]["response"] == 30 and again["rows"][0][2] == score
    assert services.street_month(world.street, "2026-11")["weights"]["response"] == 1


def test_settings_refusals(db, world):
    ok = {"response": 1, "resolution": 1, "satisfaction": 1, "participation": 1}
    with pytest.raises(PermissionDenied):
        services.update_settings(world.other_street_admin, world.street, response_hours=48, min_records=5, weights=ok)
    with pytest.raises(RuleViolation):
        services.update_settings(
            world.street_admin, world.street, response_hours=48, min_records=5, weights={**ok, "response": -1}
        )
    with pytest.raises(RuleViolation):
        services.update_settings(world.street_admin, world.street, response_hours=48, min_records=5, weights=dict.fromkeys(ok, 0))
    with pytest.raises(RuleViolation):
        services.update_settings(world.street_admin, world.street, response_hours=0, min_records=5, weights=ok)


def test_months_malformed_future_or_unstored(db, world, clock):
    for bad in ("2026-13", "2026-1", "x", ""):
        with pytest.raises(RuleViolation):
            services.check_month(bad)
    with pytest.raises(NotFound):
        services.check_month("2099-01")
    with pytest.raises(RuleViolation):
        services.store_month(world.street, services.current_month())


def test_tick_stores_a_month_once_it_is_final(db, past, world):
    past.set(2026, 12, 2, 2, 0)  # November's last items are still inside their 48 hours
    assert run_tick()["evaluation"] == 2  # October, for both streets
    past.set(2026, 12, 3, 2, 0)
    assert run_tick()["evaluation"] == 2  # now November
    assert run_tick()["evaluation"] == 0
    months = set(db.session.scalars(sa.select(StreetRanking.month).where(StreetRanking.street_id == world.street.id)))
    assert months == {"2026-10", "2026-11"}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MonthlyResult)) == 6


def test_a_vote_closing_at_the_end_of_the_month_counts_in_it(db, past, world):
    topic = world.factory.topic(world, "ready_for_vote")
    topics.schedule_vote(
        world.worker,
        topic,
        kind="yes_no",
        options=None,
        max_choices=1,
        scope="resident",
        quorum_percent=None,
        live_results=False,
        opens_at=datetime(2026, 10, 1, 1, 0, tzinfo=UTC),
        closes_at=datetime(2026, 10, 31, 15, 59, tzinfo=UTC),
    )  # 23:59 on 31 October in Shanghai
    option = topic_queries.options_of(topics.vote_of(topic).id)[0].id
    topics.cast_ballot(world.resident, topic, [option])
    past.set(2026, 11, 3, 2, 0)  # the tick was down over the month end; nothing settled the vote yet
    run_tick()
    stored = db.session.scalar(
        sa.select(MonthlyResult).where(MonthlyResult.community_id == world.a.id, MonthlyResult.month == "2026-10")
    )
    assert stored.figures["participation"]["num"] == 1


def test_withdrawn_and_committee_topics_are_not_counted(db, past, world):
    mine = world.factory.topic(world, "pending_review")
    topics.withdraw(world.resident, mine)
    topics.propose(world.worker, world.a, title="居委会议题", body="x", category_id=topics.categories_for(world.a)[0].id)
    past.set(2026, 12, 15, 2, 0)
    assert figures_of(world, "2026-10")["topics_response"]["den"] == 0


def test_participation_never_above_everyone(db, past, world, factory):
    topic = world.topic("voting")
    option = topic_queries.options_of(topics.vote_of(topic).id)[0].id
    for person in (world.resident, world.party):
        topics.cast_ballot(person, topic, [option])
    topics.close_early(world.worker, topic, "结束")
    places_services.end_residence(world.worker, places.active_residence(world.resident), "搬走")
    factory.resident(world.a)  # moved in after the vote
    figures = figures_of(world, "2026-10")
    assert (figures["participation"]["num"], figures["participation"]["den"]) == (2, 2)


def test_a_stored_month_keeps_its_rules(db, past, world):
    past.set(2026, 12, 15, 2, 0)
    services.store_month(world.street, "2026-10")
    services.update_settings(
        world.street_admin,
        world.street,
        response_hours=48,
        min_records=10,
        weights={"response": 1, "resolution": 1, "satisfaction": 1, "participation": 1},
    )
    assert services.street_month(world.street, "2026-10")["rules"]["min_records"] == 5
    assert services.street_month(world.street, "2026-11")["rules"]["min_records"] == 10


def test_participation_and_service_counts(db, past, world):
    topic = world.topic("voting")
    vote = topics.vote_of(topic)
    option = topic_queries.options_of(vote.id)[0].id
    for person in (world.resident, world.party):
        topics.cast_ballot(person, topic, [option])
    topics.close_early(world.worker, topic, "结束")
    figures = figures_of(world, "2026-10")
    assert (figures["participation"]["num"], figures["participation"]["den"]) == (2, 2)
    assert figures["participation"]["records"] == [["vote", topic.id]]


def test_an_ended_month_is_stored_on_its_first_view_and_never_recomputed(db, past, world, monkeypatch):
    """Issue 10.15: past months that were never stored were recomputed on every view."""
    submit_topics(world, 5, decide_after_hours=1)
    past.set(2026, 12, 15, 2, 0)
    first = services.street_month(world.street, "2026-10")
    assert first["final"] is True
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StreetRanking).where(StreetRanking.month == "2026-10")) == 1

    def no_compute(*args, **kwargs):
        raise AssertionError("a stored month was recomputed")

    monkeypatch.setattr(services, "compute", no_compute)
    assert services.street_month(world.street, "2026-10")["rows"][0][2] == first["rows"][0][2]
    monkeypatch.undo()
    services.community_months(world.a)  # ended months of the last twelve are stored on this view
    real = services.compute

    def only_this_month(ids, month, settings):
        assert month == services.current_month(), f"{month} was recomputed"
        return real(ids, month, settings)

    monkeypatch.setattr(services, "compute", only_this_month)
    services.community_months(world.a)  # only the current month is computed again
    services.figure_records(world.a, "2026-10", "topics_response")


def test_a_month_inside_its_response_window_is_not_stored_on_view(db, past, world):
    past.set(2026, 12, 2, 2, 0)  # November ended under 48 hours ago
    assert services.street_month(world.street, "2026-11")["final"] is False
    assert services.street_month(world.street, "2026-10")["final"] is True
    assert services.default_month(world.street) == "2026-10"


def test_months_before_the_street_existed_are_shown_but_never_stored(db, world):
    assert services.street_month(world.street, "2001-01")["final"] is False
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StreetRanking).where(StreetRanking.month == "2001-01")) == 0


def test_records_come_in_kind_order_whatever_order_the_sources_were_registered_in(db, past, world, monkeypatch):
    """Topics before micro-wishes on the response figure's records, as before the sources moved to
    the domains; the registries are filled in import order, which the records must not follow."""
    activities.post_wish(world.resident, world.a, title="换灯泡", description="够不着")
    submit_topics(world, 2)
    past.set(2026, 12, 15, 2, 0)
    expected = figures_of(world, "2026-10")["topics_response"]["records"]
    assert [kind for kind, _id in expected] == ["topic", "topic", "wish"]
    reversed_sources = dict(reversed(list(registries.evaluation_sources["topics_response"].items())))
    monkeypatch.setitem(registries.evaluation_sources, "topics_response", reversed_sources)
    assert figures_of(world, "2026-10")["topics_response"]["records"] == expected
