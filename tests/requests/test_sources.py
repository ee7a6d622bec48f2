"""The 三率 from requests (consult/requests/sources.py through consult/evaluation/figures.py), without HTTP.

Times are UTC; the site is in Asia/Shanghai (UTC+8): 2026-10-31 11:30 UTC is 19:30 there.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from consult.core.clock import month_bounds, site_zone
from consult.evaluation import services
from consult.evaluation.figures import ANSWER_WINDOW
from consult.evaluation.models import EvaluationSettings, MonthlyResult, StreetRanking
from consult.evaluation.queries import record_details
from consult.requests import services as requests
from consult.requests.clocks import Targets, response_due
from consult.requests.models import Request


def figures_of(world, month, community=None):
    community = community or world.a
    return services.compute([community.id], month, services.settings_for(world.street.id))[community.id]


def counted(figure):
    return figure["num"], figure["den"]


@pytest.fixture
def october(clock):
    """Requests come in on Thursday 2026-10-15 at 10:00 site time (02:00 UTC): due by 12:00 site time."""
    clock.set(2026, 10, 15, 2, 0)
    yield clock


def test_response_counts_every_request_received_against_its_own_due_time(db, october, world):
    on_time = world.factory.request(world)
    late = world.factory.request(world)
    unanswered = world.factory.request(world)
    merged = world.factory.request(world)
    referred = world.factory.request(world)
    october.advance(minutes=90)  # 11:30 site time: inside the 2 h
    requests.accept(world.worker, on_time)
    requests.merge(world.worker, merged, on_time)
    requests.out_of_scope(world.worker, referred, "属于物业合同纠纷", "请联系区消费者协会")
    figures = figures_of(world, "2026-10")
    assert counted(figures["response"]) == (3, 3)  # the two unanswered are still inside their time: not counted yet
    october.advance(hours=1)  # 12:30: past due
    requests.accept(world.worker, late)
    figures = figures_of(world, "2026-10")
    assert counted(figures["response"]) == (3, 5)
    assert sorted(r[1] for r in figures["response"]["records"]) == sorted(
        r.id for r in (on_time, late, unanswered, merged, referred)
    )
    assert all(r[0] == "request" for r in figures["response"]["records"])
    assert figures["response"]["rate"] == pytest.approx(0.6)
    assert figures["basis"] == "requests"


def test_a_request_at_the_months_last_evening_counts_in_that_month_with_the_next_mornings_due(db, clock, world):
    clock.set(2026, 10, 31, 11, 30)  # Saturday 19:30 site time: 30 minutes of service hours left
    request = world.factory.request(world)
    assert request.original_response_due_at == datetime(2026, 11, 1, 1, 30, tzinfo=UTC)  # 09:30 next morning
    clock.set(2026, 11, 1, 1, 0)  # 09:00 site time on 1 November
    requests.accept(world.worker, request)
    assert counted(figures_of(world, "2026-10")["response"]) == (1, 1)
    assert counted(figures_of(world, "2026-11")["response"]) == (0, 0)


def test_moving_a_due_time_does_not_make_a_late_resolution_on_time(db, october, world):
    request = world.factory.request(world, "accepted")
    requests.move_due(world.worker, request, resolution_due_at=request.resolution_due_at + timedelta(days=30), reason="等待配件")
    october.advance(days=10)
    requests.resolve(world.worker, request, "已维修。")
    assert counted(figures_of(world, "2026-10")["resolution"]) == (0, 1)  # due 22 October, the original


def test_resolution_counts_requests_due_in_the_month_solved_by_then(db, october, world):
    solved = world.factory.request(world, "resolved")
    confirmed = world.factory.request(world, "confirmed")
    reopened = world.factory.request(world, "resolved")
    requests.confirm(world.resident, reopened, solved=False)  # "not solved": back in progress
    unsolved_twice = world.factory.request(world, "resolved")
    requests.confirm(world.resident, unsolved_twice, solved=False)
    requests.resolve(world.worker, unsolved_twice, "再次维修。")
    requests.call_back(world.worker, unsolved_twice, solved=False, level="unsatisfied", note="仍未解决")  # ends unsolved
    merged = world.factory.request(world)
    requests.merge(world.worker, merged, solved)
    open_one = world.factory.request(world, "accepted")
    assert counted(figures_of(world, "2026-10")["resolution"]) == (1, 1)  # due 22 October: the rest not counted yet
    october.set(2026, 10, 23, 2, 0)
    figures = figures_of(world, "2026-10")
    assert counted(figures["resolution"]) == (1, 5)  # resolved but never confirmed: not yet solved
    requests.call_back(world.worker, solved, solved=True, level="basically", note="回访：已解决")
    assert counted(figures_of(world, "2026-10")["resolution"]) == (2, 5)  # confirmed late, resolved in time
    assert {r[1] for r in figures["resolution"]["records"]} == {
        solved.id,
        confirmed.id,
        reopened.id,
        unsolved_twice.id,
        open_one.id,
    }  # the merged duplicate is carried by the request it was merged into


def test_satisfaction_counts_answers_given_in_the_month(db, october, world):
    world.factory.request(world, "confirmed", level="satisfied")
    world.factory.request(world, "confirmed", level="basically")
    world.factory.request(world, "closed", level="unsatisfied")
    called_back = world.factory.request(world, "resolved")
    requests.call_back(world.worker, called_back, solved=True, level="basically", note="电话回访，居民基本满意")
    world.factory.request(world, "resolved")  # no answer yet
    figure = figures_of(world, "2026-10")["satisfaction"]
    assert counted(figure) == (3, 4)
    assert figure["levels"] == {"satisfied": 1, "basically": 2, "unsatisfied": 1}
    october.set(2026, 11, 2, 2, 0)
    assert counted(figures_of(world, "2026-11")["satisfaction"]) == (0, 0)


def test_topics_keep_their_own_rates_beside_the_requests(db, october, world):
    world.factory.topic(world, "collecting_support")  # submitted and decided at once: on time
    figures = figures_of(world, "2026-10")
    assert counted(figures["topics_response"]) == (1, 1)
    assert counted(figures["response"]) == (0, 0)
    world.factory.request(world, "accepted")
    figures = figures_of(world, "2026-10")
    assert counted(figures["response"]) == (1, 1) and counted(figures["topics_response"]) == (1, 1)


def test_the_composite_weighs_the_requests_rates_not_the_topics(db, october, world):
    weights = services.settings_for(world.street.id).weights
    for _ in range(5):
        world.factory.topic(world, "collecting_support")  # topics: response 100 %
    for _ in range(5):
        world.factory.request(world)
    october.advance(hours=3)  # requests: none answered in time, response 0 %
    figures = figures_of(world, "2026-10")
    assert figures["topics_response"]["rate"] == 1 and figures["response"]["rate"] == 0
    assert services.composite(figures, weights) == 0.0


def test_a_stored_month_keeps_the_rules_it_was_computed_with(db, october, world):
    old = {"response": {"num": 4, "den": 5, "records": [["topic", 1]], "rate": 0.8}}  # stored before issue 13
    db.session.add(
        StreetRanking(
            street_id=world.street.id, month="2026-09", weights={"response": 30}, rules={"min_records": 5, "response_hours": 48}
        )
    )
    db.session.add(MonthlyResult(community_id=world.a.id, month="2026-09", figures=old, composite=80.0, weights={}))
    world.factory.request(world, "accepted")
    db.session.flush()
    month = services.street_month(world.street, "2026-09")
    row = next(r for r in month["rows"] if r[0].id == world.a.id)
    assert row[1] == old and month["rules"].get("basis") is None
    october.set(2026, 12, 2, 2, 0)
    services.store_month(world.street, "2026-10")
    stored = services.street_month(world.street, "2026-10")
    assert stored["final"] and stored["rules"]["basis"] == "requests"
    row = next(r for r in stored["rows"] if r[0].id == world.a.id)
    assert counted(row[1]["response"]) == (1, 1) and row[1]["basis"] == "requests"


def test_a_month_is_final_only_when_its_last_requests_are_past_their_response_time(db, clock, world):
    settings = EvaluationSettings(street_id=world.street.id, response_hours=1, min_records=5)
    end = month_bounds("2026-10")[1]
    clock.set(end + timedelta(hours=2))  # the street's target passed, a request's not
    assert not services.ready_to_store("2026-10", settings)
    clock.set(end + ANSWER_WINDOW)
    assert services.ready_to_store("2026-10", settings)


@hsettings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    minute=st.integers(0, 24 * 60 - 1),
    response=st.integers(15, 1440),
    start=st.integers(0, 12 * 60),
    length=st.integers(60, 12 * 60),
    morning=st.integers(0, 12 * 60),
)
def test_the_answer_window_holds_for_any_street_targets(minute, response, start, length, morning):
    """A request received in a month's last day is due to be answered within ANSWER_WINDOW of the month's end."""
    end_minute = min(start + length, 24 * 60 - 1)
    targets = Targets(
        response=timedelta(minutes=response),
        service_start=time(start // 60, start % 60),
        service_end=time(end_minute // 60, end_minute % 60),
        next_morning_by=time(*divmod(min(start + morning, end_minute), 60)),
    )
    zone = site_zone()
    month_end = datetime(2026, 11, 1, tzinfo=zone)
    received = month_end - timedelta(minutes=24 * 60 - minute)
    assert response_due(received, targets, zone) <= month_end + ANSWER_WINDOW


def test_request_records_name_no_one(db, october, world):
    request = world.factory.request(world)
    db.session.get(Request, request.id).unit = "2"
    october.advance(hours=3)
    figures, items = services.figure_records(world.a, "2026-10", "response")
    (row,) = record_details(items)
    assert row["kind"] == "request" and row["endpoint"] == "requests.detail"
    assert "Building 3 Unit 2" in row["title"] and world.resident.display_name not in row["title"]
