"""Regression tests for the review of the services: each one was a real hole."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from consult.accounts import services as accounts
from consult.activities import services as activities
from consult.core.errors import Conflict, PermissionDenied, RuleViolation
from consult.places import queries as places, residents, services as places_services
from consult.points import ledger as points
from consult.points.models import LedgerEntry
from consult.topics import queries as topic_queries, services as topics
from consult.topics.models import Ballot, VoteParticipation


def test_a_paper_ballot_never_overwrites_a_cast_ballot(db, world):
    topic = world.topic("voting")
    options = topic_queries.options_of(topics.vote_of(topic).id)
    topics.cast_ballot(world.resident, topic, [options[1].id])
    with pytest.raises(Conflict):
        topics.cast_ballot(world.resident, topic, [options[0].id], recorded_by=world.worker)
    topics.close_early(world.worker, topic, "结束")
    counts = {r["option"].key: r["count"] for r in topics.results(topic, topics.vote_of(topic))["rows"]}
    assert counts["against"] == 1 and counts["for"] == 0


def test_ballot_ids_do_not_follow_the_order_of_participation(db, world, factory):
    topic = world.topic("voting")
    vote = topics.vote_of(topic)
    option = topic_queries.options_of(vote.id)[0].id
    people = [factory.resident(world.a) for _ in range(12)]
    for person in people:
        topics.cast_ballot(person, topic, [option])
    participants = list(db.session.scalars(sa.select(VoteParticipation.user_id).order_by(VoteParticipation.id)))
    assert participants == [p.id for p in people]
    topics.close_early(world.worker, topic, "结束")
    cast = {topics._token(vote, f"u:{p.id}"): i for i, p in enumerate(people)}  # only the key holder can do this
    physical = "rowid" if db.engine.dialect.name == "sqlite" else "ctid"
    by_id = [cast[t] for t in db.session.scalars(sa.select(Ballot.token).where(Ballot.vote_id == vote.id).order_by(Ballot.id))]
    on_disk = [
        cast[t] for t in db.session.scalars(sa.select(Ballot.token).where(Ballot.vote_id == vote.id).order_by(sa.text(physical)))
    ]
    assert sorted(by_id) == list(range(12))
    # Twelve ballots in cast order (or its reverse) by chance: 2 in 12! (about 4 in a billion).
    assert by_id not in (list(range(12)), list(range(11, -1, -1)))
    assert on_disk not in (list(range(12)), list(range(11, -1, -1)))
    ids = list(db.session.scalars(sa.select(Ballot.id).where(Ballot.vote_id == vote.id)))
    assert len(set(ids)) == 12 and max(ids) > 10**9  # random 62-bit ids, not a counter


def test_workers_cannot_reset_staff_accounts(db, world, factory):
    places_services.confirm_residence(world.worker, places_services.apply_for_residence(world.site_admin, world.a))
    with pytest.raises(PermissionDenied):
        residents.issue_reset_code(world.worker, world.site_admin, world.a)


def test_odd_digits_and_huge_numbers_are_not_500s(client, world, login_as):
    for url in (
        f"/c/{world.a.slug}/topics/?category=%C2%B2",
        f"/c/{world.a.slug}/topics/?category=99999999999999999999",
        f"/c/{world.a.slug}/topics/?page=99999999999999999999",
        f"/c/{world.a.slug}/activities/?page=99999999999999999999",
        f"/c/{world.a.slug}/wishes/?page=%C2%B2",
        f"/topics/{world.topic().id}?page=99999999999999999999",
    ):
        assert client.get(url).status_code == 200, url
    resident = login_as(world.resident)
    assert resident.post(f"/topics/{world.topic().id}/comments", {"body": "hi", "parent_id": "²"}).status_code == 400
    assert resident.post(f"/c/{world.a.slug}/topics/new", {"title": "t", "body": "b", "category": "²"}).status_code == 400
    party = login_as(world.party)
    activity = world.factory.activity(world)
    assert party.post(f"/activities/{activity.id}/checkin", {"code": "²²²²²²"}).status_code in (400, 403)


def test_absurd_dates_refused(db, world):
    with pytest.raises(RuleViolation):
        world.factory.activity(world, starts_in=datetime(1, 1, 1, tzinfo=UTC) - activities.now())


def test_moving_out_ends_the_party_registration(db, world):
    places_services.end_residence(world.worker, places.active_residence(world.party), "搬走")
    assert activities.active_registration(world.party) is None
    places_services.confirm_residence(world.other_worker, places_services.apply_for_residence(world.party, world.b))
    activities.register_party_member(world.party, world.b, work_unit="区税务局", party_branch="支部")


def test_closed_prefix_cannot_be_registered(db, world):
    with pytest.raises(Conflict):
        residents.register(username=f"closed-{world.resident.id}", display_name="x", password="long-enough-1", community=world.a)


def test_double_submitted_bonus_posts_once(db, world):
    key = "a" * 32
    points.bonus(world.worker, world.resident, world.a, 50, "清雪", key)
    with pytest.raises(Conflict):
        points.bonus(world.worker, world.resident, world.a, 50, "清雪", key)
    assert db.session.scalar(sa.select(sa.func.sum(LedgerEntry.delta))) == 50


def test_waitlist_keeps_its_turn_after_the_cutoff(db, world, factory, clock):
    activity = world.factory.activity(world, capacity=1, waitlist_cutoff_at=clock.now() + timedelta(hours=1))
    first, second, late = (factory.resident(world.a) for _ in range(3))
    activities.sign_up(first, activity)
    activities.sign_up(second, activity)
    clock.advance(hours=2)
    activities.cancel_signup(first, activity)
    assert activities.sign_up(late, activity).status == "waitlisted"


def test_no_cancelling_after_check_in(db, world, clock):
    activity = world.factory.activity(world, starts_in=timedelta(minutes=20))
    activities.sign_up(world.party, activity)
    activities.check_in(world.party, activity, activities.checkin_code(activity))
    with pytest.raises(Conflict):
        activities.cancel_signup(world.party, activity)


def test_nobody_confirms_their_own_minutes(db, world, clock, factory):
    activity = world.factory.activity(world, starts_in=timedelta(minutes=20))
    places_services.confirm_residence(world.street_admin, places_services.apply_for_residence(world.worker, world.a))
    activities.sign_up(world.worker, activity)
    with pytest.raises(PermissionDenied):
        activities.mark_attendance(world.worker, activity, world.worker)
    attendance = activities.check_in(world.worker, activity, activities.checkin_code(activity))
    clock.advance(hours=3)
    with pytest.raises(PermissionDenied):
        activities.confirm_minutes(world.worker, activity, attendance, 60)
    activities.confirm_minutes(world.street_admin, activity, attendance, 60)


def test_document_numbers_use_the_local_year(db, world, clock):
    clock.set(datetime(2026, 12, 31, 23, 0, tzinfo=UTC))  # 2027-01-01 07:00 in Shanghai
    document = activities.issue_service_record(world.party, world.party, world.a, 2026)
    assert document.number.startswith("SR-2027-")


def test_records_only_of_people_of_the_community(login_as, world, factory):
    stranger = factory.resident(world.c)
    client = login_as(world.worker)
    assert client.get(f"/manage/c/{world.a.slug}/party/{stranger.id}/record").status_code == 403
    assert client.get(f"/manage/c/{world.a.slug}/points/members/{stranger.id}/certificate").status_code == 403
    assert client.get(f"/manage/c/{world.a.slug}/party/{world.party.id}/record").status_code == 200


def test_site_admin_resets_a_staff_account(login_as, world, db):
    client = login_as(world.site_admin)
    page = client.post("/manage/site/reset-code", {"reset-username": "street"}, token_from="/manage/site/")
    assert page.status_code == 200
    code = re.search(r'class="code"[^>]*>([A-Z0-9]{4})-([A-Z0-9]{4})<', page.get_data(as_text=True))
    accounts.use_reset_code("street", code.group(1) + code.group(2), "a-new-password")
    assert accounts.authenticate("street", "a-new-password") is not None
    assert client.post("/manage/site/reset-code", {"reset-username": "nobody"}).status_code == 404
    assert login_as(world.worker).post("/manage/site/reset-code", {"reset-username": "street"}).status_code == 403
